"""Quantile regression by the pinball loss, solved as a linear program (Inventory: LM-12)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse
from scipy.optimize import linprog

from .._core import BaseEstimator, ConvergenceWarning, RegressorMixin, check_scalar
from ._base import check_positive_weights

__all__ = ["QuantileRegressor"]


class QuantileRegressor(RegressorMixin, BaseEstimator):
    """Linear quantile regression (LM-12; pinball loss LS-05).

    Minimises ``1/S Σᵢ sᵢ ρ_q(yᵢ − xᵢ·w − b) + α‖w‖₁`` with the pinball loss
    ``ρ_q(r) = q·r`` for r ≥ 0 and ``(q − 1)·r`` for r < 0. Multiplying by S and splitting
    ``w = w⁺ − w⁻`` and the residual ``r = u − v`` (all ≥ 0) gives the linear program

        min  αS·1ᵀ(w⁺ + w⁻) + Σ sᵢ (q uᵢ + (1 − q) vᵢ)
        s.t. X(w⁺ − w⁻) + (b⁺ − b⁻) + u − v = y,   w±, b±, u, v ≥ 0

    (the intercept unpenalised), solved with HiGHS through ``scipy.optimize.linprog`` — the same
    formulation as scikit-learn, so the same solution.

    Parameters
    ----------
    quantile : float in (0, 1), default=0.5; alpha : float ≥ 0, default=1.0
    fit_intercept : bool, default=True; solver : str, default="highs" (a linprog method)

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> QuantileRegressor(alpha=0.0).fit(X, [0.0, 1.0, 2.0, 3.0, 40.0]).coef_.round(6)
    array([1.])
    """

    def __init__(self, *, quantile=0.5, alpha=1.0, fit_intercept=True, solver="highs"):
        self.quantile = quantile
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver

    def fit(self, X, y, sample_weight=None):
        """Solve the linear program."""
        check_scalar(
            self.quantile,
            "quantile",
            numbers.Real,
            min_val=0.0,
            max_val=1.0,
            include_boundaries="neither",
        )
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0)
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        if self.solver not in ("highs", "highs-ds", "highs-ipm"):
            raise ValueError(
                f"solver: expected one of ['highs', 'highs-ds', 'highs-ipm'], got {self.solver!r}."
            )
        X, y = self._validate_data(X, y, y_numeric=True)
        X, y = X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)
        weights = check_positive_weights(sample_weight, X)
        weights = np.ones(X.shape[0]) if weights is None else weights
        n, p = X.shape
        keep = weights > 0  # zero-weight samples do not enter the program
        Xk, yk, wk = X[keep], y[keep], weights[keep]
        m = Xk.shape[0]
        alpha = float(weights.sum()) * self.alpha
        design = np.hstack([np.ones((m, 1)), Xk]) if self.fit_intercept else Xk  # (m, d)
        d = design.shape[1]
        cost = np.concatenate(
            [np.full(2 * d, alpha), wk * self.quantile, wk * (1.0 - self.quantile)]
        )
        if self.fit_intercept:
            cost[0] = cost[d] = 0.0  # unpenalised intercept
        eye = scipy.sparse.eye(m, format="csc")
        A_eq = scipy.sparse.hstack(
            [scipy.sparse.csc_matrix(design), -scipy.sparse.csc_matrix(design), eye, -eye],
            format="csc",
        )
        result = linprog(cost, A_eq=A_eq, b_eq=yk, method=self.solver)
        if result.status != 0:
            warnings.warn(
                f"linprog did not solve the quantile-regression program: {result.message}",
                ConvergenceWarning,
            )
        solution = result.x if result.x is not None else np.zeros(2 * d + 2 * m)
        params = solution[:d] - solution[d : 2 * d]
        self.n_iter_ = int(getattr(result, "nit", 0))
        if self.fit_intercept:
            self.intercept_, self.coef_ = float(params[0]), params[1:].copy()
        else:
            self.intercept_, self.coef_ = 0.0, params.copy()
        return self

    def predict(self, X):
        """Predicted ``quantile``-quantile ``X w + b``."""
        X = self._validate_data(X, reset=False)
        return X @ self.coef_ + self.intercept_
