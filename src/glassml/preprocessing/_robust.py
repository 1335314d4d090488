"""Robust scaling: x' = (x - median) / IQR."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .._core import BaseEstimator, TransformerMixin
from ._standard import FLOAT_DTYPES
from ._utils import handle_zeros_in_scale, input_feature_names, validate_inverse_input


class RobustScaler(TransformerMixin, BaseEstimator):
    """Centre on the median and scale by an inter-quantile range (outlier-resistant).

        x' = (x - median) / (Q_hi - Q_lo)

    With ``unit_variance`` the range is further divided by Phi^-1(hi) - Phi^-1(lo), so that
    normal data ends up with variance 1. Quantiles use linear interpolation (NumPy's default),
    ignoring NaNs. Inventory: DP-01/DP-02 (the outlier-robust member of the scaler family).

    Parameters
    ----------
    with_centering, with_scaling : bool, default=True
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0), 0 <= q_min < q_max <= 100
    copy : bool, default=True
    unit_variance : bool, default=False

    Example
    -------
    >>> RobustScaler().fit_transform([[1.0], [2.0], [3.0], [4.0], [100.0]]).ravel()
    array([-1. , -0.5,  0. ,  0.5, 48.5])
    """

    def __init__(
        self,
        *,
        with_centering=True,
        with_scaling=True,
        quantile_range=(25.0, 75.0),
        copy=True,
        unit_variance=False,
    ):
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.copy = copy
        self.unit_variance = unit_variance

    def fit(self, X, y=None):
        """Compute medians and quantile ranges."""
        q = self.quantile_range
        if not isinstance(q, tuple | list) or len(q) != 2 or not 0 <= q[0] < q[1] <= 100:
            raise ValueError(
                f"quantile_range: expected a pair 0 <= q_min < q_max <= 100, got {q!r}."
            )
        X = self._validate_data(X, dtype=FLOAT_DTYPES, allow_nan=True)
        has_nan = bool(np.isnan(X).any())
        percentile = np.nanpercentile if has_nan else np.percentile
        self.center_ = percentile(X, 50, axis=0) if self.with_centering else None
        if self.with_scaling:
            lo, hi = percentile(X, [q[0], q[1]], axis=0)  # (p,), (p,)
            scale = handle_zeros_in_scale(hi - lo)
            if self.unit_variance:
                scale = scale / (ndtri(q[1] / 100.0) - ndtri(q[0] / 100.0))
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def transform(self, X):
        """x' = (x - center_) / scale_."""
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES, allow_nan=True)
        out = np.array(X, copy=True)
        if self.with_centering:
            out -= self.center_.astype(X.dtype, copy=False)
        if self.with_scaling:
            out /= self.scale_.astype(X.dtype, copy=False)
        return out

    def inverse_transform(self, X):
        """x = x' * scale_ + center_."""
        X = validate_inverse_input(self, X, self.n_features_in_, dtype=FLOAT_DTYPES)
        out = np.array(X, copy=True)
        if self.with_scaling:
            out *= self.scale_.astype(X.dtype, copy=False)
        if self.with_centering:
            out += self.center_.astype(X.dtype, copy=False)
        return out

    def get_feature_names_out(self, input_features=None):
        """Same names as the input."""
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"allow_nan": True, "preserves_dtype": ["float64", "float32"]}
