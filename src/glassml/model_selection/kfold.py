"""K-fold cross-validation splitters: KFold, StratifiedKFold, GroupKFold, LeaveOneOut and
TimeSeriesSplit, plus ``check_cv``.

Inventory: MS-32. Every splitter yields ``(train_indices, test_indices)``; the test folds of a
K-fold splitter partition the samples. Without shuffling the folds are exactly scikit-learn's.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from glassml._core import check_random_state, num_samples, type_of_target

__all__ = [
    "BaseCrossValidator",
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "LeaveOneOut",
    "TimeSeriesSplit",
    "check_cv",
]


class BaseCrossValidator:
    """Common machinery: ``split`` turns test-index folds into (train, test) pairs."""

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` integer index arrays."""
        n = num_samples(X)
        indices = np.arange(n)
        for test in self._iter_test_indices(X, y, groups):
            mask = np.ones(n, dtype=bool)
            mask[test] = False
            yield indices[mask], np.asarray(test)

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(vars(self).items()))
        return f"{type(self).__name__}({params})"


def _check_n_splits(n_splits):
    if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
        raise ValueError(
            f"n_splits: expected an integer, got {type(n_splits).__name__} {n_splits!r}."
        )
    if n_splits <= 1:
        raise ValueError(
            "n_splits: k-fold cross-validation requires at least one train/test split by "
            f"setting n_splits=2 or more, got n_splits={n_splits}."
        )


def _check_shuffle(shuffle, random_state):
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle: expected True or False, got {shuffle!r}.")
    if not shuffle and random_state is not None:
        raise ValueError(
            "random_state: Setting a random_state has no effect since shuffle is False. You "
            "should leave random_state to its default (None), or set shuffle=True."
        )


class KFold(BaseCrossValidator):
    """K contiguous folds: the first n mod K folds have ⌊n/K⌋ + 1 samples, the rest ⌊n/K⌋.

    Inventory: MS-32. Each sample is in exactly one test fold; ``shuffle`` permutes the
    indices once before cutting the folds.

    >>> [test.tolist() for _, test in KFold(n_splits=3).split(list(range(7)))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        _check_n_splits(n_splits)
        _check_shuffle(shuffle, random_state)
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds."""
        return self.n_splits

    def _iter_test_indices(self, X, y=None, groups=None):
        n = num_samples(X)
        if self.n_splits > n:
            raise ValueError(
                f"n_splits: Cannot have number of splits n_splits={self.n_splits} greater than "
                f"the number of samples: n_samples={n}."
            )
        indices = np.arange(n)
        if self.shuffle:
            indices = check_random_state(self.random_state).permutation(n)
        fold_sizes = np.full(self.n_splits, n // self.n_splits)
        fold_sizes[: n % self.n_splits] += 1
        bounds = np.r_[0, np.cumsum(fold_sizes)]
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            yield indices[start:stop]


class StratifiedKFold(BaseCrossValidator):
    """K folds that keep the class proportions of ``y`` in every fold.

    Inventory: MS-32 (stratified variant), DP-16. The algorithm is scikit-learn's: classes are
    numbered in order of first appearance, the sorted class codes are dealt to the folds
    round-robin (``y_sorted[i::K]``) to decide how many samples of each class each fold gets,
    and the samples of each class are assigned to folds in index order (shuffled per class when
    ``shuffle``). Each class of size c_k contributes ⌊c_k/K⌋ or ⌈c_k/K⌉ samples to every fold.

    >>> y = [0, 0, 0, 0, 1, 1, 1, 1]
    >>> [test.tolist() for _, test in StratifiedKFold(n_splits=2).split(y, y)]
    [[0, 1, 4, 5], [2, 3, 6, 7]]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        _check_n_splits(n_splits)
        _check_shuffle(shuffle, random_state)
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds."""
        return self.n_splits

    def _test_folds(self, y):
        y = np.asarray(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"y: Supported target types are: ('binary', 'multiclass'). Got {kind!r} instead."
            )
        y = y.ravel()
        _, first_index, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_perm = np.unique(first_index, return_inverse=True)
        y_encoded = class_perm[inverse]  # classes numbered by first appearance
        n_classes = first_index.size
        counts = np.bincount(y_encoded)
        if np.all(self.n_splits > counts):
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                "each class."
            )
        if self.n_splits > counts.min():
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is "
                f"less than n_splits={self.n_splits}.",
                UserWarning,
            )
        y_sorted = np.sort(y_encoded)
        # allocation[f, k] = samples of class k in fold f, dealing sorted labels round-robin
        fold_of_sorted = np.arange(y_sorted.size) % self.n_splits
        allocation = np.zeros((self.n_splits, n_classes), dtype=np.int64)
        np.add.at(allocation, (fold_of_sorted, y_sorted), 1)
        rng = check_random_state(self.random_state) if self.shuffle else None
        test_folds = np.empty(y.size, dtype=np.int64)
        for k in range(n_classes):  # a loop over classes, not samples
            folds_for_class = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(folds_for_class)
            test_folds[y_encoded == k] = folds_for_class
        return test_folds

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` index arrays; ``y`` (the class labels) is required."""
        if y is None:
            raise ValueError("y: StratifiedKFold needs the class labels y to stratify on.")
        if num_samples(X) != num_samples(y):
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X: "
                f"{num_samples(X)}, y: {num_samples(y)}."
            )
        test_folds = self._test_folds(y)
        indices = np.arange(test_folds.size)
        for f in range(self.n_splits):
            yield indices[test_folds != f], indices[test_folds == f]


class GroupKFold(BaseCrossValidator):
    """K folds in which no group appears in both train and test.

    Without shuffling, groups are taken from the largest to the smallest and each is put in
    the fold that currently holds the fewest samples (scikit-learn's greedy balancing); with
    ``shuffle`` the permuted groups are cut into K nearly equal lists.

    >>> g = [0, 0, 1, 1, 1, 2]
    >>> [test.tolist() for _, test in GroupKFold(n_splits=2).split(g, groups=g)]
    [[2, 3, 4], [0, 1, 5]]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        _check_n_splits(n_splits)
        _check_shuffle(shuffle, random_state)
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds."""
        return self.n_splits

    def _iter_test_indices(self, X, y, groups):
        if groups is None:
            raise ValueError("groups: The 'groups' parameter should not be None.")
        groups = np.asarray(groups)
        if groups.shape[0] != num_samples(X):
            raise ValueError(
                f"groups: expected {num_samples(X)} group labels (one per sample), got "
                f"{groups.shape[0]}."
            )
        unique_groups, group_idx = np.unique(groups, return_inverse=True)
        if self.n_splits > unique_groups.size:
            raise ValueError(
                f"n_splits: Cannot have number of splits n_splits={self.n_splits} greater than "
                f"the number of groups: {unique_groups.size}."
            )
        if self.shuffle:
            order = check_random_state(self.random_state).permutation(unique_groups.size)
            for fold_groups in np.array_split(order, self.n_splits):
                yield np.flatnonzero(np.isin(group_idx, fold_groups))
            return
        sizes = np.bincount(group_idx)
        order = np.argsort(sizes, kind="stable")[::-1]  # largest groups first
        fold_load = np.zeros(self.n_splits)
        group_to_fold = np.zeros(unique_groups.size, dtype=np.int64)
        for g in order:  # greedy: one step per group (not per sample)
            lightest = int(np.argmin(fold_load))
            fold_load[lightest] += sizes[g]
            group_to_fold[g] = lightest
        sample_fold = group_to_fold[group_idx]
        for f in range(self.n_splits):
            yield np.flatnonzero(sample_fold == f)


class LeaveOneOut(BaseCrossValidator):
    """n folds, each testing a single sample (K-fold with K = n).

    >>> [test.tolist() for _, test in LeaveOneOut().split([[0], [1], [2]])]
    [[0], [1], [2]]
    """

    def get_n_splits(self, X, y=None, groups=None):
        """The number of samples."""
        if X is None:
            raise ValueError("X: LeaveOneOut needs X to count the samples.")
        return num_samples(X)

    def _iter_test_indices(self, X, y=None, groups=None):
        n = num_samples(X)
        if n <= 1:
            raise ValueError(f"X: Cannot perform LeaveOneOut with n_samples={n}.")
        return (np.array([i]) for i in range(n))


class TimeSeriesSplit(BaseCrossValidator):
    """Expanding-window splits for ordered data: train on the past, test on the next block.

    Inventory: MS-32 (forecasting variant). With n samples and K splits the test blocks have
    ``test_size`` = n // (K + 1) samples (by default) and end at the last sample; the training
    window ends ``gap`` samples before each test block and is capped at ``max_train_size``.

    >>> [(tr.tolist(), te.tolist()) for tr, te in TimeSeriesSplit(n_splits=2).split(range(6))]
    [([0, 1], [2, 3]), ([0, 1, 2, 3], [4, 5])]
    """

    def __init__(self, n_splits=5, *, max_train_size=None, test_size=None, gap=0):
        _check_n_splits(n_splits)
        self.n_splits = int(n_splits)
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of splits."""
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` index arrays in time order."""
        n = num_samples(X)
        n_folds = self.n_splits + 1
        test_size = self.test_size if self.test_size is not None else n // n_folds
        if n_folds > n:
            raise ValueError(
                f"n_splits: Cannot have number of folds={n_folds} greater than the number of "
                f"samples={n}."
            )
        if n - self.gap - test_size * self.n_splits <= 0:
            raise ValueError(
                f"test_size/gap: Too many splits={self.n_splits} for number of samples={n} with "
                f"test_size={test_size} and gap={self.gap}."
            )
        indices = np.arange(n)
        for test_start in range(n - self.n_splits * test_size, n, test_size):
            train_end = test_start - self.gap
            train_start = 0
            if self.max_train_size and self.max_train_size < train_end:
                train_start = train_end - self.max_train_size
            yield indices[train_start:train_end], indices[test_start : test_start + test_size]


def check_cv(cv=5, y=None, *, classifier=False):
    """Resolve ``cv``: an int gives StratifiedKFold for classifiers with a binary/multiclass
    ``y`` and KFold otherwise; a splitter is returned as is; an iterable of (train, test) pairs
    is wrapped.

    >>> check_cv(3)
    KFold(n_splits=3, random_state=None, shuffle=False)
    """
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None and type_of_target(y) in ("binary", "multiclass"):
            return StratifiedKFold(cv)
        return KFold(cv)
    if hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        return cv
    if isinstance(cv, str) or not hasattr(cv, "__iter__"):
        raise ValueError(
            "cv: expected an int, a cross-validation splitter or an iterable of (train, test) "
            f"index pairs, got {cv!r}."
        )
    return _PredefinedSplits(list(cv))


class _PredefinedSplits(BaseCrossValidator):
    """Wraps a user-given list of (train, test) index pairs."""

    def __init__(self, splits):
        self.splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splits]

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.splits)

    def split(self, X=None, y=None, groups=None):
        yield from self.splits
