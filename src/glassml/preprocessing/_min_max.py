"""Min-max scaling: x' = (x - min) / (max - min) * (b - a) + a."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, TransformerMixin
from ._standard import FLOAT_DTYPES
from ._utils import handle_zeros_in_scale, input_feature_names, validate_inverse_input


class MinMaxScaler(TransformerMixin, BaseEstimator):
    """Scale each feature to ``feature_range`` = (a, b) using its training min and max.

        x' = x * scale_ + min_,  scale_ = (b - a) / (max - min),  min_ = a - min * scale_

    Inventory: DP-01. Fit on the training data only; one outlier squeezes every other value
    into a tiny interval (claim CL-036). NaNs are ignored in ``fit`` and kept in ``transform``.

    Parameters
    ----------
    feature_range : tuple (a, b), default=(0, 1)
        Target range, a < b.
    copy : bool, default=True
        Kept for scikit-learn compatibility; a new array is always returned.
    clip : bool, default=False
        Clip transformed test values to ``feature_range``.

    Example
    -------
    >>> MinMaxScaler().fit_transform([[1.0], [3.0], [5.0]]).ravel()
    array([0. , 0.5, 1. ])
    """

    def __init__(self, *, feature_range=(0, 1), copy=True, clip=False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X, y=None):
        """Record the per-feature min and max of ``X``."""
        rng = self.feature_range
        if not isinstance(rng, tuple | list) or len(rng) != 2:
            raise ValueError(f"feature_range: expected a tuple (min, max), got {rng!r}.")
        if not rng[0] < rng[1]:
            raise ValueError(
                f"feature_range: minimum of desired feature range must be smaller than "
                f"maximum, got {tuple(rng)!r}."
            )
        X = self._validate_data(X, dtype=FLOAT_DTYPES, allow_nan=True)
        with np.errstate(invalid="ignore"):
            data_min = np.nanmin(X, axis=0) if np.isnan(X).any() else X.min(axis=0)
            data_max = np.nanmax(X, axis=0) if np.isnan(X).any() else X.max(axis=0)
        self.n_samples_seen_ = X.shape[0]
        self.data_min_ = data_min  # (p,)
        self.data_max_ = data_max
        self.data_range_ = data_max - data_min
        self.scale_ = (rng[1] - rng[0]) / handle_zeros_in_scale(self.data_range_)
        self.min_ = rng[0] - data_min * self.scale_
        return self

    def transform(self, X):
        """x' = x * scale_ + min_ (clipped to feature_range if ``clip``)."""
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES, allow_nan=True)
        out = X * self.scale_.astype(X.dtype, copy=False)  # (n, p)
        out += self.min_.astype(X.dtype, copy=False)
        if self.clip:
            np.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return out

    def inverse_transform(self, X):
        """x = (x' - min_) / scale_."""
        X = validate_inverse_input(self, X, self.n_features_in_, dtype=FLOAT_DTYPES)
        out = X - self.min_.astype(X.dtype, copy=False)
        out /= self.scale_.astype(X.dtype, copy=False)
        return out

    def get_feature_names_out(self, input_features=None):
        """Same names as the input."""
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"allow_nan": True, "preserves_dtype": ["float64", "float32"]}
