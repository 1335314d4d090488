"""``glassml.nn.functional`` (``F``): stateless layer functions with PyTorch's names.

Re-exports every fused op of :mod:`glassml.autograd.fused` (linear, softmax, conv2d,
batch_norm, dropout, ...) and the elementwise ``relu``/``sigmoid``/``tanh``, and adds:

* ``prelu(x, w)`` = max(0, x) + w min(0, x), w broadcast over channel dim 1 (AC-05);
* ``rrelu(x, lower, upper, training)``: slope a ~ U(lower, upper) per element in training,
  (lower + upper) / 2 in eval (AC-07);
* ``softsign(x)`` = x / (1 + |x|); ``tanhshrink(x)`` = x - tanh x;
* ``softmax_with_temperature(z, T)`` = softmax(z / T) (AC-09);
* ``soft_argmax(z, beta)`` = sum_i i * softmax(beta z)_i (AC-13);
* ``gumbel_softmax(logits, tau, hard)`` = softmax((z + g) / tau), g ~ Gumbel(0, 1), with
  straight-through ``hard=True``: y_hard - stop_grad(y) + y (AC-14);
* ``adaptive_instance_norm(x, y)`` = sigma(y) (x - mu(x)) / sigma(x) + mu(y) (NO-06).

Inventory: AC-01..AC-14, NO-06.

Example
-------
>>> from glassml.autograd import tensor
>>> import glassml.nn.functional as F
>>> F.softsign(tensor([1.0, -3.0])).numpy()
array([ 0.5 , -0.75], dtype=float32)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, relu, sigmoid, tanh
from glassml.autograd.fused import *  # noqa: F401,F403
from glassml.autograd.fused import __all__ as _fused_all
from glassml.autograd.fused import leaky_relu, one_hot, softmax
from glassml.autograd.random import get_generator

__all__ = [
    *_fused_all,
    "relu",
    "sigmoid",
    "tanh",
    "prelu",
    "rrelu",
    "softsign",
    "tanhshrink",
    "softmax_with_temperature",
    "soft_argmax",
    "gumbel_softmax",
    "adaptive_instance_norm",
]


def _const(array: np.ndarray) -> Tensor:
    """A constant (non-differentiable) tensor wrapping ``array``."""
    return Tensor._make(array, False, None)


def _check_tensor(x, fn: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: input must be a glassml Tensor, got {type(x).__name__}")


def prelu(input, weight):
    """PReLU(x) = x if x > 0 else w_c x, with w of shape (C,) or (1,) along dim 1 (AC-05).

    Written as x * (m + (1 - m) w), m = [x > 0], so dL/dx = g (m + (1 - m) w) and
    dL/dw = sum g x (1 - m) over every dim but the channel.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> prelu(tensor([[-2.0, 3.0]]), tensor([0.25])).numpy()
    array([[-0.5,  3. ]], dtype=float32)
    """
    _check_tensor(input, "prelu")
    n = weight.data.size
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-D, got shape {weight.shape}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise ValueError(
            f"prelu: weight has {n} parameters but the input has {channels} channels "
            f"(dim 1 of shape {tuple(input.shape)})"
        )
    w = weight
    if n > 1 and input.ndim > 2:
        w = weight.reshape(n, *(1,) * (input.ndim - 2))  # (C, 1, ..., 1) broadcasts over dim 1
    positive = (input.data > 0).astype(input.dtype)  # m
    negative = _const(1.0 - positive)  # 1 - m
    return input * (_const(positive) + negative * w)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, *, generator=None):
    """Randomised leaky ReLU (AC-07): slope a ~ U(lower, upper) on x < 0 when training,
    the mean slope (lower + upper)/2 otherwise.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> rrelu(tensor([-3.0]), 0.1, 0.3).numpy()
    array([-0.6], dtype=float32)
    """
    _check_tensor(input, "rrelu")
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: expected 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if not training:
        return leaky_relu(input, (lower + upper) / 2.0)
    rng = get_generator(generator)
    slopes = rng.uniform(lower, upper, size=input.shape).astype(input.dtype)
    factor = np.where(input.data >= 0, np.ones((), input.dtype), slopes)  # (...) a or 1
    return input * _const(factor)


def softsign(input):
    """Softsign(x) = x / (1 + |x|)."""
    _check_tensor(input, "softsign")
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    """Tanhshrink(x) = x - tanh(x)."""
    return input - tanh(input)


def softmax_with_temperature(input, temperature: float = 1.0, dim: int = -1):
    """softmax(z / T) along ``dim`` (AC-09): T > 1 flattens, T < 1 sharpens (CL-126).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> softmax_with_temperature(tensor([0.0, 0.0]), 0.5).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    if not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    return softmax(input / float(temperature), dim=dim)


def soft_argmax(input, beta: float = 1.0, dim: int = -1):
    """Differentiable arg-max (AC-13): sum_i i * softmax(beta z)_i along ``dim``.

    As beta -> inf it tends to argmax z; unlike argmax its gradient is non-zero (CL-143).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(soft_argmax(tensor([0.0, 0.0, 100.0])).item(), 4)
    2.0
    """
    _check_tensor(input, "soft_argmax")
    dim = dim % input.ndim
    p = softmax(input * float(beta), dim=dim)
    idx_shape = [1] * input.ndim
    idx_shape[dim] = input.shape[dim]
    positions = np.arange(input.shape[dim], dtype=input.dtype).reshape(idx_shape)
    return (p * _const(positions)).sum(dim)


def gumbel_softmax(
    logits, tau: float = 1.0, hard: bool = False, eps=1e-10, dim=-1, *, generator=None
):
    """Gumbel-softmax sample (AC-14): y = softmax((z + g) / tau), g = -log(E), E ~ Exp(1).

    ``hard=True`` returns the one-hot of argmax y in the forward pass with the gradient of
    the soft sample (straight-through): y_hard - stop_grad(y) + y. As tau -> 0 the soft
    samples become one-hot; argmax frequencies equal softmax(z) for every tau (CL-143).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import tensor
    >>> y = gumbel_softmax(tensor([1.0, 2.0, 3.0]), hard=True,
    ...                    generator=np.random.default_rng(0))
    >>> float(y.sum())
    1.0
    """
    _check_tensor(logits, "gumbel_softmax")
    if not tau > 0:
        raise ValueError(f"gumbel_softmax: tau must be positive, got {tau!r}")
    rng = get_generator(generator)
    gumbels = -np.log(rng.exponential(size=logits.shape)).astype(logits.dtype)  # g ~ Gumbel
    y_soft = softmax((logits + _const(gumbels)) / float(tau), dim=dim)
    if not hard:
        return y_soft
    dim = dim % logits.ndim
    index = y_soft.data.argmax(axis=dim)
    y_hard = np.moveaxis(
        one_hot(_const(index.astype(np.int64)), logits.shape[dim]).data.astype(logits.dtype),
        -1,
        dim,
    )
    return _const(y_hard) - y_soft.detach() + y_soft  # straight-through estimator


def adaptive_instance_norm(content, style, eps: float = 1e-5):
    """AdaIN(x, y) = sigma(y) (x - mu(x)) / sigma(x) + mu(y) (NO-06, StyleGAN / style transfer).

    mu, sigma are per sample and channel over the spatial dims of (N, C, *) inputs; sigma uses
    the biased variance plus ``eps`` under the root, like instance norm.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> adaptive_instance_norm(randn(2, 3, 8), randn(2, 3, 5)).shape
    (2, 3, 8)
    """
    _check_tensor(content, "adaptive_instance_norm")
    _check_tensor(style, "adaptive_instance_norm")
    if content.ndim < 3 or content.shape[:2] != style.shape[:2]:
        raise ValueError(
            "adaptive_instance_norm: expected content and style of shape (N, C, *) with equal "
            f"N and C, got {tuple(content.shape)} and {tuple(style.shape)}"
        )
    axes = tuple(range(2, content.ndim))
    style_axes = tuple(range(2, style.ndim))
    mu_x = content.mean(axes, keepdim=True)
    sigma_x = (content.var(axes, keepdim=True, correction=0) + eps).sqrt()
    mu_y = style.mean(style_axes, keepdim=True)
    sigma_y = (style.var(style_axes, keepdim=True, correction=0) + eps).sqrt()
    if style.ndim != content.ndim:
        raise ValueError("adaptive_instance_norm: content and style must have the same ndim")
    return (content - mu_x) / sigma_x * sigma_y + mu_y


# Every loss of the curriculum (the functional_losses package). Imported last on purpose: its
# versions of mse_loss etc. add input checks (shape equality) on top of the fused kernels
# re-exported above.
from .functional_losses import *  # noqa: E402,F401,F403
from .functional_losses import __all__ as _losses_all  # noqa: E402
from .positional import apply_rotary  # noqa: E402,F401  (RoPE, both layouts)
from .rmsnorm import rms_norm  # noqa: E402,F401

__all__ = [
    *__all__,
    *(name for name in _losses_all if name not in __all__),
    "apply_rotary",
    "rms_norm",
]
