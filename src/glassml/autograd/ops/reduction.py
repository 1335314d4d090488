"""Reductions: sum, mean, var/std, max/min, amax/amin, logsumexp, prod, cumsum; argmax & co.

Backward of a reduction over axes R broadcasts the upstream gradient back over R:

    sum:  dL/dx = g                                  mean: g / N
    var:  g * 2 (x - mean) / (N - correction)        std:  g * (x - mean) / ((N - correction) std)
    max/min over dim: the gradient goes to the ONE element whose index is returned (torch routing)
    max()/min() over all and amax/amin: ties share the gradient equally (g / #ties)
    logsumexp: g * softmax(x) = g * exp(x - lse)     prod: g * prod_{j != i} x_j
    cumsum: reversed cumulative sum of g

argmax/argmin/argsort return int64 tensors (no gradient); topk/sort return (values, indices)
with values differentiable through a gather.

Inventory: AG-03.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
>>> values, indices = x.max(dim=1)
>>> indices.numpy()
array([1, 0])
"""

from __future__ import annotations

import builtins
import numbers
from collections import namedtuple

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _const

__all__ = [
    "sum",
    "mean",
    "var",
    "std",
    "max",
    "min",
    "amax",
    "amin",
    "logsumexp",
    "norm",
    "prod",
    "cumsum",
    "argmax",
    "argmin",
    "argsort",
    "topk",
    "sort",
    "normalize_dims",
]

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def normalize_dims(dim, ndim: int, name: str = "dim") -> tuple:
    """``dim`` (None, int or sequence) -> sorted tuple of non-negative axes; checks the range."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    out = []
    lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"{name}: expected int dimensions, got {d!r}")
        if not lo <= d <= hi:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})"
            )
        out.append(int(d) % builtins.max(ndim, 1) if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: dimension appears more than once in {dim!r}")
    return tuple(sorted(out)) if ndim else ()


def _norm_dim(dim, ndim: int) -> int:
    return normalize_dims(dim, ndim)[0] if ndim else 0


def _expand_back(g: np.ndarray, shape: tuple, axes: tuple, keepdim: bool) -> np.ndarray:
    """Reshape a reduced gradient so it broadcasts against the input of ``shape``."""
    if not keepdim and axes:
        g = np.expand_dims(g, axes)
    return g


class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return np.sum(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        return np.broadcast_to(g, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, g):
        if not ctx.keepdim and ctx.axes:
            g = _unsqueeze_axes(g, ctx.axes)
        return g.expand(ctx.shape), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.n = int(np.prod([x.shape[a] for a in axes]))
        return np.mean(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) / ctx.n
        return np.broadcast_to(g, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, g):
        (gx, _, _) = Sum.backward_graph(ctx, g)
        return gx / ctx.n, None, None


class Var(Function):
    """var = sum (x - mean)^2 / (N - correction)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        n = int(np.prod([x.shape[a] for a in axes]))
        centered = x - np.mean(x, axis=axes, keepdims=True)
        ctx.save_for_backward(centered)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, builtins.max(n - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sum(centered * centered, axis=axes, keepdims=keepdim) / ctx.denom

    @staticmethod
    def backward(ctx, g):
        (centered,) = ctx.saved_tensors
        g = _expand_back(g, centered.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * centered * (2.0 / ctx.denom if ctx.denom else np.inf), None, None, None

    @staticmethod
    def backward_graph(ctx, g):
        x = ctx.inputs[0]
        centered = x - x.mean(dim=ctx.axes, keepdim=True)
        if not ctx.keepdim and ctx.axes:
            g = _unsqueeze_axes(g, ctx.axes)
        return g * centered * (2.0 / ctx.denom), None, None, None


class Std(Function):
    """std = sqrt(var); d std / dx = (x - mean) / ((N - correction) std)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        n = int(np.prod([x.shape[a] for a in axes]))
        centered = x - np.mean(x, axis=axes, keepdims=True)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, builtins.max(n - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.sqrt(np.sum(centered * centered, axis=axes, keepdims=True) / ctx.denom)
        ctx.save_for_backward(centered, s)
        return s if keepdim else np.squeeze(s, axis=axes)

    @staticmethod
    def backward(ctx, g):
        centered, s = ctx.saved_tensors
        g = _expand_back(g, centered.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * centered / (s * ctx.denom), None, None, None

    @staticmethod
    def backward_graph(ctx, g):
        x = ctx.inputs[0]
        centered = x - x.mean(dim=ctx.axes, keepdim=True)
        s = ((centered * centered).sum(dim=ctx.axes, keepdim=True) / ctx.denom).sqrt()
        if not ctx.keepdim and ctx.axes:
            g = _unsqueeze_axes(g, ctx.axes)
        return g * centered / (s * ctx.denom), None, None, None


def _unsqueeze_axes(g: Tensor, axes: tuple) -> Tensor:
    shape = list(g.shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return g.reshape(tuple(shape))


class ExtremumAll(Function):
    """max()/min()/amax/amin: ties share the gradient equally (torch's evenly-distributed rule)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, use_max):
        y = (np.amax if use_max else np.amin)(x, axis=axes, keepdims=True)
        mask = x == y
        count = np.sum(mask, axis=axes, keepdims=True)
        ctx.save_for_backward(mask, count)
        ctx.axes, ctx.keepdim = axes, keepdim
        return y if keepdim else np.squeeze(y, axis=axes)

    @staticmethod
    def backward(ctx, g):
        mask, count = ctx.saved_tensors
        g = _expand_back(g, mask.shape, ctx.axes, ctx.keepdim)
        return g * mask / count.astype(g.dtype), None, None, None

    @staticmethod
    def backward_graph(ctx, g):
        mask, count = ctx.saved_tensors
        if not ctx.keepdim and ctx.axes:
            g = _unsqueeze_axes(g, ctx.axes)
        return g * _const((mask / count).astype(g.dtype)), None, None, None


class TakeAlongDim(Function):
    """values = x[..., idx, ...] along ``dim`` (idx has size 1 there); gradient routed to idx."""

    @staticmethod
    def forward(ctx, x, idx, dim, keepdim):
        ctx.shape, ctx.idx, ctx.dim, ctx.keepdim = x.shape, idx, dim, keepdim
        v = np.take_along_axis(x, idx, axis=dim)
        return v if keepdim else np.squeeze(v, axis=dim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        np.put_along_axis(gx, ctx.idx, g, axis=ctx.dim)
        return gx, None, None, None

    @staticmethod
    def backward_graph(ctx, g):
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return PutAlongDim.apply(g, ctx.idx, ctx.dim, ctx.shape), None, None, None


class PutAlongDim(Function):
    """The adjoint of TakeAlongDim: scatter g into zeros of ``shape`` at idx along dim."""

    @staticmethod
    def forward(ctx, g, idx, dim, shape):
        ctx.idx, ctx.dim = idx, dim
        out = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(out, idx, g, axis=dim)
        return out

    @staticmethod
    def backward(ctx, gout):
        return np.take_along_axis(gout, ctx.idx, axis=ctx.dim), None, None, None

    @staticmethod
    def backward_graph(ctx, gout):
        return TakeAlongDim.apply(gout, ctx.idx, ctx.dim, True), None, None, None


class LogSumExp(Function):
    """lse = m + log sum exp(x - m) with m = max (stable); d lse/dx = exp(x - lse)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        m = np.amax(x, axis=axes, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
        m = np.where(np.isfinite(m), m, 0)
        lse = m + np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True))
        ctx.save_for_backward(x, lse)
        ctx.axes, ctx.keepdim = axes, keepdim
        return lse if keepdim else np.squeeze(lse, axis=axes)

    @staticmethod
    def backward(ctx, g):
        x, lse = ctx.saved_tensors
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        return g * np.exp(x - lse), None, None

    @staticmethod
    def backward_graph(ctx, g):
        x = ctx.inputs[0]
        lse = LogSumExp.apply(x, ctx.axes, True)
        if not ctx.keepdim and ctx.axes:
            g = _unsqueeze_axes(g, ctx.axes)
        return g * (x - lse).exp(), None, None


class Prod(Function):
    """d/dx_i prod_j x_j = prod_{j != i} x_j (exclusive cumulative products: exact with zeros)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        if dim is None:
            return np.prod(x)
        return np.prod(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        if dim is None:
            flat = x.reshape(-1)
            return g * _prod_others(flat, 0).reshape(x.shape), None, None
        if not ctx.keepdim:
            g = np.expand_dims(g, dim)
        return g * _prod_others(x, dim), None, None

    @staticmethod
    def backward_graph(ctx, g):
        x = ctx.inputs[0]
        dim = ctx.dim
        if dim is None:
            others = _prod_others_graph(x.reshape(-1), 0).reshape(x.shape)
            return g * others, None, None
        if not ctx.keepdim:
            g = g.unsqueeze(dim)
        return g * _prod_others_graph(x, dim), None, None


def _prod_others_graph(x: Tensor, dim: int) -> Tensor:
    """prod_{j != i} x_j with Tensor ops: row i of M is x with x_i replaced by 1."""
    xm = x.movedim(dim, -1)  # (..., n)
    n = xm.shape[-1]
    eye = _const(np.eye(n, dtype=x.dtype))  # (n, n)
    m = xm.unsqueeze(-2) * (1 - eye) + eye  # (..., n, n)
    return m.prod(-1).movedim(-1, dim)


def _prod_others(x: np.ndarray, axis: int) -> np.ndarray:
    ones = np.ones_like(np.take(x, [0], axis=axis)) if x.shape[axis] else x[:0]
    left = np.cumprod(np.concatenate([ones, np.delete(x, -1, axis=axis)], axis=axis), axis=axis)
    xr = np.flip(x, axis=axis)
    right = np.cumprod(np.concatenate([ones, np.delete(xr, -1, axis=axis)], axis=axis), axis=axis)
    return left * np.flip(right, axis=axis)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim
        return np.flip(np.cumsum(np.flip(g, d), axis=d), d), None

    @staticmethod
    def backward_graph(ctx, g):
        d = ctx.dim
        return g.flip(d).cumsum(d).flip(d), None


# --------------------------------------------------------------------------- public functions
def _check(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")


def sum(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Sum over ``dim`` (all dims when None)."""
    _check(input, "sum")
    return Sum.apply(input, normalize_dims(dim, input.ndim), keepdim)


def mean(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Arithmetic mean over ``dim`` (all dims when None)."""
    _check(input, "mean")
    if input.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be floating point, got "
            f"{input.dtype}"
        )
    return Mean.apply(input, normalize_dims(dim, input.ndim), keepdim)


def _correction(unbiased, correction) -> float:
    if unbiased is not None and correction is not None:
        raise ValueError("var/std: pass either unbiased or correction, not both")
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    """Variance sum (x - mean)^2 / (N - correction); correction=1 (Bessel) by default, like torch.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> float(tensor([1.0, 2.0, 3.0, 4.0]).var())
    1.6666666269302368
    """
    _check(input, "var")
    if isinstance(dim, bool):  # torch's legacy var(unbiased) positional form
        dim, unbiased = None, dim
    return Var.apply(
        input, normalize_dims(dim, input.ndim), _correction(unbiased, correction), keepdim
    )


def std(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    """Standard deviation: sqrt of :func:`var`."""
    _check(input, "std")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return Std.apply(
        input, normalize_dims(dim, input.ndim), _correction(unbiased, correction), keepdim
    )


def _extremum_dim(input, dim, keepdim, use_max, name):
    _check(input, name)
    d = _norm_dim(dim, input.ndim)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size")
    data = input.data if input.ndim else input.data.reshape(1)
    idx = (np.argmax if use_max else np.argmin)(data, axis=d, keepdims=True)
    if input.ndim == 0:
        return ValuesIndices(
            input.clone() if input.requires_grad else input,
            Tensor._make(np.asarray(0), False, None),
        )
    values = TakeAlongDim.apply(input, idx, d, keepdim)
    indices = idx if keepdim else np.squeeze(idx, axis=d)
    return ValuesIndices(values, Tensor._make(indices.astype(np.int64, copy=False), False, None))


def _extremum_all(input, dim, keepdim, use_max, name):
    _check(input, name)
    axes = normalize_dims(dim, input.ndim)
    if input.data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction over a non-empty tensor")
    return ExtremumAll.apply(input, axes, keepdim, use_max)


def max(input: Tensor, dim=None, keepdim: bool = False):
    """``max(x)``: the largest value (ties share the gradient); ``max(x, dim)``: (values, indices),
    the gradient going to the returned index, like torch. ``max(x, other_tensor)`` is maximum."""
    if isinstance(dim, Tensor):
        from .binary import maximum

        return maximum(input, dim)
    if dim is None:
        return _extremum_all(input, None, False, True, "max")
    return _extremum_dim(input, dim, keepdim, True, "max")


def min(input: Tensor, dim=None, keepdim: bool = False):
    """The smallest value, or (values, indices) along ``dim``; see :func:`max`."""
    if isinstance(dim, Tensor):
        from .binary import minimum

        return minimum(input, dim)
    if dim is None:
        return _extremum_all(input, None, False, False, "min")
    return _extremum_dim(input, dim, keepdim, False, "min")


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Max over ``dim`` (all when empty); ties share the gradient equally (like torch.amax)."""
    return _extremum_all(input, None if dim == () else dim, keepdim, True, "amax")


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Min over ``dim`` (all when empty); ties share the gradient equally (like torch.amin)."""
    return _extremum_all(input, None if dim == () else dim, keepdim, False, "amin")


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log sum_i exp(x_i) over ``dim``, computed stably around the max."""
    _check(input, "logsumexp")
    return LogSumExp.apply(input, normalize_dims(dim, input.ndim), keepdim)


def prod(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Product over one ``dim`` (or all elements)."""
    _check(input, "prod")
    d = None if dim is None else _norm_dim(dim, input.ndim)
    return Prod.apply(input, d, keepdim)


def cumsum(input: Tensor, dim: int) -> Tensor:
    """Cumulative sum along ``dim``."""
    _check(input, "cumsum")
    return Cumsum.apply(input, _norm_dim(dim, input.ndim))


def norm(input: Tensor, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """Vector p-norm (sum |x|^p)^(1/p) over ``dim`` (p=2: sqrt(sum x^2))."""
    _check(input, "norm")
    if p == 2:
        return (input * input).sum(dim, keepdim).sqrt()
    if p == 1:
        return input.abs().sum(dim, keepdim)
    if p == float("inf"):
        return input.abs().amax(() if dim is None else dim, keepdim)
    return (input.abs() ** p).sum(dim, keepdim) ** (1.0 / p)


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) maximum, over the flattened tensor when ``dim`` is None."""
    _check(input, "argmax")
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(input.data), dtype=np.int64), False, None)
    d = _norm_dim(dim, input.ndim)
    return Tensor._make(
        np.argmax(input.data, axis=d, keepdims=keepdim).astype(np.int64), False, None
    )


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) minimum, over the flattened tensor when ``dim`` is None."""
    _check(input, "argmin")
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(input.data), dtype=np.int64), False, None)
    d = _norm_dim(dim, input.ndim)
    return Tensor._make(
        np.argmin(input.data, axis=d, keepdims=keepdim).astype(np.int64), False, None
    )


def argsort(input: Tensor, dim: int = -1, descending: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim`` (stable)."""
    _check(input, "argsort")
    d = _norm_dim(dim, input.ndim)
    key = -input.data if descending else input.data
    return Tensor._make(np.argsort(key, axis=d, kind="stable").astype(np.int64), False, None)


def sort(input: Tensor, dim: int = -1, descending: bool = False):
    """(values, indices) sorted along ``dim``; values are differentiable (gather)."""
    from .indexing import gather

    idx = argsort(input, dim, descending)
    return ValuesIndices(gather(input, dim, idx), idx)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """(values, indices) of the ``k`` largest (or smallest) entries along ``dim``."""
    from .indexing import gather

    _check(input, "topk")
    d = _norm_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if not isinstance(k, numbers.Integral) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an integer in [0, {n}], got {k!r}")
    idx = argsort(input, d, descending=largest)
    idx = Tensor._make(np.take(idx.data, np.arange(k), axis=d), False, None)
    return ValuesIndices(gather(input, d, idx), idx)
