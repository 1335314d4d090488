"""Movement ops: they rearrange, select or copy elements without arithmetic.

The backward of each is the adjoint rearrangement of the gradient:

    reshape/view: reshape back          permute: inverse permutation      expand: sum (engine)
    cat: split the gradient             stack: unbind it                  pad: crop it
    flip: flip it back                  repeat: sum over the tiles        tril/triu: mask it

Inventory: AG-03.

Example
-------
>>> from glassml.autograd import arange
>>> x = arange(6).reshape(2, 3)
>>> x.T.shape
(3, 2)
"""

from __future__ import annotations

import numbers

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .reduction import normalize_dims

__all__ = [
    "reshape",
    "view",
    "permute",
    "transpose",
    "expand",
    "squeeze",
    "unsqueeze",
    "flatten",
    "unflatten",
    "cat",
    "concat",
    "stack",
    "split",
    "chunk",
    "unbind",
    "pad",
    "flip",
    "repeat",
    "tril",
    "triu",
    "movedim",
    "to_dtype",
]


def _check(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")


def _dim(d, ndim, name="dim") -> int:
    return normalize_dims(d, ndim, name)[0] if ndim else 0


class Reshape(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def backward_graph(ctx, g):
        return g.reshape(ctx.in_shape), None


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.inverse), None

    @staticmethod
    def backward_graph(ctx, g):
        return g.permute(ctx.inverse), None


class Expand(Function):
    """Broadcast view; the engine sums the gradient back over the expanded axes."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None

    @staticmethod
    def backward_graph(ctx, g):
        return g, None


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.bounds = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None, *np.split(g, ctx.bounds, axis=ctx.dim))

    @staticmethod
    def backward_graph(ctx, g):
        sizes = np.diff(np.concatenate([[0], ctx.bounds, [g.shape[ctx.dim]]])).tolist()
        return (None, *split(g, [int(s) for s in sizes], ctx.dim))


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None, *np.moveaxis(g, ctx.dim, 0))

    @staticmethod
    def backward_graph(ctx, g):
        return (None, *unbind(g, ctx.dim))


class Pad(Function):
    """Constant padding; the gradient is the central crop."""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape, strict=True))
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.crop], None, None

    @staticmethod
    def backward_graph(ctx, g):
        return g[ctx.crop], None, None


class PadIndexed(Function):
    """reflect / replicate / circular padding as a gather along each padded axis:
    out = x.take(idx_axis, axis) for every padded axis; backward scatter-adds the gradient back
    (border elements receive the sum of their copies)."""

    @staticmethod
    def forward(ctx, x, maps):
        ctx.maps, ctx.in_shape = maps, x.shape
        for axis, idx in maps:
            x = np.take(x, idx, axis=axis)
        return x

    @staticmethod
    def backward(ctx, g):
        for axis, idx in reversed(ctx.maps):
            shape = list(g.shape)
            shape[axis] = ctx.in_shape[axis]
            gx = np.zeros(shape, dtype=g.dtype)
            np.add.at(np.moveaxis(gx, axis, 0), idx, np.moveaxis(g, axis, 0))
            g = gx
        return g, None

    @staticmethod
    def backward_graph(ctx, g):
        from .indexing import IndexAccumulate

        for axis, idx in reversed(ctx.maps):
            shape = list(g.shape)
            shape[axis] = ctx.in_shape[axis]
            index = (slice(None),) * axis + (idx,)
            g = IndexAccumulate.apply(g, tuple(shape), index, False)
        return g, None


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims), None

    @staticmethod
    def backward_graph(ctx, g):
        return g.flip(ctx.dims), None


class Repeat(Function):
    """np.tile semantics; backward sums the gradient over the tiles."""

    @staticmethod
    def forward(ctx, x, reps):
        extra = len(reps) - x.ndim
        ctx.shape = (1,) * extra + x.shape
        ctx.in_shape = x.shape
        ctx.reps = reps
        return np.tile(x.reshape(ctx.shape), reps)

    @staticmethod
    def backward(ctx, g):
        # (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...) -> sum over the r axes
        split_shape = [v for pair in zip(ctx.reps, ctx.shape, strict=True) for v in pair]
        gs = g.reshape(split_shape).sum(axis=tuple(range(0, 2 * len(ctx.reps), 2)))
        return gs.reshape(ctx.in_shape), None

    @staticmethod
    def backward_graph(ctx, g):
        split_shape = [v for pair in zip(ctx.reps, ctx.shape, strict=True) for v in pair]
        gs = g.reshape(tuple(split_shape)).sum(dim=tuple(range(0, 2 * len(ctx.reps), 2)))
        return gs.reshape(ctx.in_shape), None


class Tri(Function):
    @staticmethod
    def forward(ctx, x, diagonal, upper):
        ctx.diagonal, ctx.upper = diagonal, upper
        return (np.triu if upper else np.tril)(x, diagonal)

    @staticmethod
    def backward(ctx, g):
        return (np.triu if ctx.upper else np.tril)(g, ctx.diagonal), None, None

    @staticmethod
    def backward_graph(ctx, g):
        return Tri.apply(g, ctx.diagonal, ctx.upper), None, None


class ToDtype(Function):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.in_dtype), None

    @staticmethod
    def backward_graph(ctx, g):
        return g.to(ctx.in_dtype), None


# --------------------------------------------------------------------------- public functions
def _resolve_shape(shape, numel: int, in_shape) -> tuple:
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("reshape: only one dimension can be inferred (-1)")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {numel} (input shape {in_shape})"
        )
    if any(s < 0 for s in shape):
        raise RuntimeError(f"reshape: invalid shape {list(shape)}")
    return shape


def reshape(input: Tensor, shape) -> Tensor:
    """Same elements in a new shape (one -1 is inferred)."""
    _check(input, "reshape")
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = _resolve_shape(shape, input.data.size, input.shape)
    if shape == input.shape:
        return input
    return Reshape.apply(input, shape)


view = reshape


def permute(input: Tensor, dims) -> Tensor:
    """Reorder the axes: out.shape[i] = in.shape[dims[i]]."""
    _check(input, "permute")
    dims = tuple(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute: number of dims don't match: input has {input.ndim} dims, got {len(dims)}"
        )
    norm = tuple(_dim(d, input.ndim) for d in dims)
    if sorted(norm) != list(range(input.ndim)):
        raise RuntimeError(f"permute: dims {dims} are not a permutation of 0..{input.ndim - 1}")
    return Permute.apply(input, norm)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two axes."""
    _check(input, "transpose")
    if input.ndim == 0:
        return input
    d0, d1 = _dim(dim0, input.ndim), _dim(dim1, input.ndim)
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


def movedim(input: Tensor, source: int, destination: int) -> Tensor:
    """Move axis ``source`` to position ``destination``."""
    _check(input, "movedim")
    s, d = _dim(source, input.ndim), _dim(destination, input.ndim)
    order = [i for i in range(input.ndim) if i != s]
    order.insert(d, s)
    return Permute.apply(input, tuple(order))


def expand(input: Tensor, shape) -> Tensor:
    """Broadcast to ``shape`` without copying (-1 keeps a size); new axes go in front."""
    _check(input, "expand")
    shape = tuple(int(s) for s in shape)
    extra = len(shape) - input.ndim
    if extra < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({input.ndim})"
        )
    target = []
    for i, s in enumerate(shape):
        if s == -1:
            if i < extra:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = input.shape[i - extra]
        elif i >= extra and input.shape[i - extra] not in (1, s):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({input.shape[i - extra]}) at non-singleton dimension {i}. Target sizes: "
                f"{list(shape)}. Tensor sizes: {list(input.shape)}"
            )
        target.append(s)
    target = tuple(target)
    if target == input.shape:
        return input
    return Expand.apply(input, target)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 axes (all of them, or those in ``dim`` that have size 1)."""
    _check(input, "squeeze")
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
    else:
        dims = set(normalize_dims(dim, input.ndim))
        shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    if shape == input.shape:
        return input
    return Reshape.apply(input, shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 axis at ``dim`` (in [-ndim-1, ndim])."""
    _check(input, "unsqueeze")
    n = input.ndim + 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    shape = list(input.shape)
    shape.insert(dim % n, 1)
    return Reshape.apply(input, tuple(shape))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes start_dim..end_dim into one."""
    _check(input, "flatten")
    if input.ndim == 0:
        return reshape(input, (1,))
    s, e = _dim(start_dim, input.ndim), _dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input.shape[:s] + (int(np.prod(input.shape[s : e + 1])),) + input.shape[e + 1 :]
    return reshape(input, shape)


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split axis ``dim`` into ``sizes``."""
    _check(input, "unflatten")
    d = _dim(dim, input.ndim)
    sizes = _resolve_shape(sizes, input.shape[d], input.shape)
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1 :])


def _tensors(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty sequence of tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected a sequence of Tensors, got {type(t).__name__}")
    return tensors


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate along an existing axis ``dim`` (other sizes must match)."""
    tensors = _tensors(tensors, "cat")
    ref = tensors[0]
    d = _dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or any(
            a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape, strict=True)) if k != d
        ):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{ref.shape} and tensor {i} has shape {t.shape}"
            )
    if len(tensors) == 1:
        return tensors[0]
    return Cat.apply(d, *tensors)


concat = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Stack equal-shaped tensors along a new axis ``dim``."""
    tensors = _tensors(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tensors[0].shape} at "
                f"entry 0 and {t.shape} at entry {i}"
            )
    n = tensors[0].ndim + 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return Stack.apply(dim % n, *tensors)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into chunks of ``split_size`` (the last may be smaller) or of the listed sizes."""
    _check(tensor, "split")
    d = _dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
        if n == 0:
            sizes = [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    out = []
    start = 0
    prefix = (slice(None),) * d
    for s in sizes:
        out.append(tensor[prefix + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of size ceil(n / chunks) (possibly fewer pieces, like torch)."""
    _check(input, "chunk")
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    n = input.shape[_dim(dim, input.ndim)]
    size = max(-(-n // chunks), 1)
    return split(input, size, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim`` (that axis removed)."""
    _check(input, "unbind")
    d = _dim(dim, input.ndim)
    prefix = (slice(None),) * d
    return tuple(input[prefix + (i,)] for i in range(input.shape[d]))


_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input: Tensor, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant, or by reflection / replication / wrapping (torch.nn.functional.pad).

    ``pad`` lists (left, right) pairs starting from the LAST axis. ``mode``: "constant" (value),
    "reflect" (mirror without repeating the edge; pad < size), "replicate" (repeat the edge),
    "circular" (wrap around; pad <= size).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> pad(ones(2, 3), (1, 1)).shape        # last axis 3 -> 5
    (2, 5)
    """
    _check(input, "pad")
    if mode != "constant" and mode not in _NP_MODES:
        raise ValueError(
            f"pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular'; got {mode!r}"
        )
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: expected an even number of values covering at most {input.ndim} dims, got "
            f"{len(pad)}"
        )
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding is not supported, got {pad}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return Pad.apply(input, tuple(widths), value)
    maps = []
    for axis, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        n = input.shape[axis]
        limit = n - 1 if mode == "reflect" else n
        if n == 0 or max(lo, hi) > limit:
            raise ValueError(
                f"pad: {mode} padding of ({lo}, {hi}) is too large for dimension {axis} of size "
                f"{n} (at most {limit})"
            )
        maps.append((axis, np.pad(np.arange(n), (lo, hi), mode=_NP_MODES[mode])))
    return PadIndexed.apply(input, tuple(maps))


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    _check(input, "flip")
    return Flip.apply(input, normalize_dims(dims, input.ndim))


def repeat(input: Tensor, sizes) -> Tensor:
    """Tile ``input`` ``sizes[i]`` times along each axis (torch.Tensor.repeat)."""
    _check(input, "repeat")
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            f"tensor ({len(sizes)} < {input.ndim})"
        )
    return Repeat.apply(input, sizes)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Lower triangle of the last two axes (elements above ``diagonal`` zeroed)."""
    _check(input, "tril")
    if input.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {input.ndim}")
    return Tri.apply(input, int(diagonal), False)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Upper triangle of the last two axes (elements below ``diagonal`` zeroed)."""
    _check(input, "triu")
    if input.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {input.ndim}")
    return Tri.apply(input, int(diagonal), True)


def to_dtype(input: Tensor, dtype: np.dtype) -> Tensor:
    """Cast; differentiable between float dtypes (the gradient is cast back)."""
    if input.dtype == dtype:
        return input
    if input.requires_grad and dtype.kind != "f":
        out = Tensor._make(input.data.astype(dtype), False, None)
        return out
    return ToDtype.apply(input, dtype)
