"""Quantile binning of features for histogram gradient boosting (Inventory: TE-13).

Every feature is cut at (at most) ``max_bins - 1`` thresholds placed at quantiles of its
non-missing values (midpoints between distinct values when a feature has few of them), so a
value ``x`` falls into bin ``b = #{thresholds < x}``, i.e. ``x <= thresholds[b]``. NaN goes to
a dedicated last bin ``max_bins``. Splits then only have to look at ``max_bins`` candidate
cut points per feature, and gradients can be summed per bin with one ``np.bincount``.
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import BaseEstimator, TransformerMixin, check_random_state, check_scalar

__all__ = ["BinMapper"]


def _percentiles_of_sorted(values: np.ndarray, percentiles: np.ndarray) -> np.ndarray:
    """``np.percentile(values, percentiles, method="averaged_inverted_cdf")`` of an already
    sorted array, without NumPy's partitioning (bit-identical): with the virtual index
    ``v = n·q − 1``, the value at ``⌈v⌉`` when ``v`` is fractional, else the mean of the values
    at ``v`` and ``v + 1`` (computed as NumPy's lerp ``b − (b − a)·½``)."""
    n = values.size
    virtual = n * (percentiles / 100.0) - 1.0  # (k,)
    below = np.floor(virtual)
    exact = (virtual - below) == 0  # on a step of the CDF: average the two neighbours
    a = values[np.clip(below, 0, n - 1).astype(np.intp)]
    b = values[np.clip(below + 1, 0, n - 1).astype(np.intp)]
    return np.where(exact, b - (b - a) * 0.5, b)


def _feature_thresholds(column: np.ndarray, max_bins: int) -> np.ndarray:
    """Bin upper edges of one feature (ascending, at most ``max_bins - 1`` values).

    Few distinct values: midpoints between consecutive distinct values (every value its own
    bin). Otherwise: percentiles (averaged inverted CDF, as scikit-learn) at
    ``100·k/max_bins``, k = 1..max_bins-1. One sort serves both (no ``np.unique`` and no
    ``np.percentile`` partitioning).
    """
    finite = np.sort(column[~np.isnan(column)])  # (n_finite,)
    if finite.size == 0:
        return np.zeros(0)
    new_value = np.empty(finite.size, dtype=bool)
    new_value[0] = True
    np.not_equal(finite[1:], finite[:-1], out=new_value[1:])
    distinct = finite[new_value]  # (n_distinct,) sorted
    if distinct.size <= max_bins:
        return (distinct[:-1] + distinct[1:]) / 2.0
    percentiles = np.linspace(0, 100, max_bins + 1)[1:-1]  # (max_bins - 1,)
    edges = _percentiles_of_sorted(finite, percentiles)
    return np.unique(edges)  # duplicates (heavy ties) collapse into one edge


class BinMapper(TransformerMixin, BaseEstimator):
    """Map each feature to small integer bins: ``bin = searchsorted(edges_f, x, "left")``.

    Parameters
    ----------
    max_bins : int in [2, 255]
        Bins for non-missing values; NaN goes to the extra bin ``max_bins``.
    subsample : int or None
        Thresholds are computed on at most this many random rows (quantiles barely move).
    random_state : int, Generator or None

    Attributes
    ----------
    bin_thresholds_ : list of arrays, the upper edges of every feature's bins.
    n_bins_non_missing_ : ndarray (n_features,), bins actually used per feature.
    missing_values_bin_idx_ : int, equal to ``max_bins``.

    Example
    -------
    >>> import numpy as np
    >>> BinMapper(max_bins=4).fit_transform(np.array([[0.0], [1.0], [2.0], [np.nan]])).ravel()
    array([0, 1, 2, 4], dtype=uint8)
    """

    def __init__(self, *, max_bins=255, subsample=200_000, random_state=None):
        self.max_bins = max_bins
        self.subsample = subsample
        self.random_state = random_state

    def _glassml_tags(self):
        return {"allow_nan": True}

    def fit(self, X, y=None):
        """Compute the bin edges of every feature; returns ``self``."""
        X = self._validate_data(X, allow_nan=True, dtype=np.float64)
        check_scalar(self.max_bins, "max_bins", numbers.Integral, min_val=2, max_val=255)
        if self.subsample is not None:
            check_scalar(self.subsample, "subsample", numbers.Integral, min_val=1)
        if np.isinf(X).any():
            raise ValueError("X: contains infinity; only NaN is supported as a missing value.")
        rows = X
        if self.subsample is not None and X.shape[0] > self.subsample:
            rng = check_random_state(self.random_state)
            rows = X[rng.choice(X.shape[0], self.subsample, replace=False)]
        self.bin_thresholds_ = [_feature_thresholds(rows[:, j], self.max_bins)
                                for j in range(X.shape[1])]  # fmt: skip
        self.n_bins_non_missing_ = np.array([t.size + 1 for t in self.bin_thresholds_])
        self.missing_values_bin_idx_ = int(self.max_bins)
        return self

    def transform(self, X):
        """Binned copy of ``X``, dtype uint8, shape (n_samples, n_features); NaN -> max_bins."""
        X = self._validate_data(X, reset=False, allow_nan=True, dtype=np.float64)
        binned = np.empty(X.shape, dtype=np.uint8, order="F")  # (n, d), column-major
        for j, edges in enumerate(self.bin_thresholds_):
            column = X[:, j]
            bins = np.searchsorted(edges, column, side="left")  # x <= edges[b]
            bins[np.isnan(column)] = self.missing_values_bin_idx_
            binned[:, j] = bins
        return np.ascontiguousarray(binned)
