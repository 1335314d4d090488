"""Scorers: a metric bound to the estimator method that feeds it, with a sign so that greater is
always better (losses become ``neg_*``). The names and signs are scikit-learn's, so
``scoring="neg_mean_squared_error"`` means the same thing in both libraries.

Inventory: MS-32, MS-33 (the scoring of cross-validation and search).

>>> from glassml.metrics import get_scorer
>>> get_scorer("neg_mean_squared_error")
make_scorer(mean_squared_error, greater_is_better=False)
"""

from __future__ import annotations

import numpy as np

from . import classification as C
from . import clustering as K
from . import curves as R
from . import probabilistic as P
from . import regression as G

__all__ = ["make_scorer", "get_scorer", "get_scorer_names", "check_scoring", "check_multimetric"]


class _Scorer:
    """``scorer(estimator, X, y) -> float``: sign · metric(y, response(X))."""

    def __init__(self, score_func, sign, response_method, kwargs):
        self._score_func = score_func
        self._sign = sign
        self._response_method = response_method
        self._kwargs = kwargs

    def __repr__(self):
        parts = [self._score_func.__name__]
        if self._sign < 0:
            parts.append("greater_is_better=False")
        if self._response_method != "predict":
            parts.append(f"response_method={self._response_method!r}")
        parts += [f"{k}={v!r}" for k, v in self._kwargs.items()]
        return f"make_scorer({', '.join(parts)})"

    def _response(self, estimator, X, y_true):
        method = self._response_method
        kwargs = dict(self._kwargs)
        if method == "predict":
            return estimator.predict(X), kwargs
        classes = getattr(estimator, "classes_", None)
        binary = classes is not None and len(classes) == 2
        if method == "predict_proba":
            proba = estimator.predict_proba(X)
            if self._score_func is P.log_loss and classes is not None:
                kwargs.setdefault("labels", classes)
            if self._score_func is P.brier_score_loss and binary:
                kwargs.setdefault("pos_label", classes[1])
                return proba[:, 1], kwargs
            return proba, kwargs
        # "threshold": decision_function, else the positive-class probability
        if binary or classes is None:
            if hasattr(estimator, "decision_function"):
                scores = np.asarray(estimator.decision_function(X))
            else:
                scores = np.asarray(estimator.predict_proba(X))[:, 1]
            if self._score_func is R.average_precision_score and binary:
                kwargs.setdefault("pos_label", classes[1])
            return scores.ravel() if scores.ndim == 2 and scores.shape[1] == 1 else scores, kwargs
        return estimator.predict_proba(X), kwargs

    def __call__(self, estimator, X, y_true, sample_weight=None):
        y_resp, kwargs = self._response(estimator, X, y_true)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return self._sign * self._score_func(y_true, y_resp, **kwargs)


def make_scorer(score_func, *, response_method="predict", greater_is_better=True, **kwargs):
    """Wrap ``score_func(y_true, y_response, **kwargs)`` as ``scorer(estimator, X, y)``.

    ``response_method`` is "predict", "predict_proba" or "threshold" (decision_function, else
    predict_proba[:, 1]); losses take ``greater_is_better=False`` and are negated.

    >>> from glassml.metrics import fbeta_score
    >>> make_scorer(fbeta_score, beta=2)
    make_scorer(fbeta_score, beta=2)
    """
    if response_method not in ("predict", "predict_proba", "threshold"):
        raise ValueError(
            "response_method: expected 'predict', 'predict_proba' or 'threshold', got "
            f"{response_method!r}."
        )
    return _Scorer(score_func, 1 if greater_is_better else -1, response_method, kwargs)


def _registry():
    s = make_scorer
    reg = {
        # classification
        "accuracy": s(C.accuracy_score),
        "balanced_accuracy": s(C.balanced_accuracy_score),
        "matthews_corrcoef": s(C.matthews_corrcoef),
        "top_k_accuracy": s(P.top_k_accuracy_score, response_method="threshold"),
        "roc_auc": s(R.roc_auc_score, response_method="threshold"),
        "roc_auc_ovr": s(R.roc_auc_score, response_method="predict_proba", multi_class="ovr"),
        "roc_auc_ovo": s(R.roc_auc_score, response_method="predict_proba", multi_class="ovo"),
        "roc_auc_ovr_weighted": s(
            R.roc_auc_score, response_method="predict_proba", multi_class="ovr", average="weighted"
        ),  # fmt: skip
        "roc_auc_ovo_weighted": s(
            R.roc_auc_score, response_method="predict_proba", multi_class="ovo", average="weighted"
        ),  # fmt: skip
        "average_precision": s(R.average_precision_score, response_method="threshold"),
        "neg_log_loss": s(P.log_loss, response_method="predict_proba", greater_is_better=False),
        "neg_brier_score": s(
            P.brier_score_loss, response_method="predict_proba", greater_is_better=False
        ),  # fmt: skip
        # regression
        "explained_variance": s(G.explained_variance_score),
        "r2": s(G.r2_score),
        "neg_max_error": s(G.max_error, greater_is_better=False),
        "neg_mean_squared_error": s(G.mean_squared_error, greater_is_better=False),
        "neg_root_mean_squared_error": s(G.root_mean_squared_error, greater_is_better=False),
        "neg_mean_absolute_error": s(G.mean_absolute_error, greater_is_better=False),
        "neg_median_absolute_error": s(G.median_absolute_error, greater_is_better=False),
        "neg_mean_squared_log_error": s(G.mean_squared_log_error, greater_is_better=False),
        "neg_root_mean_squared_log_error": s(
            G.root_mean_squared_log_error, greater_is_better=False
        ),  # fmt: skip
        "neg_mean_absolute_percentage_error": s(
            G.mean_absolute_percentage_error, greater_is_better=False
        ),  # fmt: skip
        "neg_mean_poisson_deviance": s(G.mean_poisson_deviance, greater_is_better=False),
        "neg_mean_gamma_deviance": s(G.mean_gamma_deviance, greater_is_better=False),
        # clustering (compare predicted cluster labels with the true ones)
        "adjusted_rand_score": s(K.adjusted_rand_score),
        "rand_score": s(K.rand_score),
        "homogeneity_score": s(K.homogeneity_score),
        "completeness_score": s(K.completeness_score),
        "v_measure_score": s(K.v_measure_score),
        "mutual_info_score": s(K.mutual_info_score),
        "adjusted_mutual_info_score": s(K.adjusted_mutual_info_score),
        "normalized_mutual_info_score": s(K.normalized_mutual_info_score),
    }
    for name, func in (
        ("precision", C.precision_score),
        ("recall", C.recall_score),
        ("f1", C.f1_score),
        ("jaccard", C.jaccard_score),
    ):
        reg[name] = s(func)
        for avg in ("macro", "micro", "weighted"):
            reg[f"{name}_{avg}"] = s(func, pos_label=None, average=avg)
    return reg


_SCORERS = _registry()


def get_scorer_names() -> list[str]:
    """All scorer names, sorted.

    >>> "neg_log_loss" in get_scorer_names()
    True
    """
    return sorted(_SCORERS)


def get_scorer(scoring):
    """The scorer called ``scoring`` (a callable is returned unchanged).

    >>> get_scorer("accuracy")
    make_scorer(accuracy_score)
    """
    if callable(scoring):
        return scoring
    if isinstance(scoring, str) and scoring in _SCORERS:
        return _SCORERS[scoring]
    raise ValueError(
        f"scoring: {scoring!r} is not a valid scoring value. Use "
        "glassml.metrics.get_scorer_names() to get valid options."
    )


def _passthrough_score(estimator, X, y, sample_weight=None):
    if sample_weight is not None:
        return estimator.score(X, y, sample_weight=sample_weight)
    return estimator.score(X, y)


def check_scoring(estimator, scoring=None):
    """A single scorer: ``scoring`` resolved, or the estimator's own ``score`` when None.

    >>> check_scoring(None, "r2")
    make_scorer(r2_score)
    """
    if scoring is None:
        if estimator is not None and not hasattr(estimator, "score"):
            raise TypeError(
                f"scoring: the estimator {estimator!r} has no score method; pass scoring."
            )
        return _passthrough_score
    return get_scorer(scoring)


def check_multimetric(scoring) -> dict:
    """A dict name → scorer from a list/tuple of names or a dict of names/callables."""
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("scoring: an empty dict was passed.")
        return {str(k): get_scorer(v) for k, v in scoring.items()}
    names = list(scoring)
    if not names:
        raise ValueError("scoring: an empty list was passed.")
    if len(set(names)) != len(names):
        raise ValueError(f"scoring: duplicate names in {names}.")
    if not all(isinstance(n, str) for n in names):
        raise ValueError("scoring: a list must contain scorer names (use a dict for callables).")
    return {n: get_scorer(n) for n in names}
