"""Argument checks shared by glassml.stats (clear errors that name the argument)."""

from __future__ import annotations

import numbers

import numpy as np

ALTERNATIVES = ("two-sided", "less", "greater")


def as_sample(x, name: str = "x", *, min_size: int = 1, what: str = "this statistic"):
    """A finite 1-D float64 sample of at least ``min_size`` values."""
    if x is None:
        raise ValueError(f"{name}: expected a 1-D array-like of numbers, got None.")
    if isinstance(x, str):
        raise ValueError(f"{name}: expected a 1-D array-like of numbers, got the string {x!r}.")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {type(x).__name__} ({exc}).") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or infinity; remove or impute them first.")
    if arr.size < min_size:
        raise ValueError(
            f"{name}: {what} needs at least {min_size} observation(s), got {arr.size}."
        )
    return arr


def as_array(x, name: str = "x"):
    """A finite float64 array of any shape (for pdf/cdf arguments)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {type(x).__name__} ({exc}).") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name}: contains NaN.")
    return arr


def real(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """A real scalar in the interval given by ``low``/``high`` (open ends when asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__} {value!r}.")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name}: expected a finite number, got {value!r}.")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{name}: expected a value {'>' if low_open else '>='} {low}, got {v!r}.")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(
            f"{name}: expected a value {'<' if high_open else '<='} {high}, got {v!r}."
        )
    return v


def positive(value, name: str) -> float:
    """A finite real > 0 (scales, rates, shapes)."""
    return real(value, name, low=0.0, low_open=True)


def integer(value, name: str, *, low: int = 0) -> int:
    """An integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__} {value!r}.")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}.")
    return int(value)


def probability(value, name: str) -> float:
    """A probability in [0, 1]."""
    return real(value, name, low=0.0, high=1.0)


def prob_vector(p, name: str = "p", *, atol: float = 1e-8) -> np.ndarray:
    """A 1-D vector of non-negative probabilities that sums to 1 (within ``atol``)."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name}: expected a non-empty 1-D probability vector, got shape {arr.shape}."
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name}: probabilities must be finite and >= 0, got {arr!r}.")
    total = arr.sum()
    if abs(total - 1.0) > atol:
        raise ValueError(f"{name}: probabilities must sum to 1, got a sum of {total!r}.")
    return arr


def confidence(value, name: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1."""
    return real(value, name, low=0.0, high=1.0, low_open=True, high_open=True)


def alternative(value) -> str:
    """One of 'two-sided', 'less', 'greater'."""
    if value not in ALTERNATIVES:
        raise ValueError(f"alternative: expected one of {list(ALTERNATIVES)}, got {value!r}.")
    return value
