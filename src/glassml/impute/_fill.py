"""Forward and backward fill of time series (last / next observation carried)."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import check_array


def _check(X, limit, axis):
    if limit is not None and (
        not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 1
    ):
        raise ValueError(f"limit: expected None or an int >= 1, got {limit!r}.")
    X = check_array(
        X, dtype=[np.float64, np.float32], allow_nan=True, ensure_2d=False, allow_nd=True
    )
    if not isinstance(axis, numbers.Integral) or not -X.ndim <= axis < X.ndim:
        raise ValueError(f"axis: expected an int in [-{X.ndim}, {X.ndim}), got {axis!r}.")
    return X


def ffill(X, *, limit=None, axis=0):
    """Forward fill: each NaN takes the last observed value before it along ``axis``.

        x_t <- x_s,  s = max{s <= t : x_s observed},  if t - s <= limit

    Leading NaNs (nothing observed yet) stay NaN. Vectorised with a running maximum of the
    index of the last observation. Inventory: DP-09. Same result as ``pandas.DataFrame.ffill``.

    >>> ffill([[1.0], [np.nan], [np.nan], [4.0]], limit=1).ravel()
    array([ 1.,  1., nan,  4.])
    """
    X = _check(X, limit, axis)
    Xm = np.moveaxis(X, axis, 0)  # (T, ...)
    T = Xm.shape[0]
    steps = np.arange(T).reshape((T,) + (1,) * (Xm.ndim - 1))  # (T, 1, ...)
    last_obs = np.where(np.isnan(Xm), -1, steps)  # (T, ...) index of an observation or -1
    np.maximum.accumulate(last_obs, axis=0, out=last_obs)  # last observed index so far
    filled = np.take_along_axis(Xm, np.maximum(last_obs, 0), axis=0)
    gap = steps - last_obs  # distance to that observation
    invalid = last_obs < 0
    if limit is not None:
        invalid |= gap > limit
    filled[invalid] = np.nan
    return np.moveaxis(filled, 0, axis)


def bfill(X, *, limit=None, axis=0):
    """Backward fill: each NaN takes the next observed value after it along ``axis``.

    Trailing NaNs stay NaN. Inventory: DP-09.

    >>> bfill([[np.nan], [2.0], [np.nan]]).ravel()
    array([ 2.,  2., nan])
    """
    X = _check(X, limit, axis)
    flipped = np.flip(X, axis=axis)
    return np.flip(ffill(flipped, limit=limit, axis=axis), axis=axis)
