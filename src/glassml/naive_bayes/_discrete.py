"""Naive Bayes for counts and binary features: multinomial, complement and Bernoulli
(Inventory: NB-01, NB-03, NB-04)."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import BaseEstimator, ClassifierMixin, check_scalar
from ._base import (
    BaseNB,
    check_alpha,
    check_class_prior,
    class_indicator,
    encode_labels,
    weights_or_none,
)

__all__ = ["MultinomialNB", "ComplementNB", "BernoulliNB"]


class _DiscreteNB(BaseNB, ClassifierMixin, BaseEstimator):
    """Counts per class by one GEMM (``feature_count_ = Yᵀ X``), priors, smoothing."""

    _check_non_negative = True

    def _glassml_tags(self):
        # a linear model in log-count space: not expected to fit arbitrary data well
        return {"positive_only": True, "poor_score": True}

    def _prepare_X(self, X):
        return X

    def _check_X(self, X):
        X = self._validate_data(X, reset=False).astype(np.float64, copy=False)
        return self._check_counts(self._prepare_X(X))

    def _check_counts(self, X):
        if self._check_non_negative and np.any(X < 0):
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__} (input X): counts "
                "must be >= 0."
            )
        return X

    def fit(self, X, y, sample_weight=None):
        """Count (weighted) feature occurrences per class and smooth them."""
        check_scalar(self.fit_prior, "fit_prior", (bool, np.bool_))
        X, y = self._validate_data(X, y)
        X = self._check_counts(self._prepare_X(X.astype(np.float64, copy=False)))
        self.classes_, y_index = encode_labels(y, type(self).__name__)
        n_classes = self.classes_.shape[0]
        sample_weight = weights_or_none(sample_weight, X)
        Y = class_indicator(y_index, n_classes, sample_weight)  # (n, K)
        self.feature_count_ = Y.T @ X  # (K, p)
        self.class_count_ = Y.sum(axis=0)  # (K,)
        alpha = check_alpha(self.alpha, self.force_alpha, X.shape[1], type(self).__name__)
        self._update_feature_log_prob(alpha)
        self._update_class_log_prior(n_classes)
        return self

    def _update_class_log_prior(self, n_classes):
        if self.class_prior is not None:
            prior = check_class_prior(self.class_prior, n_classes)
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(prior)
        elif self.fit_prior:
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(self.class_count_) - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(n_classes, -np.log(n_classes))


class MultinomialNB(_DiscreteNB):
    """Multinomial naive Bayes for counts (bag of words) with Lidstone smoothing (NB-04).

    ``θ_kj = (N_kj + α) / (N_k + α p)`` (α = 1: Laplace), ``jll_k(x) = log π_k + Σⱼ xⱼ log θ_kj``
    = ``X @ log θᵀ + log π`` — one GEMM.

    Parameters
    ----------
    alpha : float or (n_features,) array ≥ 0, default=1.0
    force_alpha : bool, default=True (False: α < 1e-10 is raised to 1e-10 with a warning)
    fit_prior : bool, default=True (False: uniform prior)
    class_prior : array (n_classes,) or None

    Attributes
    ----------
    classes_, class_count_, feature_count_, class_log_prior_, feature_log_prob_

    Examples
    --------
    >>> X = np.array([[3, 0], [2, 1], [0, 3], [1, 2]])
    >>> MultinomialNB().fit(X, ["spam", "spam", "ham", "ham"]).predict([[4, 0]])
    array(['spam'], dtype='<U4')
    """

    def __init__(self, *, alpha=1.0, force_alpha=True, fit_prior=True, class_prior=None):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _update_feature_log_prob(self, alpha):
        smoothed = self.feature_count_ + alpha  # (K, p)
        self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))

    def _joint_log_likelihood(self, X):
        return X @ self.feature_log_prob_.T + self.class_log_prior_  # (n, K)


class ComplementNB(_DiscreteNB):
    """Complement naive Bayes (Rennie et al. 2003): weights from the *other* classes' counts.

    ``θ̃_kj = (Σ_{c≠k} N_cj + α) / Σⱼ(Σ_{c≠k} N_cj + α)``, ``w_kj = −log θ̃_kj`` (or
    ``log θ̃_kj / Σⱼ log θ̃_kj`` with ``norm=True``); ``jll = X @ wᵀ`` (plus the prior only when
    there is a single class, as in scikit-learn). Robust to unbalanced classes.

    Examples
    --------
    >>> X = np.array([[3, 0], [2, 1], [0, 3], [1, 2]])
    >>> ComplementNB().fit(X, [1, 1, 0, 0]).predict([[0, 4]])
    array([0])
    """

    def __init__(
        self, *, alpha=1.0, force_alpha=True, fit_prior=True, class_prior=None, norm=False
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.norm = norm

    def _update_feature_log_prob(self, alpha):
        self.feature_all_ = self.feature_count_.sum(axis=0)  # (p,)
        complement = self.feature_all_ + alpha - self.feature_count_  # (K, p)
        logged = np.log(complement / complement.sum(axis=1, keepdims=True))
        if self.norm:
            self.feature_log_prob_ = logged / logged.sum(axis=1, keepdims=True)
        else:
            self.feature_log_prob_ = -logged

    def _joint_log_likelihood(self, X):
        jll = X @ self.feature_log_prob_.T  # (n, K)
        if self.classes_.shape[0] == 1:
            jll += self.class_log_prior_
        return jll


class BernoulliNB(_DiscreteNB):
    """Bernoulli naive Bayes for binary features (NB-03).

    ``θ_kj = (N_kj + α) / (N_k + 2α)`` and
    ``jll_k(x) = log π_k + Σⱼ [xⱼ log θ_kj + (1 − xⱼ) log(1 − θ_kj)]`` — absent features count
    as evidence too (unlike the multinomial model). Features are binarised with
    ``x > binarize`` first (None: already binary).

    Examples
    --------
    >>> X = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> BernoulliNB().fit(X, [0, 0, 1, 1]).predict([[1, 0]])
    array([0])
    """

    _check_non_negative = False

    def __init__(
        self, *, alpha=1.0, force_alpha=True, binarize=0.0, fit_prior=True, class_prior=None
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _glassml_tags(self):
        return {"poor_score": True}

    def _prepare_X(self, X):
        if self.binarize is None:
            return X
        check_scalar(self.binarize, "binarize", numbers.Real)
        return (X > self.binarize).astype(np.float64)

    def _update_feature_log_prob(self, alpha):
        smoothed_fc = self.feature_count_ + alpha  # (K, p)
        denominator = self.class_count_[:, None] + 2.0 * alpha  # (K, 1) or (K, p)
        self.feature_log_prob_ = np.log(smoothed_fc) - np.log(denominator)

    def _joint_log_likelihood(self, X):
        log_theta = self.feature_log_prob_  # (K, p)
        log_one_minus = np.log1p(-np.exp(log_theta))  # log(1 − θ)
        return (
            X @ (log_theta - log_one_minus).T  # Σ xⱼ [log θ − log(1 − θ)]
            + log_one_minus.sum(axis=1)
            + self.class_log_prior_
        )
