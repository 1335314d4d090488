"""Cross-validation: cross_validate, cross_val_score and cross_val_predict.

Inventory: MS-32. For every split a fresh ``clone`` of the estimator is fitted on the training
fold only and scored on the held-out fold, so nothing learnt from the test fold leaks into the
model. Folds run through ``joblib.Parallel(n_jobs=...)`` with no backend named, so the caller
chooses it (threads, processes, or a Dask/Ray cluster via ``joblib.parallel_config``).
"""

from __future__ import annotations

import numbers
import time
import traceback
import warnings

import numpy as np
from joblib import Parallel, delayed

from glassml._core import clone, num_samples
from glassml.metrics.scorer import check_multimetric, check_scoring

from .._core.base import is_classifier
from .kfold import check_cv
from .split import safe_indexing

__all__ = ["cross_validate", "cross_val_score", "cross_val_predict", "FitFailedWarning"]


class FitFailedWarning(RuntimeWarning):
    """Some fits failed and their scores were replaced by ``error_score``."""


def resolve_scorers(estimator, scoring):
    """``(scorers, multimetric)``: a dict name → scorer, or {"score": scorer}."""
    if scoring is None or callable(scoring) or isinstance(scoring, str):
        return {"score": check_scoring(estimator, scoring)}, False
    if isinstance(scoring, list | tuple | set | dict):
        return check_multimetric(scoring), True
    raise ValueError(
        f"scoring: expected None, a name, a callable, a list/tuple of names or a dict, got "
        f"{scoring!r}."
    )


def _fold_params(params, n, indices):
    """Index sample-aligned fit parameters (length n arrays) by ``indices``."""
    out = {}
    for key, value in (params or {}).items():
        if hasattr(value, "__len__") and not isinstance(value, str) and num_samples(value) == n:
            out[key] = safe_indexing(value, indices)
        else:
            out[key] = value
    return out


def _score(scorers, estimator, X, y):
    scores = {}
    for name, scorer in scorers.items():
        value = scorer(estimator, X, y) if y is not None else scorer(estimator, X, None)
        if not isinstance(value, numbers.Number):
            raise ValueError(
                f"scoring: the scorer {name!r} must return a number, got "
                f"{type(value).__name__} {value!r}."
            )
        scores[name] = float(value)
    return scores


def fit_and_score(estimator, X, y, *, scorers, train, test, parameters=None, fit_params=None,
                  return_train_score=False, return_estimator=False, error_score=np.nan):  # fmt: skip
    """Clone, (set ``parameters``), fit on ``train`` and score on ``test`` — one CV task."""
    estimator = clone(estimator)
    if parameters:
        estimator.set_params(**{k: clone(v, safe=False) for k, v in parameters.items()})
    n = num_samples(X)
    X_train, X_test = safe_indexing(X, train), safe_indexing(X, test)
    y_train = safe_indexing(y, train) if y is not None else None
    y_test = safe_indexing(y, test) if y is not None else None
    result = {"fit_error": None}
    start = time.perf_counter()
    try:
        if y_train is None:
            estimator.fit(X_train, **_fold_params(fit_params, n, train))
        else:
            estimator.fit(X_train, y_train, **_fold_params(fit_params, n, train))
    except Exception:
        if error_score == "raise":
            raise
        if not isinstance(error_score, numbers.Number):
            raise ValueError(
                f"error_score: expected 'raise' or a number, got {error_score!r}."
            ) from None
        result["fit_time"] = time.perf_counter() - start
        result["score_time"] = 0.0
        result["test_scores"] = dict.fromkeys(scorers, float(error_score))
        if return_train_score:
            result["train_scores"] = dict.fromkeys(scorers, float(error_score))
        result["fit_error"] = traceback.format_exc()
    else:
        result["fit_time"] = time.perf_counter() - start
        start = time.perf_counter()
        result["test_scores"] = _score(scorers, estimator, X_test, y_test)
        result["score_time"] = time.perf_counter() - start
        if return_train_score:
            result["train_scores"] = _score(scorers, estimator, X_train, y_train)
    if return_estimator:
        result["estimator"] = estimator
    return result


def warn_or_raise_failures(results, error_score):
    """Raise if every fit failed; warn with the tracebacks if some did."""
    errors = [r["fit_error"] for r in results if r["fit_error"] is not None]
    if not errors:
        return
    if len(errors) == len(results):
        raise ValueError(
            f"All the {len(results)} fits failed. It is very likely that your model is "
            f"misconfigured. Below are more details about the failures:\n{errors[0]}"
        )
    warnings.warn(
        f"{len(errors)} fits failed out of a total of {len(results)}. The score on these "
        f"train-test partitions for these parameters will be set to {error_score}.\n"
        f"First failure:\n{errors[0]}",
        FitFailedWarning,
    )


def _check_X_y(X, y):
    if X is None:
        raise ValueError("X: expected an array-like, got None.")
    if y is not None and num_samples(X) != num_samples(y):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X: {num_samples(X)}, "
            f"y: {num_samples(y)}."
        )


def cross_validate(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None,
                   verbose=0, params=None, pre_dispatch="2*n_jobs", return_train_score=False,
                   return_estimator=False, return_indices=False, error_score=np.nan):  # fmt: skip
    """Fit and score ``estimator`` on every cross-validation split.

    Inventory: MS-32. The estimate of generalisation is the mean over folds of
    score(model fitted on the other folds, held-out fold).

    Parameters
    ----------
    scoring : None (``estimator.score``), a scorer name (``glassml.metrics.get_scorer_names``),
        a callable ``(estimator, X, y) -> float``, or a list/dict of them (multi-metric).
    cv : int (StratifiedKFold for classifiers, else KFold), a splitter or (train, test) pairs.
    n_jobs : joblib workers (None = 1); the backend is whatever joblib is configured with.
    error_score : "raise" or the score given to a fold whose fit fails (default NaN, warned).

    Returns
    -------
    dict with ``fit_time``, ``score_time``, ``test_score`` (or ``test_<name>`` for several
    scorers), ``train_*`` with ``return_train_score``, ``estimator`` and ``indices`` on request.

    >>> from glassml.model_selection import KFold
    >>> class Mean:
    ...     def get_params(self, deep=True): return {}
    ...     def fit(self, X, y): self.m = float(np.mean(y)); return self
    ...     def predict(self, X): return np.full(len(X), self.m)
    >>> out = cross_validate(Mean(), np.zeros((4, 1)), [1.0, 1.0, 3.0, 3.0],
    ...                      scoring="neg_mean_absolute_error", cv=KFold(2))
    >>> out["test_score"].tolist()
    [-2.0, -2.0]
    """
    _check_X_y(X, y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multimetric = resolve_scorers(estimator, scoring)
    splits = list(cv.split(X, y, groups))
    if not splits:
        raise ValueError("cv: the splitter produced no splits.")
    for train, test in splits:
        if len(train) == 0 or len(test) == 0:
            raise ValueError("cv: a split has an empty training or test fold.")
    parallel = Parallel(n_jobs=n_jobs, verbose=verbose, pre_dispatch=pre_dispatch)
    results = parallel(
        delayed(fit_and_score)(
            estimator,
            X,
            y,
            scorers=scorers,
            train=train,
            test=test,
            fit_params=params,
            return_train_score=return_train_score,
            return_estimator=return_estimator,
            error_score=error_score,
        )  # fmt: skip
        for train, test in splits
    )
    warn_or_raise_failures(results, error_score)
    out = {
        "fit_time": np.array([r["fit_time"] for r in results]),
        "score_time": np.array([r["score_time"] for r in results]),
    }
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in results]
    if return_indices:
        out["indices"] = {"train": [tr for tr, _ in splits], "test": [te for _, te in splits]}
    for name in scorers:
        key = name if multimetric else "score"
        out[f"test_{key}"] = np.array([r["test_scores"][name] for r in results])
        if return_train_score:
            out[f"train_{key}"] = np.array([r["train_scores"][name] for r in results])
    return out


def cross_val_score(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None,
                    verbose=0, params=None, pre_dispatch="2*n_jobs", error_score=np.nan):  # fmt: skip
    """The test score of every fold (one scorer), as an array. Inventory: MS-32.

    >>> from glassml.model_selection import KFold
    >>> class Mean:
    ...     def get_params(self, deep=True): return {}
    ...     def fit(self, X, y): self.m = float(np.mean(y)); return self
    ...     def score(self, X, y): return -float(np.abs(np.asarray(y) - self.m).mean())
    >>> cross_val_score(Mean(), np.zeros((4, 1)), [1.0, 1.0, 3.0, 3.0], cv=KFold(2)).tolist()
    [-2.0, -2.0]
    """
    if isinstance(scoring, list | tuple | set | dict):
        raise ValueError("scoring: cross_val_score takes a single scorer; use cross_validate.")
    out = cross_validate(
        estimator, X, y, groups=groups, scoring=scoring, cv=cv, n_jobs=n_jobs, verbose=verbose,
        params=params, pre_dispatch=pre_dispatch, error_score=error_score,
    )  # fmt: skip
    return out["test_score"]


def _fit_and_predict(estimator, X, y, train, test, fit_params, method, classes):
    estimator = clone(estimator)
    n = num_samples(X)
    X_train, X_test = safe_indexing(X, train), safe_indexing(X, test)
    if y is None:
        estimator.fit(X_train, **_fold_params(fit_params, n, train))
    else:
        estimator.fit(X_train, safe_indexing(y, train), **_fold_params(fit_params, n, train))
    pred = getattr(estimator, method)(X_test)
    if classes is not None and method != "predict":
        pred = np.asarray(pred)
        fold_classes = np.searchsorted(classes, estimator.classes_)  # columns in the full set
        if pred.ndim == 1:  # binary decision_function
            if len(classes) > 2:
                raise ValueError(
                    f"method: {method} returned 1-D output for a fold that saw only 2 of "
                    f"{len(classes)} classes; use predict_proba or more samples per class."
                )
            return pred
        if len(fold_classes) != len(classes):
            fill = {"predict_proba": 0.0, "predict_log_proba": -np.inf}.get(
                method, np.finfo(np.float64).min
            )
            full = np.full((pred.shape[0], len(classes)), fill)
            full[:, fold_classes] = pred
            pred = full
    return pred


def cross_val_predict(estimator, X, y=None, *, groups=None, cv=None, n_jobs=None, verbose=0,
                      params=None, pre_dispatch="2*n_jobs", method="predict"):  # fmt: skip
    """Out-of-fold predictions: each sample predicted by the model that did not see it.

    Inventory: MS-32. Needs a splitter whose test folds partition the samples. For
    ``predict_proba``-like methods the columns follow the sorted classes of the whole ``y``;
    a class missing from a training fold gets probability 0 in that fold.

    >>> from glassml.model_selection import KFold
    >>> class Mean:
    ...     def get_params(self, deep=True): return {}
    ...     def fit(self, X, y): self.m = float(np.mean(y)); return self
    ...     def predict(self, X): return np.full(len(X), self.m)
    >>> cross_val_predict(Mean(), np.zeros((4, 1)), [1.0, 1.0, 3.0, 3.0], cv=KFold(2)).tolist()
    [3.0, 3.0, 1.0, 1.0]
    """
    _check_X_y(X, y)
    if method not in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        raise ValueError(
            "method: expected 'predict', 'predict_proba', 'predict_log_proba' or "
            f"'decision_function', got {method!r}."
        )
    if not hasattr(estimator, method):
        raise AttributeError(f"method: the estimator {estimator!r} has no {method} method.")
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(cv.split(X, y, groups))
    n = num_samples(X)
    test_indices = np.concatenate([te for _, te in splits])
    if test_indices.size != n or not np.array_equal(np.sort(test_indices), np.arange(n)):
        raise ValueError("cv: cross_val_predict only works for partitions (every sample must be "
                         "in exactly one test fold).")  # fmt: skip
    classes = None
    if method != "predict" and y is not None and is_classifier(estimator):
        classes = np.unique(np.asarray(y))
    parallel = Parallel(n_jobs=n_jobs, verbose=verbose, pre_dispatch=pre_dispatch)
    preds = parallel(
        delayed(_fit_and_predict)(estimator, X, y, train, test, params, method, classes)
        for train, test in splits
    )
    stacked = np.concatenate([np.asarray(p) for p in preds])
    out = np.empty_like(stacked)
    out[test_indices] = stacked
    return out
