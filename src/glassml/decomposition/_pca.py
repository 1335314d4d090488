"""Principal component analysis: by covariance eigendecomposition, by SVD, by randomized SVD.

Inventory: DR-01, DR-02, DR-03, DR-04, DR-05.
"""

from __future__ import annotations

import numbers
from math import lgamma, log

import numpy as np
from scipy import linalg
from scipy.linalg import get_blas_funcs

from .._core import BaseEstimator, TransformerMixin, check_in, check_random_state, check_scalar
from ._base import _ComponentNamesMixin
from ._svd import _randomized_svd, svd_flip

__all__ = ["PCA"]

_SOLVERS = ("auto", "full", "covariance_eigh", "randomized")


def _covariance(X, mean):
    """C = (X − 1μᵀ)ᵀ(X − 1μᵀ)/(n − 1) = (XᵀX − n μμᵀ)/(n − 1), without centring a copy of X.

    XᵀX goes through BLAS ``syrk`` (half the flops of a general product; upper triangle only).
    """
    n = X.shape[0]
    syrk = get_blas_funcs("syrk", (X,))
    C = syrk(1.0, X.T, trans=0, lower=0)  # (p, p) upper triangle of XᵀX; X.T is F-ordered
    C -= n * np.outer(mean, mean).astype(X.dtype, copy=False)
    C /= n - 1
    return C


def _assess_dimension(spectrum, rank, n_samples):
    """Minka's (2000) log-evidence of a rank-``rank`` PCA model for eigenvalues ``spectrum``."""
    n_features = spectrum.shape[0]
    eps = 1e-15
    if spectrum[rank - 1] < eps:
        return -np.inf
    pu = -rank * log(2.0)
    for i in range(1, rank + 1):
        pu += lgamma((n_features - i + 1) / 2.0) - log(np.pi) * (n_features - i + 1) / 2.0
    pl = -np.sum(np.log(spectrum[:rank])) * n_samples / 2.0
    v = max(eps, np.sum(spectrum[rank:]) / (n_features - rank))
    pv = -log(v) * n_samples * (n_features - rank) / 2.0
    m = n_features * rank - rank * (rank + 1.0) / 2.0
    pp = log(2.0 * np.pi) * (m + rank) / 2.0
    spectrum_ = spectrum.copy()
    spectrum_[rank:] = v
    # pa = Σ_{i<rank, j>i} log((λ_i − λ_j)(1/λ̃_j − 1/λ̃_i)) + log n   (vectorised over j)
    pa = 0.0
    for i in range(rank):
        j = np.arange(i + 1, n_features)
        pa += np.sum(
            np.log((spectrum[i] - spectrum[j]) * (1.0 / spectrum_[j] - 1.0 / spectrum_[i]))
        )
        pa += j.size * log(n_samples)
    return pu + pl + pv + pp - pa / 2.0 - rank * log(n_samples) / 2.0


def _infer_dimension(spectrum, n_samples):
    """argmax over rank in [1, p − 1] of Minka's evidence (n_components='mle')."""
    ll = np.full(spectrum.shape[0], -np.inf)
    for rank in range(1, spectrum.shape[0]):
        ll[rank] = _assess_dimension(spectrum, rank, n_samples)
    return int(np.argmax(ll))


class PCA(_ComponentNamesMixin, TransformerMixin, BaseEstimator):
    """Principal component analysis: project centred data on the directions of largest variance.

    With Xc = X − 1μᵀ (n × p), the covariance is C = XcᵀXc/(n − 1). Its eigendecomposition
    C = V Λ Vᵀ (DR-01) and the SVD Xc = U Σ Vᵀ (DR-02) give the same principal axes V and
    variances λ_j = σ_j²/(n − 1) (CL-046). PCA keeps the top k axes:

        Z = Xc V_k                              (transform; whiten: Z Λ_k^{-1/2})
        X̂ = Z V_kᵀ + μ                          (inverse_transform, DR-05)
        explained_variance_ratio_j = λ_j / Σ_i λ_i   (DR-03)

    Signs follow scikit-learn's ``svd_flip`` on the rows of V (largest |loading| positive), so
    ``components_`` equal scikit-learn's exactly, not only up to sign. PCA is a rotation; it
    rescales only with ``whiten=True`` (seed note E-06 says otherwise). It is computed *by* the
    SVD or the eigendecomposition — they are not different techniques (E-48).

    Standardising first (DR-04, different units): use a pipeline,
    ``make_pipeline(StandardScaler(), PCA(...))``, rather than an option here.

    Inventory: DR-01, DR-02, DR-03, DR-04, DR-05.

    Parameters
    ----------
    n_components : int, float in (0, 1), "mle" or None
        Number of components k; a float is a variance target (the smallest k whose cumulative
        explained-variance ratio exceeds it); "mle" is Minka's estimate; None keeps
        min(n_samples, n_features).
    copy : bool
        If False, the "full" and "randomized" solvers centre X in place.
    whiten : bool
        Scale the projections to unit variance.
    svd_solver : {"auto", "full", "covariance_eigh", "randomized"}
        "auto" follows scikit-learn: covariance_eigh when p <= 1000 and n >= 10 p; else full
        when max(n, p) <= 500 or n_components == "mle"; else randomized when
        1 <= k < 0.8 min(n, p); else full.
    iterated_power : int or "auto"
        Power iterations of the randomized solver.
    n_oversamples : int
        Extra random directions of the randomized solver.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
    random_state : None, int or numpy.random.Generator
        Seeds the randomized solver.

    Attributes
    ----------
    components_ : (k, p) principal axes (rows, unit norm).
    explained_variance_ : (k,) variances λ_j.
    explained_variance_ratio_ : (k,) λ_j / total variance.
    singular_values_ : (k,) σ_j of the centred data.
    mean_ : (p,) per-feature mean.
    n_components_ : int.
    noise_variance_ : float, mean of the discarded eigenvalues (probabilistic PCA σ²).
    n_samples_ : int.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(100, 5)) @ np.diag([5.0, 2, 1, 0.5, 0.1])
    >>> pca = PCA(n_components=0.9).fit(X)
    >>> pca.n_components_, pca.transform(X).shape
    (2, (100, 2))
    """

    def __init__(
        self,
        n_components=None,
        *,
        copy=True,
        whiten=False,
        svd_solver="auto",
        iterated_power="auto",
        n_oversamples=10,
        power_iteration_normalizer="auto",
        random_state=None,
    ):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        k = self.n_components
        if isinstance(k, str) and k != "mle":
            raise ValueError(f"n_components: expected 'mle' as the only string, got {k!r}.")
        if k is not None and not isinstance(k, str):
            if isinstance(k, bool) or not isinstance(k, numbers.Real):
                raise TypeError(
                    f"n_components: expected None, an int, a float in (0, 1) or 'mle', "
                    f"got {type(k).__name__} {k!r}."
                )
            if isinstance(k, numbers.Integral):
                check_scalar(k, "n_components", numbers.Integral, min_val=0)
            elif not 0.0 < k < 1.0:
                raise ValueError(
                    f"n_components: a float must lie strictly between 0 and 1 (a variance "
                    f"target), got {k!r}."
                )
        check_in(self.svd_solver, "svd_solver", _SOLVERS)
        if not (isinstance(self.iterated_power, str) and self.iterated_power == "auto"):
            check_scalar(self.iterated_power, "iterated_power", numbers.Integral, min_val=0)
        check_scalar(self.n_oversamples, "n_oversamples", numbers.Integral, min_val=1)
        check_in(
            self.power_iteration_normalizer,
            "power_iteration_normalizer",
            ("auto", "QR", "LU", "none"),
        )
        if not isinstance(self.whiten, bool | np.bool_):
            raise TypeError(f"whiten: expected a bool, got {self.whiten!r}.")

    def _choose_solver(self, n, p, k):
        """scikit-learn's 'auto' policy (sklearn.decomposition.PCA._fit)."""
        if self.svd_solver != "auto":
            return self.svd_solver
        if p <= 1_000 and n >= 10 * p:
            return "covariance_eigh"
        if max(n, p) <= 500 or (isinstance(k, str) and k == "mle"):
            return "full"
        if 1 <= k < 0.8 * min(n, p):
            return "randomized"
        return "full"

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Fit the principal axes of ``X`` (n, p); ``y`` is ignored (CL-050)."""
        self._fit(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit, then return the projections Z = Xc V_k (n, k) (from U Σ when available)."""
        U, S, X_checked = self._fit(X)
        if U is None:  # covariance_eigh computes no U
            return self._project(X_checked)
        U = U[:, : self.n_components_]
        if self.whiten:
            U *= np.sqrt(X_checked.shape[0] - 1)  # Z Λ^{-1/2} = U √(n−1)
        else:
            U *= S[: self.n_components_]  # Z = Xc V = U Σ
        return U

    def _fit(self, X):
        self._check_params()
        X = self._validate_data(X, dtype=[np.float64, np.float32])
        n, p = X.shape
        k = min(n, p) if self.n_components is None else self.n_components
        self._fit_svd_solver = self._choose_solver(n, p, k)
        if self._fit_svd_solver == "randomized":
            return self._fit_randomized(X, k)
        return self._fit_exact(X, k)

    def _fit_exact(self, X, k):
        """The "full" (SVD of Xc) and "covariance_eigh" (eigh of C) solvers."""
        n, p = X.shape
        if isinstance(k, str):  # "mle"
            if n < p:
                raise ValueError("n_components='mle' is only supported if n_samples >= n_features")
        elif not 0 <= k <= min(n, p):
            raise ValueError(
                f"n_components={k} must be between 0 and min(n_samples, n_features)="
                f"{min(n, p)} with svd_solver={self._fit_svd_solver!r}"
            )
        if n < 2:
            raise ValueError(
                f"PCA: needs at least 2 samples to estimate variances, got n_samples={n}."
            )
        self.mean_ = X.mean(axis=0)  # (p,)
        if self._fit_svd_solver == "full":
            Xc = X if not self.copy else X.copy()
            Xc -= self.mean_  # (n, p) centred
            U, S, Vt = linalg.svd(Xc, full_matrices=False, check_finite=False)
            explained_variance = S**2 / (n - 1)  # λ = σ²/(n−1)
            X_out = X if self.copy else None
        else:
            C = _covariance(X, self.mean_)  # (p, p) upper triangle
            partial = isinstance(k, numbers.Integral) and 0 < k < p and k <= p // 4
            if partial:  # only the top-k eigenpairs; total variance from the trace
                evals, evecs = linalg.eigh(
                    C,
                    lower=False,
                    subset_by_index=[p - k, p - 1],
                    driver="evr",
                    check_finite=False,
                )
                total_var = float(np.trace(C))
            else:
                evals, evecs = linalg.eigh(C, lower=False, check_finite=False)
            evals, evecs = evals[::-1].copy(), evecs[:, ::-1]  # descending
            evals[evals < 0.0] = 0.0  # C is PSD; clip round-off negatives
            explained_variance = evals
            S = np.sqrt(evals * (n - 1))  # singular values of Xc
            Vt = np.ascontiguousarray(evecs.T)
            U = None
            X_out = X
        U, Vt = svd_flip(U, Vt, u_based_decision=False)

        if self._fit_svd_solver == "covariance_eigh" and partial:
            total = max(total_var, float(explained_variance.sum()))
            ratio = explained_variance / total
            rest = min(n, p) - k
            tail = total - float(explained_variance.sum())
            # eigenvalues beyond rank n−1 are zero: sklearn averages over the p − k discarded ones
            self.noise_variance_ = max(tail, 0.0) / (p - k) if rest > 0 else 0.0
        else:
            ratio = explained_variance / explained_variance.sum()
            if isinstance(k, str):
                k = _infer_dimension(explained_variance, n)
            elif 0 < k < 1.0 and not isinstance(k, numbers.Integral):
                k = int(np.searchsorted(np.cumsum(ratio), k, side="right") + 1)
            k = min(int(k), len(explained_variance))
            if k < min(n, p):
                self.noise_variance_ = float(np.mean(explained_variance[k:]))
            else:
                self.noise_variance_ = 0.0
        self.noise_variance_ = X.dtype.type(self.noise_variance_)
        self.n_samples_ = n
        self.n_components_ = int(k)
        self.components_ = np.ascontiguousarray(Vt[:k])  # (k, p)
        self.explained_variance_ = explained_variance[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].astype(X.dtype, copy=False)
        self.singular_values_ = S[:k].copy()
        return U, S, X_out

    def _fit_randomized(self, X, k):
        n, p = X.shape
        if isinstance(k, str) or not isinstance(k, numbers.Integral) or not 1 <= k <= min(n, p):
            raise ValueError(
                f"n_components={k!r} must be between 1 and min(n_samples, n_features)="
                f"{min(n, p)} with svd_solver='randomized'"
            )
        if n < 2:
            raise ValueError(
                f"PCA: needs at least 2 samples to estimate variances, got n_samples={n}."
            )
        self.mean_ = X.mean(axis=0)
        Xc = X.copy() if self.copy else X
        Xc -= self.mean_  # (n, p)
        U, S, Vt = _randomized_svd(
            Xc,
            k,
            n_oversamples=self.n_oversamples,
            n_iter=self.iterated_power,
            power_iteration_normalizer=self.power_iteration_normalizer,
            transpose="auto",
            flip_sign=False,
            rng=check_random_state(self.random_state),
        )
        U, Vt = svd_flip(U, Vt, u_based_decision=False)
        flat = Xc.reshape(-1)
        total_var = float(flat @ flat) / (n - 1)  # Σ_j var_j as one BLAS dot
        self.n_samples_ = n
        self.components_ = Vt
        self.n_components_ = int(k)
        self.explained_variance_ = S**2 / (n - 1)
        self.explained_variance_ratio_ = self.explained_variance_ / X.dtype.type(total_var)
        self.singular_values_ = S.copy()
        if k < min(n, p):
            noise = (total_var - float(self.explained_variance_.sum())) / (min(n, p) - k)
        else:
            noise = 0.0
        self.noise_variance_ = X.dtype.type(noise)
        return U, S, X if self.copy else None

    # ------------------------------------------------------------------ transforms
    def _project(self, X):
        Z = X @ self.components_.T  # (n, k)
        Z -= self.mean_ @ self.components_.T  # centre after projecting: no copy of X
        if self.whiten:
            scale = np.sqrt(self.explained_variance_)
            scale[scale < np.finfo(scale.dtype).eps] = np.finfo(scale.dtype).eps
            Z /= scale
        return Z

    def transform(self, X):
        """Z = (X − μ) V_k, divided by √λ when ``whiten``. Returns (n, k)."""
        X = self._validate_data(X, reset=False, dtype=[np.float64, np.float32])
        return self._project(X)

    def inverse_transform(self, X):
        """X̂ = Z V_k + μ (Z Λ^{1/2} V_k + μ when whitened): the rank-k reconstruction (DR-05)."""
        from .._core import check_array, check_is_fitted

        check_is_fitted(self)
        Z = check_array(X, name="X", dtype=[np.float64, np.float32], estimator="PCA")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {Z.shape[1]} columns, but PCA.inverse_transform expects "
                f"n_components_={self.n_components_}."
            )
        components = self.components_
        if self.whiten:
            components = np.sqrt(self.explained_variance_)[:, None] * components
        return Z @ components + self.mean_  # (n, p)

    # ------------------------------------------------------------------ probabilistic PCA
    def get_covariance(self):
        """Model covariance Σ = V_kᵀ diag(λ − σ²) V_k + σ² I (probabilistic PCA)."""
        components = self.components_
        ev = self.explained_variance_
        if self.whiten:
            components = components * np.sqrt(ev[:, None])
        diff = np.where(ev > self.noise_variance_, ev - self.noise_variance_, 0.0)
        cov = (components.T * diff) @ components  # (p, p)
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov

    def get_precision(self):
        """Σ⁻¹ by the matrix-inversion lemma (only a k × k inverse)."""
        p = self.components_.shape[1]
        if self.n_components_ == 0:
            return np.eye(p) / self.noise_variance_
        if self.noise_variance_ == 0.0:
            return linalg.inv(self.get_covariance())
        components = self.components_
        ev = self.explained_variance_
        if self.whiten:
            components = components * np.sqrt(ev[:, None])
        diff = np.where(ev > self.noise_variance_, ev - self.noise_variance_, 0.0)
        inner = components @ components.T / self.noise_variance_  # (k, k)
        inner.flat[:: inner.shape[0] + 1] += 1.0 / diff
        precision = components.T @ linalg.inv(inner) @ components  # (p, p)
        precision /= -(self.noise_variance_**2)
        precision.flat[:: p + 1] += 1.0 / self.noise_variance_
        return precision

    def score_samples(self, X):
        """Log-likelihood of each sample under N(μ, Σ) of probabilistic PCA (Tipping & Bishop)."""
        X = self._validate_data(X, reset=False, dtype=[np.float64, np.float32])
        Xr = X - self.mean_  # (n, p)
        p = X.shape[1]
        precision = self.get_precision()
        sign, logdet = np.linalg.slogdet(precision)
        logdet = logdet if sign > 0 else -np.inf
        log_like = -0.5 * np.sum(Xr * (Xr @ precision), axis=1)
        log_like -= 0.5 * (p * log(2.0 * np.pi) - logdet)
        return log_like

    def score(self, X, y=None):
        """Mean log-likelihood of the samples (probabilistic PCA)."""
        return float(np.mean(self.score_samples(X)))

    def _glassml_tags(self):
        return {"preserves_dtype": ["float64", "float32"]}
