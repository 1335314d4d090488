"""Binary ops with NumPy broadcasting: z = f(a, b).

Backward returns gradients in the broadcast shape; the engine sums them back to each input's
shape (AG-02: a bias added across a batch receives the sum over the batch). Derivatives:

    add: (1, 1)     sub: (1, -1)     mul: (b, a)     div: (1/b, -a/b^2)
    pow: (b a^{b-1}, a^b log a)      (0 where b == 0, resp. where a == 0 and b >= 0; like torch)
    maximum / minimum: the gradient goes to the larger / smaller input; ties split it 1/2 : 1/2
    where(c, a, b): (1[c], 1[not c])

A Python number operand is a constant (weakly typed: float32 stays float32).

Inventory: AG-02, AG-03.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import tensor
>>> x = tensor(np.ones((3, 4)), requires_grad=True)
>>> b = tensor(np.zeros(4), requires_grad=True)
>>> (x + b).sum().backward()
>>> b.grad.numpy()                     # summed over the broadcast batch axis
array([3., 3., 3., 3.])
"""

from __future__ import annotations

import numbers

import numpy as np

from ..function import Function, apply_binary
from ..tensor import Tensor
from .elementwise import PowScalar, RPowScalar, _const
from .tensor_methods import TensorMethods

__all__ = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"]


def _operand(x, name: str):
    """Tensors pass; Python/NumPy numbers become Python numbers (weak dtype); arrays -> Tensor."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool | numbers.Number) and not isinstance(x, np.generic):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    raise TypeError(f"{name}: expected a Tensor or a number, got {type(x).__name__}")


def _check_shapes(a, b, name: str) -> None:
    sa = a.data.shape if isinstance(a, Tensor) else ()
    sb = b.data.shape if isinstance(b, Tensor) else ()
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise ValueError(
                f"{name}: shapes {sa} and {sb} are not broadcastable (dimensions must be equal "
                "or 1, aligned from the right)"
            ) from None


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    @staticmethod
    def backward_graph(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (np.negative(g) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def backward_graph(ctx, g):
        return g, -g


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)

    @staticmethod
    def backward_graph(ctx, g):
        a, b = ctx.inputs  # Tensors or Python numbers
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g / b
        return (ga if need_a else None), (-ga * (a / b) if need_b else None)

    @staticmethod
    def backward_graph(ctx, g):
        a, b = ctx.inputs  # Tensors or Python numbers
        ga = g / b
        need_a, need_b = ctx.needs_input_grad
        return (ga if need_a else None), (-ga * a / b if need_b else None)


class Pow(Function):
    """z = a^b (both tensors)."""

    @staticmethod
    def forward(ctx, a, b):
        z = np.power(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = np.where(b == 0, 0, g * b * np.power(a, b - 1))
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = np.where((a == 0) & (b >= 0), 0, g * z * np.log(a))
        return ga, gb

    @staticmethod
    def backward_graph(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = where(_const(b.data == 0), 0.0, g * b * a ** (b - 1))
        if need_b:
            safe = where(_const((a.data == 0) & (b.data >= 0)), 1.0, a)
            gb = where(_const((a.data == 0) & (b.data >= 0)), 0.0, g * a**b * safe.log())
        return ga, gb


def _tie_share(wins: np.ndarray, ties: np.ndarray, dtype) -> np.ndarray:
    """1 where the first input wins, 1/2 on ties, 0 elsewhere (in the output dtype)."""
    share = np.asarray(wins, dtype=dtype)
    share = share + np.asarray(ties, dtype=dtype) * 0.5 if np.any(ties) else share
    return share


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        # share of the gradient that goes to a: 1 where a > b, 1/2 on ties, 0 where a < b
        out = np.maximum(a, b)
        ctx.save_for_backward(_tie_share(a > b, a == b, out.dtype))
        return out

    @staticmethod
    def backward(ctx, g):
        (share_a,) = ctx.saved_tensors
        ga = g * share_a.astype(g.dtype, copy=False)
        return ga, g - ga

    @staticmethod
    def backward_graph(ctx, g):
        (share_a,) = ctx.saved_tensors
        ga = g * _const(share_a.astype(g.dtype))
        return ga, g - ga


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = np.minimum(a, b)
        ctx.save_for_backward(_tie_share(a < b, a == b, out.dtype))
        return out

    backward = Maximum.backward
    backward_graph = Maximum.backward_graph


class Where(Function):
    """z = c ? a : b."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:]
        zero = np.zeros((), dtype=g.dtype)
        return (
            None,
            np.where(cond, g, zero) if need_a else None,
            np.where(cond, zero, g) if need_b else None,
        )

    @staticmethod
    def backward_graph(ctx, g):
        (cond,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:]
        return (
            None,
            Where.apply(cond, g, 0.0) if need_a else None,
            Where.apply(cond, 0.0, g) if need_b else None,
        )


def _binary(cls, name, a, b):
    """``cls`` applied to two operands (Tensors, numbers or arrays): checks and conversions.
    Two Tensors (also Parameters) need none: NumPy broadcasts, and a failure is re-raised with
    our message. ``add``, ``sub`` and ``mul`` inline that case for plain Tensors."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        try:
            return apply_binary(cls, a, b)
        except ValueError:
            _check_shapes(a, b, name)  # our message for shapes that do not broadcast
            raise
    a = _operand(a, name)
    b = _operand(b, name)
    _check_shapes(a, b, name)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}: at least one operand must be a Tensor")
    if isinstance(a, float) and not _is_float_tensor(b):  # int tensor (op) float -> float32
        b = b.float()
    elif isinstance(b, float) and not _is_float_tensor(a):
        a = a.float()
    return cls.apply(a, b)


def add(input, other) -> Tensor:
    """z = a + b with broadcasting."""
    if type(input) is Tensor and type(other) is Tensor:  # hot path (x + y): one frame less
        try:
            return apply_binary(Add, input, other)
        except ValueError:
            _check_shapes(input, other, "add")
            raise
    return _binary(Add, "add", input, other)


def sub(input, other) -> Tensor:
    """z = a - b with broadcasting."""
    if type(input) is Tensor and type(other) is Tensor:  # hot path, as in add
        try:
            return apply_binary(Sub, input, other)
        except ValueError:
            _check_shapes(input, other, "sub")
            raise
    return _binary(Sub, "sub", input, other)


def mul(input, other) -> Tensor:
    """z = a * b (Hadamard product) with broadcasting."""
    if type(input) is Tensor and type(other) is Tensor:  # hot path, as in add
        try:
            return apply_binary(Mul, input, other)
        except ValueError:
            _check_shapes(input, other, "mul")
            raise
    return _binary(Mul, "mul", input, other)


def div(input, other) -> Tensor:
    """z = a / b with broadcasting (true division)."""
    if not _is_float_tensor(input) and not _is_float_tensor(other):
        # int / int gives float32, like torch (NumPy would give float64)
        input = input.float() if isinstance(input, Tensor) else float(input)
        other = other.float() if isinstance(other, Tensor) else other
    return _binary(Div, "div", input, other)


def _is_float_tensor(x) -> bool:
    return isinstance(x, Tensor) and x.data.dtype.kind == "f"


def pow(input, exponent) -> Tensor:
    """z = a ** b: Tensor ** number, number ** Tensor or Tensor ** Tensor."""
    a = _operand(input, "pow")
    b = _operand(exponent, "pow")
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        return PowScalar.apply(a, b)
    if not isinstance(a, Tensor) and isinstance(b, Tensor):
        return RPowScalar.apply(b, a)
    if not isinstance(a, Tensor):
        raise TypeError("pow: at least one operand must be a Tensor")
    _check_shapes(a, b, "pow")
    return Pow.apply(a, b)


def maximum(input, other) -> Tensor:
    """Elementwise max; on ties each input receives half of the gradient (like torch)."""
    return _binary(Maximum, "maximum", input, other)


def minimum(input, other) -> Tensor:
    """Elementwise min; on ties each input receives half of the gradient (like torch)."""
    return _binary(Minimum, "minimum", input, other)


def where(condition, input, other) -> Tensor:
    """Select ``input`` where ``condition`` holds, else ``other`` (all broadcast together).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> x = tensor([-1.0, 2.0])
    >>> where(x > 0, x, 0.0).numpy()
    array([0., 2.], dtype=float32)
    """
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    a = _operand(input, "where")
    b = _operand(other, "where")
    shapes = [cond.shape] + [x.data.shape for x in (a, b) if isinstance(x, Tensor)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"where: shapes {shapes} are not broadcastable") from None
    return Where.apply(cond, a, b)


# ``x + y`` calls ``add`` itself: one Python frame and two attribute lookups less per operator
# than the method of ``TensorMethods`` it replaces (per-node overhead, issue 4; the methods are
# what runs until this module is loaded, which ``glassml.autograd`` does on import).
TensorMethods.__add__ = add
TensorMethods.__sub__ = sub
TensorMethods.__mul__ = mul
TensorMethods.__truediv__ = div
