"""Univariate imputation: fill each column with one statistic."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_in, check_is_fitted
from ..preprocessing._utils import input_feature_names
from ._base import IndicatorMixin, is_scalar_nan, missing_mask, validate_missing_values

STRATEGIES = ("mean", "median", "most_frequent", "constant")


def most_frequent(values: np.ndarray):
    """Mode of a 1-D array; ties go to the smallest value (as ``scipy.stats.mode``)."""
    if values.size == 0:
        return np.nan
    uniques, counts = np.unique(values, return_counts=True)
    return uniques[np.argmax(counts)]  # np.unique is sorted, argmax takes the first maximum


class SimpleImputer(IndicatorMixin, TransformerMixin, BaseEstimator):
    """Replace missing entries of each column by a statistic of that column's observed values.

    mean: (1/n_obs) sum x_i,  median,  most_frequent (mode, smallest on ties),  constant.
    Inventory: DP-08. Mean imputation keeps the column mean unbiased only under MCAR, and it
    shrinks the variance and correlations (claims CL-043, CL-044). Columns with no observed
    value are dropped (unless ``keep_empty_features``; then filled with 0) except for
    ``constant``.

    Parameters
    ----------
    missing_values : float, int, str or None, default=np.nan
    strategy : {"mean", "median", "most_frequent", "constant"} or callable(1-D array) -> value
    fill_value : value for "constant" (default 0 for numbers, "missing_value" for strings)
    copy : bool, default=True
    add_indicator : bool, default=False
        Append a 0/1 column for every feature that had missing values during fit.
    keep_empty_features : bool, default=False

    Example
    -------
    >>> SimpleImputer().fit_transform([[1.0, 2.0], [np.nan, 3.0], [7.0, 6.0]])[1]
    array([4., 3.])
    """

    def __init__(
        self,
        *,
        missing_values=np.nan,
        strategy="mean",
        fill_value=None,
        copy=True,
        add_indicator=False,
        keep_empty_features=False,
    ):
        self.missing_values = missing_values
        self.strategy = strategy
        self.fill_value = fill_value
        self.copy = copy
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features

    def _check_X(self, X, *, reset):
        allow_nan = is_scalar_nan(self.missing_values)
        numeric = self.strategy not in ("most_frequent", "constant")
        if numeric:
            try:
                X = self._validate_data(
                    X, reset=reset, dtype=[np.float64, np.float32], allow_nan=allow_nan
                )
            except ValueError as exc:
                if "could not be converted" in str(exc) or "could not convert" in str(exc):
                    raise ValueError(
                        f"strategy: Cannot use {self.strategy} strategy with non-numeric data "
                        f"({exc})"
                    ) from exc
                raise
            return X
        X = self._validate_data(X, reset=reset, dtype=None, allow_nan=allow_nan)
        if X.dtype.kind in "US":
            X = X.astype(object)
        if X.dtype.kind not in "biufO":
            raise ValueError(
                f"SimpleImputer does not support data with dtype {X.dtype}. Please provide "
                "either a numeric array or an object array of strings."
            )
        if X.dtype.kind == "O" and not reset and self._fit_dtype.kind != "O":
            X = X.astype(self._fit_dtype)
        return X

    def fit(self, X, y=None):
        """Compute the fill value of each column."""
        validate_missing_values(self.missing_values)
        if not callable(self.strategy):
            check_in(self.strategy, "strategy", STRATEGIES)
        X = self._check_X(X, reset=True)
        self._fit_dtype = X.dtype
        fill = self.fill_value
        if self.strategy == "constant":
            if fill is None:
                fill = 0 if X.dtype.kind in "biuf" else "missing_value"
            if X.dtype.kind in "biuf" and not isinstance(fill, numbers.Real):
                raise ValueError(
                    f"fill_value: {fill!r} is invalid. Expected a numerical value when imputing "
                    "numerical data."
                )
        mask = missing_mask(X, self.missing_values)  # (n, p)
        self._fit_indicator(mask)
        empty = mask.all(axis=0)  # (p,)
        p = X.shape[1]
        if self.strategy == "mean" or self.strategy == "median":
            Xm = np.where(mask, np.nan, X) if not is_scalar_nan(self.missing_values) else X
            stats = np.full(p, np.nan)
            obs = ~empty
            if obs.any():
                if self.strategy == "mean":
                    counts = (~mask[:, obs]).sum(axis=0)
                    stats[obs] = np.where(mask[:, obs], 0, Xm[:, obs]).sum(axis=0) / counts
                else:
                    stats[obs] = np.nanmedian(Xm[:, obs].astype(np.float64), axis=0)
        elif self.strategy == "most_frequent":
            stats = np.empty(p, dtype=object if X.dtype.kind == "O" else np.float64)
            for j in range(p):
                obs = X[~mask[:, j], j]
                if obs.size == 0:
                    stats[j] = np.nan
                elif X.dtype.kind == "O":
                    stats[j] = _object_mode(obs)
                else:
                    stats[j] = most_frequent(obs)
        elif self.strategy == "constant":
            stats = np.full(p, fill, dtype=object)
            if not self.keep_empty_features:
                stats[empty] = np.nan
        else:  # callable
            stats = np.array([self.strategy(X[~mask[:, j], j]) for j in range(p)], dtype=float)
        if self.keep_empty_features and self.strategy != "constant":
            stats[empty] = 0
        self.statistics_ = stats
        return self

    def _valid_columns(self):
        stats = self.statistics_
        return ~np.array([is_scalar_nan(s) for s in stats.tolist()], dtype=bool)

    def transform(self, X):
        """Fill the missing entries; drop columns that were empty in fit."""
        X = self._check_X(X, reset=False)
        mask = missing_mask(X, self.missing_values)
        valid = self._valid_columns()
        if not valid.all() and not self.keep_empty_features:
            warnings.warn(
                f"Skipping features without any observed values: {np.flatnonzero(~valid).tolist()}"
                ". At least one non-missing value is needed for imputation with "
                f"strategy={self.strategy!r}.",
                UserWarning,
                stacklevel=2,
            )
        stats = self.statistics_[valid]
        Xv = X[:, valid]
        mv = mask[:, valid]
        if X.dtype.kind == "O" or self.strategy == "most_frequent":
            out_dtype = X.dtype  # modes are values of X itself
        elif self.strategy == "constant":
            out_dtype = (
                np.result_type(X.dtype, np.asarray(stats.tolist()).dtype) if stats.size else X.dtype
            )
        else:
            out_dtype = X.dtype if X.dtype.kind == "f" else np.float64
        out = np.array(Xv, dtype=out_dtype, copy=True)
        rows, cols = np.nonzero(mv)
        if rows.size:
            out[rows, cols] = np.asarray(
                stats.tolist(), dtype=out.dtype if out.dtype.kind != "O" else object
            )[cols]
        return self._with_indicator(out, mask)

    def inverse_transform(self, X):
        """Put the missing marker back where the indicator columns say (needs add_indicator)."""
        check_is_fitted(self)
        if not self.add_indicator:
            raise ValueError(
                "'inverse_transform' works only when 'SimpleImputer' is instantiated with "
                f"'add_indicator=True'. Got 'add_indicator={self.add_indicator}' instead."
            )
        X = check_array(X, dtype=None, allow_nan=True)
        valid = self._valid_columns()
        n_valid, n_ind = int(valid.sum()), len(self.indicator_features_)
        if X.shape[1] != n_valid + n_ind:
            raise ValueError(
                f"X has {X.shape[1]} columns, expected {n_valid + n_ind} (imputed + indicator)."
            )
        imputed, indicator = X[:, :n_valid], X[:, n_valid:].astype(bool)
        out = np.full(
            (X.shape[0], valid.shape[0]),
            self.missing_values,
            dtype=X.dtype if X.dtype.kind != "i" else np.float64,
        )
        out[:, valid] = imputed
        for k, j in enumerate(self.indicator_features_):
            out[indicator[:, k], j] = self.missing_values
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the kept columns, then "missingindicator_<name>" for the indicators."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        kept = list(names[self._valid_columns()])
        return np.asarray(kept + self._indicator_names(input_features), dtype=object)

    def _glassml_tags(self):
        return {"allow_nan": is_scalar_nan(self.missing_values), "string_input": True}


def _object_mode(values: np.ndarray):
    """Mode of an object array (strings or numbers), smallest on ties."""
    from collections import Counter

    counter = Counter(values.tolist())
    top = max(counter.values())
    return min(v for v, c in counter.items() if c == top)
