"""Classical hypothesis tests: z-tests, t-tests, chi-square tests and one-way ANOVA
(Inventory: ST-15).

Each returns a named tuple ``(statistic, pvalue, df, ...)``. The p-value is the probability,
under H0, of a statistic **at least as extreme** as the one observed (inventory E-04: it is not
P(H0 | data)). ``alternative`` is 'two-sided', 'less' or 'greater' (the mean of the first
sample is less / greater than under H0). Reference distributions come from scipy.special
(ndtr, stdtr, chdtrc, fdtrc).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special

from ._checks import alternative as check_alternative
from ._checks import as_sample, integer, positive, probability, real

__all__ = [
    "TestResult",
    "Chi2ContingencyResult",
    "ztest",
    "proportions_ztest",
    "ttest_1samp",
    "ttest_ind",
    "ttest_rel",
    "chisquare",
    "chi2_contingency",
    "f_oneway",
    "FOnewayResult",
]


class TestResult(NamedTuple):
    """statistic, pvalue and degrees of freedom (``inf`` for z-tests)."""

    statistic: float
    pvalue: float
    df: float


TestResult.__test__ = False  # not a pytest test class


class Chi2ContingencyResult(NamedTuple):
    statistic: float
    pvalue: float
    dof: int
    expected_freq: np.ndarray


def _p_from_cdf(cdf_lower: float, cdf_upper: float, alternative: str) -> float:
    """p-value from P(T <= t) and P(T >= t) for a symmetric reference distribution."""
    if alternative == "less":
        return float(cdf_lower)
    if alternative == "greater":
        return float(cdf_upper)
    return float(min(1.0, 2.0 * min(cdf_lower, cdf_upper)))


def _z_pvalue(z: float, alternative: str) -> float:
    return _p_from_cdf(special.ndtr(z), special.ndtr(-z), alternative)


def _t_pvalue(t: float, df: float, alternative: str) -> float:
    return _p_from_cdf(special.stdtr(df, t), special.stdtr(df, -t), alternative)


def ztest(
    x, y=None, *, value: float = 0.0, sigma=None, alternative: str = "two-sided"
) -> TestResult:
    """z-test for a mean (one sample) or a difference of means (two samples).

    One sample: z = (x̄ − value) / (σ/√n); two samples: z = (x̄ − ȳ − value) /
    sqrt(σₓ²/nₓ + σ_y²/n_y). ``sigma`` is the known standard deviation (a number, or a pair
    for two samples); when omitted the sample standard deviation (ddof=1) is plugged in — the
    large-sample approximation.

    Inventory: ST-15.

    >>> round(ztest([1.0, 2.0, 3.0], value=0.0, sigma=1.0).statistic, 4)
    3.4641
    """
    alternative = check_alternative(alternative)
    value = real(value, "value")
    x = as_sample(x, "x", min_size=1 if sigma is not None else 2, what="a z-test")
    if y is None:
        s = positive(sigma, "sigma") if sigma is not None else x.std(ddof=1)
        if s == 0:
            raise ValueError("x: zero sample variance; the z statistic is undefined.")
        z = (x.mean() - value) / (s / np.sqrt(x.size))
    else:
        y = as_sample(y, "y", min_size=1 if sigma is not None else 2, what="a z-test")
        if sigma is None:
            sx, sy = x.std(ddof=1), y.std(ddof=1)
        else:
            pair = np.broadcast_to(np.asarray(sigma, dtype=float), (2,))
            sx, sy = positive(float(pair[0]), "sigma"), positive(float(pair[1]), "sigma")
        se = np.sqrt(sx**2 / x.size + sy**2 / y.size)
        if se == 0:
            raise ValueError("x, y: zero variance in both samples; the z statistic is undefined.")
        z = (x.mean() - y.mean() - value) / se
    return TestResult(float(z), _z_pvalue(z, alternative), np.inf)


def proportions_ztest(count, nobs, *, value=None, alternative: str = "two-sided") -> TestResult:
    """z-test for one proportion or the difference of two proportions.

    One sample: z = (p̂ − p₀) / sqrt(p₀(1−p₀)/n). Two samples (pooled under H0: p₁ = p₂):
    z = (p̂₁ − p̂₂) / sqrt(p̄(1−p̄)(1/n₁ + 1/n₂)), p̄ = (c₁+c₂)/(n₁+n₂).

    Inventory: ST-15.

    >>> round(proportions_ztest(60, 100, value=0.5).statistic, 4)
    2.0
    """
    alternative = check_alternative(alternative)
    counts = np.atleast_1d(np.asarray(count, dtype=float))
    n = np.atleast_1d(np.asarray(nobs, dtype=float))
    if counts.shape != n.shape or counts.size not in (1, 2):
        raise ValueError("count, nobs: expected one or two counts with matching nobs.")
    if (n <= 0).any() or (counts < 0).any() or (counts > n).any():
        raise ValueError(f"count: expected 0 <= count <= nobs (nobs > 0), got {counts} of {n}.")
    phat = counts / n
    if counts.size == 1:
        if value is None:
            raise ValueError("value: a one-sample proportion test needs the null proportion.")
        p0 = probability(value, "value")
        if p0 in (0.0, 1.0):
            raise ValueError("value: the null proportion must lie strictly inside (0, 1).")
        z = (phat[0] - p0) / np.sqrt(p0 * (1 - p0) / n[0])
    else:
        pooled = counts.sum() / n.sum()
        se = np.sqrt(pooled * (1 - pooled) * (1 / n[0] + 1 / n[1]))
        if se == 0:
            raise ValueError("count: pooled proportion is 0 or 1; the z statistic is undefined.")
        z = (phat[0] - phat[1]) / se
    return TestResult(float(z), _z_pvalue(z, alternative), np.inf)


def ttest_1samp(x, popmean: float = 0.0, *, alternative: str = "two-sided") -> TestResult:
    """One-sample Student t-test: t = (x̄ − μ₀) / (s/√n), df = n − 1.

    Inventory: ST-15.

    >>> r = ttest_1samp([5.1, 4.9, 5.3, 5.5], popmean=5.0)
    >>> round(r.statistic, 4), r.df
    (1.5492, 3.0)
    """
    alternative = check_alternative(alternative)
    x = as_sample(x, "x", min_size=2, what="a t-test")
    s = x.std(ddof=1)
    if s == 0:
        raise ValueError("x: zero sample variance; the t statistic is undefined.")
    t = (x.mean() - real(popmean, "popmean")) / (s / np.sqrt(x.size))
    df = x.size - 1.0
    return TestResult(float(t), _t_pvalue(t, df, alternative), df)


def ttest_ind(x, y, *, equal_var: bool = True, alternative: str = "two-sided") -> TestResult:
    """Two-sample t-test: Student's (pooled variance) or Welch's (``equal_var=False``).

    Student: t = (x̄ − ȳ) / (s_p sqrt(1/nₓ + 1/n_y)), s_p² = ((nₓ−1)sₓ² + (n_y−1)s_y²)/(nₓ+n_y−2).
    Welch: t = (x̄ − ȳ)/sqrt(sₓ²/nₓ + s_y²/n_y) with Welch–Satterthwaite df.

    Inventory: ST-15.
    """
    alternative = check_alternative(alternative)
    x = as_sample(x, "x", min_size=2, what="a two-sample t-test")
    y = as_sample(y, "y", min_size=2, what="a two-sample t-test")
    nx, ny = x.size, y.size
    vx, vy = x.var(ddof=1), y.var(ddof=1)
    if equal_var:
        df = nx + ny - 2.0
        pooled = ((nx - 1) * vx + (ny - 1) * vy) / df
        se = np.sqrt(pooled * (1.0 / nx + 1.0 / ny))
    else:
        ax, ay = vx / nx, vy / ny
        se = np.sqrt(ax + ay)
        df = (ax + ay) ** 2 / (ax**2 / (nx - 1) + ay**2 / (ny - 1)) if se > 0 else np.nan
    if se == 0:
        raise ValueError("x, y: zero variance in both samples; the t statistic is undefined.")
    t = (x.mean() - y.mean()) / se
    return TestResult(float(t), _t_pvalue(t, df, alternative), float(df))


def ttest_rel(x, y, *, alternative: str = "two-sided") -> TestResult:
    """Paired t-test: the one-sample t-test of the differences d = x − y.

    Inventory: ST-15.
    """
    x = as_sample(x, "x", min_size=2, what="a paired t-test")
    y = as_sample(y, "y", min_size=2, what="a paired t-test")
    if x.size != y.size:
        raise ValueError(
            f"y: a paired test needs samples of equal length, got {x.size} and {y.size}."
        )
    return ttest_1samp(x - y, 0.0, alternative=alternative)


def chisquare(f_obs, f_exp=None, *, ddof: int = 0) -> TestResult:
    """Pearson's chi-square goodness-of-fit test: χ² = Σ (O − E)² / E, df = k − 1 − ddof.

    ``f_exp`` defaults to equal frequencies and must have the same total as ``f_obs``.

    Inventory: ST-15.

    >>> round(chisquare([16, 18, 16, 14, 12, 12]).statistic, 4)
    2.0
    """
    obs = as_sample(f_obs, "f_obs", min_size=2, what="a chi-square test")
    if (obs < 0).any():
        raise ValueError("f_obs: observed frequencies must be >= 0.")
    if f_exp is None:
        exp = np.full_like(obs, obs.mean())
    else:
        exp = as_sample(f_exp, "f_exp", min_size=2, what="a chi-square test")
        if exp.shape != obs.shape:
            raise ValueError(f"f_exp: expected shape {obs.shape} like f_obs, got {exp.shape}.")
        if (exp <= 0).any():
            raise ValueError("f_exp: expected frequencies must be > 0.")
        if abs(exp.sum() - obs.sum()) > 1e-8 * obs.sum():
            raise ValueError(
                f"f_exp: expected frequencies must sum to the observed total {obs.sum()}, "
                f"got {exp.sum()}."
            )
    ddof = integer(ddof, "ddof", low=0)
    df = obs.size - 1 - ddof
    if df < 1:
        raise ValueError(f"ddof: leaves {df} degrees of freedom; need at least 1.")
    stat = float(((obs - exp) ** 2 / exp).sum())
    return TestResult(stat, float(special.chdtrc(df, stat)), float(df))


def chi2_contingency(observed, *, correction: bool = True) -> Chi2ContingencyResult:
    """Chi-square test of independence for an r×c contingency table.

    Eᵢⱼ = rowᵢ · colⱼ / N; χ² = Σ (Oᵢⱼ − Eᵢⱼ)² / Eᵢⱼ; dof = (r−1)(c−1). With ``correction``
    and dof = 1, Yates' continuity correction moves each Oᵢⱼ by min(0.5, |Eᵢⱼ − Oᵢⱼ|) toward Eᵢⱼ.

    Inventory: ST-15.
    """
    table = np.asarray(observed, dtype=float)
    if table.ndim != 2 or min(table.shape) < 2:
        raise ValueError(
            f"observed: expected a 2-D table with at least 2 rows and 2 columns, got shape {table.shape}."
        )
    if not np.isfinite(table).all() or (table < 0).any():
        raise ValueError("observed: frequencies must be finite and >= 0.")
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total if total > 0 else table
    if (expected == 0).any():
        raise ValueError("observed: a row or column sums to zero, so an expected frequency is 0.")
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    obs = table
    if correction and dof == 1:
        diff = expected - obs
        obs = obs + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    stat = float(((obs - expected) ** 2 / expected).sum())
    return Chi2ContingencyResult(stat, float(special.chdtrc(dof, stat)), dof, expected)


class FOnewayResult(NamedTuple):
    statistic: float
    pvalue: float
    df_between: float
    df_within: float


def f_oneway(*groups) -> FOnewayResult:
    """One-way ANOVA: F = [SS_between/(k−1)] / [SS_within/(N−k)].

    SS_between = Σⱼ nⱼ(ȳⱼ − ȳ)², SS_within = Σⱼ Σᵢ (yᵢⱼ − ȳⱼ)².

    Inventory: ST-15.
    """
    if len(groups) < 2:
        raise ValueError(f"groups: one-way ANOVA needs at least 2 groups, got {len(groups)}.")
    samples = [as_sample(g, f"groups[{i}]", min_size=1, what="ANOVA") for i, g in enumerate(groups)]
    sizes = np.array([s.size for s in samples], dtype=float)
    k, N = len(samples), sizes.sum()
    if N <= k:
        raise ValueError(f"groups: need more observations ({int(N)}) than groups ({k}).")
    grand = np.concatenate(samples).mean()
    means = np.array([s.mean() for s in samples])
    ss_between = float(sizes @ (means - grand) ** 2)
    ss_within = float(sum(((s - m) ** 2).sum() for s, m in zip(samples, means, strict=True)))
    dfb, dfw = k - 1.0, N - k
    if ss_within == 0:
        raise ValueError("groups: zero variance within every group; F is undefined.")
    F = (ss_between / dfb) / (ss_within / dfw)
    return FOnewayResult(float(F), float(special.fdtrc(dfb, dfw, F)), dfb, float(dfw))
