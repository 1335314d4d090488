"""Elementwise activations with hand-derived derivatives (PyTorch's ``F.*`` names and defaults).

Each op saves its input x and returns dL/dx = g * f'(x):

gelu (exact)     f = x Phi(x)                         f' = Phi(x) + x phi(x)
gelu (tanh)      f = x/2 (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3)
silu             f = x sigmoid(x)                     f' = s (1 + x (1 - s))
leaky_relu       f = x if x > 0 else a x              f' = 1 or a
elu              f = x if x > 0 else a (e^x - 1)      f' = 1 or a e^x
selu             f = scale * elu(x, alpha) with PyTorch's constants
softplus         f = log(1 + e^{b x}) / b (x if b x > threshold)   f' = sigmoid(b x)
hardtanh         f = clamp(x, lo, hi)                 f' = 1 on (lo, hi)
hardsigmoid      f = relu6(x + 3) / 6                 f' = 1/6 on (-3, 3)
hardswish        f = x relu6(x + 3) / 6               f' = x/3 + 1/2 on [-3, 3]
mish             f = x tanh(softplus(x))
logsigmoid       f = log sigmoid(x)                   f' = 1 - sigmoid(x)

Inventory: AC-03, AC-04, AC-06, AC-08.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf, expit

from ..function import Function
from ..tensor import Tensor
from ._util import check_float

__all__ = [
    "gelu",
    "silu",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "mish",
    "logsigmoid",
    "GELU",
    "SiLU",
    "LeakyReLU",
    "ELU",
    "Softplus",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Mish",
    "LogSigmoid",
]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _as_mask(mask: np.ndarray, dtype) -> Tensor:
    """A constant Tensor from a NumPy array (used by ``backward_graph``)."""
    return Tensor._make(np.asarray(mask, dtype=dtype), False, None)


class GELU(Function):
    """Gaussian error linear unit, exact (erf) or ``approximate="tanh"``."""

    @staticmethod
    def forward(ctx, x, approximate):
        check_float("input", x, "gelu")
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            inner = np.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x * x * x))
            inner += 1.0
            inner *= x
            inner *= 0.5
            return inner
        cdf = erf(x * _SQRT_HALF)  # (...) Phi(x) = (1 + erf(x / sqrt 2)) / 2
        cdf += 1.0
        cdf *= x
        cdf *= 0.5
        return cdf

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x_sq = x * x
            t = np.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x_sq * x))
            left_derivative = 0.5 * (1.0 + t)
            right_derivative = (
                (0.5 * x) * (1.0 - t * t) * (_SQRT_2_OVER_PI * (1.0 + 3.0 * _KAPPA * x_sq))
            )
            return grad_output * (left_derivative + right_derivative), None
        cdf = erf(x * _SQRT_HALF)
        cdf += 1.0
        cdf *= 0.5
        pdf = np.exp(-0.5 * x * x)
        pdf *= _INV_SQRT_2PI
        pdf *= x
        pdf += cdf  # Phi(x) + x phi(x)
        pdf *= grad_output
        return pdf, None


def gelu(input, approximate="none"):
    """GELU(x) = x Phi(x) (``approximate="none"``) or its tanh approximation (``F.gelu``).

    Inventory: AC-08.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(gelu(tensor([1.0])).item(), 4)
    0.8413
    """
    return GELU.apply(input, approximate)


class SiLU(Function):
    """x sigmoid(x); derivative s (1 + x (1 - s))."""

    @staticmethod
    def forward(ctx, x):
        check_float("input", x, "silu")
        s = expit(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        d = 1.0 - s
        d *= x
        d += 1.0
        d *= s
        d *= grad_output
        return (d,)


def silu(input, inplace=False):
    """SiLU / swish: x * sigmoid(x) (``F.silu``). Inventory: AC-08 (GELU family).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> silu(tensor([0.0])).item()
    0.0
    """
    return SiLU.apply(input)


class LeakyReLU(Function):
    """x if x > 0 else a x; derivative 1 or a (a at x = 0, like PyTorch)."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        check_float("input", x, "leaky_relu")
        ctx.slope = negative_slope
        ctx.save_for_backward(x)
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad_output, grad_output * ctx.slope), None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        slope = _as_mask(np.where(x.data > 0, 1.0, ctx.slope), x.dtype)
        return grad_output * slope, None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Leaky ReLU max(a x, x) for a < 1 (``F.leaky_relu``, default a = 0.01). Inventory: AC-04.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> leaky_relu(tensor([-2.0, 3.0]), 0.2).numpy()
    array([-0.4,  3. ], dtype=float32)
    """
    return LeakyReLU.apply(input, float(negative_slope))


class ELU(Function):
    """scale * (x if x > 0 else alpha (e^{c x} - 1)); derivative scale or scale alpha c e^{c x}.

    c is the input scale (1 for elu/selu, 1/alpha for celu), as in PyTorch's ``elu`` kernel.
    """

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        check_float("input", x, "elu")
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        ctx.save_for_backward(x)
        neg = np.minimum(x, 0)
        if input_scale != 1.0:
            neg *= input_scale
        np.expm1(neg, out=neg)
        neg *= alpha
        out = np.where(x > 0, x, neg)
        if scale != 1.0:
            out *= scale
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        slope = np.minimum(x, 0)
        if ctx.input_scale != 1.0:
            slope *= ctx.input_scale
        np.exp(slope, out=slope)
        slope *= ctx.alpha * ctx.input_scale
        grad = np.where(x > 0, grad_output, grad_output * slope)
        if ctx.scale != 1.0:
            grad *= ctx.scale
        return grad, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        pos = _as_mask(x.data > 0, x.dtype)
        c = ctx.input_scale
        neg_slope = (x.clamp(max=0.0) * c).exp() * (ctx.alpha * c * ctx.scale) * (1.0 - pos)
        return grad_output * (pos * ctx.scale + neg_slope), None, None, None


def elu(input, alpha=1.0, inplace=False):
    """ELU: x for x > 0 else alpha (e^x - 1) (``F.elu``). Inventory: AC-06.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(elu(tensor([-1.0])).item(), 4)
    -0.6321
    """
    return ELU.apply(input, float(alpha), 1.0, 1.0)


def selu(input, inplace=False):
    """SELU = 1.0507 * elu(x, 1.6733) (``F.selu``, self-normalising constants). Inventory: AC-06."""
    return ELU.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """CELU = max(0, x) + min(0, alpha (e^{x/alpha} - 1)) (``F.celu``). Inventory: AC-06."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (ZeroDivisionError in x / alpha)")
    return ELU.apply(input, float(alpha), 1.0, 1.0 / float(alpha))


class Softplus(Function):
    """log(1 + e^{b x}) / b, linear above ``threshold``; derivative sigmoid(b x)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        check_float("input", x, "softplus")
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        bx = x * beta
        soft = np.logaddexp(0, bx)
        if beta != 1.0:
            soft /= beta
        return np.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return np.where(bx > ctx.threshold, grad_output, grad_output * expit(bx)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """Softplus log(1 + e^{beta x}) / beta, = x where beta x > threshold (``F.softplus``).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(softplus(tensor([0.0])).item(), 4)
    0.6931
    """
    return Softplus.apply(input, float(beta), float(threshold))


class Hardtanh(Function):
    """clamp(x, lo, hi); derivative 1 strictly inside (lo, hi), 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        check_float("input", x, "hardtanh")
        if max_val < min_val:
            raise ValueError(
                f"hardtanh: max_val ({max_val}) cannot be less than min_val ({min_val})"
            )
        ctx.lo, ctx.hi = min_val, max_val
        ctx.save_for_backward(x)
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        inside = (x > ctx.lo) & (x < ctx.hi)
        return np.where(inside, grad_output, 0).astype(x.dtype, copy=False), None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        inside = _as_mask((x.data > ctx.lo) & (x.data < ctx.hi), x.dtype)
        return grad_output * inside, None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Hardtanh clamp(x, min_val, max_val) (``F.hardtanh``). Inventory: AC-03 (ReLU family).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> hardtanh(tensor([-3.0, 0.5, 3.0])).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    return Hardtanh.apply(input, float(min_val), float(max_val))


def relu6(input, inplace=False):
    """ReLU6 = min(max(0, x), 6) (``F.relu6``). Inventory: AC-03."""
    return Hardtanh.apply(input, 0.0, 6.0)


class Hardsigmoid(Function):
    """relu6(x + 3) / 6; derivative 1/6 on (-3, 3)."""

    @staticmethod
    def forward(ctx, x):
        check_float("input", x, "hardsigmoid")
        ctx.save_for_backward(x)
        out = np.clip(x + 3.0, 0.0, 6.0)
        out /= 6.0
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return (np.where((x > -3.0) & (x < 3.0), grad_output / 6.0, 0).astype(x.dtype, copy=False),)


def hardsigmoid(input, inplace=False):
    """Hardsigmoid relu6(x + 3) / 6 (``F.hardsigmoid``). Inventory: AC-01 (piecewise-linear)."""
    return Hardsigmoid.apply(input)


class Hardswish(Function):
    """x relu6(x + 3) / 6; derivative 0 below -3, x/3 + 1/2 on [-3, 3], 1 above."""

    @staticmethod
    def forward(ctx, x):
        check_float("input", x, "hardswish")
        ctx.save_for_backward(x)
        out = np.clip(x + 3.0, 0.0, 6.0)
        out *= x
        out /= 6.0
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        slope = np.where(x < -3.0, 0.0, np.where(x <= 3.0, x / 3.0 + 0.5, 1.0)).astype(
            x.dtype, copy=False
        )
        return (grad_output * slope,)


def hardswish(input, inplace=False):
    """Hardswish x relu6(x + 3) / 6 (``F.hardswish``). Inventory: AC-08 (swish family)."""
    return Hardswish.apply(input)


class Mish(Function):
    """x tanh(softplus(x)); derivative tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)."""

    @staticmethod
    def forward(ctx, x):
        check_float("input", x, "mish")
        ctx.save_for_backward(x)
        return x * np.tanh(np.logaddexp(0, x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        t = np.tanh(np.logaddexp(0, x))
        return (grad_output * (t + x * expit(x) * (1.0 - t * t)),)


def mish(input, inplace=False):
    """Mish x tanh(softplus(x)) (``F.mish``). Inventory: AC-08 (smooth ReLU family)."""
    return Mish.apply(input)


class LogSigmoid(Function):
    """log sigmoid(x) = min(x, 0) - log1p(e^{-|x|}); derivative 1 - sigmoid(x) = sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        check_float("input", x, "logsigmoid")
        ctx.save_for_backward(x)
        out = np.exp(-np.abs(x))
        np.log1p(out, out=out)
        return np.minimum(x, 0) - out

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return (grad_output * expit(-x),)


def logsigmoid(input):
    """log sigmoid(x), stable for large |x| (``F.logsigmoid``). Inventory: AC-01, LS-09."""
    return LogSigmoid.apply(input)
