"""K-nearest-neighbour imputation under the NaN-aware Euclidean distance."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_in, check_is_fitted
from ..metrics.pairwise import nan_squared_sums
from ..preprocessing._utils import input_feature_names
from ._base import IndicatorMixin, is_scalar_nan

_CHUNK_ELEMENTS = 2**21  # 16 MiB of float64 distances per block: reused, no page faults


def _neighbour_weights(dist, weights):
    """Weights of the donors: uniform 1, 1/d (an exact match takes all the weight), or callable."""
    if weights == "uniform":
        w = np.ones_like(dist)
        w[np.isnan(dist)] = 0.0
        return w
    if weights == "distance":
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        inf_mask = np.isinf(w)
        inf_row = inf_mask.any(axis=1)
        w[inf_row] = inf_mask[inf_row]
    else:
        w = np.asarray(weights(dist), dtype=np.float64)
    w[np.isnan(w)] = 0.0
    return w


class KNNImputer(IndicatorMixin, TransformerMixin, BaseEstimator):
    """Fill each missing entry with the (weighted) mean of that feature over the k nearest
    training rows that have it, under :func:`nan_euclidean_distances`.

        x_ij <- sum_{r in N_k(i, j)} w_r x_rj / sum w_r

    N_k(i, j): the k training rows closest to row i among those where feature j is present.
    Rows with no common coordinate with any donor get the feature's mean. Distances are built
    by BLAS in blocks of query rows; no Python loop over samples. Inventory: DP-10.

    Parameters
    ----------
    missing_values : np.nan
    n_neighbors : int >= 1, default=5
    weights : {"uniform", "distance"} or callable
    metric : "nan_euclidean"
    copy : bool, default=True
    add_indicator : bool, default=False
    keep_empty_features : bool, default=False

    Example
    -------
    >>> KNNImputer(n_neighbors=2).fit_transform([[1.0, 2.0], [np.nan, 3.0], [7.0, 6.0]])[1]
    array([4., 3.])
    """

    def __init__(
        self,
        *,
        missing_values=np.nan,
        n_neighbors=5,
        weights="uniform",
        metric="nan_euclidean",
        copy=True,
        add_indicator=False,
        keep_empty_features=False,
    ):
        self.missing_values = missing_values
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.copy = copy
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features

    def fit(self, X, y=None):
        """Store the training rows (the donors)."""
        if not is_scalar_nan(self.missing_values):
            raise ValueError(
                f"missing_values: only np.nan is supported, got {self.missing_values!r}."
            )
        if (
            not isinstance(self.n_neighbors, numbers.Integral)
            or isinstance(self.n_neighbors, bool)
            or self.n_neighbors < 1
        ):
            raise ValueError(f"n_neighbors: expected an int >= 1, got {self.n_neighbors!r}.")
        if not callable(self.weights):
            check_in(self.weights, "weights", ("uniform", "distance"))
        check_in(self.metric, "metric", ("nan_euclidean",))
        X = self._validate_data(X, dtype=[np.float64, np.float32], allow_nan=True)
        self._fit_X = X
        self._mask_fit_X = np.isnan(X)
        self._valid_mask = ~self._mask_fit_X.all(axis=0)
        self._fit_indicator(self._mask_fit_X)
        return self

    def transform(self, X):
        """Impute every missing entry from its nearest donors."""
        X = self._validate_data(X, reset=False, dtype=[np.float64, np.float32], allow_nan=True)
        mask = np.isnan(X)  # (n, p)
        valid = self._valid_mask
        X = np.array(X, copy=True)
        row_missing = np.flatnonzero(mask[:, valid].any(axis=1))
        if row_missing.size:
            fit_X, fit_mask = self._fit_X, self._mask_fit_X
            fit_X0 = np.where(fit_mask, 0.0, fit_X)
            present_fit = (~fit_mask).astype(fit_X0.dtype)
            n_fit, p = fit_X.shape
            col_means = np.where(fit_mask, 0, fit_X).sum(axis=0) / np.maximum(
                (~fit_mask).sum(axis=0), 1
            )
            chunk = max(1, _CHUNK_ELEMENTS // max(n_fit, 1))
            min_fit_obs = int((~fit_mask).sum(axis=1).min())
            for start in range(0, row_missing.size, chunk):
                rows = row_missing[start : start + chunk]
                Q, Qm = X[rows], mask[rows]
                Q0 = np.where(Qm, 0.0, Q)
                dist = nan_squared_sums(Q0, fit_X0, Qm, fit_mask)  # (c, n_fit)
                present = (~Qm).astype(Q0.dtype) @ present_fit.T
                if min_fit_obs + (~Qm).sum(axis=1).min() <= p:  # some pairs may share nothing
                    dist[present == 0] = np.nan
                np.maximum(1, present, out=present)
                dist /= present
                dist *= p
                np.sqrt(dist, out=dist)
                self._impute_block(X, rows, Qm, dist, col_means)
        out = X if self.keep_empty_features else X[:, valid]
        if self.keep_empty_features:
            out[:, ~valid] = 0.0
        return self._with_indicator(out, mask)

    def _impute_block(self, X, rows, Qm, dist, col_means):
        """Fill the missing entries of the query ``rows`` (their distances in ``dist``)."""
        fit_X, fit_mask = self._fit_X, self._mask_fit_X
        for j in np.flatnonzero(self._valid_mask):
            receivers = np.flatnonzero(Qm[:, j])  # positions within the block
            if receivers.size == 0:
                continue
            donors = np.flatnonzero(~fit_mask[:, j])
            d = dist[np.ix_(receivers, donors)]  # (r, n_donors)
            no_common = np.isnan(d).all(axis=1)
            if no_common.any():
                X[rows[receivers[no_common]], j] = col_means[j]
                receivers, d = receivers[~no_common], d[~no_common]
                if receivers.size == 0:
                    continue
            k = min(self.n_neighbors, donors.size)
            nn = np.argpartition(d, k - 1, axis=1)[:, :k]  # (r, k) donor positions
            nn_dist = np.take_along_axis(d, nn, axis=1)
            w = _neighbour_weights(nn_dist, self.weights)  # (r, k)
            values = fit_X[donors[nn], j]  # (r, k)
            X[rows[receivers], j] = (w * values).sum(axis=1) / w.sum(axis=1)

    def get_feature_names_out(self, input_features=None):
        """Names of the kept columns, then the indicator names."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        kept = list(names if self.keep_empty_features else names[self._valid_mask])
        return np.asarray(kept + self._indicator_names(input_features), dtype=object)

    def _glassml_tags(self):
        return {"allow_nan": True}
