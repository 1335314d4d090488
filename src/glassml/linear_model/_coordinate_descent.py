"""Lasso and elastic net by cyclic coordinate descent (Inventory: LM-07, LM-08).

Objective (scikit-learn's scaling), with ρ = ``l1_ratio``:

    1/(2n) ‖y − Xw − b‖² + α ρ ‖w‖₁ + ½ α (1 − ρ) ‖w‖²

Multiplying by n, the coordinate update with ``λ₁ = α ρ n``, ``λ₂ = α (1 − ρ) n`` and the
partial residual is the soft-thresholding step

    w_j ← S(x_jᵀ r + w_j ‖x_j‖², λ₁) / (‖x_j‖² + λ₂),    S(z, λ) = sign(z) max(|z| − λ, 0)

with the residual ``r = y − Xw`` updated in place (``r −= Δw_j x_j``). When n ≫ p the Gram
variant keeps ``Qw`` with ``Q = XᵀX`` instead and each update costs O(p) rather than O(n).
Convergence is judged like scikit-learn: when the largest update of a sweep is below
``tol · max|w|``, the duality gap is computed and the loop stops once it is ≤ ``tol · ‖y‖²``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import (
    BaseEstimator,
    ConvergenceWarning,
    RegressorMixin,
    check_array,
    check_in,
    check_scalar,
)
from ._base import LinearPredictorMixin, center_data, check_positive_weights

__all__ = ["ElasticNet", "Lasso", "enet_path", "lasso_path"]


def _duality_gap(l1, l2, w, R_norm2, Ry, XtR, positive):
    """Duality gap of ``½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²`` (formulation A of scikit-learn).

    ``XtR = Xᵀr``; a dual-feasible point is the residual scaled by ``min(1, l1/‖Xᵀr − l2 w‖∞)``.
    For ``l1 = 0`` it falls back to ridge's gap (``l2 > 0``) or ‖Xᵀr‖² (least squares).
    """
    w_l2 = float(w @ w)
    XtA = XtR - l2 * w  # (p,)
    if l1 == 0.0:
        norm2 = float(XtR @ XtR)
        if l2 == 0.0:
            return norm2
        return R_norm2 + 0.5 * l2 * w_l2 - Ry + norm2 / (2.0 * l2)
    dual_norm = float(XtA.max()) if positive else float(np.abs(XtA).max())
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * float(np.abs(w).sum())
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale**2 * (R_norm2 + l2 * w_l2) + scale * Ry
    return primal - dual


def _soft_threshold_update(z, l1, denominator, positive):
    if positive and z < 0.0:
        return 0.0
    return np.sign(z) * max(abs(z) - l1, 0.0) / denominator


def enet_coordinate_descent(X, y, w, l1, l2, *, max_iter, tol, positive, use_gram):
    """Minimise ``½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²`` from ``w`` (modified in place).

    X : (n, p) centred, y : (n,) centred. Returns ``(w, gap, scaled_tol, n_iter)``.
    """
    n, p = X.shape
    y_norm2 = float(y @ y)
    update_tol = tol  # relative size of the largest update that triggers a gap check
    tol = tol * y_norm2
    gap = tol + 1.0
    if use_gram:
        Q = X.T @ X  # (p, p)
        q = X.T @ y  # (p,)
        Qw = Q @ w  # (p,)
        diag = np.diag(Q).copy()
    else:
        X = np.asfortranarray(X)  # contiguous columns for the per-feature dot products
        diag = np.einsum("ij,ij->j", X, X)  # ‖x_j‖², (p,)
        R = y - X @ w  # (n,)

    def gap_now():
        if use_gram:
            wq = float(w @ q)
            R_norm2 = y_norm2 - 2.0 * wq + float(w @ Qw)
            return _duality_gap(l1, l2, w, R_norm2, y_norm2 - wq, q - Qw, positive)
        return _duality_gap(l1, l2, w, float(R @ R), float(R @ y), X.T @ R, positive)

    gap = gap_now()
    if gap <= tol:
        return w, gap, tol, 0
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        w_max = 0.0
        dw_max = 0.0
        for j in range(p):
            if diag[j] == 0.0:
                continue
            w_j = w[j]
            if use_gram:
                z = q[j] - Qw[j] + w_j * diag[j]  # x_jᵀ(partial residual)
            else:
                z = float(X[:, j] @ R) + w_j * diag[j]
            new = _soft_threshold_update(z, l1, diag[j] + l2, positive)
            if new != w_j:
                delta = new - w_j
                if use_gram:
                    Qw += delta * Q[:, j]  # Qw ← Qw + Δw_j Q_j
                else:
                    R -= delta * X[:, j]  # r ← r − Δw_j x_j
                w[j] = new
            dw_max = max(dw_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or dw_max / w_max <= update_tol or n_iter == max_iter:
            gap = gap_now()
            if gap <= tol:
                return w, gap, tol, n_iter
    warnings.warn(
        "Objective did not converge. You might want to increase the number of iterations, "
        f"check the scale of the features or increase regularisation. Duality gap: {gap:.6e}, "
        f"tolerance: {tol:.3e}",
        ConvergenceWarning,
    )
    return w, gap, tol, n_iter


class ElasticNet(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Elastic net ``1/(2n)‖y − Xw − b‖² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖²`` (Inventory: LM-08).

    Solved by cyclic coordinate descent with soft-thresholding (see the module docstring); the
    intercept is unpenalised (data centred). ``l1_ratio = 1`` is the lasso, ``0`` ridge with
    scikit-learn's 1/(2n) scaling. With sample weights (rescaled to sum to n, as scikit-learn
    does) the squared loss is ``1/(2n) Σ sᵢ rᵢ²``.

    Parameters
    ----------
    alpha : float ≥ 0, default=1.0
    l1_ratio : float in [0, 1], default=0.5
    fit_intercept : bool, default=True
    precompute : bool or "auto", default="auto"
        Use the Gram matrix XᵀX (O(p) updates); "auto" when n_samples > n_features.
    max_iter : int, default=1000
    tol : float, default=1e-4  (duality gap ≤ tol·‖y‖²)
    warm_start : bool, default=False  (start from the previous ``coef_``)
    positive : bool, default=False  (constrain w ≥ 0)

    Attributes
    ----------
    coef_, intercept_, n_iter_, dual_gap_

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> ElasticNet(alpha=0.1, l1_ratio=0.5).fit(X, [0.0, 1.0, 2.0]).coef_.round(4)
    array([0.446 , 0.4455])
    """

    def __init__(
        self,
        *,
        alpha=1.0,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive

    def _glassml_tags(self):
        return {"multi_output": True}

    def _check_params(self):
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0)
        check_scalar(self.l1_ratio, "l1_ratio", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0.0)
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        check_scalar(self.positive, "positive", (bool, np.bool_))
        if not isinstance(self.precompute, bool | np.bool_):
            check_in(self.precompute, "precompute", (True, False, "auto"))

    def fit(self, X, y, sample_weight=None):
        """Fit by coordinate descent; ``y`` may be (n,) or (n, n_targets)."""
        self._check_params()
        X, y = self._validate_data(X, y, multi_output=True, y_numeric=True)
        X = X.astype(np.float64, copy=False)
        y = y.astype(np.float64, copy=False)
        n, p = X.shape
        sample_weight = check_positive_weights(sample_weight, X)
        if sample_weight is not None:
            sample_weight = sample_weight * (n / sample_weight.sum())
        Y = y.reshape(n, -1)  # (n, k)
        Xc, Yc, x_mean, y_mean = center_data(X, Y, sample_weight, self.fit_intercept)
        if sample_weight is not None:
            sqrt_w = np.sqrt(sample_weight)[:, None]
            Xc, Yc = Xc * sqrt_w, Yc * sqrt_w
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0 this is ordinary least squares; coordinate descent converges "
                "slowly there. Use LinearRegression instead.",
                UserWarning,
            )
        use_gram = n > p if self.precompute == "auto" else bool(self.precompute)
        l1 = self.alpha * self.l1_ratio * n
        l2 = self.alpha * (1.0 - self.l1_ratio) * n
        k = Y.shape[1]
        previous = getattr(self, "coef_", None) if self.warm_start else None
        W = np.zeros((k, p))
        if previous is not None and np.size(previous) == k * p:
            W[:] = np.reshape(previous, (k, p))
        gaps, iters = np.empty(k), np.empty(k, dtype=int)
        for t in range(k):
            W[t], gaps[t], _, iters[t] = enet_coordinate_descent(
                Xc,
                Yc[:, t],
                W[t].copy(),
                l1,
                l2,
                max_iter=self.max_iter,
                tol=self.tol,
                positive=bool(self.positive),
                use_gram=use_gram,
            )
        gaps /= n  # scikit-learn reports the gap of the 1/(2n)-scaled objective
        intercept = y_mean - W @ x_mean if self.fit_intercept else np.zeros(k)
        if y.ndim == 1:
            self.coef_, self.intercept_ = W[0], float(intercept[0])
            self.dual_gap_, self.n_iter_ = float(gaps[0]), int(iters[0])
        else:
            self.coef_, self.intercept_ = W, np.asarray(intercept)
            self.dual_gap_, self.n_iter_ = gaps, iters
        return self


class Lasso(ElasticNet):
    """Lasso ``1/(2n)‖y − Xw − b‖² + α‖w‖₁`` by coordinate descent (Inventory: LM-07).

    The elastic net with ``l1_ratio = 1``: the update ``w_j ← S(x_jᵀr_j, nα)/‖x_j‖²`` sets a
    coefficient exactly to zero whenever ``|x_jᵀr_j| ≤ nα`` — the lasso's feature selection.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> Lasso(alpha=0.1).fit(X, [0.0, 1.0, 2.0, 3.0]).coef_.round(3)
    array([0.92, 0.  ])
    """

    l1_ratio = 1.0  # fixed: not a hyperparameter of the lasso

    def __init__(
        self,
        *,
        alpha=1.0,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, max_iter=1000, tol=1e-4):
    """Elastic-net coefficients along a decreasing grid of α, each fit warm-started.

    The grid is ``n_alphas`` log-spaced values from ``α_max = max|Xᵀy| / (n ρ)`` (the smallest
    α at which all coefficients are zero) down to ``eps · α_max``, like scikit-learn. X and y
    are used as given (centre them first for an intercept).

    Returns ``alphas`` (n_alphas,) and ``coefs`` (n_features, n_alphas).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    >>> alphas, coefs = enet_path(X, [1.0, 0.5, -1.0, -0.5], l1_ratio=1.0, n_alphas=3)
    >>> coefs[:, 0]
    array([0., 0.])
    """
    X = check_array(X, name="X", dtype=np.float64)
    y = check_array(y, name="y", ensure_2d=False, dtype=np.float64)
    check_scalar(l1_ratio, "l1_ratio", numbers.Real, min_val=0.0, max_val=1.0)
    n, p = X.shape
    if alphas is None:
        if l1_ratio == 0:
            raise ValueError("l1_ratio: the automatic alpha grid needs l1_ratio > 0, got 0.")
        alpha_max = float(np.abs(X.T @ y).max()) / (n * l1_ratio)
        alphas = np.geomspace(alpha_max, alpha_max * eps, n_alphas)
    else:
        alphas = np.sort(np.asarray(alphas, dtype=np.float64))[::-1]
    coefs = np.empty((p, alphas.shape[0]))
    w = np.zeros(p)
    for i, alpha in enumerate(alphas):
        w, *_ = enet_coordinate_descent(
            X,
            y,
            w,
            alpha * l1_ratio * n,
            alpha * (1.0 - l1_ratio) * n,
            max_iter=max_iter,
            tol=tol,
            positive=False,
            use_gram=n > p,
        )
        coefs[:, i] = w
    return alphas, coefs


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, max_iter=1000, tol=1e-4):
    """Lasso coefficients along a grid of α: :func:`enet_path` with ``l1_ratio=1``."""
    return enet_path(
        X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas, max_iter=max_iter, tol=tol
    )
