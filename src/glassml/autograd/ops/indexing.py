"""Indexing ops: getitem (basic and advanced), masked_fill, gather, scatter_add, index_select.

Selections copy or view elements; their backward scatters the gradient back, ADDING where an
index repeats (``np.add.at``):

    y = x[idx]                    dL/dx = zeros; dL/dx[idx] += g
    y = gather(x, dim, idx)       dL/dx = scatter_add(zeros, dim, idx, g)
    y = scatter_add(x, dim, i, s) dL/dx = g;  dL/ds = gather(g, dim, i)
    y = masked_fill(x, m, v)      dL/dx = g * (1 - m)

Inventory: AG-03.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x[[0, 0, 2]].sum().backward()       # index 0 used twice
>>> x.grad.numpy()
array([2., 0., 1.], dtype=float32)
"""

from __future__ import annotations

import numbers

import numpy as np

from ..function import Function, SparseGrad
from ..tensor import Tensor
from .reduction import normalize_dims

__all__ = ["getitem", "setitem_", "masked_fill", "gather", "scatter_add", "index_select"]


def _normalize_index(index):
    """Tensors inside an index become arrays; lists become int64/bool arrays."""
    if isinstance(index, tuple):
        return tuple(_normalize_index_item(i) for i in index)
    return _normalize_index_item(index)


def _normalize_index_item(i):
    if isinstance(i, Tensor):
        arr = i.data
        if arr.dtype.kind == "f":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors, got float"
            )
        return arr
    if isinstance(i, list):
        arr = np.asarray(i)
        if arr.dtype.kind not in "iub" and arr.size:
            raise IndexError(f"index lists must hold integers or bools, got {arr.dtype}")
        return arr.astype(np.int64) if arr.size == 0 else arr
    return i


def _is_basic(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(i, slice | numbers.Integral) or i is None or i is Ellipsis
        for i in items
        if not isinstance(i, bool)
    ) and not any(isinstance(i, bool) for i in items)


def _has_only_bool_masks(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, np.ndarray) and i.dtype.kind != "b" for i in items)


class GetItem(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, index, basic):
        ctx.shape, ctx.index, ctx.basic = x.shape, index, basic
        ctx.unique = basic or _has_only_bool_masks(index)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        # zeros except at the selection (added where an index repeats); the engine scatters it
        # into the input's gradient buffer without allocating a zero array per selection
        return SparseGrad(ctx.shape, ctx.index, g, ctx.unique), None, None

    @staticmethod
    def backward_graph(ctx, g):
        return IndexAccumulate.apply(g, ctx.shape, ctx.index, ctx.unique), None, None


class IndexAccumulate(Function):
    """The adjoint of GetItem: zeros of ``shape`` with g added at ``index``."""

    @staticmethod
    def forward(ctx, g, shape, index, unique):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if unique:
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gout):
        return gout[ctx.index], None, None, None

    @staticmethod
    def backward_graph(ctx, gout):
        return GetItem.apply(gout, ctx.index, False), None, None, None


class IndexPut(Function):
    """out = x with out[index] = v (functional form of ``x[index] = v``)."""

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index = index
        out = x.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.index] = 0
        return gx, g[ctx.index], None

    @staticmethod
    def backward_graph(ctx, g):
        mask = np.ones(g.shape, dtype=bool)
        mask[ctx.index] = False
        return g * Tensor._make(mask.astype(g.dtype), False, None), g[ctx.index], None


class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return np.where(mask, np.zeros((), g.dtype), g), None, None

    @staticmethod
    def backward_graph(ctx, g):
        (mask,) = ctx.saved_tensors
        return MaskedFill.apply(g, mask, 0.0), None, None


def _grid(index: np.ndarray, dim: int) -> tuple:
    """Full advanced-index tuple addressing x[i0, ..., index[i], ..., in] for every i."""
    grids = list(np.ogrid[tuple(slice(0, s) for s in index.shape)])
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[_grid(index, dim)]

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(gx, _grid(ctx.index, ctx.dim), g)
        return gx, None, None

    @staticmethod
    def backward_graph(ctx, g):
        zeros = Tensor._make(np.zeros(ctx.shape, dtype=g.dtype), False, None)
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, g), None, None


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = x.copy()
        region = tuple(slice(0, s) for s in index.shape)
        np.add.at(out, _grid(index, dim), src[region])
        return out

    @staticmethod
    def backward(ctx, g):
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = np.zeros(ctx.src_shape, dtype=g.dtype)
            region = tuple(slice(0, s) for s in ctx.index.shape)
            gsrc[region] = g[_grid(ctx.index, ctx.dim)]
        return g, None, None, gsrc

    @staticmethod
    def backward_graph(ctx, g):
        gsrc = None
        if ctx.needs_input_grad[3]:
            picked = Gather.apply(g, ctx.dim, ctx.index)
            pads = []
            for s_src, s_idx in zip(
                reversed(ctx.src_shape), reversed(ctx.index.shape), strict=True
            ):
                pads += [0, s_src - s_idx]
            from .movement import pad

            gsrc = pad(picked, pads) if any(pads) else picked
        return g, None, None, gsrc


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        if ctx.dim == 0:
            np.add.at(gx, ctx.index, g)
        else:
            np.add.at(np.moveaxis(gx, ctx.dim, 0), ctx.index, np.moveaxis(g, ctx.dim, 0))
        return gx, None, None

    @staticmethod
    def backward_graph(ctx, g):
        prefix = (slice(None),) * ctx.dim
        return IndexAccumulate.apply(g, ctx.shape, prefix + (ctx.index,), False), None, None


# --------------------------------------------------------------------------- public functions
def _check_bounds(index: np.ndarray, size: int, dim: int, name: str) -> None:
    if index.size and (index.min() < -size or index.max() >= size):
        bad = index.max() if index.max() >= size else index.min()
        raise IndexError(
            f"{name}: index {int(bad)} is out of bounds for dimension {dim} with size {size}"
        )


def getitem(input: Tensor, index) -> Tensor:
    """``input[index]`` with NumPy semantics (basic slicing views, advanced indexing copies)."""
    index = _normalize_index(index)
    basic = _is_basic(index)
    try:
        return GetItem.apply(input, index, basic)
    except IndexError as err:
        raise IndexError(
            f"index {index!r} is invalid for a tensor of shape {input.shape}: {err}"
        ) from None


def setitem_(input: Tensor, index, value) -> None:
    """``input[index] = value`` (in place; recorded functionally when autograd needs it)."""
    from .inplace import apply_inplace

    apply_inplace(input, "setitem_", _normalize_index(index), value)


def masked_fill(input: Tensor, mask, value) -> Tensor:
    """Replace entries where ``mask`` is True by ``value`` (mask broadcasts against input).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> x = tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> masked_fill(x, tensor([[False, True], [False, False]]), -1.0).numpy()
    array([[ 1., -1.],
           [ 3.,  4.]], dtype=float32)
    """
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        if np.broadcast_shapes(m.shape, input.shape) != input.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"masked_fill: mask of shape {m.shape} is not broadcastable to input shape "
            f"{input.shape}"
        ) from None
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise RuntimeError("masked_fill only supports a 0-dimensional value tensor")
        value = value.data.item()
    elif isinstance(value, np.generic):
        value = value.item()
    return MaskedFill.apply(input, m, value)


def _index_array(index, name) -> np.ndarray:
    arr = index.data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer tensor, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def gather(input: Tensor, dim: int, index) -> Tensor:
    """out[i][j][k] = input[i][index[i][j][k]][k] (for dim=1); index.size(d) <= input.size(d)."""
    idx = _index_array(index, "gather")
    d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
    if idx.ndim != input.ndim:
        raise RuntimeError(
            f"gather: index tensor must have the same number of dimensions as input "
            f"({idx.ndim} vs {input.ndim})"
        )
    for k, (si, sx) in enumerate(zip(idx.shape, input.shape, strict=True)):
        if k != d and si > sx:
            raise RuntimeError(
                f"gather: size of index ({idx.shape}) exceeds input size ({input.shape}) in "
                f"dimension {k}"
            )
    _check_bounds(idx, input.shape[d], d, "gather")
    return Gather.apply(input, d, idx)


def scatter_add(input: Tensor, dim: int, index, src: Tensor) -> Tensor:
    """out = input; out[i][index[i][j]] += src[i][j] (for dim=1); repeated indices accumulate."""
    idx = _index_array(index, "scatter_add")
    d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    if idx.ndim != input.ndim or src.ndim != input.ndim:
        raise RuntimeError("scatter_add: index, src and input must have the same number of dims")
    for k in range(idx.ndim):
        if idx.shape[k] > src.shape[k] or (k != d and idx.shape[k] > input.shape[k]):
            raise RuntimeError(
                f"scatter_add: index shape {idx.shape} must not exceed src shape {src.shape} "
                f"nor input shape {input.shape} (except in dim {d})"
            )
    _check_bounds(idx, input.shape[d], d, "scatter_add")
    return ScatterAdd.apply(input, d, idx, src)


def index_select(input: Tensor, dim: int, index) -> Tensor:
    """Select whole slices ``index`` (a 1-D integer tensor) along ``dim``."""
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got {idx.ndim}-D")
    d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
    _check_bounds(idx, input.shape[d], d, "index_select")
    return IndexSelect.apply(input, d, idx.reshape(-1))
