"""Small helpers shared by the fused ops: argument normalisation, dtype guards, reductions."""

from __future__ import annotations

import math
import sys
import threading

import numpy as np

from ..tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")


def constant(array, dtype=None) -> Tensor:
    """A Tensor that needs no gradient around ``array``: the constants (masks, saved
    coefficients, interpolation matrices) of a ``backward_graph``."""
    return Tensor._make(np.asarray(array, dtype=dtype), False, None)


def check_reduction(reduction: str) -> str:
    """Validate a loss ``reduction`` argument ("none" | "mean" | "sum")."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def check_float(name: str, array: np.ndarray, op: str) -> None:
    """Raise a TypeError unless ``array`` holds floating-point numbers."""
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{op}: {name} must be a floating-point tensor (float32 or float64), "
            f"got dtype {array.dtype}"
        )


def check_same_dtype(op: str, ref: np.ndarray, **others) -> None:
    """Raise a TypeError unless every array in ``others`` (None allowed) has ``ref``'s dtype."""
    for name, arr in others.items():
        if arr is not None and arr.dtype != ref.dtype:
            raise TypeError(
                f"{op}: expected {name} to have dtype {ref.dtype} like the input, got {arr.dtype}"
            )


def ntuple(value, n: int, name: str) -> tuple[int, ...]:
    """Normalise an int or a length-``n`` sequence of ints to an ``n``-tuple of ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    try:
        out = tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}") from None
    if len(out) == 1:
        out = out * n
    if len(out) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return out


def reduce_loss(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a loss reduction, keeping the dtype (0-d array for mean/sum)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return np.asarray(loss.mean(), dtype=loss.dtype)


def upstream_for_reduction(grad_output: np.ndarray, reduction: str, n: int, dtype) -> np.ndarray:
    """The per-element upstream gradient of a loss: g / n (mean), g (sum) or g itself (none)."""
    g = np.asarray(grad_output, dtype=dtype)
    if reduction == "mean":
        return g / n if n else g * np.nan
    return g


def scalar_like(value, dtype) -> np.ndarray:
    """A 0-d array of ``dtype`` (avoids float64 promotion from Python / NumPy scalars)."""
    return np.asarray(value, dtype=dtype)


_SCRATCH = threading.local()


def scratch(slot: str, shape: tuple, dtype) -> np.ndarray:
    """A reusable per-thread work buffer (uninitialised) for temporaries that never escape an op.

    Fresh large arrays cost page faults on first touch; memory-bound kernels (layer_norm, ...)
    keep their internal temporaries here instead. Never return or save a scratch buffer.
    """
    cache = getattr(_SCRATCH, "buffers", None)
    if cache is None:
        cache = _SCRATCH.buffers = {}
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    buf = cache.get((slot, dtype))
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype=dtype)
        cache[(slot, dtype)] = buf
    return buf[:size].reshape(shape)


# ---- pooled arrays: large buffers that are saved for backward ----------------------------------
# A fresh array above glibc's largest mmap threshold (32 MiB) is mapped from the kernel on every
# allocation and faulted in page by page on first write: ~13 ms for the 75 MiB window matrix of a
# conv layer (N32 C64 32x32 k3), a sixth of its whole forward+backward. Saved arrays cannot live
# in a scratch buffer (the next op would overwrite them before backward), so they come from a
# pool instead: a pooled buffer is handed out again once nothing but the pool references it
# (its saved view was dropped when the graph was freed), decided by its reference count.

POOL_MIN_BYTES = 1 << 25  # smaller arrays come from malloc's own reused heap
POOL_MAX_BYTES = 1 << 31  # never keep more than this in the pool; beyond it, plain np.empty
_POOL = threading.local()


def _free_refcount() -> int:
    """``sys.getrefcount`` of a buffer held only by the pool list, seen from the lookup loop of
    :func:`pooled_empty` (the number depends on the CPython version, hence measured)."""
    pool = [np.empty(1, dtype=np.uint8)]
    for buf in pool:
        return sys.getrefcount(buf)
    raise AssertionError  # unreachable


_FREE_REFS = _free_refcount()


def pooled_empty(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array that an op may save for backward, reusing a large pooled buffer
    that nobody references any more (no page faults); below ``POOL_MIN_BYTES`` a plain
    ``np.empty``. Pooled memory stays with the process: :func:`release_pooled` returns it."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < POOL_MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    pool = getattr(_POOL, "buffers", None)
    if pool is None:
        pool = _POOL.buffers = []
    for buf in pool:
        # free (only the pool holds it) and not wastefully large
        if nbytes <= buf.nbytes <= 2 * nbytes and sys.getrefcount(buf) == _FREE_REFS:
            return buf[:nbytes].view(dtype).reshape(shape)
    if sum(b.nbytes for b in pool) + nbytes > POOL_MAX_BYTES:
        return np.empty(shape, dtype=dtype)
    buf = np.empty(nbytes, dtype=np.uint8)
    pool.append(buf)
    return buf.view(dtype).reshape(shape)


def release_pooled() -> int:
    """Drop this thread's pooled buffers that are not in use; returns the bytes released."""
    pool = getattr(_POOL, "buffers", None) or []
    keep = [buf for buf in pool if sys.getrefcount(buf) > _FREE_REFS]
    released = sum(b.nbytes for b in pool) - sum(b.nbytes for b in keep)
    _POOL.buffers = keep
    return released


def as_shape(a: np.ndarray, shape) -> np.ndarray:
    """``a`` itself when it already has ``shape`` (keeps an owned gradient buffer owned, so the
    engine need not copy it), else ``a.reshape(shape)``."""
    shape = tuple(shape)
    return a if a.shape == shape else a.reshape(shape)
