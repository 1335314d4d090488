"""Shared pieces of the linear models: centring with sample weights, the linear decision function
and the label handling of linear classifiers.

Every linear model here fits ``y ≈ X w + b``. With ``fit_intercept=True`` the intercept is never
penalised: the data are centred by their (weighted) means ``x̄``, ``ȳ``, the slopes ``w`` are
fitted on the centred data, and ``b = ȳ − x̄·w`` (Inventory: LM-02, LM-06 — "intercept
unpenalised").
"""

from __future__ import annotations

import numpy as np

from .._core import check_classification_targets, column_or_1d

__all__ = ["RankDeficiencyWarning", "center_data", "LinearPredictorMixin", "encode_classes"]


class RankDeficiencyWarning(UserWarning):
    """X (after centring) has linearly dependent columns: the least-squares solution is not
    unique and the minimum-norm one is returned (NumPy's ``RankWarning`` in spirit)."""


def center_data(X, y, sample_weight, fit_intercept: bool):
    """Centre ``X`` and ``y`` by their weighted means (when ``fit_intercept``).

    Returns ``Xc, yc, x_mean, y_mean`` with
    ``x̄ = Σ sᵢ xᵢ / Σ sᵢ`` and ``Xc = X − x̄`` (a new array; ``X`` is not modified).
    Without intercept the means are zeros and ``X``/``y`` are returned as they are.
    """
    n_features = X.shape[1]
    if not fit_intercept:
        y_mean = np.zeros(y.shape[1:], dtype=X.dtype) if y.ndim > 1 else X.dtype.type(0.0)
        return X, y, np.zeros(n_features, dtype=X.dtype), y_mean
    if sample_weight is None:
        x_mean = X.mean(axis=0)  # (p,)
        y_mean = y.mean(axis=0)  # () or (k,)
    else:
        total = sample_weight.sum()
        x_mean = (sample_weight @ X) / total  # (p,)
        y_mean = (sample_weight @ y) / total  # () or (k,)
    Xc = X - x_mean  # (n, p)
    yc = y - y_mean  # (n,) or (n, k)
    return Xc, yc, x_mean.astype(X.dtype, copy=False), y_mean


def check_positive_weights(sample_weight, X):
    """``None`` when no weights were given, else the validated float64 weights."""
    from .._core import check_sample_weight

    if sample_weight is None:
        return None
    sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64)
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight: all sample weights are zero; at least one must be > 0.")
    return sample_weight


class LinearPredictorMixin:
    """``predict(X) = X @ coef_.T + intercept_`` for regressors (1-D or multi-target)."""

    def _decision_function(self, X):
        X = self._validate_data(X, reset=False)
        scores = X @ self.coef_.T + self.intercept_  # (n,) or (n, k)
        return scores

    def predict(self, X):
        """Predicted targets ``X w + b``, shape (n_samples,) or (n_samples, n_targets)."""
        return self._decision_function(X)


def encode_classes(y, estimator_name: str):
    """Check classification targets and return ``(classes, y_index)``.

    Raises ``ValueError`` when fewer than two classes are present: a classifier "needs samples
    of at least 2 classes in the data".
    """
    y = column_or_1d(y)
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator_name}: this solver needs samples of at least 2 classes in the data, "
            f"but the data contain only one class: {classes[0]!r}."
        )
    return classes, y_index


class LinearClassifierMixin:
    """Scores ``X @ coef_.T + intercept_``; predict = argmax (or sign for two classes)."""

    def decision_function(self, X):
        """Confidence scores: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        X = self._validate_data(X, reset=False)
        scores = X @ self.coef_.T + self.intercept_  # (n, 1) or (n, K)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Class labels: the class of the largest score."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            index = (scores > 0).astype(int)
        else:
            index = scores.argmax(axis=1)
        return self.classes_[index]
