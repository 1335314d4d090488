"""Categorical naive Bayes (Inventory: NB-05)."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, ClassifierMixin, check_scalar
from ._base import BaseNB, check_alpha, check_class_prior, encode_labels, weights_or_none

__all__ = ["CategoricalNB"]


class CategoricalNB(BaseNB, ClassifierMixin, BaseEstimator):
    """Naive Bayes for categorical features coded 0, 1, …, c_j − 1.

    ``P(xⱼ = t | y = k) = (N_kjt + α) / (N_k + α c_j)`` where ``N_kjt`` counts class-k samples
    whose feature j is category t and ``c_j`` is the number of categories of feature j;
    ``jll_k(x) = log π_k + Σⱼ log P(xⱼ | y = k)`` (a table look-up per feature). Codes must be
    non-negative; fractional codes are truncated to integers (as scikit-learn does).

    Parameters
    ----------
    alpha : float ≥ 0, default=1.0; force_alpha : bool, default=True
    fit_prior : bool, default=True; class_prior : array or None
    min_categories : int, array of shape (n_features,) or None — at least this many
        categories per feature (for categories absent from the training data).

    Attributes
    ----------
    classes_, class_count_, class_log_prior_, category_count_ (list of (K, c_j)),
    feature_log_prob_ (list of (K, c_j)), n_categories_ (p,)

    Examples
    --------
    >>> X = np.array([[0, 1], [0, 2], [1, 0], [1, 1]])
    >>> CategoricalNB().fit(X, [0, 0, 1, 1]).predict([[0, 2]])
    array([0])
    """

    def __init__(
        self, *, alpha=1.0, force_alpha=True, fit_prior=True, class_prior=None, min_categories=None
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.min_categories = min_categories

    def _glassml_tags(self):
        return {"positive_only": True, "categorical": True}

    def _as_codes(self, X):
        if np.any(X < 0):
            raise ValueError(
                "Negative values in data passed to CategoricalNB (input X): categories must be "
                "coded as integers 0, 1, 2, ..."
            )
        return X.astype(np.intp)  # like scikit-learn: fractional codes are truncated

    def fit(self, X, y, sample_weight=None):
        """Count categories per class and feature."""
        check_scalar(self.fit_prior, "fit_prior", (bool, np.bool_))
        X, y = self._validate_data(X, y)
        codes = self._as_codes(X)  # (n, p)
        self.classes_, y_index = encode_labels(y, type(self).__name__)
        n_classes, (n, p) = self.classes_.shape[0], codes.shape
        sample_weight = weights_or_none(sample_weight, X)
        weights = np.ones(n) if sample_weight is None else sample_weight
        self.n_categories_ = codes.max(axis=0) + 1  # (p,)
        if self.min_categories is not None:
            minimum = np.asarray(self.min_categories)
            if (
                minimum.dtype.kind not in "iu"
                or minimum.shape not in ((), (p,))
                or np.any(minimum < 1)
            ):
                raise ValueError(
                    f"min_categories: expected an int >= 1 or {p} ints >= 1, got {self.min_categories!r}."
                )
            self.n_categories_ = np.maximum(self.n_categories_, minimum)
        self.class_count_ = np.bincount(y_index, weights=weights, minlength=n_classes)
        alpha = check_alpha(self.alpha, self.force_alpha, p, type(self).__name__)
        self.category_count_, self.feature_log_prob_ = [], []
        for j in range(p):  # one bincount per feature over the (class, category) pairs
            c = int(self.n_categories_[j])
            counts = np.bincount(
                y_index * c + codes[:, j], weights=weights, minlength=n_classes * c
            )
            counts = counts.reshape(n_classes, c)  # (K, c_j)
            smoothed = counts + alpha
            self.category_count_.append(counts)
            self.feature_log_prob_.append(
                np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
            )
        if self.class_prior is not None:
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(check_class_prior(self.class_prior, n_classes))
        elif self.fit_prior:
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(self.class_count_) - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(n_classes, -np.log(n_classes))
        return self

    def _check_X(self, X):
        X = self._validate_data(X, reset=False)
        codes = self._as_codes(X)
        unseen = codes >= self.n_categories_
        if np.any(unseen):
            j = int(np.argwhere(unseen)[0, 1])
            raise ValueError(
                f"X: feature {j} has category {int(codes[unseen][0])}, but only "
                f"{int(self.n_categories_[j])} categories were seen in fit (set min_categories)."
            )
        return codes

    def _joint_log_likelihood(self, codes):
        jll = np.tile(self.class_log_prior_, (codes.shape[0], 1))  # (n, K)
        for j, log_prob in enumerate(self.feature_log_prob_):
            jll += log_prob[:, codes[:, j]].T  # look-up of log P(xⱼ | k), (n, K)
        return jll
