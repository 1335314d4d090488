"""Gaussian naive Bayes (Inventory: NB-01, NB-02)."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import BaseEstimator, ClassifierMixin, check_scalar, column_or_1d
from ._base import BaseNB, check_class_prior, encode_labels, weights_or_none

__all__ = ["GaussianNB"]


class GaussianNB(BaseNB, ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes: ``P(xⱼ | y = k) = N(xⱼ; θ_kj, σ²_kj)``.

    ``jll_k(x) = log π_k − ½ Σⱼ log(2π σ²_kj) − ½ Σⱼ (xⱼ − θ_kj)² / σ²_kj``

    with per-class (weighted) means θ and variances σ², plus ``ε = var_smoothing · maxⱼ Var(xⱼ)``
    added to every variance for numerical stability (scikit-learn's scaling). Priors π are the
    class frequencies unless given. ``partial_fit`` merges batches with the exact pooled
    mean/variance update (Chan, Golub & LeVeque); ε is that of the latest batch. (scikit-learn
    subtracts the *new* batch's ε from variances that hold the *old* one, so with
    var_smoothing > 0 its partial fits carry a small error; here the pooled variance is exact.)

    Parameters
    ----------
    priors : array of shape (n_classes,) or None
    var_smoothing : float ≥ 0, default=1e-9

    Attributes
    ----------
    classes_, class_count_, class_prior_, theta_ (K, p), var_ (K, p), epsilon_

    Examples
    --------
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> GaussianNB().fit(X, [0, 0, 1, 1]).predict([[-1.5], [1.5]])
    array([0, 1])
    """

    def __init__(self, *, priors=None, var_smoothing=1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X, y, sample_weight=None):
        """Fit per-class means and variances."""
        for attr in ("classes_", "theta_"):
            if hasattr(self, attr):
                delattr(self, attr)
        return self._partial_fit(X, y, None, sample_weight, reset=True)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the fit with a batch; ``classes`` must be given on the first call."""
        return self._partial_fit(X, y, classes, sample_weight, reset=not hasattr(self, "theta_"))

    def _partial_fit(self, X, y, classes, sample_weight, *, reset):
        check_scalar(self.var_smoothing, "var_smoothing", numbers.Real, min_val=0.0)
        X, y = self._validate_data(X, y, reset=reset)
        X = X.astype(np.float64, copy=False)
        sample_weight = weights_or_none(sample_weight, X)
        if reset:
            if classes is None:
                self.classes_, y_index = encode_labels(y, type(self).__name__)
            else:
                self.classes_ = np.unique(np.asarray(classes))
                if self.classes_.shape[0] < 2:
                    raise ValueError("classes: needs at least 2 classes.")
            n_classes, n_features = self.classes_.shape[0], X.shape[1]
            self.theta_ = np.zeros((n_classes, n_features))
            self.var_ = np.zeros((n_classes, n_features))
            self.class_count_ = np.zeros(n_classes)
            self.epsilon_ = 0.0
        y = column_or_1d(y)
        unknown = ~np.isin(y, self.classes_)
        if np.any(unknown):
            raise ValueError(
                f"y: labels {np.unique(y[unknown])!r} are not in classes {self.classes_!r}."
            )
        y_index = np.searchsorted(self.classes_, y)
        # ε from this batch's largest feature variance (scikit-learn's convention)
        self.var_ -= self.epsilon_
        self.epsilon_ = self.var_smoothing * float(np.var(X, axis=0).max())
        for k in np.unique(y_index):  # one vectorised update per class
            rows = y_index == k
            Xk = X[rows]  # (n_k, p)
            wk = None if sample_weight is None else sample_weight[rows]
            n_new = Xk.shape[0] if wk is None else float(wk.sum())
            if n_new <= 0:
                continue
            mean_new = np.average(Xk, axis=0, weights=wk)
            var_new = np.average((Xk - mean_new) ** 2, axis=0, weights=wk)
            n_old = self.class_count_[k]
            if n_old == 0:
                self.theta_[k], self.var_[k] = mean_new, var_new
            else:  # pooled mean and variance of the old and new samples
                n_total = n_old + n_new
                mean = (n_old * self.theta_[k] + n_new * mean_new) / n_total
                ssd = (
                    n_old * self.var_[k]
                    + n_new * var_new
                    + (n_old * n_new / n_total) * (mean_new - self.theta_[k]) ** 2
                )
                self.theta_[k], self.var_[k] = mean, ssd / n_total
            self.class_count_[k] += n_new
        self.var_ += self.epsilon_
        if self.priors is not None:
            self.class_prior_ = check_class_prior(self.priors, self.classes_.shape[0], "priors")
        else:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self

    def _joint_log_likelihood(self, X):
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)  # (K,)
        log_norm = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_), axis=1)  # (K,)
        # Σⱼ (xⱼ − θ_kj)²/σ²_kj class by class: exact (no cancellation of an expanded square)
        # and O(n·p) memory instead of an (n, K, p) tensor
        quad = np.column_stack(
            [
                np.sum((X - theta) ** 2 / var, axis=1)
                for theta, var in zip(self.theta_, self.var_, strict=True)
            ]
        )  # (n, K)
        return log_prior + log_norm - 0.5 * quad
