"""Shapiro–Wilk test of normality (Inventory: ST-15), by Royston's algorithm AS R94 (1995).

W = (Σᵢ aᵢ x₍ᵢ₎)² / Σᵢ (xᵢ − x̄)², where the weights a approximate the normalised expected
normal order statistics: mᵢ = Φ⁻¹((i − 3/8)/(n + 1/4)), with polynomial corrections in 1/√n for
the two most extreme weights. The p-value transforms log(1 − W) to an approximately standard
normal z with Royston's polynomials in n (n <= 11) or log n (n >= 12); n = 3 is exact.
scipy's Fortran-derived swilk computes mᵢ with the 7-digit PPND7 quantile routine; we use the
full-precision Φ⁻¹, so W agrees with scipy.stats.shapiro to ~1e-9 and p to ~1e-6.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._checks import as_sample
from .hypothesis_tests import TestResult

__all__ = ["shapiro"]

_C1 = (0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056)
_C2 = (0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633)
_C3 = (0.5440, -0.39978, 0.025054, -6.714e-4)
_C4 = (1.3822, -0.77857, 0.062767, -0.0020322)
_C5 = (-1.5861, -0.31082, -0.083751, 0.0038915)
_C6 = (-0.4803, -0.082676, 0.0030302)
_G = (-2.273, 0.459)


def _poly(coefs, x: float) -> float:
    """c₀ + c₁x + c₂x² + ..."""
    return float(np.polynomial.polynomial.polyval(x, coefs))


def _weights(n: int) -> np.ndarray:
    """Upper-half Shapiro–Wilk weights a₁ >= a₂ >= ... (length n // 2)."""
    half = n // 2
    if n == 3:
        return np.array([np.sqrt(0.5)])
    i = np.arange(1, half + 1)
    m = special.ndtri((i - 0.375) / (n + 0.25))  # (half,) lower-tail, negative
    summ2 = 2.0 * (m * m).sum()
    ssumm2 = np.sqrt(summ2)
    rsn = 1.0 / np.sqrt(n)
    a = np.empty(half)
    a[0] = _poly(_C1, rsn) - m[0] / ssumm2
    if n > 5:
        a[1] = -m[1] / ssumm2 + _poly(_C2, rsn)
        fac = np.sqrt((summ2 - 2 * m[0] ** 2 - 2 * m[1] ** 2) / (1 - 2 * a[0] ** 2 - 2 * a[1] ** 2))
        start = 2
    else:
        fac = np.sqrt((summ2 - 2 * m[0] ** 2) / (1 - 2 * a[0] ** 2))
        start = 1
    a[start:] = -m[start:] / fac
    return a


def shapiro(x) -> TestResult:
    """Shapiro–Wilk test: H0 says ``x`` comes from a normal distribution.

    Small W (and p-value) is evidence against normality. Valid for 3 <= n <= 5000.
    ``df`` in the result is NaN (not applicable).

    Inventory: ST-15.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> shapiro(rng.normal(size=200)).pvalue > 0.05
    True
    >>> shapiro(rng.exponential(size=200)).pvalue < 1e-6
    True
    """
    x = np.sort(as_sample(x, "x", min_size=3, what="the Shapiro-Wilk test"))
    n = x.size
    if n > 5000:
        raise ValueError(f"x: the Shapiro-Wilk approximation is valid for n <= 5000, got {n}.")
    if x[-1] == x[0]:
        raise ValueError("x: all values are equal; the Shapiro-Wilk W is undefined.")
    y = x - x[n // 2]  # centre for accuracy (as scipy does)
    a = _weights(n)  # (n // 2,)
    half = a.size
    numerator = float(a @ (y[::-1][:half] - y[:half])) ** 2
    denominator = float(((y - y.mean()) ** 2).sum())
    w = min(1.0, numerator / denominator)
    if n == 3:
        p = (6.0 / np.pi) * (np.arcsin(np.sqrt(w)) - np.arcsin(np.sqrt(0.75)))
        return TestResult(w, float(max(p, 0.0)), np.nan)
    w1 = np.log1p(-w) if w < 1 else -np.inf
    if n <= 11:
        gamma = _poly(_G, n)
        if w1 >= gamma:
            return TestResult(w, 1e-99, np.nan)
        yv = -np.log(gamma - w1)
        m, s = _poly(_C3, n), np.exp(_poly(_C4, n))
    else:
        ln = np.log(n)
        yv = w1
        m, s = _poly(_C5, ln), np.exp(_poly(_C6, ln))
    return TestResult(w, float(special.ndtr(-(yv - m) / s)), np.nan)
