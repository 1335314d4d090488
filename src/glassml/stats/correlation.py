"""Covariance and correlation: covariance matrix, Pearson, Spearman, Kendall (Inventory: ST-17).

Correlation is standardised covariance, r = cov(x, y) / (σₓ σ_y) ∈ [−1, 1], unchanged by
positive affine maps of either variable (CL-033).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special

from ._checks import alternative as check_alternative
from ._checks import as_sample, integer

__all__ = ["CorrelationResult", "covariance", "pearsonr", "spearmanr", "kendalltau", "rankdata"]


class CorrelationResult(NamedTuple):
    statistic: float
    pvalue: float


def covariance(X, ddof: int = 1) -> np.ndarray:
    """Covariance matrix of the columns of X (n, p): C = (X − x̄)ᵀ(X − x̄) / (n − ddof).

    Inventory: ST-17.

    >>> covariance([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]).tolist()
    [[1.0, 2.0], [2.0, 4.0]]
    """
    A = np.asarray(X, dtype=float)
    if A.ndim == 1:
        A = A[:, None]
    if A.ndim != 2:
        raise ValueError(f"X: expected a 2-D array (n_samples, n_features), got shape {A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError("X: contains NaN or infinity.")
    ddof = integer(ddof, "ddof", low=0)
    if A.shape[0] <= ddof:
        raise ValueError(f"X: needs more than ddof = {ddof} rows, got {A.shape[0]}.")
    centred = A - A.mean(axis=0)  # (n, p)
    return centred.T @ centred / (A.shape[0] - ddof)  # (p, p)


def _pair(x, y, min_size=2):
    x = as_sample(x, "x", min_size=min_size, what="a correlation")
    y = as_sample(y, "y", min_size=min_size, what="a correlation")
    if x.size != y.size:
        raise ValueError(f"y: expected the same length as x ({x.size}), got {y.size}.")
    return x, y


def _pearson(x, y) -> float:
    xc, yc = x - x.mean(), y - y.mean()
    nx, ny = np.linalg.norm(xc), np.linalg.norm(yc)
    if nx == 0 or ny == 0:
        raise ValueError("x, y: an input is constant, so the correlation is undefined.")
    r = float((xc / nx) @ (yc / ny))
    return max(-1.0, min(1.0, r))


def pearsonr(x, y, *, alternative: str = "two-sided") -> CorrelationResult:
    """Pearson's r = Σ(xᵢ−x̄)(yᵢ−ȳ) / sqrt(Σ(xᵢ−x̄)² Σ(yᵢ−ȳ)²) with the exact p-value under
    bivariate normality: (r+1)/2 ~ Beta(n/2 − 1, n/2 − 1) under H0 (equivalently
    t = r sqrt((n−2)/(1−r²)) ~ t_{n−2}).

    Inventory: ST-17.

    >>> round(pearsonr([1, 2, 3, 4], [1, 3, 2, 4]).statistic, 4)
    0.8
    """
    alternative = check_alternative(alternative)
    x, y = _pair(x, y)
    r = _pearson(x, y)
    n = x.size
    if n == 2:
        return CorrelationResult(r, 1.0)
    a = n / 2.0 - 1.0
    below = special.betainc(a, a, (1.0 + r) / 2.0)  # P(R <= r)
    above = special.betainc(a, a, (1.0 - r) / 2.0)  # P(R >= r)
    if alternative == "less":
        p = below
    elif alternative == "greater":
        p = above
    else:
        p = 2.0 * min(below, above)
    return CorrelationResult(r, float(min(1.0, p)))


def rankdata(x) -> np.ndarray:
    """Ranks 1..n, ties getting the average of the ranks they span.

    >>> rankdata([10, 20, 20, 5]).tolist()
    [2.0, 3.5, 3.5, 1.0]
    """
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    s = x[order]
    new = np.r_[True, s[1:] != s[:-1]]  # start of each tie block
    block = np.cumsum(new) - 1  # (n,) block id in sorted order
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], s.size]  # exclusive
    avg = (starts + 1 + ends) / 2.0  # mean of ranks starts+1..ends
    ranks = np.empty(x.size)
    ranks[order] = avg[block]
    return ranks


def spearmanr(x, y, *, alternative: str = "two-sided") -> CorrelationResult:
    """Spearman's ρ: Pearson's r of the (average) ranks; p-value from
    t = ρ sqrt((n−2)/((1−ρ)(1+ρ))) ~ t_{n−2} (as scipy.stats.spearmanr).

    Inventory: ST-17.
    """
    alternative = check_alternative(alternative)
    x, y = _pair(x, y, min_size=3)
    rho = np.float64(_pearson(rankdata(x), rankdata(y)))
    df = x.size - 2.0
    with np.errstate(divide="ignore"):
        t = rho * np.sqrt(df / ((rho + 1.0) * (1.0 - rho)))
    lower, upper = special.stdtr(df, t), special.stdtr(df, -t)
    p = (
        lower
        if alternative == "less"
        else upper
        if alternative == "greater"
        else 2 * min(lower, upper)
    )
    return CorrelationResult(float(rho), float(min(1.0, p)))


def _tie_sums(v):
    _, counts = np.unique(v, return_counts=True)
    t = counts.astype(float)
    return (t * (t - 1)).sum() / 2, (t * (t - 1) * (t - 2)).sum(), (t * (t - 1) * (2 * t + 5)).sum()


def kendalltau(x, y, *, alternative: str = "two-sided") -> CorrelationResult:
    """Kendall's τ_b = (C − D) / sqrt((n₀ − n₁)(n₀ − n₂)) with the normal-approximation
    p-value including tie corrections (scipy's method='asymptotic'). O(n²) memory in blocks
    of rows, for n up to a few thousand.

    Inventory: ST-17.

    >>> round(kendalltau([1, 2, 3, 4], [1, 3, 2, 4]).statistic, 4)
    0.6667
    """
    alternative = check_alternative(alternative)
    x, y = _pair(x, y, min_size=2)
    n = x.size
    s = 0.0  # C − D
    block = max(1, 2_000_000 // n)
    for start in range(0, n, block):
        sx = np.sign(x[start : start + block, None] - x[None, :])  # (b, n)
        sy = np.sign(y[start : start + block, None] - y[None, :])
        s += float(np.einsum("ij,ij->", sx, sy, optimize=True))
    s /= 2.0  # every pair counted twice
    n0 = n * (n - 1) / 2.0
    xtie, x0, x1 = _tie_sums(x)
    ytie, y0, y1 = _tie_sums(y)
    if xtie == n0 or ytie == n0:
        raise ValueError("x, y: an input is constant, so Kendall's tau is undefined.")
    tau = s / np.sqrt((n0 - xtie) * (n0 - ytie))
    tau = max(-1.0, min(1.0, tau))
    m = n * (n - 1.0)
    var = (m * (2 * n + 5) - x1 - y1) / 18 + (2 * xtie * ytie) / m
    if n > 2:
        var += x0 * y0 / (9 * m * (n - 2))
    z = s / np.sqrt(var)
    lower, upper = special.ndtr(z), special.ndtr(-z)
    p = (
        lower
        if alternative == "less"
        else upper
        if alternative == "greater"
        else 2 * min(lower, upper)
    )
    return CorrelationResult(float(tau), float(min(1.0, p)))
