"""Datasets: indexable collections of samples (PyTorch's ``torch.utils.data``).

A ``Dataset`` implements ``__getitem__(i)`` and ``__len__``. ``TensorDataset(X, y)`` wraps
arrays that share their first dimension; ``Subset`` views a dataset through an index array;
``random_split`` partitions one at random; ``train_val_test_split`` splits arrays three ways.

Inventory: OP-03 (mini-batches), OP-22 (validation split).

Example
-------
>>> import numpy as np
>>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
>>> len(ds), ds[1][1]
(5, np.int64(1))
>>> train, val = random_split(ds, [4, 1], generator=np.random.default_rng(0))
>>> len(train), len(val)
(4, 1)
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "train_val_test_split"]


class Dataset:
    """Abstract dataset: subclasses implement ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):  # pragma: no cover - abstract
        raise NotImplementedError

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError


def _as_array(a, name: str) -> np.ndarray:
    if isinstance(a, Tensor):
        return a.data
    arr = np.asarray(a)
    if arr.ndim == 0:
        raise ValueError(f"{name}: each array needs a first (sample) dimension, got a scalar")
    return arr


class TensorDataset(Dataset):
    """Samples are rows of several arrays with the same first dimension.

    Parameters
    ----------
    *arrays : arrays or Tensors of shape (n, ...)
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: expected at least one array")
        self.arrays = tuple(_as_array(a, "TensorDataset") for a in arrays)
        n = len(self.arrays[0])
        lengths = [len(a) for a in self.arrays]
        if any(m != n for m in lengths):
            raise ValueError(f"Size mismatch between tensors: first dimensions are {lengths}")

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])


class Subset(Dataset):
    """The samples ``dataset[indices[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray, slice)):
            return self.dataset[self.indices[index]]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def _rng(generator):
    if generator is None:
        return np.random.default_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"generator must be a numpy Generator, an int seed or None, got {type(generator).__name__}"
    )


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths (ints that
    sum to len(dataset), or fractions that sum to 1 — remainders go round-robin like torch)."""
    n = len(dataset)
    lengths = list(lengths)
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0):
        if any(x < 0 or x > 1 for x in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(x) != x or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {lengths}, dataset length {n})"
        )
    perm = _rng(generator).permutation(n)
    out, offset = [], 0
    for k in lengths:
        out.append(Subset(dataset, perm[offset : offset + int(k)]))
        offset += int(k)
    return out


def train_val_test_split(
    *arrays, val_size: float = 0.1, test_size: float = 0.1, random_state=None, shuffle=True
):
    """Split arrays (same first dimension) into train / validation / test parts.

    Returns ``[a_train, a_val, a_test for each array]`` (like scikit-learn's train_test_split).

    Example
    -------
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> Xtr, Xva, Xte, ytr, yva, yte = train_val_test_split(X, y, val_size=0.2, test_size=0.2,
    ...                                                     random_state=0)
    >>> len(Xtr), len(Xva), len(Xte)
    (6, 2, 2)
    """
    if not arrays:
        raise ValueError("train_val_test_split: expected at least one array")
    for name, f in (("val_size", val_size), ("test_size", test_size)):
        if not 0.0 <= f < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {f}")
    if val_size + test_size >= 1.0:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size + test_size}")
    arrays = [_as_array(a, "train_val_test_split") for a in arrays]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"arrays have different lengths: {[len(a) for a in arrays]}")
    n_test, n_val = int(math.ceil(n * test_size)), int(math.ceil(n * val_size))
    if n - n_test - n_val <= 0:
        raise ValueError(f"train_val_test_split: {n} samples leave an empty training set")
    idx = _rng(random_state).permutation(n) if shuffle else np.arange(n)
    parts = (idx[: n - n_val - n_test], idx[n - n_val - n_test : n - n_test], idx[n - n_test :])
    return [a[p] for a in arrays for p in parts]
