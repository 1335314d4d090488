"""One-shot splits and samplers: train_test_split, train_val_test_split, resample and
bootstrap indices.

Inventory: DP-15 (train/validation/test), DP-16 (simple random, stratified and bootstrap
sampling).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml._core import check_random_state, num_samples

from .shuffle_split import ShuffleSplit, StratifiedShuffleSplit, split_sizes

__all__ = ["train_test_split", "train_val_test_split", "resample", "bootstrap_indices"]


def safe_indexing(a, idx):
    """Rows ``idx`` of an array, list or DataFrame (``iloc``)."""
    if a is None:
        return None
    if hasattr(a, "iloc"):
        return a.iloc[idx]
    if hasattr(a, "shape"):
        return a[idx]
    return [a[i] for i in idx]


def _check_arrays(arrays):
    if not arrays:
        raise ValueError("arrays: At least one array required as input.")
    lengths = [num_samples(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}.")
    return lengths[0]


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True,
                     stratify=None):  # fmt: skip
    """Split arrays into random train and test subsets (the same rows for every array).

    Inventory: DP-15, DP-16. Without ``shuffle`` the first ``n_train`` rows train and the next
    ``n_test`` test (scikit-learn's order). ``stratify`` (class labels) keeps the class
    proportions in both parts. Sizes: a float is a fraction (test rounded up, train down), an
    int a count; the default test share is 0.25.

    Returns
    -------
    list: ``[a_train, a_test]`` for every input array, in order.

    >>> X_tr, X_te, y_tr, y_te = train_test_split(np.arange(8), np.arange(8), test_size=0.25,
    ...                                           shuffle=False)
    >>> X_te.tolist()
    [6, 7]
    """
    n = _check_arrays(arrays)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle: expected True or False, got {shuffle!r}.")
    if not shuffle:
        if stratify is not None:
            raise ValueError(
                "stratify: Stratified train/test split is not implemented for shuffle=False."
            )
        n_train, n_test = split_sizes(n, test_size, train_size)
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        if stratify is not None:
            splitter = StratifiedShuffleSplit(
                n_splits=1, test_size=test_size, train_size=train_size, random_state=random_state
            )
            splitter._default_test_size = 0.25
            train, test = next(splitter.split(np.zeros(n), stratify))
        else:
            splitter = ShuffleSplit(
                n_splits=1, test_size=test_size, train_size=train_size, random_state=random_state
            )
            splitter._default_test_size = 0.25
            train, test = next(splitter.split(np.zeros(n)))
    out = []
    for a in arrays:
        out += [safe_indexing(a, train), safe_indexing(a, test)]
    return out


def _count(size, n, name):
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise ValueError(f"{name}: expected an int or a float, got {size!r}.")
    if isinstance(size, numbers.Integral):
        if not 0 < size < n:
            raise ValueError(f"{name}={size} should be positive and smaller than n_samples={n}.")
        return int(size)
    if not 0 < size < 1:
        raise ValueError(f"{name}={size} should be a float in the (0, 1) range.")
    return math.ceil(size * n)


def train_val_test_split(*arrays, val_size=0.15, test_size=0.15, random_state=None,
                         shuffle=True, stratify=None):  # fmt: skip
    """Split arrays into train, validation and test parts (e.g. 70/15/15).

    Inventory: DP-15. Fractions refer to the whole data set (rounded up); the validation set
    tunes hyperparameters and the test set is touched once, at the end (CL-108).

    Returns
    -------
    list: ``[a_train, a_val, a_test]`` for every input array.

    >>> parts = train_val_test_split(np.arange(20), val_size=0.2, test_size=0.1, random_state=0)
    >>> [len(p) for p in parts]
    [14, 4, 2]
    """
    n = _check_arrays(arrays)
    n_test = _count(test_size, n, "test_size")
    n_val = _count(val_size, n, "val_size")
    if n_test + n_val >= n:
        raise ValueError(
            f"val_size and test_size: {n_val} validation + {n_test} test samples leave no "
            f"training samples out of {n}."
        )
    rng = check_random_state(random_state)
    seeds = rng.integers(0, 2**31 - 1, size=2) if shuffle else (None, None)
    idx = np.arange(n)
    rest, test = train_test_split(idx, test_size=n_test, random_state=seeds[0], shuffle=shuffle,
                                  stratify=stratify)  # fmt: skip
    strat_rest = None if stratify is None else np.asarray(stratify)[rest]
    train, val = train_test_split(rest, test_size=n_val, random_state=seeds[1], shuffle=shuffle,
                                  stratify=strat_rest)  # fmt: skip
    out = []
    for a in arrays:
        out += [safe_indexing(a, train), safe_indexing(a, val), safe_indexing(a, test)]
    return out


def bootstrap_indices(n_samples, *, random_state=None):
    """One bootstrap draw: ``n_samples`` indices sampled with replacement, and the
    out-of-bag indices never drawn (≈ 1/e ≈ 36.8% of them for large n).

    Inventory: DP-16, CL-034.

    >>> in_bag, oob = bootstrap_indices(5, random_state=0)
    >>> len(in_bag), set(oob.tolist()).isdisjoint(in_bag.tolist())
    (5, True)
    """
    if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples: expected an integer >= 1, got {n_samples!r}.")
    rng = check_random_state(random_state)
    in_bag = rng.integers(0, n_samples, size=n_samples)
    drawn = np.zeros(n_samples, dtype=bool)
    drawn[in_bag] = True
    return in_bag, np.flatnonzero(~drawn)


def resample(*arrays, replace=True, n_samples=None, stratify=None, random_state=None):
    """Resample rows: with replacement (bootstrap) or without (a random subset/permutation).

    Inventory: DP-16. ``stratify`` draws each class in proportion to its frequency.

    >>> a, b = resample(np.arange(4), np.arange(4) * 10, random_state=0)
    >>> (b == a * 10).all()
    np.True_
    """
    n = _check_arrays(arrays)
    m = n if n_samples is None else n_samples
    if not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"n_samples: expected an integer >= 1, got {n_samples!r}.")
    if not replace and m > n:
        raise ValueError(
            f"n_samples: Cannot sample {m} out of arrays with dim {n} when replace is False."
        )
    rng = check_random_state(random_state)
    if stratify is None:
        idx = rng.integers(0, n, size=m) if replace else rng.permutation(n)[:m]
    else:
        from .shuffle_split import approximate_mode

        y = np.asarray(stratify)
        classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
        per_class = approximate_mode(counts, m, rng)
        parts = []
        for k in range(classes.size):  # loop over classes
            members = np.flatnonzero(y_idx == k)
            parts.append(rng.choice(members, size=per_class[k], replace=replace))
        idx = rng.permutation(np.concatenate(parts))
    return [safe_indexing(a, idx) for a in arrays]
