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
from ._util import check_float, constant

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


def _softplus_graph(x: Tensor) -> Tensor:
    """log(1 + e^x) = max(x, 0) + log(1 + e^{-|x|}) with Tensor ops (stable)."""
    return x.clamp(min=0.0) + ((-x.abs()).exp() + 1.0).log()


_BLOCK = 16384  # elements per chunk: a chunk's temporaries stay in the L2 cache
_SIGN_BIT = np.int32(-(2**31))
# Abramowitz & Stegun 7.1.26: erfc(z) = t (a1 + t (a2 + ... + t a5)) exp(-z^2), t = 1/(1 + p z),
# z >= 0, |error| <= 1.5e-7. Halved here, so that the polynomial gives Phi(-|x|) = erfc(z) / 2.
_AS_P = 0.3275911 * _SQRT_HALF  # p / sqrt(2): z = |x| / sqrt(2)
_AS_HALF_A = tuple(
    0.5 * a for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)


def _gelu_and_slope(x: np.ndarray, approximate: str, need_slope: bool):
    """f(x) and (when ``need_slope``) f'(x) of GELU in one cache-blocked pass over x.

    exact: f = x Phi(x), f' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi).
    float64 takes Phi from SciPy's erf (exact to rounding). float32 takes Phi(-|x|) from the
    A&S 7.1.26 polynomial (|error| <= 1.5e-7, below float32's resolution of Phi near 1) and
    shares exp(-x^2/2) between Phi and phi; SciPy's float32 erf is ~8x slower.
    tanh: t = tanh(u), u = c (x + k x^3), f = x (1 + t) / 2,
    f' = (1 + t) / 2 + x (1 - t^2) c (1 + 3 k x^2) / 2, with c = sqrt(2/pi), k = 0.044715.

    The work runs on chunks of ``_BLOCK`` elements so that the ~20 elementwise passes of a chunk
    hit the cache; each full-size array crosses the memory bus once. Returns (out, slope or None).
    """
    dt = x.dtype.type
    xf = np.ascontiguousarray(x).reshape(-1)  # (N,)
    n = xf.size
    out = np.empty_like(xf)
    slope = np.empty_like(xf) if need_slope else None
    buf = np.empty((2, max(1, min(_BLOCK, n))), dtype=x.dtype)  # two chunk temporaries
    polynomial_erf = approximate == "none" and x.dtype == np.float32
    half, one = dt(0.5), dt(1.0)
    a1, a2, a3, a4, a5 = (dt(a) for a in _AS_HALF_A)
    p, c, inv_sqrt_2pi = dt(_AS_P), dt(_SQRT_2_OVER_PI), dt(_INV_SQRT_2PI)
    kappa, three_kappa_c = dt(_KAPPA), dt(3.0 * _KAPPA * _SQRT_2_OVER_PI)
    for start in range(0, n, _BLOCK):
        xb = xf[start : start + _BLOCK]  # (m,) chunk of x
        m = xb.size
        t, g = buf[0, :m], buf[1, :m]
        ob = out[start : start + m]
        sb = slope[start : start + m] if need_slope else None
        if approximate == "tanh":
            np.multiply(xb, xb, out=g)  # x^2
            np.multiply(g, kappa, out=t)
            t += one
            t *= xb
            t *= c  # u = c (x + k x^3)
            np.tanh(t, out=t)
            np.add(t, one, out=ob)
            ob *= half  # (1 + t) / 2
            if need_slope:
                np.multiply(t, t, out=sb)
                np.subtract(one, sb, out=sb)  # 1 - t^2
                g *= three_kappa_c
                g += c  # c (1 + 3 k x^2)
                sb *= g
                sb *= xb
                sb *= half
                sb += ob
        elif polynomial_erf:
            np.abs(xb, out=t)
            t *= p
            t += one
            np.reciprocal(t, out=t)  # t = 1 / (1 + p |x| / sqrt 2)
            np.multiply(t, a5, out=ob)
            for a in (a4, a3, a2, a1):
                ob += a
                ob *= t  # Horner: t (a1 + t (a2 + ...)) / 2
            np.multiply(xb, xb, out=g)
            g *= dt(-0.5)
            np.exp(g, out=g)  # exp(-x^2 / 2)
            ob *= g  # q = Phi(-|x|)
            np.subtract(half, ob, out=ob)  # 1/2 - q >= 0
            sign = t.view(np.int32)  # np.copysign is ~10x slower than two bitwise passes
            np.bitwise_and(xb.view(np.int32), _SIGN_BIT, out=sign)
            np.bitwise_or(ob.view(np.int32), sign, out=ob.view(np.int32))  # sign(x) (1/2 - q)
            ob += half  # Phi(x): 1 - q for x >= 0, q for x < 0
            if need_slope:
                np.multiply(xb, g, out=sb)
                sb *= inv_sqrt_2pi
                sb += ob  # Phi(x) + x phi(x)
        else:
            np.multiply(xb, dt(_SQRT_HALF), out=ob)
            erf(ob, out=ob)
            ob += one
            ob *= half  # Phi(x) = (1 + erf(x / sqrt 2)) / 2
            if need_slope:
                np.multiply(xb, xb, out=sb)
                sb *= dt(-0.5)
                np.exp(sb, out=sb)
                sb *= xb
                sb *= inv_sqrt_2pi
                sb += ob  # Phi(x) + x phi(x)
        ob *= xb  # x Phi(x)
    return out.reshape(x.shape), (slope.reshape(x.shape) if need_slope else None)


class GELU(Function):
    """Gaussian error linear unit, exact (erf) or ``approximate="tanh"``.

    The derivative f'(x) is computed in the forward pass from the same intermediate values
    (Phi and exp(-x^2/2), or tanh(u)) and saved instead of x, so the backward is one multiply,
    g * f'(x), and never re-evaluates erf or tanh. It is only computed when x requires grad.
    """

    @staticmethod
    def forward(ctx, x, approximate):
        check_float("input", x, "gelu")
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        need_slope = ctx.needs_input_grad[0]
        out, slope = _gelu_and_slope(x, approximate, need_slope)
        if need_slope:
            ctx.save_for_backward(slope)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (slope,) = ctx.saved_tensors
        return grad_output * slope, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, approximate = ctx.inputs[0], ctx.inputs[1]
        if (
            approximate == "tanh"
        ):  # u = k (x + c x^3), f' = (1 + t)/2 + x (1 - t^2) k (1 + 3 c x^2)/2
            k, c = math.sqrt(2.0 / math.pi), 0.044715
            t = ((x + x * x * x * c) * k).tanh()
            slope = (t + 1.0) * 0.5 + x * (1.0 - t * t) * (0.5 * k) * (x * x * (3.0 * c) + 1.0)
        else:  # f' = Phi(x) + x phi(x)
            phi = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
            slope = (x * (1.0 / math.sqrt(2.0))).erf() * 0.5 + 0.5 + x * phi
        return grad_output * slope, None


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

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        s = x.sigmoid()
        return (grad_output * (s * (x * (1.0 - s) + 1.0)),)


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
        slope = constant(np.where(x.data > 0, 1.0, ctx.slope), x.dtype)
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
        pos = constant(x.data > 0, x.dtype)
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

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        linear = constant(x.data * ctx.beta > ctx.threshold, x.dtype)  # slope 1 above threshold
        slope = (x * ctx.beta).sigmoid() * (1.0 - linear) + linear
        return grad_output * slope, None, None


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
        inside = constant((x.data > ctx.lo) & (x.data < ctx.hi), x.dtype)
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

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        return (grad_output * constant(((x.data > -3.0) & (x.data < 3.0)) / 6.0, x.dtype),)


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

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        middle = constant((x.data >= -3.0) & (x.data <= 3.0), x.dtype)
        above = constant(x.data > 3.0, x.dtype)
        return (grad_output * ((x / 3.0 + 0.5) * middle + above),)


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

    @staticmethod
    def backward_graph(ctx, grad_output):
        x = ctx.inputs[0]
        t = _softplus_graph(x).tanh()
        return (grad_output * (t + x * x.sigmoid() * (1.0 - t * t)),)


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

    @staticmethod
    def backward_graph(ctx, grad_output):
        return (grad_output * (-ctx.inputs[0]).sigmoid(),)


def logsigmoid(input):
    """log sigmoid(x), stable for large |x| (``F.logsigmoid``). Inventory: AC-01, LS-09."""
    return LogSigmoid.apply(input)
