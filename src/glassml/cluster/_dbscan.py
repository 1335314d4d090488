"""DBSCAN: density-based clustering with noise.

With N_ε(x) = {x' : d(x, x') <= ε} (x itself included):

* x is a core point when Σ_{x' ∈ N_ε(x)} w_{x'} >= min_samples;
* clusters are the connected components of the graph joining core points that are within ε of
  each other;
* a non-core point within ε of a core point is a border point of that core point's cluster
  (of the earliest-numbered such cluster when several qualify); every other point is noise
  (label −1).

Clusters are numbered in order of their lowest-index core point, which is the order
scikit-learn's breadth-first expansion produces, so the labels equal scikit-learn's. The
ε-neighbourhoods come from :class:`glassml.neighbors.NearestNeighbors` (brute-force BLAS or a
KD-tree) as a sparse graph, and the components from ``scipy.sparse.csgraph``.

Inventory: NC-06 (clustering family), NC-07 (density/distance-based anomaly detection: noise
points are the anomalies).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.sparse.csgraph import connected_components

from glassml._core import BaseEstimator, ClusterMixin, check_in, check_scalar
from glassml.neighbors import NearestNeighbors

from ._kmeans import _check_fit_weights

__all__ = ["DBSCAN"]


class DBSCAN(ClusterMixin, BaseEstimator):
    """Density-based spatial clustering of applications with noise (module docstring).

    Inventory: NC-06, NC-07.

    Parameters
    ----------
    eps : float, default 0.5
        Neighbourhood radius (inclusive).
    min_samples : int, default 5
        Weight (count) of the neighbourhood, the point included, that makes a core point.
    metric : {"euclidean", "manhattan", "chebyshev", "minkowski", "cosine"}, default "euclidean"
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
    leaf_size : int, default 30
    p : float or None (Minkowski exponent, default 2)

    Attributes
    ----------
    labels_ (n,) with −1 for noise, core_sample_indices_, components_ (the core points).

    Example
    -------
    >>> X = [[0.0], [0.1], [0.2], [5.0], [5.1], [5.2], [20.0]]
    >>> DBSCAN(eps=0.5, min_samples=2).fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, 1, -1]
    """

    def __init__(
        self,
        *,
        eps=0.5,
        min_samples=5,
        metric="euclidean",
        algorithm="auto",
        leaf_size=30,
        p=None,
    ):
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p

    def fit(self, X, y=None, sample_weight=None):
        """Find core points, their connected components and the border/noise points."""
        X = self._validate_data(X, dtype=np.float64)
        check_scalar(self.eps, "eps", numbers.Real, min_val=0, include_boundaries="neither")
        check_scalar(self.min_samples, "min_samples", numbers.Integral, min_val=1)
        check_in(self.algorithm, "algorithm", ("auto", "brute", "kd_tree"))
        w = _check_fit_weights(sample_weight, X)
        n = X.shape[0]
        nn = NearestNeighbors(
            radius=self.eps,
            algorithm=self.algorithm,
            leaf_size=self.leaf_size,
            metric=self.metric,
            p=2 if self.p is None else self.p,
        ).fit(X)
        graph = nn.radius_neighbors_graph(X, mode="connectivity").tocsr()  # (n, n), self incl.
        neighborhood_weight = graph @ w  # (n,)
        is_core = neighborhood_weight >= self.min_samples
        core = np.flatnonzero(is_core)
        labels = np.full(n, -1, dtype=np.intp)
        if core.size:
            core_graph = graph[core][:, core]
            _, component = connected_components(core_graph, directed=False)
            # number the clusters by their lowest-index core point (scikit-learn's order)
            first_core = np.full(component.max() + 1, n, dtype=np.intp)
            np.minimum.at(first_core, component, core)
            rank = np.empty_like(first_core)
            rank[np.argsort(first_core)] = np.arange(first_core.size)
            labels[core] = rank[component]
            # border points: the smallest cluster label among their core neighbours
            to_core = graph[:, core].tocoo()  # edges (point, core point)
            border_edge = ~is_core[to_core.row]
            pts = to_core.row[border_edge]
            labs = labels[core[to_core.col[border_edge]]]
            best = np.full(n, np.iinfo(np.intp).max, dtype=np.intp)
            np.minimum.at(best, pts, labs)
            has = best != np.iinfo(np.intp).max
            labels[has] = best[has]
        self.core_sample_indices_ = core
        self.components_ = X[core].copy()
        self.labels_ = labels
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_
