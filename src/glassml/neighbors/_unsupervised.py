"""Unsupervised nearest-neighbour search (the building block of KNN, DBSCAN, imputers).

Inventory: NC-04, NC-05.
"""

from __future__ import annotations

import numpy as np

from ._base import KNeighborsMixin, NeighborsBase, RadiusNeighborsMixin

__all__ = ["NearestNeighbors"]


class NearestNeighbors(KNeighborsMixin, RadiusNeighborsMixin, NeighborsBase):
    """Exact k-nearest and radius neighbour search.

    ``fit`` only stores the data (and builds a KD-tree for ``algorithm="kd_tree"``); queries
    return the training points that minimise d(q, x) for the chosen metric:
    Minkowski d(q, x) = (Σ_j |q_j − x_j|^p)^(1/p) (p = 2 Euclidean, p = 1 Manhattan) or cosine
    d(q, x) = 1 − q·x / (‖q‖ ‖x‖).

    Inventory: NC-04, NC-05.

    Parameters
    ----------
    n_neighbors : int, default 5
    radius : float, default 1.0
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
        "brute": chunked BLAS distances + ``np.argpartition``; "kd_tree": :class:`KDTree`
        (Minkowski metrics only); "auto": the tree for <= 15 features and small k.
    leaf_size : int, default 30
    metric : {"minkowski", "euclidean", "manhattan", "chebyshev", "cosine", ...}
    p : float, default 2 (Minkowski exponent)

    Example
    -------
    >>> nn = NearestNeighbors(n_neighbors=1).fit([[0.0], [1.0], [10.0]])
    >>> nn.kneighbors([[8.0]])[1].tolist()
    [[2]]
    """

    def __init__(
        self,
        *,
        n_neighbors=5,
        radius=1.0,
        algorithm="auto",
        leaf_size=30,
        metric="minkowski",
        p=2,
    ):
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.p = p

    def fit(self, X, y=None):
        """Store ``X`` (n_samples, n_features) for later queries; ``y`` is ignored."""
        X = self._validate_data(X, dtype=np.float64)
        self._fit_data(X)
        return self
