"""Poisson regression: a generalised linear model with log link (Inventory: LM-11)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.linalg

from .._core import (
    BaseEstimator,
    ConvergenceWarning,
    RegressorMixin,
    check_in,
    check_scalar,
)
from ._base import check_positive_weights
from ._lbfgs import lbfgs

__all__ = ["PoissonRegressor", "poisson_deviance"]


def poisson_deviance(y, mu, sample_weight=None):
    """Mean Poisson deviance ``2/S Σ sᵢ [yᵢ log(yᵢ/μᵢ) − yᵢ + μᵢ]`` (``0·log 0 = 0``)."""
    y, mu = np.asarray(y, dtype=float), np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - y + mu
    return float(2.0 * np.average(term, weights=sample_weight))


class PoissonRegressor(RegressorMixin, BaseEstimator):
    """Poisson regression ``E[y|x] = μ = exp(x·w + b)`` by penalised maximum likelihood (LM-11).

    Minimises scikit-learn's objective

        1/(2S) Σᵢ sᵢ · d(yᵢ, μᵢ) + α/2 ‖w‖²,   d(y, μ) = 2 (y log(y/μ) − y + μ)

    i.e. the Poisson negative log-likelihood ``1/S Σ sᵢ (μᵢ − yᵢ ηᵢ)`` up to a constant, with
    gradient ``1/S Xᵀ(s ⊙ (μ − y)) + α w`` and Hessian ``1/S Xᵀ diag(s μ) X + α I`` (the
    intercept is not penalised). Solvers: ``"lbfgs"`` (ours) or ``"newton-cholesky"``. Both
    start from ``b = log(ȳ)``, ``w = 0`` like scikit-learn.

    ``score`` is D², the fraction of Poisson deviance explained (as in scikit-learn).

    Parameters
    ----------
    alpha : float ≥ 0, default=1.0; fit_intercept : bool, default=True
    solver : {"lbfgs", "newton-cholesky"}; max_iter : int, default=100; tol : float, 1e-4
    warm_start : bool, default=False

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = PoissonRegressor(alpha=0.0).fit(X, [1, 2, 4, 8])
    >>> model.predict([[4.0]]).round(1)
    array([16.])
    """

    def __init__(
        self,
        *,
        alpha=1.0,
        fit_intercept=True,
        solver="lbfgs",
        max_iter=100,
        tol=1e-4,
        warm_start=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    def _glassml_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True  # Poisson targets are counts ≥ 0
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit by penalised maximum likelihood; ``y`` must be non-negative counts/rates."""
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0)
        check_in(self.solver, "solver", ("lbfgs", "newton-cholesky"))
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0.0)
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        X, y = self._validate_data(X, y, y_numeric=True)
        X, y = X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)
        if np.any(y < 0):
            raise ValueError("y: PoissonRegressor needs non-negative targets (counts), got y < 0.")
        weights = check_positive_weights(sample_weight, X)
        weights = np.ones(X.shape[0]) if weights is None else weights
        S = float(weights.sum())
        y_mean = float(weights @ y) / S
        if y_mean <= 0:
            raise ValueError("y: PoissonRegressor needs sum(y) > 0; all targets are zero.")
        n, p = X.shape
        Xa = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X  # (n, d)
        penalty = np.full(Xa.shape[1], float(self.alpha))
        if self.fit_intercept:
            penalty[-1] = 0.0
        scale = weights / S  # (n,)

        def loss_grad(theta):
            eta = Xa @ theta  # (n,)
            mu = np.exp(eta)
            f = float(scale @ (mu - y * eta)) + 0.5 * float(penalty @ theta**2)
            grad = Xa.T @ (scale * (mu - y)) + penalty * theta
            return f, grad

        theta = np.zeros(Xa.shape[1])
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
            theta[:p] = self.coef_
            if self.fit_intercept:
                theta[-1] = self.intercept_
        elif self.fit_intercept:
            theta[-1] = np.log(y_mean)
        if self.solver == "lbfgs":
            result = lbfgs(loss_grad, theta, max_iter=self.max_iter, gtol=self.tol)
            theta, self.n_iter_, converged = result.x, result.n_iter, result.converged
        else:
            theta, self.n_iter_, converged = self._newton(loss_grad, Xa, scale, penalty, theta)
        if not converged:
            warnings.warn(
                f"{self.solver} failed to converge after {self.n_iter_} iterations "
                f"(tol={self.tol}); increase max_iter.",
                ConvergenceWarning,
            )
        self.coef_ = theta[:p].copy()
        self.intercept_ = float(theta[-1]) if self.fit_intercept else 0.0
        return self

    def _newton(self, loss_grad, Xa, scale, penalty, theta):
        f, g = loss_grad(theta)
        for it in range(self.max_iter):
            if np.max(np.abs(g)) <= self.tol:
                return theta, it, True
            mu = np.exp(Xa @ theta)
            H = (Xa * (scale * mu)[:, None]).T @ Xa  # Xᵀ diag(s μ) X / S
            H.flat[:: H.shape[0] + 1] += penalty
            step = scipy.linalg.solve(H, g, assume_a="pos", check_finite=False)
            a = 1.0
            while True:  # Armijo backtracking
                f_new, g_new = loss_grad(theta - a * step)
                if f_new <= f - 1e-4 * a * (g @ step) or a < 1e-10:
                    break
                a *= 0.5
            theta, f, g = theta - a * step, f_new, g_new
        return theta, self.max_iter, bool(np.max(np.abs(g)) <= self.tol)

    def predict(self, X):
        """Predicted mean ``μ = exp(X w + b)``."""
        X = self._validate_data(X, reset=False)
        return np.exp(X @ self.coef_ + self.intercept_)

    def score(self, X, y, sample_weight=None):
        """D² = 1 − deviance(y, μ̂) / deviance(y, ȳ): the fraction of deviance explained."""
        y = np.asarray(y, dtype=float)
        mu = self.predict(X)
        y_mean = np.average(y, weights=sample_weight)
        null = poisson_deviance(y, np.full_like(y, y_mean), sample_weight)
        return 1.0 - poisson_deviance(y, mu, sample_weight) / null
