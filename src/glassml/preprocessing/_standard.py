"""Standard (z-score) scaling: x' = (x - mean) / std."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_sample_weight
from ._utils import handle_zeros_in_scale, input_feature_names, validate_inverse_input

FLOAT_DTYPES = [np.float64, np.float32]


def weighted_mean_var(X: np.ndarray, sample_weight: np.ndarray | None):
    """Per-feature mean, variance (ddof=0) and weight total, ignoring NaN entries.

    Two passes with a correction term (as in scikit-learn's incremental statistics), so the
    variance stays accurate when the mean is large compared to the spread:

        mean_j = sum_i w_i x_ij / n_j,    n_j = sum_{i: x_ij observed} w_i
        var_j  = (sum_i w_i d_ij^2 - (sum_i w_i d_ij)^2 / n_j) / n_j,   d_ij = x_ij - mean_j
    """
    X = X.astype(np.float64, copy=False)  # accumulate in float64 even for float32 input
    nan_mask = np.isnan(X)  # (n, p)
    has_nan = bool(nan_mask.any())
    if sample_weight is None:
        if has_nan:
            n_seen = (~nan_mask).sum(axis=0).astype(np.float64)  # (p,)
            total = np.nansum(X, axis=0)
        else:
            n_seen = np.full(X.shape[1], float(X.shape[0]))
            total = X.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n_seen  # (p,)
        diff = X - mean  # (n, p)
        correction = np.nansum(diff, axis=0) if has_nan else diff.sum(axis=0)
        sq = np.nansum(diff * diff, axis=0) if has_nan else np.einsum("ij,ij->j", diff, diff)
    else:
        w = sample_weight[:, None]  # (n, 1)
        n_seen = (w * ~nan_mask).sum(axis=0)  # (p,)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(w * X, axis=0) / n_seen
        diff = X - mean
        correction = np.nansum(w * diff, axis=0)
        sq = np.nansum(w * diff * diff, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (sq - correction**2 / n_seen) / n_seen  # (p,)
    return mean, var, n_seen, has_nan


def is_constant_feature(var, mean, n_samples):
    """True where the variance is within rounding error of zero (upper bound of its error)."""
    eps = np.finfo(np.float64).eps
    upper_bound = n_samples * eps * var + (n_samples * mean * eps) ** 2
    return var <= upper_bound


class StandardScaler(TransformerMixin, BaseEstimator):
    """Standardise features: x' = (x - mu) / sigma, with sigma the population std (ddof=0).

    Inventory: DP-02. Missing values (NaN) are ignored in ``fit`` and kept in ``transform``.
    Fit on the training data only and reuse the statistics on test data (DP-14). Standardising
    does not assume the data is normal (the source notes say otherwise; see inventory E-05).

    With ``sample_weight``: mu = sum w x / sum w, sigma^2 = sum w (x - mu)^2 / sum w.
    A constant feature gets sigma = 1 (it is only centred).

    Parameters
    ----------
    copy : bool, default=True
        Kept for scikit-learn compatibility; glassml always returns a new array.
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation.

    Attributes
    ----------
    mean_, var_, scale_ : ndarray of shape (n_features,) (None when switched off)
    n_samples_seen_ : int, or ndarray when NaNs make it differ per feature (weight sums
        when ``sample_weight`` is given).

    Example
    -------
    >>> StandardScaler().fit_transform([[0.0], [2.0]]).ravel()
    array([-1.,  1.])
    """

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None, sample_weight=None):
        """Compute the per-feature mean and standard deviation of ``X``."""
        X = self._validate_data(X, dtype=FLOAT_DTYPES, allow_nan=True)
        sw = None if sample_weight is None else check_sample_weight(sample_weight, X)
        if sw is not None and not np.any(sw):
            raise ValueError(
                "sample_weight: Sample weights must contain at least one non-zero number."
            )
        mean, var, n_seen, has_nan = weighted_mean_var(X, sw)
        if has_nan or sw is not None:
            self.n_samples_seen_ = n_seen if sw is not None else n_seen.astype(np.int64)
        else:
            self.n_samples_seen_ = X.shape[0]
        if not self.with_mean and not self.with_std:
            self.mean_, self.var_, self.scale_ = None, None, None
            return self
        self.mean_ = mean
        if self.with_std:
            self.var_ = var
            constant = is_constant_feature(var, mean, n_seen)
            self.scale_ = handle_zeros_in_scale(np.sqrt(var), constant_mask=constant)
        else:
            self.var_, self.scale_ = None, None
        return self

    def transform(self, X, copy=None):
        """x' = (x - mean_) / scale_ (NaN stays NaN)."""
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES, allow_nan=True)
        out = np.array(X, copy=True)
        if self.with_mean:
            out -= self.mean_.astype(X.dtype, copy=False)
        if self.with_std:
            out /= self.scale_.astype(X.dtype, copy=False)
        return out

    def inverse_transform(self, X, copy=None):
        """x = x' * scale_ + mean_."""
        X = validate_inverse_input(self, X, self.n_features_in_, dtype=FLOAT_DTYPES)
        out = np.array(X, copy=True)
        if self.with_std:
            out *= self.scale_.astype(X.dtype, copy=False)
        if self.with_mean:
            out += self.mean_.astype(X.dtype, copy=False)
        return out

    def get_feature_names_out(self, input_features=None):
        """Same names as the input (one output per input feature)."""
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"allow_nan": True, "preserves_dtype": ["float64", "float32"]}
