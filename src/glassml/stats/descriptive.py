"""Descriptive statistics (Inventory: ST-01).

All functions reduce along ``axis`` (default 0, like scipy.stats; ``axis=None`` flattens) and
reject NaN/inf with a clear error. Variance and std take ``ddof`` (0: population σ², the
seeds' formula; 1: the unbiased sample variance).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "mean",
    "median",
    "mode",
    "variance",
    "std",
    "data_range",
    "quantile",
    "iqr",
    "skewness",
    "kurtosis",
    "describe",
    "DescribeResult",
    "ModeResult",
]


def _data(x, axis, min_size: int = 1) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if not np.isfinite(arr).all():
        raise ValueError("x: contains NaN or infinity; remove or impute them first.")
    n = arr.size if axis is None else arr.shape[axis]
    if n < min_size:
        raise ValueError(f"x: expected at least {min_size} value(s) along axis {axis}, got {n}.")
    return arr


def mean(x, axis: int | None = 0):
    """Arithmetic mean x̄ = (1/n) Σ xᵢ.

    >>> float(mean([1, 2, 6]))
    3.0
    """
    return _data(x, axis).mean(axis=axis)


def median(x, axis: int | None = 0):
    """Median: the middle order statistic (mean of the two middle ones for even n).

    >>> float(median([1, 2, 100]))
    2.0
    """
    return np.median(_data(x, axis), axis=axis)


class ModeResult(NamedTuple):
    mode: np.ndarray
    count: np.ndarray


def mode(x, axis: int | None = 0) -> ModeResult:
    """Most frequent value (the smallest one on ties, as scipy.stats.mode) and its count.

    >>> mode([3, 1, 3, 1, 2]).mode.item()
    1.0
    """
    arr = _data(x, axis)
    if axis is None:
        arr, axis = arr.ravel(), 0
    moved = np.moveaxis(arr, axis, -1)  # (..., n)
    s = np.sort(moved, axis=-1)
    n = s.shape[-1]
    flat = s.reshape(-1, n)  # (m, n)
    # run lengths of equal values along each row, vectorised
    new_run = np.ones_like(flat, dtype=bool)
    new_run[:, 1:] = flat[:, 1:] != flat[:, :-1]
    run_id = np.cumsum(new_run, axis=1) - 1  # (m, n)
    rows = np.repeat(np.arange(flat.shape[0]), n)
    counts = np.zeros((flat.shape[0], n), dtype=np.int64)
    np.add.at(counts, (rows, run_id.ravel()), 1)
    best_run = counts.argmax(axis=1)  # first (smallest value) run on ties
    first_pos = np.argmax(run_id == best_run[:, None], axis=1)
    modes = flat[np.arange(flat.shape[0]), first_pos].reshape(s.shape[:-1])
    cnt = counts[np.arange(flat.shape[0]), best_run].reshape(s.shape[:-1])
    return ModeResult(modes[()], cnt[()])


def variance(x, ddof: int = 0, axis: int | None = 0):
    """Variance (1/(n − ddof)) Σ (xᵢ − x̄)²; ddof=0 is the population variance σ².

    >>> float(variance([1, 2, 3, 4]))
    1.25
    """
    arr = _data(x, axis, min_size=ddof + 1)
    return arr.var(axis=axis, ddof=ddof)


def std(x, ddof: int = 0, axis: int | None = 0):
    """Standard deviation sqrt(variance(x, ddof))."""
    return np.sqrt(variance(x, ddof=ddof, axis=axis))


def data_range(x, axis: int | None = 0):
    """Range max − min.

    >>> float(data_range([4, 1, 9]))
    8.0
    """
    return np.ptp(_data(x, axis), axis=axis)


def quantile(x, q, axis: int | None = 0, method: str = "linear"):
    """Sample quantiles (NumPy's methods; 'linear' is type 7, the default of NumPy/pandas)."""
    q_arr = np.asarray(q, dtype=float)
    if ((q_arr < 0) | (q_arr > 1)).any():
        raise ValueError(f"q: quantile levels must lie in [0, 1], got {q!r}.")
    return np.quantile(_data(x, axis), q_arr, axis=axis, method=method)


def iqr(x, axis: int | None = 0):
    """Interquartile range Q3 − Q1 (linear interpolation).

    >>> float(iqr([1, 2, 3, 4, 5]))
    2.0
    """
    q1, q3 = quantile(x, [0.25, 0.75], axis=axis)
    return q3 - q1


def _central_moments(arr, axis):
    centred = arr - arr.mean(axis=axis, keepdims=True)
    m2 = (centred**2).mean(axis=axis)
    m3 = (centred**3).mean(axis=axis)
    m4 = (centred**4).mean(axis=axis)
    return m2, m3, m4


def skewness(x, axis: int | None = 0, bias: bool = True):
    """Sample skewness g₁ = m₃ / m₂^{3/2}; with ``bias=False`` the adjusted
    G₁ = g₁ sqrt(n(n−1))/(n−2) (as scipy.stats.skew).

    >>> round(float(skewness([1, 2, 3, 10])), 4)
    1.0182
    """
    arr = _data(x, axis, min_size=1 if bias else 3)
    n = arr.size if axis is None else arr.shape[axis]
    m2, m3, _ = _central_moments(arr, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = np.where(m2 > 0, m3 / np.where(m2 > 0, m2, 1.0) ** 1.5, np.nan)
    if not bias:
        g1 = g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return g1[()]


def kurtosis(x, axis: int | None = 0, fisher: bool = True, bias: bool = True):
    """Sample kurtosis g₂ = m₄ / m₂² (minus 3 if ``fisher``, the excess kurtosis); with
    ``bias=False`` the adjusted estimator of scipy.stats.kurtosis.

    >>> round(float(kurtosis([1, 2, 3, 4, 5])), 4)
    -1.3
    """
    arr = _data(x, axis, min_size=1 if bias else 4)
    n = arr.size if axis is None else arr.shape[axis]
    m2, _, m4 = _central_moments(arr, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = np.where(m2 > 0, m4 / np.where(m2 > 0, m2, 1.0) ** 2, np.nan)
    if not bias:
        g2 = 3.0 + (n - 1.0) / ((n - 2.0) * (n - 3.0)) * ((n + 1.0) * g2 - 3.0 * (n - 1.0))
    return (g2 - 3.0 if fisher else g2)[()]


class DescribeResult(NamedTuple):
    nobs: int
    minmax: tuple
    mean: np.ndarray
    variance: np.ndarray
    skewness: np.ndarray
    kurtosis: np.ndarray


def describe(x, axis: int | None = 0, ddof: int = 1, bias: bool = True) -> DescribeResult:
    """Summary like scipy.stats.describe: n, (min, max), mean, variance(ddof), skewness,
    excess kurtosis.

    >>> describe([1, 2, 3, 4]).variance.item()
    1.6666666666666667
    """
    arr = _data(x, axis, min_size=ddof + 1)
    n = arr.size if axis is None else arr.shape[axis]
    return DescribeResult(
        n,
        (arr.min(axis=axis), arr.max(axis=axis)),
        arr.mean(axis=axis),
        arr.var(axis=axis, ddof=ddof),
        skewness(arr, axis=axis, bias=bias),
        kurtosis(arr, axis=axis, bias=bias),
    )
