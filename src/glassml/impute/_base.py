"""Shared pieces of the imputers: input checks and the missing-value indicator."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import check_array
from ..preprocessing._utils import input_feature_names, is_scalar_nan, missing_mask

__all__ = ["missing_mask", "is_scalar_nan", "validate_missing_values", "IndicatorMixin"]


def validate_missing_values(missing_values):
    """``missing_values`` must be NaN, None, a number or a string."""
    ok = missing_values is None or isinstance(missing_values, numbers.Real | str)
    if not ok:
        raise TypeError(
            "missing_values: expected np.nan, None, a number or a string, got "
            f"{type(missing_values).__name__} {missing_values!r}."
        )


def check_imputer_input(estimator, X, *, reset, numeric=True):
    """Validate X for an imputer: NaN allowed only when NaN is the missing marker."""
    allow_nan = is_scalar_nan(estimator.missing_values)
    dtype = [np.float64, np.float32] if numeric else None
    if reset:
        return estimator._validate_data(X, dtype=dtype, allow_nan=allow_nan)
    return estimator._validate_data(X, reset=False, dtype=dtype, allow_nan=allow_nan)


class IndicatorMixin:
    """``add_indicator``: append one 0/1 column per feature that had missing values in fit."""

    def _fit_indicator(self, mask):
        self.indicator_features_ = np.flatnonzero(mask.any(axis=0)) if self.add_indicator else None

    def _with_indicator(self, X_imputed, mask):
        if not self.add_indicator:
            return X_imputed
        indicator = mask[:, self.indicator_features_]  # (n, n_ind) bool
        return np.hstack([X_imputed, indicator.astype(X_imputed.dtype)])

    def _indicator_names(self, input_features=None):
        if not self.add_indicator:
            return []
        names = input_feature_names(self, input_features)
        return [f"missingindicator_{names[j]}" for j in self.indicator_features_]


def as_2d(X, name="X"):
    return check_array(X, dtype=None, allow_nan=True, name=name)
