"""Ordinary least squares: normal equation, least squares (QR/SVD) and gradient descent."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.linalg

from .._core import BaseEstimator, RegressorMixin, check_in, check_scalar
from ._base import LinearPredictorMixin, RankDeficiencyWarning, center_data, check_positive_weights
from ._diagnostics import ols_statistics
from ._gradient_descent import least_squares_gradient_descent

__all__ = ["LinearRegression"]

# cond(XᵀX) below which the normal equations (plus iterative refinement) are as accurate as an
# SVD: cond(X) < 1e5, so the refined solution's error is far below 1e-10 relative.
_GRAM_CONDITION_LIMIT = 1e10
# cond(XᵀX) above which XᵀX is treated as singular by the "normal" solver.
_SINGULAR_CONDITION = 1e14


class LinearRegression(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Ordinary least squares ``min_w ‖y − Xw − b‖²`` (Inventory: LM-01..LM-04, LM-13).

    The intercept is not penalised or special-cased: X and y are centred by their (weighted)
    means, the slopes solve the centred problem and ``b = ȳ − x̄·w``. Solvers:

    * ``"lstsq"`` (default): the least-squares / minimum-norm solution. Fast path: the
      eigendecomposition ``X_cᵀX_c = V Λ Vᵀ`` (one BLAS ``syrk`` for the Gram matrix, O(n·p²)),
      used when ``cond(X_cᵀX_c) < 1e10``, with two steps of iterative refinement
      ``w ← w + (X_cᵀX_c)⁻¹ X_cᵀ (y_c − X_c w)`` that bring the error down to that of an SVD
      solver. Otherwise (ill-conditioned, collinear or n < p) it falls back to an SVD least
      squares (LAPACK ``gelsd``) that returns the minimum-norm solution, with a
      :class:`RankDeficiencyWarning` when ``rank < p``.
    * ``"normal"``: the textbook normal equation ``w = (XᵀX)⁻¹Xᵀy`` by a Cholesky
      factorisation; when XᵀX is singular (cond > 1e14) it warns and uses ``"lstsq"``.
    * ``"gd"``, ``"minibatch"``, ``"sgd"``: gradient descent on ``1/(2n)‖y_c − X_c w‖²``
      (batch, mini-batch of ``batch_size``, single sample), see
      :func:`~glassml.linear_model._gradient_descent.least_squares_gradient_descent`.

    Parameters
    ----------
    fit_intercept : bool, default=True
    solver : {"lstsq", "normal", "gd", "minibatch", "sgd"}, default="lstsq"
    learning_rate : float or "auto", default="auto"  (gradient-descent solvers only)
    n_epochs : int, default=1000  (gradient-descent solvers: maximum passes over the data)
    batch_size : int, default=32  ("minibatch" only)
    tol : float or "auto", default="auto"
        Gradient-descent stopping tolerance on ``max|Δw| / max(1, max|w|)`` over an epoch;
        "auto" is 1e-10 for "gd" (which converges linearly to the exact solution) and 1e-3
        for the stochastic solvers (whose decaying steps converge only like 1/epoch).
    random_state : None, int or Generator  (shuffling for "minibatch"/"sgd")
    rcond : float or None, default=None
        Singular values below ``rcond · σ_max`` count as zero ("lstsq"); None means
        ``max(n, p) · eps`` like NumPy. (scikit-learn ≥ 1.9 passes its ``tol=1e-6`` here.)

    Attributes
    ----------
    coef_ : (n_features,) or (n_targets, n_features); intercept_ : float or (n_targets,)
    rank_ : int, rank of the centred X; singular_values_ : (min(n, p),) of the centred X
    n_iter_ : epochs run (gradient-descent solvers) or None
    For a single target also: residuals_ ``y − ŷ``, r2_, adjusted_r2_, sigma2_ (residual
    variance), bse_ (standard errors of coef_), intercept_bse_, tvalues_, pvalues_, df_resid_.

    Examples
    --------
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> reg = LinearRegression().fit(X, 2 * X[:, 0] + 1)
    >>> float(reg.coef_[0].round(10)), float(round(reg.intercept_, 10))
    (2.0, 1.0)
    """

    def __init__(
        self,
        *,
        fit_intercept=True,
        solver="lstsq",
        learning_rate="auto",
        n_epochs=1000,
        batch_size=32,
        tol="auto",
        random_state=None,
        rcond=None,
    ):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state
        self.rcond = rcond

    def _glassml_tags(self):
        return {"multi_output": True}

    def fit(self, X, y, sample_weight=None):
        """Fit the least-squares model; ``y`` may be (n,) or (n, n_targets)."""
        check_in(self.solver, "solver", ("lstsq", "normal", "gd", "minibatch", "sgd"))
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        if self.rcond is not None:
            check_scalar(self.rcond, "rcond", numbers.Real, min_val=0.0)
        if self.solver in ("gd", "minibatch", "sgd"):
            check_scalar(self.n_epochs, "n_epochs", numbers.Integral, min_val=1)
            check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
            if isinstance(self.tol, str) and self.tol == "auto":
                tol = 1e-10 if self.solver == "gd" else 1e-3
            else:
                tol = check_scalar(self.tol, "tol", numbers.Real, min_val=0.0)
            if not (isinstance(self.learning_rate, str) and self.learning_rate == "auto"):
                check_scalar(
                    self.learning_rate,
                    "learning_rate",
                    numbers.Real,
                    min_val=0.0,
                    include_boundaries="neither",
                )
        X, y = self._validate_data(X, y, multi_output=True, y_numeric=True)
        X = X.astype(np.float64, copy=False) if X.dtype != np.float32 else X
        y = y.astype(X.dtype, copy=False)
        sample_weight = check_positive_weights(sample_weight, X)

        Xc, yc, x_mean, y_mean = center_data(X, y, sample_weight, self.fit_intercept)
        if sample_weight is not None:  # rows scaled by √s: Σ sᵢ rᵢ² = ‖√s ⊙ r‖²
            sqrt_w = np.sqrt(sample_weight)  # (n,)
            Xc = Xc * sqrt_w[:, None]  # (n, p)
            yc = yc * (sqrt_w if yc.ndim == 1 else sqrt_w[:, None])

        self.n_iter_ = None
        gram_inverse = None
        if self.solver in ("gd", "minibatch", "sgd"):
            coef, self.n_iter_ = least_squares_gradient_descent(
                Xc,
                yc,
                variant=self.solver,
                learning_rate=self.learning_rate,
                n_epochs=self.n_epochs,
                batch_size=self.batch_size,
                tol=tol,
                random_state=self.random_state,
            )
            self.singular_values_ = np.linalg.svd(Xc, compute_uv=False)
            self.rank_ = int(np.sum(self.singular_values_ > _svd_cutoff(self.singular_values_, Xc)))
        else:
            coef, gram_inverse = self._solve_closed_form(Xc, yc)

        # coef: (p,) or (p, k) → scikit-learn's layout (p,) or (k, p)
        self.coef_ = coef.T if coef.ndim == 2 else coef
        self.intercept_ = y_mean - x_mean @ coef if self.fit_intercept else _zero_like(y_mean)
        if isinstance(self.intercept_, np.ndarray) and self.intercept_.ndim == 0:
            self.intercept_ = float(self.intercept_)
        if y.ndim == 1:
            residuals = y - (X @ coef + self.intercept_)  # (n,)
            self.residuals_ = residuals
            stats = ols_statistics(
                residuals=residuals,
                y=y,
                sample_weight=sample_weight,
                gram_inverse=gram_inverse if self.rank_ == X.shape[1] else None,
                x_mean=x_mean,
                coef=coef,
                fit_intercept=self.fit_intercept,
                rank=self.rank_,
            )
            for name, value in stats.items():
                setattr(self, name, value)
        return self

    def _solve_closed_form(self, Xc, yc):
        """Normal-equation / least-squares solve; sets rank_ and singular_values_."""
        n, p = Xc.shape
        gram = Xc.T @ Xc  # (p, p), XᵀX (BLAS syrk)
        eigenvalues, V = np.linalg.eigh(gram)  # ascending; gram = V Λ Vᵀ
        lam_max = eigenvalues[-1]
        cond = lam_max / eigenvalues[0] if eigenvalues[0] > 0 else np.inf
        if self.solver == "normal" and cond < _SINGULAR_CONDITION:
            cho = scipy.linalg.cho_factor(gram, lower=True, check_finite=False)
            coef = scipy.linalg.cho_solve(cho, Xc.T @ yc, check_finite=False)  # (XᵀX)⁻¹Xᵀy
            self._set_spectrum_from_gram(eigenvalues, n, p)
            return coef, _inverse_from_eigh(eigenvalues, V)
        if self.solver == "normal":
            warnings.warn(
                f"XᵀX is singular (condition number {cond:.3g}): the normal equation has no "
                "unique solution; falling back to the minimum-norm least-squares solution.",
                RankDeficiencyWarning,
            )
        rcond = max(n, p) * np.finfo(Xc.dtype).eps if self.rcond is None else self.rcond
        if n >= p and lam_max > 0 and cond < min(_GRAM_CONDITION_LIMIT, rcond**-2):
            coef = _eigh_solve(eigenvalues, V, Xc.T @ yc)  # w = V Λ⁻¹ Vᵀ Xᵀy
            for _ in range(2):  # iterative refinement on the residual
                residual = yc - Xc @ coef  # (n,) or (n, k)
                coef += _eigh_solve(eigenvalues, V, Xc.T @ residual)
            self._set_spectrum_from_gram(eigenvalues, n, p)
            return coef, _inverse_from_eigh(eigenvalues, V)
        # SVD least squares: minimum-norm solution for rank-deficient / ill-conditioned X
        coef, _, rank, singular_values = scipy.linalg.lstsq(
            Xc, yc, cond=rcond, lapack_driver="gelsd", check_finite=False
        )
        self.rank_ = int(rank)
        self.singular_values_ = singular_values
        if rank < p:
            warnings.warn(
                f"X is rank deficient (rank {rank} < {p} features after centring, e.g. "
                "collinear or duplicated columns, or fewer samples than features): the "
                "least-squares solution is not unique; returning the minimum-norm one.",
                RankDeficiencyWarning,
            )
        gram_inverse = _inverse_from_eigh(eigenvalues, V) if rank == p else None
        return coef, gram_inverse

    def _set_spectrum_from_gram(self, eigenvalues, n, p):
        k = min(n, p)
        self.singular_values_ = np.sqrt(np.clip(eigenvalues[::-1][:k], 0.0, None))
        self.rank_ = int(
            np.sum(self.singular_values_ > _svd_cutoff(self.singular_values_, None, n, p))
        )


def _svd_cutoff(singular_values, X=None, n=None, p=None):
    if X is not None:
        n, p = X.shape
    top = singular_values[0] if singular_values.size else 0.0
    return top * np.finfo(np.float64).eps * max(n, p)


def _eigh_solve(eigenvalues, V, rhs):
    """Solve ``(V Λ Vᵀ) w = rhs`` for (p,) or (p, k) right-hand sides."""
    projected = V.T @ rhs  # (p,) or (p, k)
    scaled = projected / (eigenvalues if projected.ndim == 1 else eigenvalues[:, None])
    return V @ scaled


def _inverse_from_eigh(eigenvalues, V):
    if eigenvalues[0] <= 0:
        return None
    return (V / eigenvalues) @ V.T  # V Λ⁻¹ Vᵀ


def _zero_like(y_mean):
    return np.zeros_like(y_mean) if np.ndim(y_mean) else 0.0
