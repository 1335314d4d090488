"""Learning curves (score against training-set size) and validation curves (score against one
hyperparameter), for diagnosing under- and overfitting.

Inventory: MS-36. A large gap between the training and validation curves signals overfitting
(high variance); two low curves that meet signal underfitting (high bias).
"""

from __future__ import annotations

import warnings
from itertools import product

import numpy as np
from joblib import Parallel, delayed

from glassml._core import check_random_state

from .._core.base import is_classifier
from .kfold import check_cv
from .validation import fit_and_score, resolve_scorers, warn_or_raise_failures

__all__ = ["learning_curve", "validation_curve"]


def _absolute_train_sizes(train_sizes, n_max):
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError(f"train_sizes: expected a non-empty 1-D array, got {train_sizes!r}.")
    n_ticks = sizes.size
    if np.issubdtype(sizes.dtype, np.floating):
        if sizes.min() <= 0.0 or sizes.max() > 1.0:
            raise ValueError(
                "train_sizes has been interpreted as fractions of the maximum number of "
                f"training samples and must be within (0, 1], but is within [{sizes.min()}, "
                f"{sizes.max()}]."
            )
        sizes = np.clip((sizes * n_max).astype(int), 1, n_max)
    else:
        if sizes.min() <= 0 or sizes.max() > n_max:
            raise ValueError(
                "train_sizes has been interpreted as absolute numbers of training samples and "
                f"must be within (0, {n_max}], but is within [{sizes.min()}, {sizes.max()}]."
            )
    sizes = np.unique(sizes)
    if sizes.size < n_ticks:
        warnings.warn(
            f"Removed duplicate entries from 'train_sizes'. Number of ticks will be less than "
            f"the size of 'train_sizes': {sizes.size} instead of {n_ticks}).",
            RuntimeWarning,
        )
    return sizes


def learning_curve(estimator, X, y, *, groups=None, train_sizes=(0.1, 0.325, 0.55, 0.775, 1.0),
                   cv=None, scoring=None, shuffle=False, random_state=None, n_jobs=None,
                   pre_dispatch="all", verbose=0, error_score=np.nan, return_times=False,
                   params=None):  # fmt: skip
    """Train and test scores for growing prefixes of each CV training fold.

    Inventory: MS-36. For each split and size m the model is fitted on the first m samples of
    the training fold (shuffled first when ``shuffle``) and scored on that subset and on the
    test fold.

    Returns
    -------
    train_sizes_abs (n_ticks,), train_scores (n_ticks, n_splits), test_scores (n_ticks,
    n_splits), and fit/score times of the same shape with ``return_times``.

    >>> from glassml._core import BaseEstimator
    >>> class Mean(BaseEstimator):
    ...     def fit(self, X, y): self.m_ = float(np.mean(y)); return self
    ...     def score(self, X, y): return -float(np.mean((np.asarray(y) - self.m_) ** 2))
    >>> sizes, train, test = learning_curve(Mean(), np.zeros((8, 1)), np.arange(8.0),
    ...                                     train_sizes=[2, 4], cv=2)
    >>> sizes.tolist(), train.shape, test.shape
    ([2, 4], (2, 2), (2, 2))
    """
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multimetric = resolve_scorers(estimator, scoring)
    if multimetric:
        raise ValueError("scoring: learning_curve takes a single scorer.")
    splits = list(cv.split(X, y, groups))
    sizes = _absolute_train_sizes(train_sizes, len(splits[0][0]))
    if shuffle:
        rng = check_random_state(random_state)
        splits = [(rng.permutation(train), test) for train, test in splits]
    parallel = Parallel(n_jobs=n_jobs, pre_dispatch=pre_dispatch, verbose=verbose)
    results = parallel(
        delayed(fit_and_score)(
            estimator,
            X,
            y,
            scorers=scorers,
            train=train[:m],
            test=test,
            fit_params=params,
            return_train_score=True,
            error_score=error_score,
        )  # fmt: skip
        for (train, test), m in product(splits, sizes)
    )
    warn_or_raise_failures(results, error_score)
    shape = (len(splits), sizes.size)

    def grid(key, inner=None):
        vals = [r[key][inner] if inner else r[key] for r in results]
        return np.asarray(vals, dtype=np.float64).reshape(shape).T

    out = [sizes, grid("train_scores", "score"), grid("test_scores", "score")]
    if return_times:
        out += [grid("fit_time"), grid("score_time")]
    return tuple(out)


def validation_curve(estimator, X, y, *, param_name, param_range, groups=None, cv=None,
                     scoring=None, n_jobs=None, pre_dispatch="all", verbose=0,
                     error_score=np.nan, params=None):  # fmt: skip
    """Train and test scores of every CV split for each value of one hyperparameter.

    Inventory: MS-36. Returns ``train_scores, test_scores`` of shape (len(param_range),
    n_splits).

    >>> from glassml._core import BaseEstimator
    >>> class Shrunk(BaseEstimator):
    ...     def __init__(self, *, shrink=0.0): self.shrink = shrink
    ...     def fit(self, X, y): self.m_ = (1 - self.shrink) * float(np.mean(y)); return self
    ...     def score(self, X, y): return -float(np.mean((np.asarray(y) - self.m_) ** 2))
    >>> train, test = validation_curve(Shrunk(), np.zeros((6, 1)), np.ones(6),
    ...                                param_name="shrink", param_range=[0.0, 1.0], cv=3)
    >>> test.mean(axis=1).tolist()
    [0.0, -1.0]
    """
    if len(param_range) == 0:
        raise ValueError("param_range: expected at least one value.")
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multimetric = resolve_scorers(estimator, scoring)
    if multimetric:
        raise ValueError("scoring: validation_curve takes a single scorer.")
    if param_name not in estimator.get_params():
        raise ValueError(
            f"param_name: {param_name!r} is not a parameter of {type(estimator).__name__}."
        )
    splits = list(cv.split(X, y, groups))
    parallel = Parallel(n_jobs=n_jobs, pre_dispatch=pre_dispatch, verbose=verbose)
    results = parallel(
        delayed(fit_and_score)(
            estimator,
            X,
            y,
            scorers=scorers,
            train=train,
            test=test,
            parameters={param_name: v},
            fit_params=params,
            return_train_score=True,
            error_score=error_score,
        )  # fmt: skip
        for (train, test), v in product(splits, param_range)
    )
    warn_or_raise_failures(results, error_score)
    shape = (len(splits), len(param_range))
    train = np.array([r["train_scores"]["score"] for r in results]).reshape(shape).T
    test = np.array([r["test_scores"]["score"] for r in results]).reshape(shape).T
    return train, test
