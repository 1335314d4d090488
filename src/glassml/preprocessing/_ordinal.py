"""Ordinal encoding of features: categories -> 0..K-1 per column."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_in, check_is_fitted
from ._categories import (
    categorical_columns,
    check_given_categories,
    column_categories,
    encode_column,
    unknown_values,
)
from ._utils import input_feature_names, is_scalar_nan


class OrdinalEncoder(TransformerMixin, BaseEstimator):
    """Encode each categorical feature as one integer column: x -> index of x in categories_.

    Inventory: DP-04 (label encoding of input features). Suits ordinal variables and trees;
    for a linear model a nominal variable needs one-hot encoding instead (claim CL-041).
    A NaN category (sorted last) is written as ``encoded_missing_value``.

    Parameters
    ----------
    categories : "auto" or list of array-like
    dtype : number type, default=np.float64
    handle_unknown : {"error", "use_encoded_value"}, default="error"
    unknown_value : int or np.nan, optional
        Code for unknown categories when ``handle_unknown="use_encoded_value"``.
    encoded_missing_value : int or np.nan, default=np.nan
        Code written for missing values (NaN).

    Example
    -------
    >>> OrdinalEncoder().fit_transform([["low"], ["high"], ["mid"]]).ravel()
    array([1., 0., 2.])
    """

    def __init__(
        self,
        *,
        categories="auto",
        dtype=np.float64,
        handle_unknown="error",
        unknown_value=None,
        encoded_missing_value=np.nan,
    ):
        self.categories = categories
        self.dtype = dtype
        self.handle_unknown = handle_unknown
        self.unknown_value = unknown_value
        self.encoded_missing_value = encoded_missing_value

    def _check_params(self):
        check_in(self.handle_unknown, "handle_unknown", ("error", "use_encoded_value"))
        uv = self.unknown_value
        is_int = isinstance(uv, numbers.Integral) and not isinstance(uv, bool)
        if self.handle_unknown == "use_encoded_value":
            if not (is_int or is_scalar_nan(uv)):
                raise TypeError(
                    "unknown_value: should be an integer or np.nan when handle_unknown is "
                    f"'use_encoded_value', got {uv!r}."
                )
            if is_scalar_nan(uv) and np.dtype(self.dtype).kind != "f":
                raise ValueError(
                    "unknown_value: When unknown_value is np.nan, the dtype parameter should be "
                    f"a float dtype. Got {self.dtype}."
                )
        elif uv is not None:
            raise TypeError(
                "unknown_value: should only be set when handle_unknown is 'use_encoded_value', "
                f"got {uv!r}."
            )

    def fit(self, X, y=None):
        """Learn the categories of each column."""
        self._check_params()
        columns = categorical_columns(self, X, reset=True)
        if self.categories != "auto" and len(self.categories) != len(columns):
            raise ValueError(
                f"categories: Shape mismatch: if categories is an array, it has to be of "
                f"shape (n_features,) = ({len(columns)},), got {len(self.categories)} lists."
            )
        self.categories_ = []
        for j, col in enumerate(columns):
            if self.categories == "auto":
                cats = column_categories(col, j)
            else:
                cats = check_given_categories(self.categories[j], col, j)
                if self.handle_unknown == "error":
                    _, known = encode_column(col, cats)
                    if not known.all():
                        raise ValueError(
                            f"Found unknown categories {unknown_values(col, known)} in column "
                            f"{j} during fit"
                        )
            self.categories_.append(cats)
        # index of the NaN category per feature (always last), and known-category counts
        self._missing_indices = {
            j: len(c) - 1 for j, c in enumerate(self.categories_) if len(c) and is_scalar_nan(c[-1])
        }
        cardinalities = [
            len(c) - (j in self._missing_indices) for j, c in enumerate(self.categories_)
        ]
        uv, emv = self.unknown_value, self.encoded_missing_value
        if self.handle_unknown == "use_encoded_value" and not is_scalar_nan(uv):
            if any(0 <= uv < k for k in cardinalities):
                raise ValueError(
                    f"unknown_value: The used value for unknown_value {uv} is one of the values "
                    "already used for encoding the seen categories."
                )
        if self._missing_indices and not is_scalar_nan(emv):
            clash = [j for j in self._missing_indices if 0 <= emv < cardinalities[j]]
            if clash:
                raise ValueError(
                    f"encoded_missing_value ({emv}) is already used to encode a known category "
                    f"in features: {clash}"
                )
            if self.handle_unknown == "use_encoded_value" and not is_scalar_nan(uv) and uv == emv:
                raise ValueError(
                    "encoded_missing_value and unknown_value must not be the same, got "
                    f"{emv!r} for both."
                )
        return self

    def transform(self, X):
        """Integer codes (as ``dtype``) of every entry of X."""
        columns = categorical_columns(self, X, reset=False)
        out = np.empty((columns[0].shape[0], len(columns)), dtype=self.dtype)
        for j, col in enumerate(columns):
            codes, known = encode_column(col, self.categories_[j])
            if not known.all() and self.handle_unknown == "error":
                raise ValueError(
                    f"Found unknown categories {unknown_values(col, known)} in column {j} "
                    "during transform"
                )
            out[:, j] = codes
            if j in self._missing_indices:
                out[known & (codes == self._missing_indices[j]), j] = self.encoded_missing_value
            if not known.all():
                out[~known, j] = self.unknown_value
        return out

    def inverse_transform(self, X):
        """Categories back from codes (``unknown_value`` -> None, missing code -> NaN)."""
        check_is_fitted(self)
        X = check_array(X, allow_nan=True, estimator=type(self).__name__)
        if X.shape[1] != len(self.categories_):
            raise ValueError(
                f"Shape of the passed X data is not correct. Expected {len(self.categories_)} "
                f"columns, got {X.shape[1]}."
            )
        dtypes = [c.dtype for c in self.categories_]
        dt = np.result_type(*dtypes) if all(d.kind != "O" for d in dtypes) else object
        out = np.empty(X.shape, dtype=dt)
        unknown = {}
        for j, cats in enumerate(self.categories_):
            col = X[:, j]
            missing = np.zeros(col.shape, dtype=bool)
            if j in self._missing_indices:
                emv = self.encoded_missing_value
                missing = np.isnan(col) if is_scalar_nan(emv) else col == emv
            unk = np.zeros(col.shape, dtype=bool)
            if self.handle_unknown == "use_encoded_value":
                uv = self.unknown_value
                unk = np.isnan(col) if is_scalar_nan(uv) else col == uv
            codes = np.where(missing | unk, 0, col)
            codes = np.nan_to_num(codes).astype(np.int64)
            if np.any((codes < 0) | (codes >= len(cats))):
                raise ValueError(
                    f"inverse_transform: column {j} contains codes outside 0..{len(cats) - 1}."
                )
            values = cats[codes]
            if missing.any():
                values = values.astype(object) if values.dtype.kind not in "fO" else values
                values[missing] = cats[self._missing_indices[j]]
            out[:, j] = values
            if unk.any():
                unknown[j] = unk
        if unknown:
            out = out.astype(object)
            for j, mask in unknown.items():
                out[mask, j] = None
        return out

    def get_feature_names_out(self, input_features=None):
        """Same names as the input."""
        check_is_fitted(self)
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"allow_nan": True, "string_input": True, "categorical": True}
