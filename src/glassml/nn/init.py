"""Parameter initialisers (``glassml.nn.init``), with PyTorch's names, fan conventions and gains.

Each ``*_`` function fills a tensor **in place** (under ``no_grad``) and returns it. Random
ones take ``generator`` (a ``numpy.random.Generator``; default: glassml's seeded generator,
see ``glassml.manual_seed``).

Fans (PyTorch's convention for a weight of shape (out, in, *kernel)):
``fan_in = in * prod(kernel)``, ``fan_out = out * prod(kernel)``.

* Xavier/Glorot (IN-04): Var(w) = gain^2 * 2 / (fan_in + fan_out);
  uniform bound a = gain * sqrt(6 / (fan_in + fan_out)).
* He/Kaiming (IN-05): Var(w) = gain^2 / fan, gain = calculate_gain(nonlinearity, a);
  uniform bound = gain * sqrt(3 / fan).
* LeCun: Var(w) = 1 / fan_in (SELU networks).
* Orthogonal (IN-06): Q of the QR decomposition of a Gaussian matrix, columns sign-corrected
  by sign(diag R) so that Q is Haar-distributed (as torch does).

Inventory: IN-01..IN-06, IN-08, IN-09.

Example
-------
>>> from glassml.autograd import empty
>>> import numpy as np
>>> w = kaiming_normal_(empty(256, 128), nonlinearity="relu",
...                     generator=np.random.default_rng(0))
>>> round(float(w.numpy().std() * np.sqrt(128 / 2)), 1)
1.0
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Tensor
from glassml.autograd.random import get_generator

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "orthogonal_",
    "trunc_normal_",
    "_calculate_fan_in_and_fan_out",
    "_calculate_correct_fan",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def _check_tensor(tensor, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a glassml Tensor, got {type(tensor).__name__}")
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"{fn}: expected a floating tensor, got dtype {tensor.data.dtype}")
    return tensor


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    """Write ``values`` into the tensor's buffer in place (no graph is recorded)."""
    tensor.data[...] = values
    tensor._version[0] += 1
    return tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Recommended gain for an activation (PyTorch's table).

    linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2))
    (slope default 0.01); selu: 3/4.

    Example
    -------
    >>> round(calculate_gain("leaky_relu", 0.2), 6)
    1.38675
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{[*_LINEAR_FNS, 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu']}"
    )


def _calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight (out, in, *kernel): (in*k, out*k), k = prod(kernel)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(shape)})"
        )
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode: expected 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with U(a, b) (IN-03)."""
    _check_tensor(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    rng = get_generator(generator)
    return _fill(tensor, rng.uniform(a, b, size=tensor.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2) (IN-02)."""
    _check_tensor(tensor, "normal_")
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    rng = get_generator(generator)
    return _fill(tensor, rng.normal(mean, std, size=tensor.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (absolute bounds, like torch).

    Sampled by inverting the normal CDF on U(Phi(alpha), Phi(beta)), alpha = (a-mean)/std.
    """
    from scipy.special import ndtr, ndtri

    _check_tensor(tensor, "trunc_normal_")
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    rng = get_generator(generator)
    lo, hi = ndtr((a - mean) / std), ndtr((b - mean) / std)
    u = rng.uniform(lo, hi, size=tensor.shape)
    return _fill(tensor, np.clip(mean + std * ndtri(u), a, b))


def constant_(tensor, val: float) -> Tensor:
    """Fill with the constant ``val``."""
    _check_tensor(tensor, "constant_")
    return _fill(tensor, val)


def zeros_(tensor) -> Tensor:
    """Fill with 0 (biases, IN-01)."""
    return constant_(tensor, 0.0)


def ones_(tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def eye_(tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (IN-08): I_{ij} = [i == j]."""
    _check_tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight (out, in, *k) with the Dirac delta: the conv is the identity map on
    the first min(out/groups, in) channels of each group (IN-08)."""
    _check_tensor(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3, 4 or 5-D tensors are supported, got {tensor.ndim}-D")
    out_per_group = tensor.shape[0] // groups
    if tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({tensor.shape[0]}) must be divisible by groups")
    values = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, tensor.shape[1])):
            values[(g * out_per_group + d, d, *centre)] = 1.0
    return _fill(tensor, values)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform (IN-04): U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal (IN-04): N(0, gain^2 * 2 / (fan_in + fan_out))."""
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor, a: float = 0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None
) -> Tensor:
    """He uniform (IN-05): U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nl, a).

    ``kaiming_uniform_(w, a=sqrt(5))`` is PyTorch's default Linear/Conv init:
    b = sqrt(2/6) * sqrt(3/fan_in) = 1/sqrt(fan_in).
    """
    _check_tensor(tensor, "kaiming_uniform_")
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor, a: float = 0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None
) -> Tensor:
    """He normal (IN-05): N(0, gain^2 / fan), gain = calculate_gain(nonlinearity, a)."""
    _check_tensor(tensor, "kaiming_normal_")
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def lecun_uniform_(tensor, generator=None) -> Tensor:
    """LeCun uniform: U(-b, b), b = sqrt(3 / fan_in) (Var = 1/fan_in)."""
    _check_tensor(tensor, "lecun_uniform_")
    bound = math.sqrt(3.0 / _calculate_correct_fan(tensor, "fan_in"))
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor, generator=None) -> Tensor:
    """LeCun normal: N(0, 1 / fan_in) (the init SELU's self-normalisation assumes)."""
    _check_tensor(tensor, "lecun_normal_")
    std = math.sqrt(1.0 / _calculate_correct_fan(tensor, "fan_in"))
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain: float = 1.0, generator=None) -> Tensor:
    """(Semi-)orthogonal init (IN-06), as torch: rows = shape[0], cols = numel / rows.

    A = N(0,1)^(rows x cols) (transposed when rows < cols), A = QR, Q <- Q * sign(diag R),
    then W = gain * Q (or Q^T). Rows are orthonormal when rows <= cols, columns otherwise.
    """
    _check_tensor(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(
            f"orthogonal_: only tensors with 2 or more dimensions are supported, "
            f"got shape {tensor.shape}"
        )
    if tensor.data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    rng = get_generator(generator)
    a = rng.standard_normal((rows, cols))  # (rows, cols)
    if rows < cols:
        a = a.T  # (cols, rows): tall, so QR gives orthonormal columns
    q, r = np.linalg.qr(a)  # q: (tall, short)
    q *= np.sign(np.diag(r))  # sign correction makes Q uniformly (Haar) distributed
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))
