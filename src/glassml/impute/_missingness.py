"""Simulate missing data under the MCAR, MAR and MNAR mechanisms."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit

from .._core import check_array, check_in, check_random_state


def _intercept_for_rate(score, rate):
    """b such that mean(sigmoid(score + b)) == rate (bisection; the mean is monotone in b)."""
    lo, hi = -50.0, 50.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if expit(score + mid).mean() < rate:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def simulate_missing(
    X, rate, *, mechanism="MCAR", columns=None, driver=0, strength=2.0, random_state=None
):
    """Return a copy of X with NaNs inserted in ``columns`` at (about) ``rate``.

    * MCAR (missing completely at random): P(missing) = rate for every entry.
    * MAR (missing at random): P(x_ij missing) = sigmoid(strength * z_i,driver + b), with
      z the standardised, always observed ``driver`` column -- depends on observed data only.
    * MNAR (missing not at random): P(x_ij missing) = sigmoid(strength * z_ij + b) -- depends
      on the value that goes missing (large values vanish more often).

    b is solved so that the expected missing fraction of each column equals ``rate``.
    Inventory: DP-07. Claim CL-043 uses it: mean imputation stays unbiased only under MCAR.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    rate : float in [0, 1)
    mechanism : {"MCAR", "MAR", "MNAR"}
    columns : list of int, optional
        Columns that receive gaps (default: all; for MAR all but ``driver``).
    driver : int, default=0
        The observed column that drives MAR missingness (never made missing).
    strength : float, default=2.0
        Log-odds change per standard deviation (MAR, MNAR).
    random_state : None, int or Generator

    Example
    -------
    >>> Xm = simulate_missing(np.ones((1000, 2)), 0.2, random_state=0)
    >>> round(float(np.isnan(Xm).mean()), 1)
    0.2
    """
    check_in(mechanism, "mechanism", ("MCAR", "MAR", "MNAR"))
    if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate: expected a float in [0, 1), got {rate!r}.")
    X = check_array(X, allow_nan=True, copy=True)
    X = X.astype(np.float64, copy=False)
    n, p = X.shape
    if mechanism == "MAR" and not (isinstance(driver, numbers.Integral) and 0 <= driver < p):
        raise ValueError(f"driver: expected a column index in [0, {p}), got {driver!r}.")
    if columns is None:
        columns = [j for j in range(p) if not (mechanism == "MAR" and j == driver)]
    columns = list(columns)
    if any(not isinstance(j, numbers.Integral) or not 0 <= j < p for j in columns):
        raise ValueError(f"columns: expected column indices in [0, {p}), got {columns!r}.")
    if mechanism == "MAR" and driver in columns:
        raise ValueError(f"columns: the MAR driver column {driver} must stay observed.")
    rng = check_random_state(random_state)
    u = rng.random((n, len(columns)))  # (n, c)
    if rate == 0 or not columns:
        return X

    def standardise(v):
        sd = np.nanstd(v)
        return (v - np.nanmean(v)) / (sd if sd > 0 else 1.0)

    for k, j in enumerate(columns):
        if mechanism == "MCAR":
            prob = np.full(n, float(rate))
        else:
            z = standardise(X[:, driver] if mechanism == "MAR" else X[:, j])
            score = strength * np.nan_to_num(z)
            prob = expit(score + _intercept_for_rate(score, rate))
        X[u[:, k] < prob, j] = np.nan
    return X
