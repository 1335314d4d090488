"""Max-abs scaling: x' = x / max|x|."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, TransformerMixin
from ._standard import FLOAT_DTYPES
from ._utils import handle_zeros_in_scale, input_feature_names, validate_inverse_input


class MaxAbsScaler(TransformerMixin, BaseEstimator):
    """Scale each feature by its maximum absolute value: x' = x / max_i |x_i|, into [-1, 1].

    Inventory: DP-01 (a scaler of the same family; keeps zeros at zero, so sparsity is kept).
    NaNs are ignored in ``fit`` and kept in ``transform``.

    Parameters
    ----------
    copy : bool, default=True
        Kept for scikit-learn compatibility.

    Example
    -------
    >>> MaxAbsScaler().fit_transform([[-4.0], [2.0]]).ravel()
    array([-1. ,  0.5])
    """

    def __init__(self, *, copy=True):
        self.copy = copy

    def fit(self, X, y=None):
        """Record max |x| per feature."""
        X = self._validate_data(X, dtype=FLOAT_DTYPES, allow_nan=True)
        with np.errstate(invalid="ignore"):
            max_abs = np.nanmax(np.abs(X), axis=0).astype(np.float64)  # (p,)
        self.n_samples_seen_ = X.shape[0]
        self.max_abs_ = max_abs
        self.scale_ = handle_zeros_in_scale(max_abs)
        return self

    def transform(self, X):
        """x' = x / scale_."""
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES, allow_nan=True)
        return X / self.scale_.astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """x = x' * scale_."""
        X = validate_inverse_input(self, X, self.n_features_in_, dtype=FLOAT_DTYPES)
        return X * self.scale_.astype(X.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Same names as the input."""
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"allow_nan": True, "preserves_dtype": ["float64", "float32"]}
