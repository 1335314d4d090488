"""Statistics and diagnostics of an ordinary-least-squares fit (Inventory: LM-13).

* Coefficient standard errors: ``Cov(ŵ) = σ̂² (X_cᵀ W X_c)⁻¹`` with ``σ̂² = SSR / (n − p − 1)``;
  the intercept's variance is ``σ̂² (1/Σs + x̄ᵀ (X_cᵀ W X_c)⁻¹ x̄)``; ``t = ŵ / se(ŵ)``,
  two-sided p-value ``2·P(T_{n−p−1} > |t|)``.
* ``R² = 1 − SSR/SST`` and ``adjusted R² = 1 − (1 − R²)(n − 1)/(n − p − 1)``.
* Variance inflation factor ``VIF_j = 1 / (1 − R_j²)``, R_j² of regressing x_j on the others.
* Breusch–Pagan (Koenker's studentised form): regress e² on X; ``LM = n·R²_aux`` is χ²_p
  under homoscedasticity.
* Durbin–Watson ``DW = Σ(e_t − e_{t−1})² / Σ e_t²`` (≈ 2 for independent errors) and the
  Jarque–Bera normality test of the residuals.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from .._core import check_array, column_or_1d

__all__ = [
    "ols_statistics",
    "variance_inflation_factor",
    "breusch_pagan",
    "durbin_watson",
    "residual_diagnostics",
    "TestResult",
]


class TestResult(NamedTuple):
    """A test statistic and its p-value."""

    statistic: float
    pvalue: float


def ols_statistics(*, residuals, y, sample_weight, gram_inverse, x_mean, coef, fit_intercept, rank):
    """Fit statistics of a single-target least-squares fit (see module docstring).

    ``gram_inverse`` is ``(X_cᵀ W X_c)⁻¹`` (p, p) or ``None`` when X is rank deficient, in
    which case standard errors, t- and p-values are NaN.
    """
    n, p = y.shape[0], coef.shape[0]
    weights = np.ones(n) if sample_weight is None else sample_weight
    total = weights.sum()
    y_mean = (weights @ y) / total if fit_intercept else 0.0
    ssr = float(weights @ residuals**2)  # Σ sᵢ eᵢ²
    sst = float(weights @ (y - y_mean) ** 2)  # Σ sᵢ (yᵢ − ȳ)²
    r2 = 1.0 - ssr / sst if sst > 0 else (1.0 if ssr == 0 else 0.0)
    dof = n - rank - int(fit_intercept)
    out = {"r2_": r2, "ssr_": ssr, "df_resid_": dof}
    out["adjusted_r2_"] = 1.0 - (1.0 - r2) * (n - int(fit_intercept)) / dof if dof > 0 else np.nan
    nan = np.full(p, np.nan)
    if gram_inverse is None or dof <= 0:
        out.update(bse_=nan, tvalues_=nan, pvalues_=nan, intercept_bse_=np.nan, sigma2_=np.nan)
        return out
    sigma2 = ssr / dof
    bse = np.sqrt(sigma2 * np.diag(gram_inverse))  # (p,)
    with np.errstate(divide="ignore", invalid="ignore"):
        tvalues = coef / bse
    out.update(
        sigma2_=sigma2,
        bse_=bse,
        tvalues_=tvalues,
        pvalues_=2.0 * stats.t.sf(np.abs(tvalues), dof),
    )
    if fit_intercept:
        out["intercept_bse_"] = float(
            np.sqrt(sigma2 * (1.0 / total + x_mean @ gram_inverse @ x_mean))
        )
    else:
        out["intercept_bse_"] = np.nan
    return out


def _r2_on(Z, target) -> float:
    """R² of the least-squares regression of ``target`` on ``Z`` plus an intercept."""
    Zc = Z - Z.mean(axis=0)
    tc = target - target.mean()
    sst = float(tc @ tc)
    if sst == 0.0:
        return 1.0
    if Zc.shape[1] == 0:
        return 0.0
    coef, *_ = np.linalg.lstsq(Zc, tc, rcond=None)
    resid = tc - Zc @ coef
    return 1.0 - float(resid @ resid) / sst


def variance_inflation_factor(X) -> np.ndarray:
    """Variance inflation factors ``VIF_j = 1/(1 − R_j²)`` of every column of ``X``.

    ``R_j²`` is the R² of regressing column j on all other columns (with an intercept). VIF = 1
    for an uncorrelated column, > 10 signals strong multicollinearity, ``inf`` an exactly
    collinear one (Inventory: LM-13).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=200)
    >>> X = np.column_stack([a, a + 0.01 * rng.normal(size=200), rng.normal(size=200)])
    >>> variance_inflation_factor(X).round(0).tolist()[2]
    1.0
    """
    X = check_array(X, name="X")
    if X.shape[1] < 2:
        raise ValueError(f"X: VIF needs at least 2 columns, got {X.shape[1]}.")
    vif = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        r2 = _r2_on(np.delete(X, j, axis=1), X[:, j])
        vif[j] = np.inf if r2 >= 1.0 - 1e-12 else 1.0 / (1.0 - r2)
    return vif


def breusch_pagan(X, residuals) -> TestResult:
    """Breusch–Pagan test for heteroscedasticity (Koenker's studentised version).

    Regress the squared residuals e² on X with an intercept; ``LM = n · R²_aux`` follows χ² with
    ``p`` degrees of freedom when the error variance does not depend on X. A small p-value flags
    heteroscedasticity (Inventory: LM-13, CL-022).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(1, 5, size=(400, 1))
    >>> e = rng.normal(size=400) * x[:, 0]          # noise grows with x
    >>> breusch_pagan(x, e).pvalue < 0.01
    True
    """
    X = check_array(X, name="X")
    e = column_or_1d(np.asarray(residuals, dtype=float), name="residuals")
    if e.shape[0] != X.shape[0]:
        raise ValueError(
            f"residuals: expected {X.shape[0]} values (one per row of X), got {e.shape[0]}."
        )
    n, p = X.shape
    lm = n * _r2_on(X, e**2)
    return TestResult(float(lm), float(stats.chi2.sf(lm, p)))


def durbin_watson(residuals) -> float:
    """Durbin–Watson statistic ``Σ(e_t − e_{t−1})² / Σ e_t²`` (≈ 2: no autocorrelation)."""
    e = column_or_1d(np.asarray(residuals, dtype=float), name="residuals")
    return float(np.sum(np.diff(e) ** 2) / np.sum(e**2))


def residual_diagnostics(X, residuals) -> dict:
    """Checks of the linear-regression assumptions from the residuals of a fit (LM-13).

    Returns a dict with the Breusch–Pagan statistic/p-value (homoscedasticity), the
    Durbin–Watson statistic (independence) and the Jarque–Bera statistic/p-value (normal
    errors).
    """
    X = check_array(X, name="X")
    e = column_or_1d(np.asarray(residuals, dtype=float), name="residuals")
    bp = breusch_pagan(X, e)
    jb = stats.jarque_bera(e)
    return {
        "breusch_pagan_statistic": bp.statistic,
        "breusch_pagan_pvalue": bp.pvalue,
        "durbin_watson": durbin_watson(e),
        "jarque_bera_statistic": float(jb.statistic),
        "jarque_bera_pvalue": float(jb.pvalue),
    }
