"""Random train/test splitters: ShuffleSplit and StratifiedShuffleSplit, and the size rules
they share with ``train_test_split``.

Inventory: DP-15, DP-16, MS-32. The sizes follow scikit-learn exactly: a float test_size gives
⌈test_size · n⌉ test samples, a float train_size ⌊train_size · n⌋ training samples.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml._core import check_random_state, num_samples

__all__ = ["ShuffleSplit", "StratifiedShuffleSplit", "split_sizes", "approximate_mode"]


def _size_kind(value, name):
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected an int or a float, got bool {value!r}.")
    if isinstance(value, numbers.Integral):
        return "i"
    if isinstance(value, numbers.Real):
        return "f"
    raise ValueError(f"{name}: expected an int or a float, got {type(value).__name__} {value!r}.")


def split_sizes(n_samples, test_size, train_size, default_test_size=0.25):
    """(n_train, n_test) for ``n_samples`` with scikit-learn's rounding and checks.

    >>> split_sizes(10, 0.25, None)
    (7, 3)
    """
    test_kind = _size_kind(test_size, "test_size")
    train_kind = _size_kind(train_size, "train_size")
    if test_size is None and train_size is None:
        test_size, test_kind = default_test_size, "f"
    for value, kind, name in ((test_size, test_kind, "test_size"),
                              (train_size, train_kind, "train_size")):  # fmt: skip
        if (kind == "i" and (value >= n_samples or value <= 0)) or (
            kind == "f" and (value <= 0 or value >= 1)
        ):
            raise ValueError(
                f"{name}={value} should be either positive and smaller than the number of "
                f"samples {n_samples} or a float in the (0, 1) range"
            )
    if train_kind == "f" and test_kind == "f" and train_size + test_size > 1:
        raise ValueError(
            f"test_size + train_size = {train_size + test_size} should be in the (0, 1) range. "
            "Reduce test_size and/or train_size."
        )
    n_test = math.ceil(test_size * n_samples) if test_kind == "f" else test_size
    n_train = math.floor(train_size * n_samples) if train_kind == "f" else train_size
    if train_size is None:
        n_train = n_samples - n_test
    elif test_size is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(
            f"The sum of train_size and test_size = {n_train + n_test}, should be smaller than "
            f"the number of samples {n_samples}. Reduce test_size and/or train_size."
        )
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n_samples}, test_size={test_size} and train_size={train_size}, "
            "the resulting train set will be empty. Adjust any of the aforementioned parameters."
        )
    return int(n_train), int(n_test)


def approximate_mode(class_counts, n_draws, rng):
    """Per-class draw counts closest to the proportional share n_draws · c_k / Σc.

    Floors the proportional shares, then hands the missing draws to the classes with the
    largest remainders (ties broken at random) — scikit-learn's ``_approximate_mode``.

    >>> approximate_mode(np.array([4, 2]), 3, np.random.default_rng(0)).tolist()
    [2, 1]
    """
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need -= add_now
            if need == 0:
                break
    return floored.astype(np.int64)


class ShuffleSplit:
    """``n_splits`` independent random train/test splits (samples may recur across splits).

    Inventory: DP-16 (simple random sampling), MS-32.

    >>> tr, te = next(ShuffleSplit(n_splits=1, test_size=2, random_state=0).split(range(5)))
    >>> len(tr), len(te)
    (3, 2)
    """

    _default_test_size = 0.1

    def __init__(self, n_splits=10, *, test_size=None, train_size=None, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or n_splits < 1:
            raise ValueError(f"n_splits: expected an integer >= 1, got {n_splits!r}.")
        self.n_splits = int(n_splits)
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of splits."""
        return self.n_splits

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(vars(self).items()))
        return f"{type(self).__name__}({params})"

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` index arrays."""
        n = num_samples(X)
        n_train, n_test = split_sizes(n, self.test_size, self.train_size, self._default_test_size)
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            perm = rng.permutation(n)
            yield perm[n_test : n_test + n_train], perm[:n_test]


class StratifiedShuffleSplit(ShuffleSplit):
    """Random splits that keep the class proportions (each class's train/test counts are the
    closest integers to its proportional share, see :func:`approximate_mode`).

    Inventory: DP-16 (stratified sampling), CL-034.

    >>> y = [0] * 6 + [1] * 4
    >>> tr, te = next(StratifiedShuffleSplit(n_splits=1, test_size=5, random_state=0).split(y, y))
    >>> sorted(np.asarray(y)[te].tolist())
    [0, 0, 0, 1, 1]
    """

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` index arrays stratified on ``y``."""
        if y is None:
            raise ValueError("y: StratifiedShuffleSplit needs the class labels y.")
        n = num_samples(X)
        y = np.asarray(y)
        if y.shape[0] != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X: {n}, "
                f"y: {y.shape[0]}."
            )
        if y.ndim == 2:
            y = np.array([" ".join(row.astype(str)) for row in y])
        n_train, n_test = split_sizes(n, self.test_size, self.train_size, self._default_test_size)
        classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                "y: The least populated classes in y have only 1 member, which is too few. The "
                "minimum number of groups for any class cannot be less than 2. Classes with too "
                f"few members are: {classes[counts < 2].tolist()}"
            )
        if n_train < classes.size:
            raise ValueError(
                f"train_size: The train_size = {n_train} should be greater or equal to the "
                f"number of classes = {classes.size}"
            )
        if n_test < classes.size:
            raise ValueError(
                f"test_size: The test_size = {n_test} should be greater or equal to the number "
                f"of classes = {classes.size}"
            )
        class_indices = np.split(np.argsort(y_idx, kind="stable"), np.cumsum(counts)[:-1])
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            n_i = approximate_mode(counts, n_train, rng)
            t_i = approximate_mode(counts - n_i, n_test, rng)
            train, test = [], []
            for k, members in enumerate(class_indices):  # loop over classes
                perm = members[rng.permutation(members.size)]
                train.append(perm[: n_i[k]])
                test.append(perm[n_i[k] : n_i[k] + t_i[k]])
            yield rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
