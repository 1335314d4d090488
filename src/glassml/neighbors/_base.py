"""Shared machinery of the neighbour estimators: fitting (storing the data, building a tree),
k-nearest and radius queries by brute force or KD-tree, and neighbour graphs.

Brute force: for a chunk of queries Q and the training set X, squared Euclidean distances come
from one GEMM, ‖q − x‖² = ‖q‖² − 2 q·x + ‖x‖²; the ‖q‖² term does not change the order within a
row, so the k smallest of (‖x‖² − 2 q·x) are selected with ``np.argpartition`` first and ‖q‖²
is added to the k winners only. Other metrics use the chunked pairwise functions.

Inventory: NC-04, NC-05.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import sparse

from glassml._core import BaseEstimator, check_in, check_scalar
from glassml.metrics.pairwise import (
    cosine_distances,
    manhattan_distances,
    minkowski_distances,
    row_norms,
)

from ._kd_tree import KDTree, _as_object_array

__all__ = ["NeighborsBase", "KNeighborsMixin", "RadiusNeighborsMixin", "VALID_METRICS"]

VALID_METRICS = (
    "euclidean",
    "l2",
    "manhattan",
    "l1",
    "cityblock",
    "chebyshev",
    "minkowski",
    "cosine",
)
_TREE_METRICS = ("euclidean", "manhattan", "chebyshev", "minkowski")
_CHUNK_ELEMENTS = 2**21  # entries of one (queries, n_fit) distance block
_SELECT_BLOCK = 128  # block width of the threshold selection in smallest_k


def smallest_k(D: np.ndarray, k: int) -> np.ndarray:
    """Column indices (rows, k) of the k smallest entries of every row, in increasing order.

    Faster than ``np.argpartition`` on wide rows: each row is cut into blocks of
    ``_SELECT_BLOCK`` columns; the k-th smallest block minimum t is >= k distinct entries, so
    every one of the k smallest entries is <= t and lies in a block whose minimum is <= t.
    Only those few blocks are scanned; the candidates are sorted per row by (value, column),
    so ties are broken by the lower column index.
    """
    c, n = D.shape
    width = max(1, min(_SELECT_BLOCK, n // (2 * k)))  # k <= n blocks, so k <= n_blocks
    n_blocks = n // width
    blocks = D[:, : n_blocks * width].reshape(c, n_blocks, width)  # view
    block_min = blocks.min(axis=2)  # (c, n_blocks)
    threshold = np.partition(block_min, k - 1, axis=1)[:, k - 1]  # (c,)
    row_b, blk = np.nonzero(block_min <= threshold[:, None])  # the few candidate blocks
    values = blocks[row_b, blk]  # (m, width)
    r, j = np.nonzero(values <= threshold[row_b][:, None])
    rows, cols, vals = row_b[r], blk[r] * width + j, values[r, j]
    tail = n_blocks * width
    if tail < n:  # columns past the last whole block are always candidates
        rt, jt = np.nonzero(D[:, tail:] <= threshold[:, None])
        rows = np.concatenate([rows, rt])
        cols = np.concatenate([cols, jt + tail])
        vals = np.concatenate([vals, D[rt, jt + tail]])
    order = np.lexsort((cols, vals, rows))  # by row, then value, then column
    counts = np.bincount(rows, minlength=c)
    starts = np.cumsum(counts) - counts
    return cols[order[starts[:, None] + np.arange(k)]]


def _effective_metric(metric: str, p) -> tuple[str, float | None]:
    """Canonical metric name and Minkowski p ("minkowski" with p=2 is "euclidean", ...)."""
    if metric in ("l2", "euclidean"):
        return "euclidean", 2.0
    if metric in ("l1", "cityblock", "manhattan"):
        return "manhattan", 1.0
    if metric == "chebyshev":
        return "chebyshev", np.inf
    if metric == "minkowski":
        if p == 2:
            return "euclidean", 2.0
        if p == 1:
            return "manhattan", 1.0
        if np.isinf(p):
            return "chebyshev", np.inf
        return "minkowski", float(p)
    return metric, None


class NeighborsBase(BaseEstimator):
    """Fit-time validation and storage shared by all neighbour estimators."""

    def _check_params(self) -> None:
        check_in(self.algorithm, "algorithm", ("auto", "brute", "kd_tree"))
        check_scalar(self.leaf_size, "leaf_size", numbers.Integral, min_val=1)
        if not isinstance(self.metric, str):
            raise ValueError(f"metric: expected one of {list(VALID_METRICS)}, got {self.metric!r}.")
        check_in(self.metric, "metric", VALID_METRICS)
        if self.metric == "minkowski":
            check_scalar(self.p, "p", numbers.Real, min_val=1)
        if self.algorithm == "kd_tree":
            metric, _ = _effective_metric(self.metric, self.p)
            if metric not in _TREE_METRICS:
                raise ValueError(
                    f"metric: {self.metric!r} is not valid for algorithm='kd_tree'; use one of "
                    f"{list(_TREE_METRICS)} or algorithm='brute'."
                )

    def _fit_data(self, X) -> None:
        """Store the training data and build the search structure."""
        self._check_params()
        self._fit_X = X
        self.n_samples_fit_ = X.shape[0]
        self.effective_metric_, self._p = _effective_metric(self.metric, self.p)
        self.effective_metric_params_ = (
            {"p": self._p} if self.effective_metric_ == "minkowski" else {}
        )
        method = self.algorithm
        if method == "auto":
            n_neighbors = getattr(self, "n_neighbors", None) or 1
            small_k = n_neighbors < self.n_samples_fit_ // 2
            low_dim = X.shape[1] <= 15
            method = (
                "kd_tree"
                if self.effective_metric_ in _TREE_METRICS and low_dim and small_k
                else "brute"
            )
        self._fit_method = method
        self._tree = None
        if method == "kd_tree":
            tree_metric = self.effective_metric_
            self._tree = KDTree(X, leaf_size=int(self.leaf_size), metric=tree_metric, p=self._p)
        elif self.effective_metric_ == "euclidean":
            self._fit_sq_norms = row_norms(X, squared=True)  # (n_fit,)
            self._fit_X_aug = np.hstack([X, self._fit_sq_norms[:, None]])  # (n_fit, d+1)

    def _pairwise(self, Q: np.ndarray) -> np.ndarray:
        """Distances (n_q, n_fit) from a chunk of queries to the training set (brute)."""
        X = self._fit_X
        metric = self.effective_metric_
        if metric == "euclidean":
            D = -2.0 * (Q @ X.T)  # (n_q, n_fit)
            D += self._fit_sq_norms[None, :]
            D += row_norms(Q, squared=True)[:, None]
            np.maximum(D, 0.0, out=D)
            return np.sqrt(D, out=D)
        if metric == "manhattan":
            return manhattan_distances(Q, X)
        if metric == "cosine":
            return cosine_distances(Q, X)
        return minkowski_distances(Q, X, p=self._p)

    def _query_chunks(self, n_queries: int):
        rows = max(1, _CHUNK_ELEMENTS // max(1, self.n_samples_fit_))
        for start in range(0, n_queries, rows):
            yield slice(start, min(start + rows, n_queries))

    def _validate_queries(self, X):
        """``X=None`` means the training points, each excluded from its own neighbours."""
        if X is None:
            return self._fit_X, True
        return self._validate_data(X, reset=False), False


class KNeighborsMixin:
    """k-nearest-neighbour queries: ``kneighbors`` and ``kneighbors_graph``."""

    def _brute_kneighbors(self, Q: np.ndarray, k: int):
        dist = np.empty((Q.shape[0], k))
        ind = np.empty((Q.shape[0], k), dtype=np.intp)
        euclid = self.effective_metric_ == "euclidean"
        X = self._fit_X
        for rows in self._query_chunks(Q.shape[0]):
            Qc = Q[rows]
            if euclid:
                # ‖x‖² − 2 q·x has the same order per row as ‖q − x‖²; one GEMM with the
                # augmented matrices [−2q, 1] · [x, ‖x‖²]ᵀ gives it without an extra pass
                Q_aug = np.empty((Qc.shape[0], Qc.shape[1] + 1))  # (c, d+1)
                np.multiply(Qc, -2.0, out=Q_aug[:, :-1])
                Q_aug[:, -1] = 1.0
                best = smallest_k(Q_aug @ self._fit_X_aug.T, k)  # (c, k)
                # exact distances of the k winners, recomputed from the coordinates
                diff = X[best] - Qc[:, None, :]  # (c, k, d)
                best_d = np.sqrt(np.einsum("ckd,ckd->ck", diff, diff))
                order = np.argsort(best_d, axis=1, kind="stable")
                ind[rows] = np.take_along_axis(best, order, axis=1)
                dist[rows] = np.take_along_axis(best_d, order, axis=1)
            else:
                D = self._pairwise(Qc)  # (c, n_fit)
                best = smallest_k(D, k)
                ind[rows] = best
                dist[rows] = np.take_along_axis(D, best, axis=1)
        return dist, ind

    def kneighbors(self, X=None, n_neighbors=None, return_distance: bool = True):
        """Indices (and distances) of the ``n_neighbors`` nearest training points, nearest first.

        With ``X=None`` the training points are queried and each point is not its own
        neighbour. Returns ``(dist, ind)`` of shape (n_queries, n_neighbors), or ``ind``.
        """
        Q, exclude_self = self._validate_queries(X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        check_scalar(k, "n_neighbors", numbers.Integral, min_val=1)
        k = int(k)
        k_query = k + int(exclude_self)
        if k_query > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k_query}, "
                f"n_samples_fit = {self.n_samples_fit_}, n_samples = {Q.shape[0]}: "
                f"n_neighbors={k} is too large for the training data."
            )
        if self._tree is not None:
            dist, ind = self._tree.query(Q, k_query)
        else:
            dist, ind = self._brute_kneighbors(Q, k_query)
        if exclude_self:
            # drop the sample itself (or, when duplicates hide it, the first column: a
            # duplicate at distance 0) from each row, as scikit-learn does
            keep = ind != np.arange(Q.shape[0])[:, None]  # (n, k+1)
            no_self = keep.all(axis=1)
            keep[no_self, 0] = False
            ind = ind[keep].reshape(Q.shape[0], k)
            dist = dist[keep].reshape(Q.shape[0], k)
        return (dist, ind) if return_distance else ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode: str = "connectivity"):
        """Sparse (n_queries, n_samples_fit) graph: 1 (or the distance) for each k-neighbour."""
        check_in(mode, "mode", ("connectivity", "distance"))
        dist, ind = self.kneighbors(X, n_neighbors, return_distance=True)
        n_q, k = ind.shape
        data = np.ones(n_q * k) if mode == "connectivity" else dist.ravel()
        indptr = np.arange(0, n_q * k + 1, k)
        return sparse.csr_matrix((data, ind.ravel(), indptr), shape=(n_q, self.n_samples_fit_))


class RadiusNeighborsMixin:
    """Radius queries: ``radius_neighbors`` and ``radius_neighbors_graph``."""

    def _radius_hits(self, Q: np.ndarray, radius: float, exclude_self: bool):
        """Flat (query, index, distance) triples with distance <= radius, grouped by query."""
        if self._tree is not None:
            ind, dist = self._tree.query_radius(Q, radius, return_distance=True)
            counts = np.fromiter((a.size for a in ind), dtype=np.intp, count=len(ind))
            hit_q = np.repeat(np.arange(Q.shape[0]), counts)
            hit_p = np.concatenate(list(ind)) if len(ind) else np.empty(0, np.intp)
            hit_d = np.concatenate(list(dist)) if len(dist) else np.empty(0)
        else:
            qs, ps, ds = [], [], []
            for rows in self._query_chunks(Q.shape[0]):
                D = self._pairwise(Q[rows])  # (c, n_fit)
                r, c = np.nonzero(D <= radius)
                qs.append(r + rows.start)
                ps.append(c)
                ds.append(D[r, c])
            hit_q, hit_p, hit_d = np.concatenate(qs), np.concatenate(ps), np.concatenate(ds)
        if exclude_self:
            keep = hit_q != hit_p
            hit_q, hit_p, hit_d = hit_q[keep], hit_p[keep], hit_d[keep]
        return hit_q, hit_p.astype(np.intp), hit_d

    def _check_radius(self, radius):
        radius = self.radius if radius is None else radius
        check_scalar(radius, "radius", numbers.Real, min_val=0)
        return float(radius)

    def radius_neighbors(
        self, X=None, radius=None, return_distance: bool = True, sort_results: bool = False
    ):
        """Training points within ``radius`` (inclusive) of every query.

        Returns object arrays (one array per query) of distances and indices, like
        scikit-learn; ``sort_results`` orders each by distance.
        """
        Q, exclude_self = self._validate_queries(X)
        radius = self._check_radius(radius)
        hit_q, hit_p, hit_d = self._radius_hits(Q, radius, exclude_self)
        order = np.lexsort((hit_d, hit_q)) if sort_results else np.argsort(hit_q, kind="stable")
        splits = np.cumsum(np.bincount(hit_q, minlength=Q.shape[0]))[:-1]
        ind = _as_object_array(np.split(hit_p[order], splits))
        if not return_distance:
            return ind
        return _as_object_array(np.split(hit_d[order], splits)), ind

    def radius_neighbors_graph(
        self, X=None, radius=None, mode: str = "connectivity", sort_results: bool = False
    ):
        """Sparse (n_queries, n_samples_fit) graph of the neighbours within ``radius``."""
        check_in(mode, "mode", ("connectivity", "distance"))
        Q, exclude_self = self._validate_queries(X)
        radius = self._check_radius(radius)
        hit_q, hit_p, hit_d = self._radius_hits(Q, radius, exclude_self)
        data = np.ones(hit_q.size) if mode == "connectivity" else hit_d
        graph = sparse.csr_matrix((data, (hit_q, hit_p)), shape=(Q.shape[0], self.n_samples_fit_))
        return graph
