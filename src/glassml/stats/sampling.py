"""Sampling methods, a central-limit-theorem simulator and t-test power analysis
(Inventory: DP-16, ST-18, ST-24).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from scipy import special

from .._core import check_random_state
from ._checks import alternative as check_alternative
from ._checks import integer, positive, real

__all__ = [
    "simple_random_sample",
    "stratified_sample",
    "bootstrap_sample",
    "reservoir_sample",
    "clt_simulation",
    "ttest_power",
    "ttest_sample_size",
]


def _rows(X, name="X"):
    if X is None:
        raise ValueError(f"{name}: expected an array-like, got None.")
    arr = np.asarray(X)
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name}: expected a non-empty array-like, got shape {arr.shape}.")
    return arr


def simple_random_sample(X, n: int, *, replace: bool = False, random_state=None) -> np.ndarray:
    """Indices of a simple random sample of ``n`` rows (each subset equally likely).

    Inventory: DP-16.

    >>> simple_random_sample(np.arange(10), 3, random_state=0).shape
    (3,)
    """
    N = _rows(X).shape[0]
    n = integer(n, "n", low=1)
    if not replace and n > N:
        raise ValueError(f"n: cannot draw {n} rows without replacement from {N}.")
    rng = check_random_state(random_state)
    return rng.choice(N, size=n, replace=replace)


def bootstrap_sample(X, *, random_state=None) -> np.ndarray:
    """Indices of a bootstrap resample: N draws with replacement from N rows.

    Inventory: DP-16, ST-19.
    """
    N = _rows(X).shape[0]
    return check_random_state(random_state).integers(0, N, size=N)


def stratified_sample(strata, n: int, *, random_state=None) -> np.ndarray:
    """Indices of a stratified sample of about ``n`` rows keeping the strata proportions.

    Each stratum h of size N_h gets round(n N_h / N) rows (largest-remainder rounding, so the
    total is exactly n), drawn without replacement.

    Inventory: DP-16.

    >>> idx = stratified_sample([0] * 90 + [1] * 10, 20, random_state=0)
    >>> int((np.asarray([0] * 90 + [1] * 10)[idx] == 1).sum())
    2
    """
    labels = _rows(strata, "strata")
    if labels.ndim != 1:
        raise ValueError(f"strata: expected a 1-D array of labels, got shape {labels.shape}.")
    N = labels.size
    n = integer(n, "n", low=1)
    if n > N:
        raise ValueError(f"n: cannot draw {n} rows without replacement from {N}.")
    rng = check_random_state(random_state)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quota = n * counts / N
    take = np.floor(quota).astype(int)
    short = n - take.sum()
    if short:
        take[np.argsort(-(quota - take), kind="stable")[:short]] += 1
    # random order inside each stratum: sort by (stratum, random key)
    keys = rng.random(N)
    order = np.lexsort((keys, inverse))  # rows grouped by stratum, shuffled within
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rank_in_stratum = np.empty(N, dtype=int)
    rank_in_stratum[order] = np.arange(N) - np.repeat(starts, counts)
    return np.flatnonzero(rank_in_stratum < take[inverse])


def reservoir_sample(stream: Iterable, k: int, *, random_state=None) -> list:
    """Uniform sample of ``k`` items from a stream of unknown length (Algorithm R).

    Item t (0-based) replaces a random slot with probability k/(t+1), so every item ends in
    the reservoir with probability k/N. One pass, O(k) memory. Inventory: DP-16.

    >>> len(reservoir_sample(range(1000), 5, random_state=0))
    5
    """
    k = integer(k, "k", low=1)
    rng = check_random_state(random_state)
    reservoir: list = []
    for t, item in enumerate(stream):
        if t < k:
            reservoir.append(item)
        else:
            j = int(rng.integers(0, t + 1))
            if j < k:
                reservoir[j] = item
    if len(reservoir) < k:
        raise ValueError(f"k: the stream has only {len(reservoir)} items, fewer than k = {k}.")
    return reservoir


def clt_simulation(
    sampler: Callable, n: int, n_repeats: int = 10_000, *, random_state=None, standardize=None
) -> np.ndarray:
    """Means of ``n`` i.i.d. draws, repeated ``n_repeats`` times (the CLT in action).

    ``sampler(rng, size)`` draws an array of the given shape. With ``standardize=(mu, sigma)``
    the means are returned as z = (x̄ − μ) / (σ/√n), which tends to N(0, 1).

    Inventory: ST-18.

    >>> z = clt_simulation(lambda rng, size: rng.exponential(size=size), 50, 2000,
    ...                    random_state=0, standardize=(1.0, 1.0))
    >>> abs(float(z.mean())) < 0.1
    True
    """
    n = integer(n, "n", low=1)
    n_repeats = integer(n_repeats, "n_repeats", low=1)
    rng = check_random_state(random_state)
    draws = np.asarray(sampler(rng, (n_repeats, n)), dtype=float)  # (R, n)
    if draws.shape != (n_repeats, n):
        raise ValueError(
            f"sampler: expected an array of shape {(n_repeats, n)}, got {draws.shape}."
        )
    means = draws.mean(axis=1)  # (R,)
    if standardize is not None:
        mu, sigma = standardize
        means = (means - mu) / (sigma / np.sqrt(n))
    return means


def _design(kind: str, n: float):
    """(df, noncentrality per unit effect) of a t-test with n per group / pairs."""
    if kind == "two-sample":
        return 2.0 * n - 2.0, np.sqrt(n / 2.0)
    if kind in ("one-sample", "paired"):
        return n - 1.0, np.sqrt(n)
    raise ValueError(f"kind: expected one of ['two-sample', 'one-sample', 'paired'], got {kind!r}.")


def ttest_power(
    effect_size: float,
    n,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    kind: str = "two-sample",
):
    """Power of a t-test by the noncentral t distribution.

    With d = Cohen's effect size, df and noncentrality δ = d sqrt(n/2) (two-sample, n per
    group) or d sqrt(n) (one-sample/paired): power = P(T' > t_{1−α/2}) + P(T' < −t_{1−α/2}) for
    two-sided tests (one tail for 'greater'/'less'), T' ~ t(df, δ). ``n`` may be an array.

    Inventory: ST-24 (CL-031: d = 0.2, n = 100 per group → power ≈ 0.29).

    >>> round(float(ttest_power(0.2, 100)), 3)
    0.291
    """
    d = real(effect_size, "effect_size")
    alpha = real(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
    alternative = check_alternative(alternative)
    n_arr = np.asarray(n, dtype=float)
    if (n_arr < 2).any():
        raise ValueError(f"n: a t-test needs at least 2 observations per group, got {n!r}.")
    df, scale = _design(kind, n_arr)
    nc = d * scale
    if alternative == "two-sided":
        crit = special.stdtrit(df, 1 - alpha / 2)
        # upper tail by symmetry, P(T'(δ) > c) = P(T'(−δ) < −c), to keep tail precision
        upper = special.nctdtr(df, -nc, -crit)
        upper = np.where(np.isnan(upper), 1.0 - special.nctdtr(df, nc, crit), upper)
        power = upper + special.nctdtr(df, nc, -crit)
    elif alternative == "greater":
        crit = special.stdtrit(df, 1 - alpha)
        power = special.nctdtr(df, -nc, -crit)
        power = np.where(np.isnan(power), 1.0 - special.nctdtr(df, nc, crit), power)
    else:
        power = special.nctdtr(df, nc, special.stdtrit(df, alpha))
    return power[()]


def ttest_sample_size(
    effect_size: float,
    power: float = 0.8,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    kind: str = "two-sample",
    max_n: int = 10**7,
) -> int:
    """Smallest n (per group for two-sample) whose t-test power reaches ``power``.

    Power increases with n, so a doubling search followed by bisection on integers finds it.
    Inventory: ST-24.

    >>> ttest_sample_size(0.5, 0.8)
    64
    """
    d = positive(abs(real(effect_size, "effect_size")), "effect_size")
    target = real(power, "power", low=0.0, high=1.0, low_open=True, high_open=True)

    def pw(n):
        return float(
            ttest_power(
                np.sign(effect_size) * d, n, alpha=alpha, alternative=alternative, kind=kind
            )
        )

    lo, hi = 2, 4
    while pw(hi) < target:
        lo, hi = hi, hi * 2
        if hi > max_n:
            raise ValueError(f"power: {target} is not reached with n <= {max_n}.")
    if pw(lo) >= target:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if pw(mid) >= target else (mid, hi)
    return hi
