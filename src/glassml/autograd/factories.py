"""Tensor factories with PyTorch's names: ``tensor``, ``zeros``, ``randn``, ``arange``...

Floating factories default to float32 (``dtype=`` overrides, e.g. ``"float64"`` for tests);
random ones draw from :mod:`glassml.autograd.random` (``manual_seed``) or ``generator=``.

Inventory: AG-01.

Example
-------
>>> from glassml.autograd import zeros, arange
>>> zeros(2, 3).shape
(2, 3)
>>> arange(4).numpy()
array([0, 1, 2, 3])
"""

from __future__ import annotations

import numbers

import numpy as np

from .random import get_generator
from .tensor import Tensor, _as_dtype

__all__ = [
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "full",
    "full_like",
    "empty",
    "arange",
    "linspace",
    "eye",
    "randn",
    "rand",
    "randint",
    "randn_like",
    "rand_like",
    "normal",
    "randperm",
]


def _size(size) -> tuple:
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"size: expected non-negative integers, got {size!r}")
        out.append(int(s))
    return tuple(out)


def _float_dtype(dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype is None else _as_dtype(dtype)


def _wrap(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats -> float32 unless float64 ndarray)."""
    if isinstance(data, Tensor):
        data = data.data
    t = Tensor(np.array(data, copy=True) if isinstance(data, np.ndarray) else data, dtype=dtype)
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None) -> Tensor:
    """Like :func:`tensor` but shares the ndarray when no conversion is needed."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype is kept exactly)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return Tensor._make(array, False, None)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (float32 unless ``dtype``)."""
    return _wrap(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size`` (float32 unless ``dtype``)."""
    return _wrap(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size``."""
    return _wrap(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (ints -> int64, bools -> bool)."""
    if dtype is None and isinstance(fill_value, bool):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, numbers.Integral):
        dtype = np.int64
    return _wrap(np.full(_size((size,)), fill_value, dtype=_float_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``t``."""
    return _wrap(
        np.zeros(t.shape, dtype=t.dtype if dtype is None else _as_dtype(dtype)), requires_grad
    )


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``t``."""
    return _wrap(
        np.ones(t.shape, dtype=t.dtype if dtype is None else _as_dtype(dtype)), requires_grad
    )


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape and dtype of ``t``."""
    dt = t.dtype if dtype is None else _as_dtype(dtype)
    return _wrap(np.full(t.shape, fill_value, dtype=dt), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Integers give int64 (like torch); any float argument gives float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = np.int64 if ints else np.float32
    return _wrap(np.arange(start, end, step).astype(_as_dtype(dtype)), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _wrap(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return _wrap(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples N(0, 1)."""
    rng = get_generator(generator)
    dt = _float_dtype(dtype)
    return _wrap(
        rng.standard_normal(_size(size), dtype=dt if dt == np.float32 else np.float64).astype(
            dt, copy=False
        ),
        requires_grad,
    )


def rand(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    rng = get_generator(generator)
    dt = _float_dtype(dtype)
    return _wrap(
        rng.random(_size(size), dtype=dt if dt == np.float32 else np.float64).astype(
            dt, copy=False
        ),
        requires_grad,
    )


def randint(low, high=None, size=(), dtype=None, generator=None) -> Tensor:
    """Integers uniform on [low, high) (int64)."""
    if high is None:
        low, high = 0, low
    rng = get_generator(generator)
    dt = np.int64 if dtype is None else _as_dtype(dtype)
    return Tensor._make(rng.integers(low, high, size=tuple(size)).astype(dt), False, None)


def randperm(n: int, generator=None) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    return Tensor._make(get_generator(generator).permutation(n).astype(np.int64), False, None)


def randn_like(t: Tensor, dtype=None, generator=None) -> Tensor:
    """Standard normal samples with the shape (and dtype) of ``t``."""
    return randn(*t.shape, dtype=t.dtype if dtype is None else dtype, generator=generator)


def rand_like(t: Tensor, dtype=None, generator=None) -> Tensor:
    """Uniform [0, 1) samples with the shape (and dtype) of ``t``."""
    return rand(*t.shape, dtype=t.dtype if dtype is None else dtype, generator=generator)


def normal(mean=0.0, std=1.0, size=None, dtype=None, generator=None) -> Tensor:
    """Normal samples with the given mean and std (scalars, or tensors broadcast together)."""
    rng = get_generator(generator)
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    if size is None:
        size = np.broadcast_shapes(np.shape(m), np.shape(s))
    if np.any(np.asarray(s) < 0):
        raise ValueError("normal: std must be non-negative")
    dt = _float_dtype(dtype)
    return Tensor._make((m + s * rng.standard_normal(tuple(size))).astype(dt), False, None)
