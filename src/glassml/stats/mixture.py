"""Gaussian mixture model fitted by expectation–maximisation (Inventory: ST-23).

Model: p(x) = Σₖ πₖ N(x; μₖ, Σₖ). EM alternates

* E-step: responsibilities r_ik = πₖ N(xᵢ; μₖ, Σₖ) / Σⱼ πⱼ N(xᵢ; μⱼ, Σⱼ) (in log space);
* M-step: Nₖ = Σᵢ r_ik, πₖ = Nₖ/n, μₖ = Σᵢ r_ik xᵢ / Nₖ,
  Σₖ = Σᵢ r_ik (xᵢ−μₖ)(xᵢ−μₖ)ᵀ / Nₖ + reg_covar·I (full) or its diagonal (diag),

until the mean log-likelihood (1/n) Σᵢ log p(xᵢ) changes by less than ``tol``. Densities are
evaluated through the Cholesky factor of each precision matrix: with Σₖ⁻¹ = Uₖ Uₖᵀ,
log N(x; μₖ, Σₖ) = −½(d log 2π + ‖(x − μₖ)ᵀUₖ‖²) + log det Uₖ, one GEMM per component.
The update order and the initialisation from hard assignments follow scikit-learn, so the
same starting parameters give the same trajectory.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg, special

from .._core import BaseEstimator, ConvergenceWarning, check_in, check_random_state, check_scalar

__all__ = ["GaussianMixture"]

_EPS = 10 * np.finfo(np.float64).eps


def _kmeans_labels(X, k, rng, n_iter=100):
    """Hard labels from k-means (k-means++ seeding, then Lloyd iterations), vectorised."""
    n = X.shape[0]
    sq_norms = (X * X).sum(axis=1)  # (n,)
    centres = [X[rng.integers(n)]]
    closest = ((X - centres[0]) ** 2).sum(axis=1)  # (n,)
    for _ in range(1, k):
        total = closest.sum()
        idx = rng.choice(n, p=closest / total) if total > 0 else rng.integers(n)
        centres.append(X[idx])
        closest = np.minimum(closest, ((X - X[idx]) ** 2).sum(axis=1))
    C = np.array(centres)  # (k, d)
    labels = np.full(n, -1)
    for _ in range(n_iter):
        dist = sq_norms[:, None] - 2.0 * X @ C.T + (C * C).sum(axis=1)[None, :]  # (n, k)
        new = dist.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)  # (k,)
        sums = np.zeros_like(C)
        np.add.at(sums, labels, X)
        nonempty = counts > 0
        C[nonempty] = sums[nonempty] / counts[nonempty, None]
    return labels


class GaussianMixture(BaseEstimator):
    """Gaussian mixture model fitted by EM.

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {"full", "diag"}, default="full"
    tol : float, default=1e-3
        Stop when the mean log-likelihood improves by less than this.
    reg_covar : float, default=1e-6
        Added to the covariance diagonals for numerical stability.
    max_iter : int, default=100
    n_init : int, default=1
        Number of initialisations; the best lower bound wins.
    init_params : {"kmeans", "random", "random_from_data"}, default="kmeans"
        Initial responsibilities: k-means hard labels, random soft ones, or one random data
        point per component.
    weights_init, means_init, precisions_init : array-like, optional
        Override the initial weights (k,), means (k, d) and precisions ((k, d, d) full,
        (k, d) diag).
    random_state : None, int or Generator

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_, converged_, n_iter_,
    lower_bound_, n_features_in_

    Inventory: ST-23.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(-3, 1, (100, 1)), rng.normal(3, 1, (100, 1))]
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.sort(gm.means_.ravel()).round(0).tolist()
    [-3.0, 3.0]
    """

    def __init__(
        self,
        *,
        n_components=1,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    def _apply_mixin_tags(self, tags):
        tags = super()._apply_mixin_tags(tags)
        tags.estimator_type = "density_estimator"
        return tags

    # ------------------------------------------------------------------ parameters
    def _check_parameters(self, X):
        n, d = X.shape
        k = check_scalar(self.n_components, "n_components", int, min_val=1)
        check_in(self.covariance_type, "covariance_type", ("full", "diag"))
        check_scalar(self.tol, "tol", (int, float), min_val=0.0)
        check_scalar(self.reg_covar, "reg_covar", (int, float), min_val=0.0)
        check_scalar(self.max_iter, "max_iter", int, min_val=0)
        check_scalar(self.n_init, "n_init", int, min_val=1)
        check_in(self.init_params, "init_params", ("kmeans", "random", "random_from_data"))
        if n < k:
            raise ValueError(
                f"n_components: expected n_samples >= n_components, got n_components={k} "
                f"and n_samples={n}."
            )
        if self.weights_init is not None:
            w = np.asarray(self.weights_init, dtype=float)
            if w.shape != (k,) or (w < 0).any() or abs(w.sum() - 1) > 1e-8:
                raise ValueError(f"weights_init: expected {k} non-negative weights summing to 1.")
        if self.means_init is not None and np.shape(self.means_init) != (k, d):
            raise ValueError(
                f"means_init: expected shape {(k, d)}, got {np.shape(self.means_init)}."
            )
        if self.precisions_init is not None:
            shape = (k, d, d) if self.covariance_type == "full" else (k, d)
            if np.shape(self.precisions_init) != shape:
                raise ValueError(
                    f"precisions_init: expected shape {shape}, got {np.shape(self.precisions_init)}."
                )

    # ------------------------------------------------------------------ EM pieces
    def _estimate_gaussian_parameters(self, X, resp):
        nk = resp.sum(axis=0) + _EPS  # (k,)
        means = resp.T @ X / nk[:, None]  # (k, d)
        if self.covariance_type == "full":
            k, d = means.shape
            covariances = np.empty((k, d, d))
            for j in range(k):  # one GEMM per component
                diff = X - means[j]  # (n, d)
                covariances[j] = (resp[:, j] * diff.T) @ diff / nk[j]
                covariances[j].flat[:: d + 1] += self.reg_covar
        else:
            avg_X2 = resp.T @ (X * X) / nk[:, None]  # (k, d)
            avg_X_means = means * (resp.T @ X) / nk[:, None]
            covariances = avg_X2 - 2 * avg_X_means + means**2 + self.reg_covar
        return nk, means, covariances

    def _precision_cholesky(self, covariances):
        msg = (
            "Fitting the mixture model failed because some components have ill-defined "
            "empirical covariance (for instance caused by singleton or collapsed samples). "
            "Try to decrease the number of components, or increase reg_covar."
        )
        if self.covariance_type == "diag":
            if (covariances <= 0).any():
                raise ValueError(msg)
            return 1.0 / np.sqrt(covariances)
        k, d, _ = covariances.shape
        out = np.empty_like(covariances)
        for j in range(k):
            try:
                cov_chol = linalg.cholesky(covariances[j], lower=True)
            except linalg.LinAlgError as exc:
                raise ValueError(msg) from exc
            out[j] = linalg.solve_triangular(cov_chol, np.eye(d), lower=True).T
        return out

    def _log_gaussian(self, X):
        """log N(xᵢ; μₖ, Σₖ) for every sample and component, (n, k)."""
        n, d = X.shape
        U = self.precisions_cholesky_
        if self.covariance_type == "full":
            log_det = np.log(np.diagonal(U, axis1=1, axis2=2)).sum(axis=1)  # (k,)
            sq = np.empty((n, self.means_.shape[0]))
            for j in range(self.means_.shape[0]):
                y = X @ U[j] - self.means_[j] @ U[j]  # (n, d)
                sq[:, j] = (y * y).sum(axis=1)
        else:
            log_det = np.log(U).sum(axis=1)  # (k,)
            P = U**2  # (k, d) precisions
            sq = (
                (self.means_**2 * P).sum(axis=1)[None, :]
                - 2.0 * X @ (self.means_ * P).T
                + (X * X) @ P.T
            )  # (n, k)
        return -0.5 * (d * np.log(2 * np.pi) + sq) + log_det

    def _estimate_weighted_log_prob(self, X):
        return self._log_gaussian(X) + np.log(self.weights_)  # (n, k)

    def _e_step(self, X):
        weighted = self._estimate_weighted_log_prob(X)  # (n, k)
        log_norm = special.logsumexp(weighted, axis=1)  # (n,)
        with np.errstate(under="ignore"):
            log_resp = weighted - log_norm[:, None]
        return float(np.mean(log_norm)), log_resp

    def _m_step(self, X, log_resp):
        nk, self.means_, self.covariances_ = self._estimate_gaussian_parameters(X, np.exp(log_resp))
        self.weights_ = nk / nk.sum()
        self.precisions_cholesky_ = self._precision_cholesky(self.covariances_)

    def _initialize(self, X, rng):
        n, _ = X.shape
        k = self.n_components
        if self.init_params == "kmeans":
            resp = np.zeros((n, k))
            resp[np.arange(n), _kmeans_labels(X, k, rng)] = 1.0
        elif self.init_params == "random":
            resp = rng.uniform(size=(n, k))
            resp /= resp.sum(axis=1, keepdims=True)
        else:
            resp = np.zeros((n, k))
            resp[rng.choice(n, size=k, replace=False), np.arange(k)] = 1.0
        nk, means, covariances = self._estimate_gaussian_parameters(X, resp)
        self.weights_ = (
            nk / n if self.weights_init is None else np.asarray(self.weights_init, float)
        )
        self.means_ = means if self.means_init is None else np.asarray(self.means_init, float)
        if self.precisions_init is None:
            self.covariances_ = covariances
            self.precisions_cholesky_ = self._precision_cholesky(covariances)
        else:
            prec = np.asarray(self.precisions_init, dtype=float)
            if self.covariance_type == "full":
                self.precisions_cholesky_ = np.array([linalg.cholesky(p, lower=True) for p in prec])
            else:
                self.precisions_cholesky_ = np.sqrt(prec)

    # ------------------------------------------------------------------ public API
    def fit(self, X, y=None):
        """Fit by EM (best of ``n_init`` starts); returns self."""
        self.fit_predict(X, y)
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the most responsible component of every sample."""
        X = self._validate_data(X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        X = X.astype(np.float64, copy=False)
        self._check_parameters(X)
        rng = check_random_state(self.random_state)
        best_bound, best_params, best_iter, self.converged_ = -np.inf, None, 0, False
        for _ in range(self.n_init):
            self._initialize(X, rng)
            lower_bound, converged, n_iter = -np.inf, False, 0
            for _ in range(self.max_iter):
                n_iter += 1
                previous = lower_bound
                lower_bound, log_resp = self._e_step(X)
                self._m_step(X, log_resp)
                if abs(lower_bound - previous) < self.tol:
                    converged = True
                    break
            if best_params is None or lower_bound > best_bound:
                best_bound, best_iter, self.converged_ = lower_bound, n_iter, converged
                best_params = (
                    self.weights_,
                    self.means_,
                    getattr(self, "covariances_", None),
                    self.precisions_cholesky_,
                )
        if not self.converged_ and self.max_iter > 0:
            warnings.warn(
                f"GaussianMixture did not converge in max_iter={self.max_iter} iterations; "
                "increase max_iter or tol, or check the data.",
                ConvergenceWarning,
            )
        self.weights_, self.means_, covariances, self.precisions_cholesky_ = best_params
        U = self.precisions_cholesky_
        if self.covariance_type == "full":
            self.precisions_ = U @ np.transpose(U, (0, 2, 1))  # (k, d, d)
            if covariances is None:
                covariances = np.linalg.inv(self.precisions_)
        else:
            self.precisions_ = U**2
            if covariances is None:
                covariances = 1.0 / self.precisions_
        self.covariances_ = covariances
        self.n_iter_, self.lower_bound_ = best_iter, best_bound
        return self._e_step(X)[1].argmax(axis=1)

    def score_samples(self, X):
        """log p(xᵢ) = logsumexp_k [log πₖ + log N(xᵢ; μₖ, Σₖ)], shape (n,)."""
        X = self._validate_data(X, reset=False).astype(np.float64, copy=False)
        return special.logsumexp(self._estimate_weighted_log_prob(X), axis=1)

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per sample."""
        return float(self.score_samples(X).mean())

    def predict_proba(self, X):
        """Responsibilities P(component k | xᵢ), shape (n, k)."""
        X = self._validate_data(X, reset=False).astype(np.float64, copy=False)
        weighted = self._estimate_weighted_log_prob(X)
        return np.exp(weighted - special.logsumexp(weighted, axis=1)[:, None])

    def predict(self, X):
        """Most responsible component of each sample."""
        X = self._validate_data(X, reset=False).astype(np.float64, copy=False)
        return self._estimate_weighted_log_prob(X).argmax(axis=1)

    def _n_parameters(self) -> int:
        k, d = self.means_.shape
        cov = k * d * (d + 1) / 2.0 if self.covariance_type == "full" else k * d
        return int(cov + k * d + k - 1)

    def bic(self, X) -> float:
        """Bayesian information criterion −2 log L + p log n (lower is better)."""
        n = np.shape(X)[0]
        return -2.0 * self.score(X) * n + self._n_parameters() * np.log(n)

    def aic(self, X) -> float:
        """Akaike information criterion −2 log L + 2p (lower is better)."""
        return -2.0 * self.score(X) * np.shape(X)[0] + 2.0 * self._n_parameters()

    def sample(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` points and their component labels: (X (n, d), labels (n,))."""
        self._validate_data(np.zeros((1, self.n_features_in_)), reset=False)
        n_samples = check_scalar(n_samples, "n_samples", int, min_val=1)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        labels = rng.choice(
            self.weights_.size, size=n_samples, p=self.weights_ / self.weights_.sum()
        )
        z = rng.standard_normal((n_samples, self.means_.shape[1]))  # (n, d)
        if self.covariance_type == "full":
            L = np.linalg.cholesky(self.covariances_)  # (k, d, d)
            X = self.means_[labels] + np.einsum("nij,nj->ni", L[labels], z, optimize=True)
        else:
            X = self.means_[labels] + np.sqrt(self.covariances_[labels]) * z
        return X, labels
