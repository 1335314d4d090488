"""A KD-tree built level by level with array operations, queried in batches.

Layout: a complete binary tree stored implicitly (node i has children 2i+1 and 2i+2). Node i
owns the contiguous slice ``idx_array[start_i:end_i]`` of a permutation of the data; a node is
split at the median of its widest dimension, so the slice is cut at mid = (start + end) // 2
and all leaves lie on the last level with sizes differing by at most one. Each node stores its
bounding box [lo, hi], which gives a lower bound on the distance from a query q to any point in
the node:

    mindist(q, node)^p = Σ_j max(lo_j − q_j, 0, q_j − hi_j)^p.

Building: for all nodes of one level at once, the box comes from ``np.minimum.reduceat`` over
the node slices, the split dimension is the argmax of hi − lo, and one ``np.lexsort`` on
(node id, value on the split dimension) puts every node's points in median order.

Querying (batch of queries, no Python loop per query): (1) each query descends to the deepest
node holding at least k points and its k-th nearest distance there gives an upper bound r_q on
the true k-th distance; (2) a frontier of (query, node) pairs walks down the tree level by
level, keeping a pair only when mindist(q, node) <= r_q; (3) the surviving leaves' points are
scored and the k smallest per query kept. Every point with distance <= r_q lies in a kept leaf,
so the answer is exact.

Inventory: NC-04 (KNN), NC-05 (distances).
"""

from __future__ import annotations

import numpy as np

from glassml._core import check_array, check_scalar

__all__ = ["KDTree"]

_VALID_METRICS = ("euclidean", "l2", "manhattan", "l1", "cityblock", "chebyshev", "minkowski")


def _metric_to_p(metric: str, p: float) -> float:
    """The Minkowski exponent of a metric name ('minkowski' uses ``p``)."""
    if metric in ("euclidean", "l2"):
        return 2.0
    if metric in ("manhattan", "l1", "cityblock"):
        return 1.0
    if metric == "chebyshev":
        return np.inf
    if metric == "minkowski":
        return float(p)
    raise ValueError(f"metric: expected one of {list(_VALID_METRICS)} for KDTree, got {metric!r}.")


def _reduced(diff: np.ndarray, p: float) -> np.ndarray:
    """Σ_j |diff_j|^p over the last axis (max for p = inf): the distance without the root."""
    if p == 2.0:
        return np.einsum("...j,...j->...", diff, diff)
    if p == 1.0:
        return np.abs(diff).sum(axis=-1)
    if np.isinf(p):
        return np.abs(diff).max(axis=-1)
    return (np.abs(diff) ** p).sum(axis=-1)


def _unreduce(reduced: np.ndarray, p: float) -> np.ndarray:
    if p == 2.0:
        return np.sqrt(reduced)
    if p == 1.0 or np.isinf(p):
        return reduced
    return reduced ** (1.0 / p)


class KDTree:
    """KD-tree for exact nearest-neighbour and radius queries in low dimensions.

    Distances: Minkowski with p >= 1 (``metric`` "euclidean", "manhattan", "chebyshev" or
    "minkowski" with ``p``). See the module docstring for the build and query algorithms.

    Inventory: NC-04, NC-05.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    leaf_size : int, default 40
        Leaves hold between leaf_size and 2 · leaf_size points (fewer for tiny data sets).
    metric : str, default "minkowski"
    p : float, default 2

    Example
    -------
    >>> import numpy as np
    >>> tree = KDTree(np.array([[0.0], [1.0], [5.0]]))
    >>> dist, ind = tree.query(np.array([[0.9]]), k=2)
    >>> ind.tolist(), dist.round(2).tolist()
    ([[1, 0]], [[0.1, 0.9]])
    """

    def __init__(self, X, leaf_size: int = 40, metric: str = "minkowski", p: float = 2):
        check_scalar(leaf_size, "leaf_size", int, min_val=1)
        if isinstance(p, bool) or not np.isscalar(p) or not p >= 1:
            raise ValueError(f"p: expected a number >= 1, got {p!r}.")
        self.p_ = _metric_to_p(metric, p)
        self.metric = metric
        self.leaf_size = leaf_size
        self.data = check_array(X, name="X", dtype=np.float64)
        self._build()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        X = self.data
        n, d = X.shape
        self.n_levels = int(np.log2(max(1.0, (n - 1) / self.leaf_size))) + 1
        n_nodes = 2**self.n_levels - 1
        self.node_lo = np.empty((n_nodes, d))
        self.node_hi = np.empty((n_nodes, d))
        self.node_start = np.empty(n_nodes, dtype=np.intp)
        self.node_end = np.empty(n_nodes, dtype=np.intp)
        self.split_dim = np.zeros(n_nodes, dtype=np.intp)
        self.split_value = np.zeros(n_nodes)
        order = np.arange(n)  # permutation of the points; node slices index into it
        starts, ends = np.array([0]), np.array([n])
        for level in range(self.n_levels):
            first = 2**level - 1
            nodes = np.arange(first, first + starts.size)  # (m,) node ids of this level
            points = X[order]  # (n, d) points in the current order
            lo = np.minimum.reduceat(points, starts, axis=0)  # (m, d)
            hi = np.maximum.reduceat(points, starts, axis=0)  # (m, d)
            self.node_lo[nodes], self.node_hi[nodes] = lo, hi
            self.node_start[nodes], self.node_end[nodes] = starts, ends
            if level == self.n_levels - 1:
                break
            dims = np.argmax(hi - lo, axis=1)  # (m,) widest dimension of every node
            sizes = ends - starts
            node_of_point = np.repeat(np.arange(starts.size), sizes)  # (n,)
            key = points[np.arange(n), dims[node_of_point]]  # (n,) value on the split dim
            order = order[np.lexsort((key, node_of_point))]
            mids = (starts + ends) // 2
            self.split_dim[nodes] = dims
            self.split_value[nodes] = X[order[mids], dims]
            starts, ends = np.stack([starts, mids], 1).ravel(), np.stack([mids, ends], 1).ravel()
        self.idx_array = order
        # leaves as a padded (n_leaves, max_leaf) index matrix (-1 = padding)
        leaf_sizes = ends - starts
        self._leaf_first = 2 ** (self.n_levels - 1) - 1
        width = int(leaf_sizes.max())
        cols = np.arange(width)
        pos = starts[:, None] + cols[None, :]  # (n_leaves, width)
        valid = cols[None, :] < leaf_sizes[:, None]
        self._leaf_points = np.where(valid, order[np.minimum(pos, n - 1)], -1)

    # ------------------------------------------------------------------ helpers
    def _check_queries(self, X) -> np.ndarray:
        X = check_array(X, name="X", dtype=np.float64)
        if X.shape[1] != self.data.shape[1]:
            raise ValueError(
                f"X: expected {self.data.shape[1]} features (like the tree's data), "
                f"got {X.shape[1]}."
            )
        return X

    def _mindist(self, Q: np.ndarray, nodes: np.ndarray) -> np.ndarray:
        """Reduced lower-bound distance from each query row to each paired node's box."""
        gap = np.maximum(self.node_lo[nodes] - Q, 0.0)  # (m, d)
        np.maximum(gap, Q - self.node_hi[nodes], out=gap)
        return _reduced(gap, self.p_)

    def _descend(self, Q: np.ndarray, min_points: int) -> np.ndarray:
        """Node id, per query, of the deepest node on its path holding >= min_points points."""
        sizes_per_level = [
            (
                self.node_end[2**lv - 1 : 2 ** (lv + 1) - 1]
                - self.node_start[2**lv - 1 : 2 ** (lv + 1) - 1]
            ).min()
            for lv in range(self.n_levels)
        ]
        depth = max(lv for lv in range(self.n_levels) if sizes_per_level[lv] >= min_points)
        node = np.zeros(Q.shape[0], dtype=np.intp)
        rows = np.arange(Q.shape[0])
        for _ in range(depth):
            go_right = Q[rows, self.split_dim[node]] >= self.split_value[node]
            node = 2 * node + 1 + go_right
        return node

    def _leaf_pairs(self, Q: np.ndarray, bound: np.ndarray):
        """(query, leaf) pairs whose box lies within ``bound`` (reduced) of the query."""
        q_idx = np.arange(Q.shape[0])
        node = np.zeros(Q.shape[0], dtype=np.intp)
        slack = 1.0 + 1e-12
        for level in range(self.n_levels):
            keep = self._mindist(Q[q_idx], node) <= bound[q_idx] * slack
            q_idx, node = q_idx[keep], node[keep]
            if level < self.n_levels - 1:
                q_idx = np.repeat(q_idx, 2)
                node = (2 * node[:, None] + np.array([1, 2])).ravel()
        return q_idx, node - self._leaf_first

    def _leaf_candidates(self, Q, q_idx, leaves):
        """Reduced distances (pairs, width) from each pair's query to its leaf's points."""
        points = self._leaf_points[leaves]  # (pairs, width), -1 padded
        diff = self.data[points] - Q[q_idx][:, None, :]  # (pairs, width, d)
        reduced = _reduced(diff, self.p_)
        reduced[points < 0] = np.inf
        return points, reduced

    # ------------------------------------------------------------------ queries
    def query(self, X, k: int = 1, return_distance: bool = True, sort_results: bool = True):
        """The ``k`` nearest neighbours of every row of ``X``, nearest first.

        Returns ``(dist, ind)`` of shape (n_queries, k) (or ``ind`` alone).
        """
        Q = self._check_queries(X)
        check_scalar(k, "k", (int, np.integer), min_val=1)
        n = self.data.shape[0]
        if k > n:
            raise ValueError(f"k: expected k <= n_samples_fit = {n}, got k={k}.")
        dist = np.empty((Q.shape[0], k))
        ind = np.empty((Q.shape[0], k), dtype=np.intp)
        batch = max(1, 2**16 // max(1, self.leaf_size * self.data.shape[1]))
        for start in range(0, Q.shape[0], batch):
            rows = slice(start, start + batch)
            dist[rows], ind[rows] = self._query_batch(Q[rows], k)
        dist = _unreduce(dist, self.p_)
        return (dist, ind) if return_distance else ind

    def _query_batch(self, Q: np.ndarray, k: int):
        m = Q.shape[0]
        # (1) an upper bound on the k-th distance from the deepest node holding >= k points
        start_node = self._descend(Q, k)
        starts, ends = self.node_start[start_node], self.node_end[start_node]
        width = int((ends - starts).max())
        pos = starts[:, None] + np.arange(width)[None, :]  # (m, width)
        valid = pos < ends[:, None]
        pts = self.idx_array[np.minimum(pos, self.data.shape[0] - 1)]
        reduced = _reduced(self.data[pts] - Q[:, None, :], self.p_)  # (m, width)
        reduced[~valid] = np.inf
        bound = np.partition(reduced, k - 1, axis=1)[:, k - 1]  # (m,)
        # (2) pairs (query, leaf) that can hold a point within the bound
        q_idx, leaves = self._leaf_pairs(Q, bound)
        # (3) score the candidates and keep the k smallest per query
        points, reduced = self._leaf_candidates(Q, q_idx, leaves)
        flat_q = np.repeat(q_idx, points.shape[1])
        flat_p, flat_r = points.ravel(), reduced.ravel()
        order = np.lexsort((flat_p, flat_r, flat_q))  # by query, then distance, then index
        first = np.searchsorted(flat_q[order], np.arange(m))  # (m,) group starts
        take = order[first[:, None] + np.arange(k)[None, :]]  # (m, k)
        return flat_r[take], flat_p[take]

    def query_radius(
        self,
        X,
        r,
        return_distance: bool = False,
        count_only: bool = False,
        sort_results: bool = False,
    ):
        """Neighbours within distance ``r`` (inclusive) of every row of ``X``.

        Returns an object array of index arrays (and one of distance arrays with
        ``return_distance``), or the counts with ``count_only``.
        """
        Q = self._check_queries(X)
        radius = np.broadcast_to(np.asarray(r, dtype=np.float64), (Q.shape[0],))
        if (radius < 0).any() or not np.isfinite(radius).all():
            raise ValueError(f"r: expected finite non-negative radii, got {r!r}.")
        if np.isinf(self.p_) or self.p_ == 1.0:
            bound = radius.copy()
        else:
            bound = radius**self.p_
        q_idx, leaves = self._leaf_pairs(Q, bound)
        points, reduced = self._leaf_candidates(Q, q_idx, leaves)
        inside = reduced <= bound[q_idx][:, None]
        rows = np.nonzero(inside)
        hit_q, hit_p = q_idx[rows[0]], points[rows]
        hit_d = _unreduce(reduced[rows], self.p_)
        counts = np.bincount(hit_q, minlength=Q.shape[0])
        if count_only:
            return counts
        order = np.lexsort((hit_d, hit_q)) if sort_results else np.argsort(hit_q, kind="stable")
        splits = np.cumsum(counts)[:-1]
        ind = _as_object_array(np.split(hit_p[order], splits))
        if not return_distance:
            return ind
        return ind, _as_object_array(np.split(hit_d[order], splits))


def _as_object_array(parts: list) -> np.ndarray:
    out = np.empty(len(parts), dtype=object)
    out[:] = parts
    return out
