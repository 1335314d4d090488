"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches of Tensors.

Each epoch draws a permutation of the indices from the loader's NumPy ``Generator`` (when
``shuffle``), cuts it into batches of ``batch_size`` (dropping the last short batch when
``drop_last``) and collates each batch into a tuple of Tensors. A ``TensorDataset`` is batched
by fancy-indexing its arrays directly (one gather per array per batch, no per-sample Python).

Inventory: OP-02 (reshuffle every epoch), OP-03 (mini-batches).

Example
-------
>>> import numpy as np
>>> from glassml.data import TensorDataset
>>> loader = DataLoader(TensorDataset(np.zeros((10, 3)), np.arange(10)), batch_size=4)
>>> [tuple(xb.shape) for xb, yb in loader]
[(4, 3), (4, 3), (2, 3)]
>>> len(loader)
3
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Tensor

from .dataset import Subset, TensorDataset, _rng

__all__ = ["DataLoader", "default_collate"]


def _to_tensor(a) -> Tensor:
    if isinstance(a, Tensor):
        return a
    return Tensor(np.asarray(a))


def default_collate(samples: list):
    """Stack a list of samples (tuples of arrays/numbers, or arrays) into Tensors."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(Tensor(np.stack([_raw(s[i]) for s in samples])) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: Tensor(np.stack([_raw(s[k]) for s in samples])) for k in first}
    return Tensor(np.stack([_raw(s) for s in samples]))


def _raw(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class DataLoader:
    """Mini-batch iterator over a dataset.

    Parameters
    ----------
    dataset : Dataset (``__getitem__`` + ``__len__``), e.g. TensorDataset
    batch_size : int, default 1
    shuffle : bool, default False — a fresh permutation every epoch
    drop_last : bool, default False — drop the last incomplete batch
    generator : numpy Generator or int seed, optional — the source of the shuffles
    collate_fn : callable, optional — list of samples -> batch (generic datasets only)
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator=None,
        collate_fn=None,
    ):
        if (
            not isinstance(batch_size, numbers.Integral)
            or isinstance(batch_size, bool)
            or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"dataset must define __getitem__ and __len__, got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = _rng(generator)
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _arrays(self):
        """(arrays, index map) when the dataset can be gathered by fancy indexing."""
        ds, index_map = self.dataset, None
        while isinstance(ds, Subset):
            index_map = ds.indices if index_map is None else ds.indices[index_map]
            ds = ds.dataset
        if isinstance(ds, TensorDataset) and self.collate_fn is default_collate:
            return ds.arrays, index_map
        return None, None

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else None  # shape (n,)
        arrays, index_map = self._arrays()
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            if order is not None:
                idx = order[start:end]
            elif index_map is None and arrays is not None:
                idx = slice(start, end)  # contiguous view, no copy
            else:
                idx = np.arange(start, end)
            if arrays is not None:
                if index_map is not None:
                    idx = index_map[idx]
                yield tuple(Tensor(a[idx]) for a in arrays)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in np.atleast_1d(idx)])
