"""Elementwise unary ops: y = f(x), backward dL/dx = dL/dy * f'(x).

Each op is a :class:`~glassml.autograd.function.Function` with forward and backward side by side
on raw arrays, plus ``backward_graph`` (the same derivative written with Tensor ops) for
higher-order gradients. Derivatives:

    neg: -1         exp: e^x = y        log: 1/x            sqrt: 1/(2 y)
    abs: sign(x)    sin: cos x          cos: -sin x         tanh: 1 - y^2
    sigmoid: y (1 - y)                  relu: 1[x > 0]      erf: 2/sqrt(pi) e^{-x^2}
    x^p: p x^{p-1} (0 when p = 0)       clamp: 1[min <= x <= max]

Inventory: AG-03.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor([0.0, 1.0], requires_grad=True)
>>> x.sigmoid().sum().backward()
>>> x.grad.numpy().round(4)
array([0.25  , 0.1966], dtype=float32)
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np
from scipy import special

from ..function import Function
from ..tensor import Tensor

__all__ = [
    "neg",
    "exp",
    "log",
    "log1p",
    "expm1",
    "sqrt",
    "rsqrt",
    "square",
    "reciprocal",
    "abs",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "erf",
    "pow_scalar",
    "rpow_scalar",
    "clamp",
    "clip",
    "clone",
    "sign",
    "floor",
    "ceil",
    "round",
]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _const(arr) -> Tensor:
    """A constant (no-grad) Tensor, for masks inside ``backward_graph``."""
    return Tensor._make(np.asarray(arr), False, None)


def _check_float(x: Tensor, name: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return np.negative(x)

    @staticmethod
    def backward(ctx, g):
        return (np.negative(g),)

    @staticmethod
    def backward_graph(ctx, g):
        return (-g,)


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return (g,)

    @staticmethod
    def backward_graph(ctx, g):
        return (g,)


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (g * y,)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * ctx.inputs[0].exp(),)


class Expm1(Function):
    @staticmethod
    def forward(ctx, x):
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (g * (y + 1),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * ctx.inputs[0].exp(),)


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (g / x,)

    @staticmethod
    def backward_graph(ctx, g):
        return (g / ctx.inputs[0],)


class Log1p(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (g / (x + 1),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g / (ctx.inputs[0] + 1),)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (g / (2 * y),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g / (2 * ctx.inputs[0].sqrt()),)


class Rsqrt(Function):
    """y = x^{-1/2}, dy/dx = -y^3 / 2."""

    @staticmethod
    def forward(ctx, x):
        y = 1 / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (g * (-0.5 * y * y * y),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * (-0.5 * ctx.inputs[0] ** -1.5),)


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (2 * g * x,)

    @staticmethod
    def backward_graph(ctx, g):
        return (2 * g * ctx.inputs[0],)


class Reciprocal(Function):
    @staticmethod
    def forward(ctx, x):
        y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (-g * y * y,)

    @staticmethod
    def backward_graph(ctx, g):
        return (-g / ctx.inputs[0].square(),)


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (g * np.sign(x),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * _const(np.sign(ctx.inputs[0].data)),)


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (g * np.cos(x),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * ctx.inputs[0].cos(),)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (-g * np.sin(x),)

    @staticmethod
    def backward_graph(ctx, g):
        return (-g * ctx.inputs[0].sin(),)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        dx = y * y  # one buffer, updated in place: g * (1 - y^2)
        np.subtract(1, dx, out=dx)
        dx *= g
        return (dx,)

    @staticmethod
    def backward_graph(ctx, g):
        y = ctx.inputs[0].tanh()
        return (g * (1 - y * y),)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) without overflow: 1/(1+e^{-x}) for x >= 0, e^{x}/(1+e^{x}) for x < 0."""
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        y = _stable_sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        dx = 1 - y  # g * y * (1 - y), in one buffer
        dx *= y
        dx *= g
        return (dx,)

    @staticmethod
    def backward_graph(ctx, g):
        y = ctx.inputs[0].sigmoid()
        return (g * y * (1 - y),)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (g * (y > 0),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * _const((ctx.inputs[0].data > 0).astype(g.dtype)),)


class Erf(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special.erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return (g * (_TWO_OVER_SQRT_PI * np.exp(-x * x)),)

    @staticmethod
    def backward_graph(ctx, g):
        x = ctx.inputs[0]
        return (g * (_TWO_OVER_SQRT_PI * (-(x * x)).exp()),)


class PowScalar(Function):
    """y = x^p for a Python number p; dy/dx = p x^{p-1} (0 when p == 0, like torch)."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        if p == 2:
            return x * x
        return np.power(x, p)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(g), None
        if p == 2:
            return 2 * g * x, None
        if p == 1:
            return g, None
        return g * (p * np.power(x, p - 1)), None

    @staticmethod
    def backward_graph(ctx, g):
        p = ctx.p
        if p == 0:
            return g * 0, None
        return g * (p * ctx.inputs[0] ** (p - 1)), None


class RPowScalar(Function):
    """y = c^x for a Python number c; dy/dx = y log c."""

    @staticmethod
    def forward(ctx, x, c):
        y = np.power(c, x)
        ctx.save_for_backward(y)
        ctx.c = c
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * _log_number(ctx.c), None

    @staticmethod
    def backward_graph(ctx, g):
        return g * (ctx.c ** ctx.inputs[0]) * _log_number(ctx.c), None


def _log_number(c) -> float:
    if c > 0:
        return math.log(c)
    return float("-inf") if c == 0 else float("nan")


class Clamp(Function):
    """y = min(max(x, lo), hi); dy/dx = 1 on lo <= x <= hi (inclusive, like torch)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        mask = np.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        ctx.save_for_backward(mask)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None, None

    @staticmethod
    def backward_graph(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * _const(mask.astype(g.dtype)), None, None


class _ZeroGrad(Function):
    """Piecewise-constant ops (sign, floor, ceil, round): derivative 0 almost everywhere."""

    ufunc = None

    @classmethod
    def forward(cls, ctx, x):
        return cls.ufunc(x)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)

    @staticmethod
    def backward_graph(ctx, g):
        return (g * 0,)


class Sign(_ZeroGrad):
    ufunc = staticmethod(np.sign)


class Floor(_ZeroGrad):
    ufunc = staticmethod(np.floor)


class Ceil(_ZeroGrad):
    ufunc = staticmethod(np.ceil)


class Round(_ZeroGrad):
    ufunc = staticmethod(np.round)


def _unary(cls, name):
    def op(input: Tensor) -> Tensor:
        _check_float(input, name)
        return cls.apply(input)

    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (see the module docstring for its derivative)."
    return op


neg = _unary(Neg, "neg")
exp = _unary(Exp, "exp")
expm1 = _unary(Expm1, "expm1")
log = _unary(Log, "log")
log1p = _unary(Log1p, "log1p")
sqrt = _unary(Sqrt, "sqrt")
rsqrt = _unary(Rsqrt, "rsqrt")
square = _unary(Square, "square")
reciprocal = _unary(Reciprocal, "reciprocal")
abs = _unary(Abs, "abs")
sin = _unary(Sin, "sin")
cos = _unary(Cos, "cos")
tanh = _unary(Tanh, "tanh")
sigmoid = _unary(Sigmoid, "sigmoid")
relu = _unary(Relu, "relu")
erf = _unary(Erf, "erf")
clone = _unary(Clone, "clone")
sign = _unary(Sign, "sign")
floor = _unary(Floor, "floor")
ceil = _unary(Ceil, "ceil")
round = _unary(Round, "round")


def _scalar(v, name):
    if v is None:
        return None
    if isinstance(v, Tensor):
        if v.data.size != 1:
            raise ValueError(f"{name}: expected a number, got a tensor of shape {v.shape}")
        return v.data.item()
    if isinstance(v, np.generic):
        return v.item()
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{name}: expected a number, got {type(v).__name__}")
    return v


def pow_scalar(input: Tensor, exponent) -> Tensor:
    """x ** p for a Python number p."""
    return PowScalar.apply(input, _scalar(exponent, "exponent"))


def rpow_scalar(base, exponent: Tensor) -> Tensor:
    """c ** x for a Python number c."""
    return RPowScalar.apply(exponent, _scalar(base, "base"))


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Clamp to [min, max]; gradient 1 inside (bounds included), 0 outside.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> tensor([-2.0, 0.5, 3.0]).clamp(-1, 1).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    _check_float(input, "clamp")
    lo = _scalar(min, "min")
    hi = _scalar(max, "max")
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(input, lo, hi)


clip = clamp
_ = builtins  # keep the builtins module importable under the shadowed names
