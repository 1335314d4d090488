"""Hyperparameter search by cross-validation: ParameterGrid, ParameterSampler, GridSearchCV
and RandomizedSearchCV.

Inventory: MS-33. Every (candidate, split) pair is one independent task sent through
``joblib.Parallel(n_jobs=...)`` (no backend named: a Dask cluster works through
``joblib.parallel_config(backend="dask")``). ``cv_results_`` uses scikit-learn's keys:
``params``, ``param_<name>``, ``split<i>_test_<score>``, ``mean_/std_/rank_test_<score>``,
``mean_/std_fit_time``, ``mean_/std_score_time`` (and ``*_train_*`` on request).
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from itertools import product

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import rankdata

from glassml._core import (
    BaseEstimator,
    check_is_fitted,
    check_random_state,
    clone,
    num_samples,
)

from .._core.base import _estimator_type as estimator_type
from .._core.base import is_classifier
from .kfold import check_cv
from .validation import fit_and_score, resolve_scorers, warn_or_raise_failures

__all__ = ["ParameterGrid", "ParameterSampler", "GridSearchCV", "RandomizedSearchCV"]


def _as_grid_list(param_grid, name):
    grids = [param_grid] if isinstance(param_grid, Mapping) else param_grid
    if not isinstance(grids, Sequence) or isinstance(grids, str):
        raise TypeError(f"{name}: expected a dict or a list of dicts, got {param_grid!r}.")
    for grid in grids:
        if not isinstance(grid, Mapping):
            raise TypeError(f"{name}: expected a dict or a list of dicts, got {grid!r}.")
        for key, values in grid.items():
            if not isinstance(key, str):
                raise TypeError(f"{name}: parameter names must be strings, got {key!r}.")
            if name == "param_grid":
                if isinstance(values, np.ndarray) and values.ndim > 1:
                    raise ValueError(
                        f"param_grid: the values of {key!r} must be one-dimensional, got "
                        f"shape {values.shape}."
                    )
                if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
                    raise TypeError(
                        f"param_grid: the value of {key!r} must be a list or array of values, "
                        f"got {values!r}."
                    )
                if len(values) == 0:
                    raise ValueError(f"param_grid: the list of values of {key!r} is empty.")
    return list(grids)


class ParameterGrid:
    """Every combination of the listed values, grid by grid (keys in sorted order).

    Inventory: MS-33 (grid search).

    >>> list(ParameterGrid({"b": [1, 2], "a": ["x"]}))
    [{'a': 'x', 'b': 1}, {'a': 'x', 'b': 2}]
    """

    def __init__(self, param_grid):
        self.param_grid = _as_grid_list(param_grid, "param_grid")

    def __iter__(self):
        for grid in self.param_grid:
            items = sorted(grid.items())
            if not items:
                yield {}
                continue
            keys, values = zip(*items, strict=True)
            for combo in product(*values):
                yield dict(zip(keys, combo, strict=True))

    def __len__(self):
        return sum(int(np.prod([len(v) for v in g.values()])) if g else 1 for g in self.param_grid)

    def __getitem__(self, index):
        for candidate_index, params in enumerate(self):
            if candidate_index == index:
                return params
        raise IndexError(f"ParameterGrid index {index} out of range ({len(self)} candidates).")


class ParameterSampler:
    """``n_iter`` random candidates: lists are sampled uniformly, objects with ``.rvs``
    (scipy.stats distributions) are drawn from. When every value is a list the candidates are
    drawn from the grid without replacement.

    Inventory: MS-33 (random search).

    >>> from scipy.stats import uniform
    >>> ps = list(ParameterSampler({"alpha": uniform(0, 1)}, n_iter=3, random_state=0))
    >>> len(ps), all(0 <= p["alpha"] <= 1 for p in ps)
    (3, True)
    """

    def __init__(self, param_distributions, n_iter, *, random_state=None):
        self.param_distributions = _as_grid_list(param_distributions, "param_distributions")
        for dist in self.param_distributions:
            for key, value in dist.items():
                if not hasattr(value, "rvs") and (
                    isinstance(value, str) or not isinstance(value, Sequence | np.ndarray)
                ):
                    raise TypeError(
                        f"param_distributions: the value of {key!r} must be a list or an "
                        f"object with an rvs method, got {value!r}."
                    )
        if not isinstance(n_iter, numbers.Integral) or n_iter < 1:
            raise ValueError(f"n_iter: expected an integer >= 1, got {n_iter!r}.")
        self.n_iter = int(n_iter)
        self.random_state = random_state

    def _all_lists(self):
        return all(not hasattr(v, "rvs") for d in self.param_distributions for v in d.values())

    def __iter__(self):
        rng = check_random_state(self.random_state)
        if self._all_lists():
            grid = list(ParameterGrid(self.param_distributions))
            n_iter = self.n_iter
            if len(grid) < n_iter:
                warnings.warn(
                    f"The total space of parameters {len(grid)} is smaller than n_iter="
                    f"{n_iter}. Running {len(grid)} iterations. For exhaustive searches, use "
                    "GridSearchCV.",
                    UserWarning,
                )
                n_iter = len(grid)
            for i in rng.choice(len(grid), size=n_iter, replace=False):
                yield grid[i]
            return
        for _ in range(self.n_iter):
            dist = self.param_distributions[rng.integers(len(self.param_distributions))]
            params = {}
            for key, value in sorted(dist.items()):
                if hasattr(value, "rvs"):
                    params[key] = value.rvs(random_state=rng)
                else:
                    params[key] = value[rng.integers(len(value))]
            yield params

    def __len__(self):
        if self._all_lists():
            return min(self.n_iter, len(ParameterGrid(self.param_distributions)))
        return self.n_iter


def _param_arrays(candidates):
    """``param_<name>`` masked arrays (masked where a candidate lacks the parameter)."""
    n = len(candidates)
    names = sorted({k for c in candidates for k in c})
    out = {}
    for name in names:
        values = {i: c[name] for i, c in enumerate(candidates) if name in c}
        try:
            arr = np.array(list(values.values()))
            dtype = arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else object
        except ValueError:
            dtype = np.dtype(object)
        ma = np.ma.MaskedArray(np.empty(n, dtype=dtype), mask=True)
        for i, v in values.items():
            ma[i] = v
        out[f"param_{name}"] = ma
    return out


class _Delegated:
    """A method forwarded to ``best_estimator_`` that exists only if the wrapped estimator has
    it (so ``hasattr(search, "transform")`` is False for a regressor, as in scikit-learn)."""

    def __init__(self, name):
        self.name = name
        self.__doc__ = f"``best_estimator_.{name}(X)``."

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        target = getattr(obj, "best_estimator_", None) or obj.estimator
        if not hasattr(target, self.name):
            raise AttributeError(
                f"This {type(obj).__name__} has no attribute {self.name!r}: the estimator "
                f"{type(target).__name__} does not implement it."
            )
        name = self.name

        def method(X):
            return obj._best(name)(X)

        method.__name__ = name
        return method


class BaseSearchCV(BaseEstimator):
    """Shared fit/format/delegation of the grid and randomized searches."""

    def _candidates(self):
        raise NotImplementedError

    def _glassml_tags(self):
        return {"non_deterministic": False}

    @property
    def _estimator_type(self):
        return estimator_type(self.estimator)

    def __sklearn_tags__(self):
        import copy

        tags = copy.deepcopy(self.estimator.__sklearn_tags__())  # classifier/regressor kind
        tags.input_tags.sparse = False  # the search validates dense input
        return tags

    def fit(self, X, y=None, **params):
        """Evaluate every candidate by CV, pick the best, refit it on all the data."""
        if self.estimator is None or not hasattr(self.estimator, "fit"):
            raise TypeError(f"estimator: expected an estimator with fit, got {self.estimator!r}.")
        X, y = self._check_inputs(X, y)
        scorers, multimetric = resolve_scorers(self.estimator, self.scoring)
        refit_metric = "score"
        if multimetric:
            if (
                self.refit is not False
                and not callable(self.refit)
                and (not isinstance(self.refit, str) or self.refit not in scorers)
            ):
                raise ValueError(
                    "refit: For multi-metric scoring, the parameter refit must be set to a "
                    f"scorer key (one of {sorted(scorers)}) or a callable, or False; got "
                    f"{self.refit!r}."
                )
            refit_metric = self.refit if isinstance(self.refit, str) else None
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, params.pop("groups", None)))
        candidates = list(self._candidates())
        if not candidates:
            raise ValueError("param_grid: no candidate parameters to evaluate.")
        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose,
                            pre_dispatch=self.pre_dispatch)  # fmt: skip
        results = parallel(
            delayed(fit_and_score)(
                self.estimator,
                X,
                y,
                scorers=scorers,
                train=train,
                test=test,
                parameters=cand,
                fit_params=params,
                return_train_score=self.return_train_score,
                error_score=self.error_score,
            )  # fmt: skip
            for cand, (train, test) in product(candidates, splits)
        )
        warn_or_raise_failures(results, self.error_score)
        self.cv_results_ = self._format(candidates, len(splits), results, scorers, multimetric)
        self.multimetric_ = multimetric
        self.scorer_ = scorers if multimetric else scorers["score"]
        self.n_splits_ = len(splits)
        if self.refit is not False:
            if callable(self.refit):
                self.best_index_ = int(self.refit(self.cv_results_))
            else:
                self.best_index_ = int(self.cv_results_[f"rank_test_{refit_metric}"].argmin())
                self.best_score_ = float(
                    self.cv_results_[f"mean_test_{refit_metric}"][self.best_index_]
                )
            self.best_params_ = candidates[self.best_index_]
            best = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
            start = time.perf_counter()
            best.fit(X, **params) if y is None else best.fit(X, y, **params)
            self.refit_time_ = time.perf_counter() - start
            self.best_estimator_ = best
            if hasattr(best, "feature_names_in_"):
                self.feature_names_in_ = best.feature_names_in_
        if hasattr(X, "shape") and len(X.shape) == 2:
            self.n_features_in_ = X.shape[1]
        return self

    def _check_inputs(self, X, y):
        """Dense arrays (DataFrames kept), consistent lengths, y present when needed."""
        name = type(self).__name__
        for arg, value in (("X", X), ("y", y)):
            if hasattr(value, "nnz") or hasattr(value, "tocsr"):
                raise TypeError(
                    f"{name}: {arg}: sparse matrices are not supported; pass a dense array "
                    f"({arg}.toarray())."
                )
        if X is None:
            raise ValueError(f"{name}: X: expected an array-like, got None.")
        if not hasattr(X, "iloc") and not isinstance(X, np.ndarray):
            X = np.asarray(X)
        if y is None:
            if estimator_type(self.estimator) in ("classifier", "regressor"):
                raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        elif not hasattr(y, "iloc") and not isinstance(y, np.ndarray):
            y = np.asarray(y)
        n = num_samples(X)
        if y is not None and num_samples(y) != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X: {n}, "
                f"y: {num_samples(y)}."
            )
        if n < 2:
            raise ValueError(
                f"{name}: X: Found array with {n} sample(s) (n_samples={n}); cross-validation "
                "needs at least 2."
            )
        return X, y

    def _format(self, candidates, n_splits, results, scorers, multimetric):
        n_cand = len(candidates)
        out = {}

        def store(key, values, splits=False, rank=False):
            arr = np.asarray(values, dtype=np.float64).reshape(n_cand, n_splits)
            if splits:
                for i in range(n_splits):
                    out[f"split{i}_{key}"] = arr[:, i]
            means = arr.mean(axis=1)
            out[f"mean_{key}"] = means
            out[f"std_{key}"] = np.sqrt(((arr - means[:, None]) ** 2).mean(axis=1))
            if key.startswith(("train_", "test_")) and not np.isfinite(means).all():
                warnings.warn(
                    f"One or more of the {key.split('_')[0]} scores are non-finite: {means}",
                    UserWarning,
                )
            if rank:
                if np.isnan(means).all():
                    ranks = np.ones(n_cand, dtype=np.int32)
                else:
                    filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
                    ranks = rankdata(-filled, method="min").astype(np.int32)
                out[f"rank_{key}"] = ranks

        store("fit_time", [r["fit_time"] for r in results])
        store("score_time", [r["score_time"] for r in results])
        out.update(_param_arrays(candidates))
        out["params"] = candidates
        for name in scorers:
            key = name if multimetric else "score"
            store(f"test_{key}", [r["test_scores"][name] for r in results], splits=True,
                  rank=True)  # fmt: skip
            if self.return_train_score:
                store(f"train_{key}", [r["train_scores"][name] for r in results], splits=True)
        return out

    # ---------------------------------------------------------------- delegation
    def _best(self, method):
        check_is_fitted(self)
        if self.refit is False:
            raise AttributeError(
                f"This {type(self).__name__} was fitted with refit=False; {method} is available "
                "only after refitting the best estimator (refit=True)."
            )
        if not hasattr(self.best_estimator_, method):
            raise AttributeError(f"The best estimator has no {method} method.")
        return getattr(self.best_estimator_, method)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "cv_results_")

    predict = _Delegated("predict")
    predict_proba = _Delegated("predict_proba")
    predict_log_proba = _Delegated("predict_log_proba")
    decision_function = _Delegated("decision_function")
    transform = _Delegated("transform")
    inverse_transform = _Delegated("inverse_transform")

    def score(self, X, y=None):
        """The refit metric of ``best_estimator_`` on (X, y)."""
        self._best("fit")
        scorer = self.scorer_[self.refit] if self.multimetric_ else self.scorer_
        return scorer(self.best_estimator_, X, y)

    @property
    def classes_(self):
        """Class labels of the best estimator."""
        return self._best("classes_")


class GridSearchCV(BaseSearchCV):
    """Exhaustive search over ``param_grid`` by cross-validation. Inventory: MS-33.

    For each candidate θ: CV score s(θ) = mean over folds; best θ* = argmax s (ties → the
    first); with ``refit`` the estimator is refitted on all the data with θ*.

    >>> import numpy as np
    >>> class Shift(BaseEstimator):
    ...     def __init__(self, *, c=0.0): self.c = c
    ...     def fit(self, X, y): self.fitted_ = True; return self
    ...     def score(self, X, y): return -abs(self.c - 1.0)
    >>> GridSearchCV(Shift(), {"c": [0.0, 1.0, 3.0]}, cv=2).fit(np.zeros((4, 1)),
    ...                                                       np.zeros(4)).best_params_
    {'c': 1.0}
    """

    def __init__(self, estimator, param_grid, *, scoring=None, n_jobs=None, refit=True, cv=None,
                 verbose=0, pre_dispatch="2*n_jobs", error_score=np.nan,
                 return_train_score=False):  # fmt: skip
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        return ParameterGrid(self.param_grid)


class RandomizedSearchCV(BaseSearchCV):
    """Search over ``n_iter`` random candidates (lists or scipy.stats distributions).

    Inventory: MS-33. Random search covers continuous ranges and scales better than a grid when
    only a few hyperparameters matter (Bergstra & Bengio 2012).

    >>> import numpy as np
    >>> class Shift(BaseEstimator):
    ...     def __init__(self, *, c=0.0): self.c = c
    ...     def fit(self, X, y): self.fitted_ = True; return self
    ...     def score(self, X, y): return -abs(self.c - 1.0)
    >>> s = RandomizedSearchCV(Shift(), {"c": [0.0, 1.0, 3.0]}, n_iter=3, cv=2, random_state=0)
    >>> s.fit(np.zeros((4, 1)), np.zeros(4)).best_params_
    {'c': 1.0}
    """

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs", random_state=None,
                 error_score=np.nan, return_train_score=False):  # fmt: skip
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        return ParameterSampler(self.param_distributions, self.n_iter,
                                random_state=self.random_state)  # fmt: skip
