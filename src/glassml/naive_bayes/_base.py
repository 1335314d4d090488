"""Shared machinery of the naive Bayes classifiers (Inventory: NB-01).

Every naive Bayes model scores a sample by its joint log-likelihood

    jll_k(x) = log P(y = k) + Σⱼ log P(xⱼ | y = k)

(the conditional-independence assumption makes the second term a sum), predicts
``argmax_k jll_k`` and normalises in log space: ``log P(y = k | x) = jll_k − logsumexp(jll)``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.special import logsumexp

from .._core import check_classification_targets, check_sample_weight, column_or_1d

__all__ = ["BaseNB", "class_indicator", "check_class_prior", "encode_labels"]


def encode_labels(y, name: str):
    """``(classes, y_index)``; a classifier needs samples of at least 2 classes."""
    y = column_or_1d(y)
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{name}: needs samples of at least 2 classes in the data, but the data contain "
            f"only one class: {classes[0]!r}."
        )
    return classes, y_index


def class_indicator(y_index, n_classes: int, sample_weight=None) -> np.ndarray:
    """(n, K) matrix with ``sᵢ`` in column ``yᵢ``: ``Yᵀ X`` gives the per-class weighted sums
    of X by one GEMM."""
    Y = np.zeros((y_index.shape[0], n_classes))
    Y[np.arange(y_index.shape[0]), y_index] = 1.0 if sample_weight is None else sample_weight
    return Y


def weights_or_none(sample_weight, X):
    """Validated float64 sample weights (None stays None); all-zero weights are an error."""
    if sample_weight is None:
        return None
    sample_weight = check_sample_weight(sample_weight, X)
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight: all sample weights are zero; at least one must be > 0.")
    return sample_weight


def check_class_prior(prior, n_classes: int, name: str = "class_prior") -> np.ndarray:
    """Validate user priors: length K, non-negative, summing to one."""
    prior = np.asarray(prior, dtype=np.float64)
    if prior.ndim != 1 or prior.shape[0] != n_classes:
        raise ValueError(
            f"{name}: expected {n_classes} values (one per class), got shape {prior.shape}."
        )
    if np.any(prior < 0):
        raise ValueError(f"{name}: priors must be non-negative, got {prior!r}.")
    if not np.isclose(prior.sum(), 1.0):
        raise ValueError(f"{name}: priors must sum to 1, got sum {prior.sum()!r}.")
    return prior


def check_alpha(alpha, force_alpha, n_features: int, name: str):
    """Smoothing α ≥ 0 (scalar or one per feature); with ``force_alpha=False`` values below
    1e-10 are raised to 1e-10 (with a warning) so that log(0) cannot occur."""
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        alpha_arr = np.float64(alpha)
    else:
        alpha_arr = np.asarray(alpha, dtype=np.float64)
        if alpha_arr.shape != (n_features,):
            raise ValueError(
                f"alpha: expected a float or {n_features} values (one per feature), got shape "
                f"{alpha_arr.shape}."
            )
    if np.any(~np.isfinite(alpha_arr)) or np.any(alpha_arr < 0):
        raise ValueError(f"alpha: expected values >= 0, got {alpha!r}.")
    if not force_alpha and np.any(alpha_arr < 1e-10):
        warnings.warn(
            f"{name}: alpha too small will result in numeric errors, setting alpha = 1.0e-10. "
            "Use force_alpha=True to keep alpha unchanged.",
            UserWarning,
        )
        alpha_arr = np.maximum(alpha_arr, 1e-10)
    return alpha_arr


class BaseNB:
    """predict / predict_proba / predict_log_proba from ``_joint_log_likelihood``."""

    def _joint_log_likelihood(self, X):  # (n, K)
        raise NotImplementedError

    def _check_X(self, X):
        return self._validate_data(X, reset=False)

    def predict(self, X):
        """The class with the largest posterior ``argmax_k jll_k(x)``."""
        jll = self._joint_log_likelihood(self._check_X(X))
        return self.classes_[np.argmax(jll, axis=1)]

    def predict_log_proba(self, X):
        """``log P(y = k | x) = jll_k − logsumexp_k(jll)``, shape (n, K)."""
        jll = self._joint_log_likelihood(self._check_X(X))
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Posterior class probabilities, shape (n, K)."""
        return np.exp(self.predict_log_proba(X))

    def predict_joint_log_proba(self, X):
        """Unnormalised ``log P(x, y = k)``, shape (n, K)."""
        return self._joint_log_likelihood(self._check_X(X))
