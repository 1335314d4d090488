"""Forward-mode automatic differentiation with dual numbers (AG-05).

A dual number carries a value and a tangent, x + ε·ẋ with ε² = 0. Every operation maps
(x, ẋ) to (f(x), J_f(x)·ẋ), so one pass through a program computes the Jacobian-vector product
J·v alongside the value — no graph, no memory of intermediates. Reverse mode (``Tensor``
and ``backward``) computes vector-Jacobian products vᵀJ instead. For f: Rⁿ → Rᵐ the full
Jacobian costs n forward passes (one per input direction) or m reverse passes (one per
output), which is why training — many parameters, one scalar loss — uses reverse mode
(CL-103).

The functions in this module (``exp``, ``tanh``, ``matmul``, ``sum`` …) accept a
:class:`Dual`, a glassml ``Tensor`` or a NumPy array, so one function definition can be
differentiated both ways: :func:`jacfwd` (n JVPs) and :func:`jacrev` (m VJPs).

Example
-------
>>> import numpy as np
>>> f = lambda x: tanh(x) * x
>>> value, tangent = jvp(f, np.array([0.5]), np.array([1.0]))
>>> bool(np.isclose(tangent[0], np.tanh(0.5) + 0.5 * (1 - np.tanh(0.5) ** 2)))
True
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor

__all__ = [
    "Dual",
    "jvp",
    "jacfwd",
    "jacrev",
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "sqrt",
    "matmul",
    "sum",
]


def _primal(x):
    return x.primal if isinstance(x, Dual) else np.asarray(x)


def _tangent(x):
    return x.tangent if isinstance(x, Dual) else np.zeros_like(np.asarray(x, dtype=float))


def _unbroadcast(t: np.ndarray, shape) -> np.ndarray:
    """Tangents are never reduced in forward mode; a broadcast operand just broadcasts."""
    return np.broadcast_to(t, shape)


class Dual:
    """A value with its tangent: ``primal`` + ε ``tangent`` (same shape, ε² = 0)."""

    __slots__ = ("primal", "tangent")
    __array_priority__ = 1000  # ndarray (op) Dual defers to Dual's reflected operators

    def __init__(self, primal, tangent=None):
        self.primal = np.asarray(primal, dtype=float)
        tangent = np.zeros_like(self.primal) if tangent is None else np.asarray(tangent, float)
        if tangent.shape != self.primal.shape:
            raise ValueError(
                f"tangent: expected shape {self.primal.shape} like the primal, got {tangent.shape}."
            )
        self.tangent = tangent

    shape = property(lambda self: self.primal.shape)
    ndim = property(lambda self: self.primal.ndim)
    T = property(lambda self: Dual(self.primal.T, self.tangent.T))

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    # d(a ± b) = da ± db;  d(ab) = da·b + a·db;  d(a/b) = (da·b − a·db)/b²
    def __add__(self, other):
        p = self.primal + _primal(other)
        return Dual(p, _unbroadcast(self.tangent + _tangent(other), p.shape))

    __radd__ = __add__

    def __sub__(self, other):
        p = self.primal - _primal(other)
        return Dual(p, _unbroadcast(self.tangent - _tangent(other), p.shape))

    def __rsub__(self, other):
        return Dual(
            _primal(other) - self.primal,
            _unbroadcast(-self.tangent, np.shape(_primal(other) - self.primal)),
        )

    def __neg__(self):
        return Dual(-self.primal, -self.tangent)

    def __mul__(self, other):
        a, b = self.primal, _primal(other)
        p = a * b
        return Dual(p, _unbroadcast(self.tangent * b + a * _tangent(other), p.shape))

    __rmul__ = __mul__

    def __truediv__(self, other):
        a, b = self.primal, _primal(other)
        p = a / b
        return Dual(p, _unbroadcast((self.tangent - p * _tangent(other)) / b, p.shape))

    def __rtruediv__(self, other):
        a, b = _primal(other), self.primal
        p = a / b
        return Dual(p, _unbroadcast((_tangent(other) - p * self.tangent) / b, p.shape))

    def __pow__(self, exponent):
        if isinstance(exponent, Dual):
            raise TypeError("exponent: a Dual exponent is not supported; use exp(b * log(a)).")
        e = float(exponent)
        return Dual(self.primal**e, e * self.primal ** (e - 1) * self.tangent)

    # d(A B) = dA·B + A·dB
    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __getitem__(self, index):
        return Dual(self.primal[index], self.tangent[index])

    def reshape(self, *shape):
        return Dual(self.primal.reshape(*shape), self.tangent.reshape(*shape))

    def sum(self, axis=None, keepdims=False):
        return Dual(
            self.primal.sum(axis, keepdims=keepdims), self.tangent.sum(axis, keepdims=keepdims)
        )

    def mean(self, axis=None, keepdims=False):
        return Dual(
            self.primal.mean(axis, keepdims=keepdims), self.tangent.mean(axis, keepdims=keepdims)
        )


def _unary(name, value_fn, derivative_fn, tensor_method):
    """f(x + εẋ) = f(x) + ε f'(x) ẋ; Tensors use their own (reverse-mode) method."""

    def op(x):
        if isinstance(x, Dual):
            y = value_fn(x.primal)
            return Dual(y, derivative_fn(x.primal, y) * x.tangent)
        if isinstance(x, Tensor):
            return getattr(x, tensor_method)()
        return value_fn(np.asarray(x, dtype=float))

    op.__name__ = name
    op.__doc__ = f"{name}(x) for a Dual (value and JVP), a Tensor or an array."
    return op


exp = _unary("exp", np.exp, lambda x, y: y, "exp")
log = _unary("log", np.log, lambda x, y: 1.0 / x, "log")
sin = _unary("sin", np.sin, lambda x, y: np.cos(x), "sin")
cos = _unary("cos", np.cos, lambda x, y: -np.sin(x), "cos")
tanh = _unary("tanh", np.tanh, lambda x, y: 1.0 - y * y, "tanh")
sigmoid = _unary(
    "sigmoid", lambda x: 0.5 * (1 + np.tanh(0.5 * x)), lambda x, y: y * (1 - y), "sigmoid"
)
relu = _unary("relu", lambda x: np.maximum(x, 0.0), lambda x, y: (x > 0).astype(float), "relu")
sqrt = _unary("sqrt", np.sqrt, lambda x, y: 0.5 / y, "sqrt")


def matmul(a, b):
    """a @ b for Duals (d(AB) = dA B + A dB), Tensors or arrays."""
    if isinstance(a, Dual) or isinstance(b, Dual):
        pa, pb = _primal(a), _primal(b)
        return Dual(pa @ pb, _tangent(a) @ pb + pa @ _tangent(b))
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        b = Tensor(np.asarray(b, dtype=a.dtype))
    elif isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = Tensor(np.asarray(a, dtype=b.dtype))
    return a @ b


def sum(x, axis=None):  # noqa: A001 - mirrors numpy / torch naming
    """Σ x over ``axis`` for a Dual, a Tensor or an array."""
    if isinstance(x, (Dual, Tensor)):
        return x.sum(axis) if axis is not None else x.sum()
    return np.sum(x, axis=axis)


def jvp(f, primals, tangents):
    """(f(x), J_f(x)·v) in one forward pass. ``primals``/``tangents``: an array or a tuple."""
    single = not isinstance(primals, tuple)
    primals = (primals,) if single else primals
    tangents = (tangents,) if single else tangents
    if len(primals) != len(tangents):
        raise ValueError(f"tangents: expected {len(primals)} tangents, got {len(tangents)}.")
    out = f(*(Dual(p, t) for p, t in zip(primals, tangents, strict=True)))
    if not isinstance(out, Dual):  # f ignored its inputs: a zero tangent
        return np.asarray(out, float), np.zeros_like(np.asarray(out, float))
    return out.primal, out.tangent


def jacfwd(f, x) -> np.ndarray:
    """Jacobian (m, n) of f: Rⁿ → Rᵐ by n forward passes, one per input basis vector."""
    x = np.asarray(x, dtype=float).ravel()
    columns = []
    for j in range(x.size):
        e_j = np.zeros_like(x)
        e_j[j] = 1.0
        columns.append(np.ravel(jvp(f, x, e_j)[1]))  # J e_j = column j
    return np.stack(columns, axis=1)


def jacrev(f, x) -> np.ndarray:
    """Jacobian (m, n) of f: Rⁿ → Rᵐ by m reverse passes, one per output basis vector."""
    x_t = Tensor(np.asarray(x, dtype=np.float64).ravel(), requires_grad=True)
    y = f(x_t).reshape(-1)
    rows = []
    for i in range(y.shape[0]):
        e_i = np.zeros(y.shape[0])
        e_i[i] = 1.0
        x_t.grad = None
        y.backward(e_i, retain_graph=True)  # e_iᵀ J = row i
        rows.append(x_t.grad.numpy().copy())
    return np.stack(rows, axis=0)
