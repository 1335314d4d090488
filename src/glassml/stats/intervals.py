"""Confidence intervals: t, z, proportions and the bootstrap (Inventory: ST-16, ST-19).

A 95% confidence interval is a procedure that covers the true parameter in 95% of repeated
samples; it is not a 95% probability statement about one computed interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import special

from .._core import check_random_state
from ._checks import as_sample, confidence, integer, positive

__all__ = [
    "ConfidenceInterval",
    "BootstrapResult",
    "t_interval",
    "z_interval",
    "proportion_interval",
    "bootstrap",
    "bootstrap_se",
]


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


def t_interval(x, confidence_level: float = 0.95) -> ConfidenceInterval:
    """Student-t interval for a mean: x̄ ± t_{1−α/2, n−1} · s/√n (s with ddof=1).

    Inventory: ST-16.

    >>> lo, hi = t_interval([4.8, 5.1, 5.3, 4.9, 5.2])
    >>> round(lo, 4), round(hi, 4)
    (4.8025, 5.3175)
    """
    level = confidence(confidence_level, "confidence_level")
    x = as_sample(x, "x", min_size=2, what="a t-interval")
    half = special.stdtrit(x.size - 1.0, 0.5 + level / 2) * x.std(ddof=1) / np.sqrt(x.size)
    return ConfidenceInterval(float(x.mean() - half), float(x.mean() + half))


def z_interval(x, confidence_level: float = 0.95, sigma: float | None = None) -> ConfidenceInterval:
    """Normal interval for a mean: x̄ ± z_{1−α/2} · σ/√n.

    With ``sigma`` known it is exact for normal data; without it the sample sd (ddof=1) is
    plugged in, which under-covers at small n (the t-interval fixes that; CL-032).

    Inventory: ST-16.
    """
    level = confidence(confidence_level, "confidence_level")
    x = as_sample(x, "x", min_size=1 if sigma is not None else 2, what="a z-interval")
    s = positive(sigma, "sigma") if sigma is not None else x.std(ddof=1)
    half = special.ndtri(0.5 + level / 2) * s / np.sqrt(x.size)
    return ConfidenceInterval(float(x.mean() - half), float(x.mean() + half))


def proportion_interval(
    count: int, nobs: int, confidence_level: float = 0.95, method: str = "wilson"
) -> ConfidenceInterval:
    """Interval for a binomial proportion p̂ = count/nobs.

    'normal' (Wald): p̂ ± z sqrt(p̂(1−p̂)/n). 'wilson':
    (p̂ + z²/2n ± z sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) — good coverage even near 0 or 1.

    Inventory: ST-16.

    >>> [round(v, 4) for v in proportion_interval(8, 10)]
    [0.4902, 0.9433]
    """
    level = confidence(confidence_level, "confidence_level")
    nobs = integer(nobs, "nobs", low=1)
    count = integer(count, "count", low=0)
    if count > nobs:
        raise ValueError(f"count: expected count <= nobs = {nobs}, got {count}.")
    if method not in ("wilson", "normal"):
        raise ValueError(f"method: expected one of ['wilson', 'normal'], got {method!r}.")
    z = special.ndtri(0.5 + level / 2)
    p = count / nobs
    if method == "normal":
        half = z * np.sqrt(p * (1 - p) / nobs)
        return ConfidenceInterval(float(p - half), float(p + half))
    denom = 1 + z**2 / nobs
    centre = (p + z**2 / (2 * nobs)) / denom
    half = z * np.sqrt(p * (1 - p) / nobs + z**2 / (4 * nobs**2)) / denom
    return ConfidenceInterval(float(centre - half), float(centre + half))


class BootstrapResult(NamedTuple):
    confidence_interval: ConfidenceInterval
    bootstrap_distribution: np.ndarray
    standard_error: float


def _vectorised(statistic: Callable) -> Callable:
    """statistic(sample, axis=-1) if it accepts ``axis``, else a row-by-row fallback."""

    def stat(a):
        try:
            return np.asarray(statistic(a, axis=-1), dtype=float)
        except TypeError:
            return np.apply_along_axis(statistic, -1, a).astype(float)

    return stat


def bootstrap(
    data,
    statistic: Callable = np.mean,
    *,
    n_resamples: int = 9999,
    confidence_level: float = 0.95,
    method: str = "BCa",
    random_state=None,
) -> BootstrapResult:
    """Nonparametric bootstrap confidence interval of ``statistic(data)``.

    All resamples are drawn at once as an index matrix (B, n) — ``integers(0, n, (B, n))``,
    the same draw scipy.stats.bootstrap makes — and the statistic is evaluated with
    ``axis=-1`` on the (B, n) matrix. With θ̂* the bootstrap replicates:

    * 'percentile': [q_{α/2}(θ̂*), q_{1−α/2}(θ̂*)];
    * 'basic': [2θ̂ − q_{1−α/2}, 2θ̂ − q_{α/2}];
    * 'BCa': percentile at α₁,₂ = Φ(ẑ₀ + (ẑ₀ + z_α)/(1 − â(ẑ₀ + z_α))), with bias correction
      ẑ₀ = Φ⁻¹(share of θ̂* below θ̂, ties half) and jackknife acceleration
      â = Σ U³ / (6 (Σ U²)^{3/2}), U_i = (n−1)(θ̄₍.₎ − θ̂₍ᵢ₎).

    The standard error is the sd (ddof=1) of θ̂*.

    Inventory: ST-19, DP-16.

    Example
    -------
    >>> x = np.random.default_rng(0).normal(size=50)
    >>> res = bootstrap(x, np.mean, n_resamples=2000, method="percentile", random_state=0)
    >>> bool(res.confidence_interval.low < x.mean() < res.confidence_interval.high)
    True
    """
    x = as_sample(data, "data", min_size=2, what="the bootstrap")
    B = integer(n_resamples, "n_resamples", low=1)
    level = confidence(confidence_level, "confidence_level")
    methods = {"percentile": "percentile", "basic": "basic", "bca": "bca"}
    if not isinstance(method, str) or method.lower() not in methods:
        raise ValueError(f"method: expected one of ['percentile', 'basic', 'BCa'], got {method!r}.")
    method = method.lower()
    if not callable(statistic):
        raise TypeError(f"statistic: expected a callable, got {type(statistic).__name__}.")
    rng = check_random_state(random_state)
    stat = _vectorised(statistic)
    n = x.size
    idx = rng.integers(0, n, (B, n))  # (B, n) resample indices
    theta_b = stat(x[idx])  # (B,)
    alpha = (1.0 - level) / 2.0
    theta_hat = float(stat(x[None, :])[0])
    if method == "bca":
        share = (np.count_nonzero(theta_b < theta_hat) + np.count_nonzero(theta_b <= theta_hat)) / (
            2 * B
        )
        z0 = special.ndtri(share)
        keep = ~np.eye(n, dtype=bool)  # (n, n): row i leaves out observation i
        theta_jack = stat(np.broadcast_to(x, (n, n))[keep].reshape(n, n - 1))  # (n,)
        U = (n - 1) * (theta_jack.mean() - theta_jack)
        a_hat = (U**3).sum() / n**3 / (6.0 * ((U**2).sum() / n**2) ** 1.5)
        z_alpha = special.ndtri(alpha)
        levels = []
        for z in (z_alpha, -z_alpha):
            levels.append(special.ndtr(z0 + (z0 + z) / (1 - a_hat * (z0 + z))))
        q = np.array(levels)
    else:
        q = np.array([alpha, 1.0 - alpha])
    lo, hi = np.quantile(theta_b, q)
    if method == "basic":
        lo, hi = 2 * theta_hat - hi, 2 * theta_hat - lo
    se = float(theta_b.std(ddof=1)) if B > 1 else float("nan")
    return BootstrapResult(ConfidenceInterval(float(lo), float(hi)), theta_b, se)


def bootstrap_se(
    data, statistic: Callable = np.mean, *, n_resamples: int = 2000, random_state=None
) -> float:
    """Bootstrap standard error: sd (ddof=1) of the statistic over resamples with replacement.

    For the mean it approaches σ̂/√n (CL-034). Inventory: ST-19.
    """
    res = bootstrap(
        data, statistic, n_resamples=n_resamples, method="percentile", random_state=random_state
    )
    return res.standard_error
