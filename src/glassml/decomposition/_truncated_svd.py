"""Truncated SVD (latent semantic analysis): PCA's projection without centring.

Inventory: DR-06.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg

from .._core import (
    BaseEstimator,
    TransformerMixin,
    check_array,
    check_in,
    check_is_fitted,
    check_random_state,
    check_scalar,
)
from ._base import _ComponentNamesMixin
from ._svd import _randomized_svd, svd_flip

__all__ = ["TruncatedSVD"]


class TruncatedSVD(_ComponentNamesMixin, TransformerMixin, BaseEstimator):
    """Rank-k SVD of the *uncentred* data: X ≈ U_k Σ_k V_kᵀ, transform Z = X V_k.

    Unlike PCA the data are not centred, so it works on term-count matrices (LSA) where the
    mean is meaningless. ``explained_variance_`` is the variance of each column of Z and the
    ratio divides by the total variance of X (scikit-learn's definition).

    Inventory: DR-06.

    Parameters
    ----------
    n_components : int
        Number of components k (1 <= k <= n_features; <= min(n, p) for "full").
    algorithm : {"randomized", "full"}
        "randomized": Halko et al. (see :func:`randomized_svd`); "full": LAPACK SVD.
    n_iter : int
        Power iterations of the randomized solver.
    n_oversamples : int
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    components_ : (k, p) right singular vectors (rows; largest |loading| positive).
    singular_values_ : (k,)
    explained_variance_ : (k,) var(Z_j).
    explained_variance_ratio_ : (k,) var(Z_j) / Σ_i var(X_i).

    Examples
    --------
    >>> X = np.random.default_rng(0).poisson(2.0, size=(30, 8)).astype(float)
    >>> TruncatedSVD(n_components=3, algorithm="full").fit_transform(X).shape
    (30, 3)
    """

    def __init__(
        self,
        n_components=2,
        *,
        algorithm="randomized",
        n_iter=5,
        n_oversamples=10,
        power_iteration_normalizer="auto",
        random_state=None,
    ):
        self.n_components = n_components
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the top-k right singular vectors of ``X``; ``y`` is ignored."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit and return Z = X V_k (n, k)."""
        check_scalar(self.n_components, "n_components", numbers.Integral, min_val=1)
        check_in(self.algorithm, "algorithm", ("randomized", "full"))
        check_scalar(self.n_iter, "n_iter", numbers.Integral, min_val=0)
        check_scalar(self.n_oversamples, "n_oversamples", numbers.Integral, min_val=1)
        check_in(
            self.power_iteration_normalizer,
            "power_iteration_normalizer",
            ("auto", "QR", "LU", "none"),
        )
        X = self._validate_data(X, dtype=[np.float64, np.float32])
        n, p = X.shape
        k = self.n_components
        if self.algorithm == "randomized":
            if k > p:
                raise ValueError(
                    f"n_components={k} must be between 1 and n_features={p} with "
                    "algorithm='randomized'"
                )
            U, S, Vt = _randomized_svd(
                X,
                k,
                n_oversamples=self.n_oversamples,
                n_iter=self.n_iter,
                power_iteration_normalizer=self.power_iteration_normalizer,
                transpose="auto",
                flip_sign=False,
                rng=check_random_state(self.random_state),
            )
            U, Vt = svd_flip(U, Vt, u_based_decision=False)
            Z = X @ Vt.T  # (n, k): X V is not exactly U Σ for an approximate SVD
        else:
            if k > min(n, p):
                raise ValueError(
                    f"n_components={k} must be between 1 and min(n_samples, n_features)="
                    f"{min(n, p)} with algorithm='full'"
                )
            U, S, Vt = linalg.svd(X, full_matrices=False, check_finite=False)
            U, S, Vt = U[:, :k], S[:k], Vt[:k]
            U, Vt = svd_flip(U, Vt, u_based_decision=False)
            Z = U * S  # (n, k)
        self.components_ = np.ascontiguousarray(Vt)
        self.singular_values_ = S
        self.explained_variance_ = np.var(Z, axis=0)
        self.explained_variance_ratio_ = self.explained_variance_ / np.var(X, axis=0).sum()
        return Z

    def transform(self, X):
        """Z = X V_k (n, k)."""
        X = self._validate_data(X, reset=False, dtype=[np.float64, np.float32])
        return X @ self.components_.T

    def inverse_transform(self, X):
        """X̂ = Z V_k (n, p): the rank-k approximation of the original rows."""
        check_is_fitted(self)
        Z = check_array(X, name="X", dtype=[np.float64, np.float32], estimator="TruncatedSVD")
        if Z.shape[1] != self.components_.shape[0]:
            raise ValueError(
                f"X has {Z.shape[1]} columns, but TruncatedSVD.inverse_transform expects "
                f"n_components={self.components_.shape[0]}."
            )
        return Z @ self.components_

    def _glassml_tags(self):
        return {"preserves_dtype": ["float64", "float32"]}
