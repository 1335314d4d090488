"""Exact t-SNE (van der Maaten & Hinton 2008) for small data sets (n <= a few thousand).

Inventory: DR-09 (named in the seed for visualising embeddings).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_random_state, check_scalar
from ._pca import PCA

__all__ = ["TSNE", "joint_probabilities"]

MACHINE_EPSILON = np.finfo(np.double).eps
_PERPLEXITY_TOL = 1e-5


def _sq_distances(X):
    """‖x_i − x_j‖² (n, n) by the BLAS identity ‖a‖² + ‖b‖² − 2 a·b, clipped at 0."""
    norms = np.einsum("ij,ij->i", X, X)  # (n,)
    D = norms[:, None] + norms[None, :] - 2.0 * (X @ X.T)  # (n, n)
    np.maximum(D, 0.0, out=D)
    np.fill_diagonal(D, 0.0)
    return D


def _conditional_probabilities(D, perplexity, n_steps=100):
    """p_{j|i} = exp(−β_i d_ij) / Σ_{k≠i} exp(−β_i d_ik), with β_i found by bisection so that
    the entropy H(P_i) = log(perplexity) (to 1e-5 nats); all rows are searched at once."""
    n = D.shape[0]
    target = np.log(perplexity)
    beta = np.ones(n)
    lo, hi = np.full(n, -np.inf), np.full(n, np.inf)
    active = np.ones(n, dtype=bool)
    off_diag = ~np.eye(n, dtype=bool)
    P = np.zeros_like(D)
    for _ in range(n_steps):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        Pr = np.exp(-D[rows] * beta[rows, None]) * off_diag[rows]  # (r, n)
        sums = Pr.sum(axis=1)
        sums[sums == 0.0] = 1e-8
        Pr /= sums[:, None]
        entropy = np.log(sums) + beta[rows] * np.einsum("ij,ij->i", D[rows], Pr)
        diff = entropy - target
        P[rows] = Pr
        done = np.abs(diff) <= _PERPLEXITY_TOL
        up = ~done & (diff > 0)  # entropy too high: sharpen (larger β)
        down = ~done & (diff <= 0)
        r_up, r_down = rows[up], rows[down]
        lo[r_up] = beta[r_up]
        beta[r_up] = np.where(np.isinf(hi[r_up]), beta[r_up] * 2.0, (beta[r_up] + hi[r_up]) / 2)
        hi[r_down] = beta[r_down]
        beta[r_down] = np.where(
            np.isinf(lo[r_down]), beta[r_down] / 2.0, (beta[r_down] + lo[r_down]) / 2
        )
        active[rows[done]] = False
    return P


def joint_probabilities(X, perplexity: float = 30.0):
    """Symmetric t-SNE affinities p_ij = (p_{j|i} + p_{i|j}) / Σ (n, n), zero diagonal.

    Inventory: DR-09.

    Examples
    --------
    >>> P = joint_probabilities(np.random.default_rng(0).normal(size=(20, 3)), perplexity=5)
    >>> bool(np.isclose(P.sum(), 1.0)), bool(np.allclose(P, P.T))
    (True, True)
    """
    X = np.asarray(X, dtype=np.float64)
    conditional = _conditional_probabilities(_sq_distances(X), perplexity)
    P = conditional + conditional.T
    P /= max(P.sum(), MACHINE_EPSILON)
    P = np.maximum(P, MACHINE_EPSILON)
    np.fill_diagonal(P, 0.0)
    return P


def _kl_and_gradient(Y, P, dof):
    """KL(P‖Q) and its gradient for the Student-t kernel w_ij = (1 + ‖y_i − y_j‖²/ν)^{−(ν+1)/2}.

    q_ij = w_ij / Σ_{k≠l} w_kl;  grad_i = (2(ν + 1)/ν) Σ_j (p_ij − q_ij) w_ij (y_i − y_j).
    For ν = 1 (2-D embeddings) this is the exact gradient
    4 Σ_j (p_ij − q_ij)(y_i − y_j)/(1 + ‖y_i − y_j‖²); for ν > 1 it is scikit-learn's expression
    (the exact one has (1 + d²/ν)^{−1} in place of w_ij), kept for parity.
    """
    W = _sq_distances(Y)  # (n, n)
    W /= dof
    W += 1.0
    W **= (dof + 1.0) / -2.0
    np.fill_diagonal(W, 0.0)
    Q = np.maximum(W / W.sum(), MACHINE_EPSILON)
    np.fill_diagonal(Q, 0.0)
    mask = P > 0
    kl = float(np.sum(P[mask] * np.log(P[mask] / Q[mask])))
    M = (P - Q) * W  # (n, n)
    grad = M.sum(axis=1)[:, None] * Y - M @ Y  # Σ_j M_ij (y_i − y_j)
    grad *= 2.0 * (dof + 1.0) / dof
    return kl, grad


class TSNE(TransformerMixin, BaseEstimator):
    """Exact t-distributed stochastic neighbour embedding.

    Affinities in the input space: Gaussian conditionals p_{j|i} with per-point bandwidth set by
    bisection to the target perplexity, symmetrised p_ij = (p_{j|i} + p_{i|j}) / 2n. In the
    embedding: a Student-t kernel with ν = max(n_components − 1, 1). The embedding minimises
    KL(P‖Q) by gradient descent with momentum (0.5 during 250 early-exaggeration iterations,
    P × ``early_exaggeration``, then 0.8) and per-coordinate adaptive gains — scikit-learn's
    schedule for ``method="exact"``. Cost O(n²) per iteration: for n up to a few thousand.
    Everything runs in float64 (scikit-learn optimises its "pca"/"random" inits in float32),
    and ``kl_divergence_`` is the KL of the returned embedding.

    Inventory: DR-09.

    Parameters
    ----------
    n_components : int
    perplexity : float, < n_samples
    early_exaggeration : float >= 1
    learning_rate : float or "auto" (max(n / early_exaggeration / 4, 50))
    max_iter : int >= 250
    n_iter_without_progress : int
    min_grad_norm : float
    init : "pca", "random" or an (n, n_components) array
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    embedding_ : (n, n_components).  kl_divergence_ : float.  n_iter_ : int.
    learning_rate_ : float.

    Examples
    --------
    >>> X = np.vstack([np.zeros((10, 5)), np.ones((10, 5)) * 5])
    >>> X += np.random.default_rng(0).normal(size=X.shape) * 0.1
    >>> Y = TSNE(perplexity=5.0, random_state=0).fit_transform(X)
    >>> Y.shape
    (20, 2)
    """

    _EXPLORATION_MAX_ITER = 250
    _N_ITER_CHECK = 50

    def __init__(
        self,
        n_components=2,
        *,
        perplexity=30.0,
        early_exaggeration=12.0,
        learning_rate="auto",
        max_iter=1000,
        n_iter_without_progress=300,
        min_grad_norm=1e-7,
        init="pca",
        random_state=None,
    ):
        self.n_components = n_components
        self.perplexity = perplexity
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.n_iter_without_progress = n_iter_without_progress
        self.min_grad_norm = min_grad_norm
        self.init = init
        self.random_state = random_state

    def _check_params(self, n):
        check_scalar(self.n_components, "n_components", numbers.Integral, min_val=1)
        check_scalar(
            self.perplexity, "perplexity", numbers.Real, min_val=0, include_boundaries="neither"
        )
        if self.perplexity >= n:
            raise ValueError(
                f"perplexity must be less than n_samples; got perplexity={self.perplexity} "
                f"and n_samples={n}."
            )
        check_scalar(self.early_exaggeration, "early_exaggeration", numbers.Real, min_val=1)
        if not (isinstance(self.learning_rate, str) and self.learning_rate == "auto"):
            check_scalar(
                self.learning_rate,
                "learning_rate",
                numbers.Real,
                min_val=0,
                include_boundaries="neither",
            )
        check_scalar(
            self.max_iter, "max_iter", numbers.Integral, min_val=self._EXPLORATION_MAX_ITER
        )
        check_scalar(
            self.n_iter_without_progress, "n_iter_without_progress", numbers.Integral, min_val=-1
        )
        check_scalar(self.min_grad_norm, "min_grad_norm", numbers.Real, min_val=0)
        if isinstance(self.init, str):
            if self.init not in ("pca", "random"):
                raise ValueError(f"init: expected 'pca', 'random' or an array, got {self.init!r}.")

    def _initial_embedding(self, X, rng):
        n, k = X.shape[0], self.n_components
        if not isinstance(self.init, str):
            Y = np.array(self.init, dtype=np.float64)
            if Y.shape != (n, k):
                raise ValueError(f"init: expected an array of shape {(n, k)}, got {Y.shape}.")
            return Y
        if self.init == "pca":
            if k > min(X.shape):
                raise ValueError(
                    f"init='pca' needs n_components={k} <= min(n_samples, n_features)="
                    f"{min(X.shape)}; use init='random'."
                )
            Z = PCA(n_components=k, random_state=rng).fit_transform(X)
            std = np.std(Z[:, 0])
            return Z / (std if std > 0 else 1.0) * 1e-4
        return 1e-4 * rng.standard_normal((n, k))

    def _gradient_descent(self, Y, P, dof, *, it, max_iter, momentum, n_without_progress):
        update = self._update
        gains = self._gains
        kl = np.finfo(float).max
        best_error, best_iter = np.finfo(float).max, it
        i = it
        for i in range(it, max_iter):
            kl, grad = _kl_and_gradient(Y, P, dof)
            same_direction = update * grad < 0.0
            gains[same_direction] += 0.2  # delta-bar-delta adaptive gains (Jacobs 1988)
            gains[~same_direction] *= 0.8
            np.clip(gains, 0.01, np.inf, out=gains)
            grad *= gains
            update *= momentum
            update -= self.learning_rate_ * grad
            Y += update
            if (i + 1) % self._N_ITER_CHECK == 0:
                if kl < best_error:
                    best_error, best_iter = kl, i
                elif i - best_iter > n_without_progress:
                    break
                if np.linalg.norm(grad) <= self.min_grad_norm:
                    break
        return Y, kl, i

    def fit_transform(self, X, y=None):
        """Embed ``X`` (n, p) and return the embedding (n, n_components)."""
        X = self._validate_data(X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        X = X.astype(np.float64, copy=False)
        n = X.shape[0]
        self._check_params(n)
        if isinstance(self.learning_rate, str):
            self.learning_rate_ = max(n / self.early_exaggeration / 4.0, 50.0)
        else:
            self.learning_rate_ = float(self.learning_rate)
        rng = check_random_state(self.random_state)
        P = joint_probabilities(X, self.perplexity)  # (n, n)
        Y = self._initial_embedding(X, rng)  # (n, k)
        dof = max(self.n_components - 1, 1)
        self._update, self._gains = np.zeros_like(Y), np.ones_like(Y)
        P *= self.early_exaggeration  # phase 1: exaggerated attraction forms clusters
        Y, kl, it = self._gradient_descent(
            Y,
            P,
            dof,
            it=0,
            max_iter=self._EXPLORATION_MAX_ITER,
            momentum=0.5,
            n_without_progress=self._EXPLORATION_MAX_ITER,
        )
        P /= self.early_exaggeration
        if it < self._EXPLORATION_MAX_ITER or self.max_iter > self._EXPLORATION_MAX_ITER:
            Y, kl, it = self._gradient_descent(
                Y,
                P,
                dof,
                it=it + 1,
                max_iter=self.max_iter,
                momentum=0.8,
                n_without_progress=self.n_iter_without_progress,
            )
        del self._update, self._gains
        self.kl_divergence_ = _kl_and_gradient(Y, P, dof)[0]
        self.n_iter_ = it
        self.embedding_ = Y
        return Y

    def fit(self, X, y=None):
        """Embed ``X``; the result is in ``embedding_``."""
        self.fit_transform(X)
        return self

    def _glassml_tags(self):
        return {"non_deterministic": False}
