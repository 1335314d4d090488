"""Ridge regression: least squares with an L2 penalty, in closed form (Inventory: LM-06)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.linalg

from .._core import BaseEstimator, RegressorMixin, check_in, check_scalar
from ._base import LinearPredictorMixin, RankDeficiencyWarning, center_data, check_positive_weights

__all__ = ["Ridge", "RidgeCV", "ridge_regression"]


def _check_alpha(alpha, n_targets: int) -> np.ndarray:
    """``alpha`` as a float64 array of shape (n_targets,), each ≥ 0."""
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        check_scalar(alpha, "alpha", numbers.Real, min_val=0.0)
        return np.full(n_targets, float(alpha))
    alphas = np.asarray(alpha, dtype=np.float64).ravel()
    if alphas.shape[0] not in (1, n_targets):
        raise ValueError(
            f"alpha: expected a float or an array of {n_targets} values (one per target), got "
            f"{alphas.shape[0]} values."
        )
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"alpha: expected values >= 0, got {alphas!r}.")
    return np.broadcast_to(alphas, (n_targets,)).copy()


def ridge_regression(Xc, Yc, alphas, solver: str):
    """Solve ``(XᵀX + αₖ I) wₖ = Xᵀyₖ`` for every target k (centred, weight-scaled data).

    Xc : (n, p), Yc : (n, k), alphas : (k,). Returns W : (p, k).

    * "cholesky": XᵀX + αI (n ≥ p) or the dual form ``w = Xᵀ(XXᵀ + αI)⁻¹y`` (n < p), one
      Cholesky factorisation per distinct α;
    * "svd": ``X = U S Vᵀ`` and ``w = V diag(s/(s² + α)) Uᵀ y`` (all α at once);
    * "lstsq": least squares on the augmented system ``[X; √α I] w = [y; 0]``.
    """
    n, p = Xc.shape
    if solver == "svd":
        U, s, Vt = np.linalg.svd(Xc, full_matrices=False)  # (n, r), (r,), (r, p)
        UtY = U.T @ Yc  # (r, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = s[:, None] / (s[:, None] ** 2 + alphas[None, :])  # (r, k)
        shrink[s <= s.max(initial=0.0) * max(n, p) * np.finfo(float).eps] = 0.0
        return Vt.T @ (shrink * UtY)
    W = np.empty((p, Yc.shape[1]), dtype=Xc.dtype)
    if solver == "lstsq":
        for k, alpha in enumerate(alphas):
            augmented_X = np.vstack([Xc, np.sqrt(alpha) * np.eye(p)])  # (n + p, p)
            augmented_y = np.concatenate([Yc[:, k], np.zeros(p)])  # (n + p,)
            W[:, k] = scipy.linalg.lstsq(augmented_X, augmented_y, check_finite=False)[0]
        return W
    # cholesky: primal when n ≥ p, dual (kernel) form when n < p
    primal = n >= p
    gram = Xc.T @ Xc if primal else Xc @ Xc.T  # (p, p) or (n, n)
    rhs = Xc.T @ Yc if primal else Yc  # (p, k) or (n, k)
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        system = gram.copy()
        system.flat[:: system.shape[0] + 1] += alpha  # + αI
        try:
            with warnings.catch_warnings():  # an ill-conditioned system is treated as singular
                warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
                solution = scipy.linalg.solve(
                    system, rhs[:, targets], assume_a="pos", check_finite=False
                )
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, scipy.linalg.LinAlgWarning):
            warnings.warn(
                f"XᵀX + {alpha}·I is singular (alpha too small for collinear X): using the "
                "minimum-norm SVD solution instead.",
                RankDeficiencyWarning,
            )
            W[:, targets] = ridge_regression(Xc, Yc[:, targets], alphas[targets], "svd")
            continue
        W[:, targets] = solution if primal else Xc.T @ solution
    return W


class Ridge(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Ridge regression ``min_w ‖y − Xw − b‖² + α‖w‖²`` (Inventory: LM-06).

    Closed form ``w = (X_cᵀX_c + αI)⁻¹ X_cᵀ y_c`` on centred data, so the intercept
    ``b = ȳ − x̄·w`` is not penalised. ``alpha`` may be an array with one value per target.
    With sample weights the objective is ``Σ sᵢ (yᵢ − xᵢw − b)² + α‖w‖²``.

    Parameters
    ----------
    alpha : float or array of shape (n_targets,), default=1.0
    fit_intercept : bool, default=True
    solver : {"auto", "cholesky", "svd", "lstsq"}, default="auto"
        "auto" is "cholesky" (primal XᵀX + αI for n ≥ p, dual XXᵀ + αI for n < p); see
        :func:`ridge_regression`.

    Attributes
    ----------
    coef_ : (n_features,) or (n_targets, n_features); intercept_ : float or (n_targets,)

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> Ridge(alpha=1.0).fit(X, [0.0, 1.0, 2.0]).coef_   # 2 / (2 + 1)
    array([0.66666667])
    """

    def __init__(self, *, alpha=1.0, fit_intercept=True, solver="auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver

    def _glassml_tags(self):
        return {"multi_output": True}

    def fit(self, X, y, sample_weight=None):
        """Fit ridge regression; ``y`` may be (n,) or (n, n_targets)."""
        check_in(self.solver, "solver", ("auto", "cholesky", "svd", "lstsq"))
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        X, y = self._validate_data(X, y, multi_output=True, y_numeric=True)
        X = X.astype(np.float64, copy=False) if X.dtype != np.float32 else X
        y = y.astype(X.dtype, copy=False)
        Y = y.reshape(y.shape[0], -1)  # (n, k)
        alphas = _check_alpha(self.alpha, Y.shape[1])
        sample_weight = check_positive_weights(sample_weight, X)
        Xc, Yc, x_mean, y_mean = center_data(X, Y, sample_weight, self.fit_intercept)
        if sample_weight is not None:
            sqrt_w = np.sqrt(sample_weight)[:, None]  # (n, 1)
            Xc, Yc = Xc * sqrt_w, Yc * sqrt_w
        solver = "cholesky" if self.solver == "auto" else self.solver
        W = ridge_regression(Xc, Yc, alphas, solver)  # (p, k)
        intercept = y_mean - x_mean @ W if self.fit_intercept else np.zeros(Y.shape[1])
        if y.ndim == 1:
            self.coef_ = W[:, 0]
            self.intercept_ = float(intercept[0])
        else:
            self.coef_ = W.T  # (k, p)
            self.intercept_ = np.asarray(intercept)
        self.solver_ = solver
        return self


class RidgeCV(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Ridge with α chosen by efficient leave-one-out cross-validation (Inventory: LM-06).

    With ``X_c = U S Vᵀ`` (centred data) the ridge hat matrix is
    ``H = 11ᵀ/n + U diag(s²/(s² + α)) Uᵀ`` (the intercept unpenalised), and the leave-one-out
    residual of sample i is ``(yᵢ − ŷᵢ)/(1 − H_ii)`` — every α from one SVD, no refitting. The α
    with the smallest mean squared LOO error (averaged over targets) is refitted on all data.

    Parameters
    ----------
    alphas : array of positive floats, default=(0.1, 1.0, 10.0)
    fit_intercept : bool, default=True

    Attributes
    ----------
    alpha_, best_score_ (negative mean squared LOO error), cv_results_ (n_alphas,) LOO MSE,
    coef_, intercept_

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> RidgeCV(alphas=[0.01, 100.0]).fit(X, [0.0, 1.0, 2.1, 2.9]).alpha_
    0.01
    """

    def __init__(self, *, alphas=(0.1, 1.0, 10.0), fit_intercept=True):
        self.alphas = alphas
        self.fit_intercept = fit_intercept

    def _glassml_tags(self):
        return {"multi_output": True}

    def fit(self, X, y):
        """Select α by leave-one-out error, then fit ridge with it."""
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
            raise ValueError(f"alphas: expected positive floats, got {self.alphas!r}.")
        X, y = self._validate_data(X, y, multi_output=True, y_numeric=True)
        X = X.astype(np.float64, copy=False)
        Y = y.astype(np.float64, copy=False).reshape(y.shape[0], -1)  # (n, k)
        n = X.shape[0]
        Xc, Yc, _, _ = center_data(X, Y, None, self.fit_intercept)
        U, s, _ = np.linalg.svd(Xc, full_matrices=False)  # (n, r), (r,)
        UtY = U.T @ Yc  # (r, k)
        base = 1.0 / n if self.fit_intercept else 0.0
        errors = np.empty(alphas.shape[0])
        for i, alpha in enumerate(alphas):
            shrink = s**2 / (s**2 + alpha)  # (r,)
            fitted = U @ (shrink[:, None] * UtY)  # (n, k), centred predictions
            leverage = base + (U**2) @ shrink  # diag(H), (n,)
            loo = (Yc - fitted) / (1.0 - leverage)[:, None]
            errors[i] = float(np.mean(loo**2))
        best = int(np.argmin(errors))
        self.alpha_ = float(alphas[best])
        self.best_score_ = -float(errors[best])
        self.cv_results_ = errors
        model = Ridge(alpha=self.alpha_, fit_intercept=self.fit_intercept).fit(X, y)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self
