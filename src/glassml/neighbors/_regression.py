"""k-nearest-neighbour regression: the (weighted) mean of the k nearest training targets.

Inventory: NC-04 (KNN regressor, mean of the neighbours).
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import RegressorMixin, check_scalar

from ._base import KNeighborsMixin, NeighborsBase
from ._weights import check_weights, neighbor_weights

__all__ = ["KNeighborsRegressor"]


class KNeighborsRegressor(KNeighborsMixin, RegressorMixin, NeighborsBase):
    """k-nearest-neighbour regressor.

    ŷ(x) = Σ_{i ∈ N_k(x)} w_i y_i / Σ_{i ∈ N_k(x)} w_i with w_i = 1 ("uniform"), 1/d(x, x_i)
    ("distance") or a callable of the distances. Multi-output ``y`` (n_samples, n_outputs)
    is averaged column by column.

    Inventory: NC-04, NC-05; claims CL-008, CL-056.

    Parameters
    ----------
    n_neighbors : int, default 5
    weights : {"uniform", "distance"} or callable, default "uniform"
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
    leaf_size : int, default 30
    metric : str, default "minkowski"
    p : float, default 2

    Example
    -------
    >>> reg = KNeighborsRegressor(n_neighbors=2).fit([[0], [1], [2], [3]], [0.0, 1.0, 2.0, 3.0])
    >>> reg.predict([[1.4]]).tolist()
    [1.5]
    """

    def __init__(
        self,
        *,
        n_neighbors=5,
        weights="uniform",
        algorithm="auto",
        leaf_size=30,
        metric="minkowski",
        p=2,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.p = p

    def fit(self, X, y):
        """Store the training data and targets (1-D or (n_samples, n_outputs))."""
        X, y = self._validate_data(X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        check_scalar(self.n_neighbors, "n_neighbors", numbers.Integral, min_val=1)
        check_weights(self.weights)
        self._y = y.astype(np.float64, copy=False)
        self._fit_data(X)
        return self

    def predict(self, X):
        """Weighted mean of the neighbours' targets, shape (n_queries,) or (n_queries, n_out)."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        dist, ind = self.kneighbors(X)
        weights = neighbor_weights(dist, self.weights)
        y = self._y if self._y.ndim == 2 else self._y[:, None]  # (n_fit, n_out)
        neighbor_y = y[ind]  # (n_q, k, n_out)
        if weights is None:
            pred = neighbor_y.mean(axis=1)
        else:
            pred = np.einsum("qk,qko->qo", weights, neighbor_y) / weights.sum(axis=1)[:, None]
        return pred.ravel() if self._y.ndim == 1 else pred

    def _glassml_tags(self):
        return {"multi_output": True}
