"""Forecasting metrics: MASE and sMAPE (MAE, RMSE and MAPE are the regression ones).

Inventory: MS-26, MS-27.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_1d, check_same_length

__all__ = ["mean_absolute_scaled_error", "symmetric_mean_absolute_percentage_error"]


def mean_absolute_scaled_error(y_true, y_pred, *, y_train, m=1):
    """MASE = MAE(y, ŷ) / [(1/(T−m)) Σ_{t>m} |y_train[t] − y_train[t−m]|] (Hyndman & Koehler
    2006).

    Inventory: MS-26. The scale is the in-sample MAE of the (seasonal, period m) naive
    forecast, so MASE < 1 beats the naive forecast; it is defined for zero targets, unlike MAPE.

    >>> mean_absolute_scaled_error([5.0, 6.0], [5.5, 6.5], y_train=[1.0, 2.0, 3.0, 4.0])
    0.5
    """
    yt = as_float_1d(y_true, "y_true")
    yp = as_float_1d(y_pred, "y_pred")
    check_same_length(("y_true", yt), ("y_pred", yp))
    train = as_float_1d(y_train, "y_train")
    if not isinstance(m, int | np.integer) or m < 1:
        raise ValueError(f"m: expected a seasonal period >= 1, got {m!r}.")
    if train.size <= m:
        raise ValueError(
            f"y_train: needs more than m={m} observations for the naive forecast, got {train.size}."
        )
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    if scale == 0:
        raise ValueError("y_train: the naive forecast is perfect in-sample (scale 0); MASE is "
                         "undefined.")  # fmt: skip
    return float(np.mean(np.abs(yt - yp)) / scale)


def symmetric_mean_absolute_percentage_error(y_true, y_pred, *, percent=False):
    """sMAPE = (1/n) Σ 2|y − ŷ| / (|y| + |ŷ|), in [0, 2] (×100 with ``percent``).

    Inventory: MS-27. Terms where y = ŷ = 0 count as 0.

    >>> symmetric_mean_absolute_percentage_error([100.0, 200.0], [110.0, 200.0])
    0.047619047619047616
    """
    yt = as_float_1d(y_true, "y_true")
    yp = as_float_1d(y_pred, "y_pred")
    check_same_length(("y_true", yt), ("y_pred", yp))
    if yt.size == 0:
        raise ValueError("y_true: expected at least one sample, got an empty array.")
    denom = np.abs(yt) + np.abs(yp)
    num = 2.0 * np.abs(yt - yp)
    ratio = np.divide(num, denom, out=np.zeros_like(num), where=denom != 0)
    value = float(ratio.mean())
    return 100.0 * value if percent else value


mase = mean_absolute_scaled_error
smape = symmetric_mean_absolute_percentage_error
