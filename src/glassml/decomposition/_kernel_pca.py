"""Kernel PCA: PCA in the feature space of a kernel, through the centred Gram matrix.

Inventory: DR-01/DR-02 extended to kernels (optional item of issue 6).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg

from .._core import BaseEstimator, TransformerMixin, check_in, check_scalar
from ._base import _ComponentNamesMixin
from ._svd import svd_flip

__all__ = ["KernelPCA"]

_KERNELS = ("linear", "poly", "rbf", "sigmoid", "cosine")


def _psd_eigenvalues(lambdas):
    """Clip round-off negatives and tiny positives to 0; reject a clearly non-PSD kernel
    (scikit-learn's thresholds for float64: −1e-5·λ_max and 1e-12·λ_max)."""
    max_eig = lambdas.max()
    if max_eig < 0:
        raise ValueError(
            "kernel: all eigenvalues of the centred kernel are negative; it is not PSD."
        )
    min_eig = lambdas.min()
    if min_eig < -1e-5 * max_eig and min_eig < -1e-10:
        raise ValueError(
            f"kernel: the centred kernel has a significant negative eigenvalue ({min_eig:.3g}, "
            f"largest {max_eig:.3g}); it is not positive semi-definite."
        )
    lambdas = lambdas.copy()
    lambdas[lambdas < 0] = 0.0
    lambdas[(lambdas > 0) & (lambdas < 1e-12 * max_eig)] = 0.0
    return lambdas


class KernelPCA(_ComponentNamesMixin, TransformerMixin, BaseEstimator):
    """Kernel principal component analysis (Schölkopf, Smola & Müller 1998).

    With the Gram matrix K_ij = k(x_i, x_j) centred in feature space,
    K̃ = (I − 1/n) K (I − 1/n), the eigendecomposition K̃ = A Λ Aᵀ gives the projections of
    the training points Z = A Λ^{1/2}, and of new points z = k̃(x)ᵀ A Λ^{−1/2}. With the linear
    kernel this is ordinary PCA. Eigenvector signs follow scikit-learn (``svd_flip`` on the
    columns of A), so projections equal scikit-learn's.

    Inventory: DR-01, DR-02 (kernelised).

    Parameters
    ----------
    n_components : int or None
        None keeps all non-zero components.
    kernel : {"linear", "poly", "rbf", "sigmoid", "cosine"}
    gamma : float or None (1 / n_features)
    degree : int, coef0 : float
    remove_zero_eig : bool
        Drop components with zero eigenvalue (always done when n_components is None).

    Attributes
    ----------
    eigenvalues_ : (k,), eigenvectors_ : (n, k), X_fit_ : (n, p).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> KernelPCA(n_components=2, kernel="rbf", gamma=0.5).fit_transform(X).shape
    (30, 2)
    """

    def __init__(
        self,
        n_components=None,
        *,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1.0,
        remove_zero_eig=False,
    ):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.remove_zero_eig = remove_zero_eig

    def _kernel(self, X, Y):
        from ..metrics import pairwise

        if self.kernel == "linear":
            return pairwise.linear_kernel(X, Y)
        if self.kernel == "poly":
            return pairwise.polynomial_kernel(
                X, Y, degree=self.degree, gamma=self.gamma, coef0=self.coef0
            )
        if self.kernel == "rbf":
            return pairwise.rbf_kernel(X, Y, gamma=self.gamma)
        if self.kernel == "sigmoid":
            return pairwise.sigmoid_kernel(X, Y, gamma=self.gamma, coef0=self.coef0)
        return pairwise.cosine_similarity(X, Y)

    def fit(self, X, y=None):
        """Fit the kernel principal axes of ``X`` (n, p); ``y`` is ignored."""
        if self.n_components is not None:
            check_scalar(self.n_components, "n_components", numbers.Integral, min_val=1)
        check_in(self.kernel, "kernel", _KERNELS)
        if self.gamma is not None:
            check_scalar(self.gamma, "gamma", numbers.Real, min_val=0)
        check_scalar(self.degree, "degree", numbers.Real, min_val=0)
        X = self._validate_data(X)
        n = X.shape[0]
        K = self._kernel(X, X)  # (n, n)
        self._K_fit_rows = K.mean(axis=0)  # (n,) column means of the training kernel
        self._K_fit_all = self._K_fit_rows.mean()
        K -= self._K_fit_rows[None, :]  # K̃ = K − 1K/n − K1/n + 1K1/n²
        K -= K.mean(axis=1)[:, None]
        k = n if self.n_components is None else min(n, self.n_components)
        evals, evecs = linalg.eigh(K, subset_by_index=(n - k, n - 1), check_finite=False)
        evals = _psd_eigenvalues(evals)
        evecs, _ = svd_flip(evecs, None)
        order = evals.argsort(kind="stable")[::-1]
        evals, evecs = evals[order], evecs[:, order]
        if self.remove_zero_eig or self.n_components is None:
            keep = evals > 0
            evals, evecs = evals[keep], evecs[:, keep]
        self.eigenvalues_, self.eigenvectors_ = evals, evecs
        self.X_fit_ = X
        self.components_ = evecs.T  # for output feature names: one row per component
        return self

    def fit_transform(self, X, y=None):
        """Fit and return Z = A Λ^{1/2} (n, k)."""
        self.fit(X)
        return self.eigenvectors_ * np.sqrt(self.eigenvalues_)

    def transform(self, X):
        """z = k̃(x)ᵀ A Λ^{−1/2} (zero-eigenvalue components give 0). Returns (m, k)."""
        X = self._validate_data(X, reset=False)
        K = self._kernel(X, self.X_fit_)  # (m, n)
        K_pred_cols = K.mean(axis=1)[:, None]  # (m, 1)
        K = K - self._K_fit_rows - K_pred_cols + self._K_fit_all  # centred in feature space
        scaled = np.zeros_like(self.eigenvectors_)
        nz = np.flatnonzero(self.eigenvalues_)
        scaled[:, nz] = self.eigenvectors_[:, nz] / np.sqrt(self.eigenvalues_[nz])
        return K @ scaled
