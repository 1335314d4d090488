"""Small helpers shared by the fused ops: argument normalisation, dtype guards, reductions."""

from __future__ import annotations

import math
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


def as_shape(a: np.ndarray, shape) -> np.ndarray:
    """``a`` itself when it already has ``shape`` (keeps an owned gradient buffer owned, so the
    engine need not copy it), else ``a.reshape(shape)``."""
    shape = tuple(shape)
    return a if a.shape == shape else a.reshape(shape)
