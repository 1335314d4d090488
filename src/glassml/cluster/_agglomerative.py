"""Agglomerative (bottom-up hierarchical) clustering with single, complete, average and Ward
linkage, by the Lance–Williams recurrence on a full distance matrix.

Start with every point in its own cluster and D = the pairwise distance matrix. Repeatedly merge
the closest pair (i, j) and replace their rows by the distance from the merged cluster i ∪ j to
every other cluster k (Lance–Williams, with cluster sizes n_i, n_j, n_k):

* single:   d(k, i∪j) = min(d_ki, d_kj)
* complete: d(k, i∪j) = max(d_ki, d_kj)
* average:  d(k, i∪j) = (n_i d_ki + n_j d_kj) / (n_i + n_j)
* ward:     d(k, i∪j)² = ((n_i + n_k) d_ki² + (n_j + n_k) d_kj² − n_k d_ij²) / (n_i + n_j + n_k)
            (starting from Euclidean distances; the merge height is the Ward distance
            sqrt(2 n_i n_j / (n_i + n_j)) ‖μ_i − μ_j‖, SciPy's convention).

Each merge updates one row with a vectorized formula (O(n)); the nearest neighbour of every
cluster is cached and recomputed only for the rows that pointed at i or j, so the whole tree
costs O(n²) time on typical data and O(n²) memory (fine up to a few thousand points). The
merge heights equal ``scipy.cluster.hierarchy.linkage`` and the tree is returned in SciPy's
linkage-matrix format.

Inventory: NC-06.
"""

from __future__ import annotations

import heapq
import numbers

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from glassml._core import BaseEstimator, ClusterMixin, check_in, check_scalar
from glassml.metrics.pairwise import minkowski_distances, pairwise_distances

__all__ = ["AgglomerativeClustering", "linkage_tree", "cut_tree", "dendrogram_data"]

_LINKAGES = ("ward", "complete", "average", "single")


def _lance_williams(method, d_ki, d_kj, d_ij, n_i, n_j, n_k):
    """Distance (vector over k) from the merged cluster i ∪ j to every cluster k."""
    if method == "single":
        return np.minimum(d_ki, d_kj)
    if method == "complete":
        return np.maximum(d_ki, d_kj)
    if method == "average":
        return (n_i * d_ki + n_j * d_kj) / (n_i + n_j)
    # ward on squared distances
    return ((n_i + n_k) * d_ki + (n_j + n_k) * d_kj - n_k * d_ij) / (n_i + n_j + n_k)


def linkage_tree(D: np.ndarray, method: str = "ward") -> np.ndarray:
    """SciPy-format linkage matrix Z (n−1, 4) from a square distance matrix ``D``.

    Row s merges clusters Z[s, 0] < Z[s, 1] (leaves are 0..n−1, the cluster made at row s is
    n + s) at height Z[s, 2]; Z[s, 3] is the size of the new cluster.

    Example
    -------
    >>> D = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 2.0], [4.0, 2.0, 0.0]])
    >>> linkage_tree(D, "single").tolist()
    [[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]]
    """
    check_in(method, "linkage", _LINKAGES)
    n = D.shape[0]
    W = np.array(D, dtype=np.float64)  # working matrix; Ward runs on squared distances
    if method == "ward":
        W **= 2
    np.fill_diagonal(W, np.inf)
    size = np.ones(n)
    node_id = np.arange(n)  # SciPy id of the cluster living in each slot
    active = np.ones(n, dtype=bool)
    nn_idx = np.argmin(W, axis=1) if n > 1 else np.zeros(1, dtype=np.intp)
    nn_dist = W[np.arange(n), nn_idx]
    Z = np.empty((max(n - 1, 0), 4))
    for step in range(n - 1):  # merges are sequential by nature; each step is vectorized
        i = int(np.argmin(nn_dist))
        j = int(nn_idx[i])
        height = nn_dist[i]
        a, b = sorted((node_id[i], node_id[j]))
        Z[step] = a, b, np.sqrt(height) if method == "ward" else height, size[i] + size[j]
        new = _lance_williams(method, W[i], W[j], W[i, j], size[i], size[j], size)  # (n,)
        active[j] = False
        new[~active] = np.inf
        new[i] = np.inf
        # only rows of active clusters are ever read again: update their columns i and j
        live = np.flatnonzero(active)
        W[i, :] = new
        W[live, i] = new[live]
        W[live, j] = np.inf
        size[i] += size[j]
        node_id[i] = n + step
        nn_dist[j] = np.inf
        # rows whose nearest cluster was i or j: if the merged cluster is no farther than their
        # old nearest distance it is their new nearest (all other distances are unchanged and
        # were >= it; always the case for single linkage); otherwise they must look again
        pointed = active & ((nn_idx == i) | (nn_idx == j))
        kept = pointed & (new <= nn_dist)
        nn_idx[kept] = i
        nn_dist[kept] = new[kept]
        stale = pointed & ~kept
        stale[i] = True
        rows = np.flatnonzero(stale)
        nn_idx[rows] = np.argmin(W[rows], axis=1)
        nn_dist[rows] = W[rows, nn_idx[rows]]
        closer = active & (new < nn_dist)
        nn_idx[closer] = i
        nn_dist[closer] = new[closer]
    return Z


def _leaf_representatives(children: np.ndarray, n: int) -> np.ndarray:
    """A leaf inside every node (node id -> leaf), filled bottom-up in merge order."""
    rep = np.empty(2 * n - 1, dtype=np.intp)
    rep[:n] = np.arange(n)
    for s, left in enumerate(children[:, 0]):  # O(n) scalar bookkeeping over the merges
        rep[n + s] = rep[left]
    return rep


def cut_tree(children: np.ndarray, n_clusters: int, n_leaves: int) -> np.ndarray:
    """Flat labels from undoing the last ``n_clusters − 1`` merges (scikit-learn's numbering).

    Like scikit-learn's ``_hc_cut``, the top clusters are collected in a heap of node ids and
    numbered by their position in it, so the labels equal scikit-learn's for the same tree.
    """
    children = np.asarray(children, dtype=np.intp)
    if n_clusters == 1 or n_leaves == 1:
        return np.zeros(n_leaves, dtype=np.intp)
    nodes = [-(int(children[-1].max()) + 1)]
    for _ in range(n_clusters - 1):
        left, right = children[-nodes[0] - n_leaves]
        heapq.heappush(nodes, -int(left))
        heapq.heappushpop(nodes, -int(right))
    n_merges = n_leaves - n_clusters
    rep = _leaf_representatives(children, n_leaves)
    applied = children[:n_merges]
    graph = coo_matrix(
        (np.ones(n_merges), (rep[applied[:, 0]], rep[applied[:, 1]])),
        shape=(n_leaves, n_leaves),
    )
    _, component = connected_components(graph, directed=False)
    label_of_component = np.empty(component.max() + 1, dtype=np.intp)
    label_of_component[component[rep[-np.asarray(nodes)]]] = np.arange(len(nodes))
    return label_of_component[component]


def dendrogram_data(Z) -> dict:
    """Coordinates to draw a dendrogram of linkage matrix ``Z`` (SciPy's conventions).

    Leaves sit at x = 5, 15, 25, ... in left-to-right order (Z[s, 0] drawn left of Z[s, 1]);
    each merge s is a "⊓" from (x_left, h_left) up to height Z[s, 2] and down to
    (x_right, h_right). Returns ``{"icoord", "dcoord", "leaves"}`` with one 4-point link per
    merge (lists of x and y coordinates) and the leaf order. Draw with
    ``for x, y in zip(d["icoord"], d["dcoord"]): ax.plot(x, y)``.

    Example
    -------
    >>> Z = np.array([[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]])
    >>> dendrogram_data(Z)["leaves"]
    [2, 0, 1]
    """
    Z = np.asarray(Z, dtype=np.float64)
    n = Z.shape[0] + 1
    children = Z[:, :2].astype(np.intp)
    count = np.ones(2 * n - 1)
    count[n:] = Z[:, 3]
    # left offset of every node: root at 0, left child inherits, right child shifts by the
    # left child's leaf count (parents have larger ids, so one reverse pass suffices)
    offset = np.zeros(2 * n - 1)
    for s in range(n - 2, -1, -1):
        left, right = children[s]
        offset[left] = offset[n + s]
        offset[right] = offset[n + s] + count[left]
    leaves = np.argsort(offset[:n], kind="stable")
    x = np.empty(2 * n - 1)
    x[:n] = 10.0 * offset[:n] + 5.0
    height = np.zeros(2 * n - 1)
    height[n:] = Z[:, 2]
    for s in range(n - 1):  # children before parents: x of a node is the middle of its kids
        x[n + s] = 0.5 * (x[children[s, 0]] + x[children[s, 1]])
    left, right = children[:, 0], children[:, 1]
    icoord = np.stack([x[left], x[left], x[right], x[right]], axis=1)
    dcoord = np.stack([height[left], Z[:, 2], Z[:, 2], height[right]], axis=1)
    return {"icoord": icoord.tolist(), "dcoord": dcoord.tolist(), "leaves": leaves.tolist()}


class AgglomerativeClustering(ClusterMixin, BaseEstimator):
    """Hierarchical clustering by successive merges (see the module docstring).

    Inventory: NC-06.

    Parameters
    ----------
    n_clusters : int or None, default 2
        Number of flat clusters; None together with ``distance_threshold``.
    metric : {"euclidean", "manhattan", "cosine", "precomputed"}, default "euclidean"
        Ward needs "euclidean".
    linkage : {"ward", "complete", "average", "single"}, default "ward"
    distance_threshold : float or None
        Cut the tree at this merge height (clusters = merges with height >= threshold, + 1).
    compute_distances : bool, default False
        Keep ``distances_`` (always kept with ``distance_threshold``).

    Attributes
    ----------
    labels_, n_clusters_, n_leaves_, children_ (n−1, 2), distances_ (n−1,).
    The full tree is always built.

    Example
    -------
    >>> X = [[0.0], [0.5], [10.0], [10.5]]
    >>> AgglomerativeClustering(n_clusters=2).fit(X).labels_.tolist()
    [1, 1, 0, 0]
    """

    def __init__(
        self,
        *,
        n_clusters=2,
        metric="euclidean",
        linkage="ward",
        distance_threshold=None,
        compute_distances=False,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_distances = compute_distances

    def fit(self, X, y=None):
        """Build the merge tree of ``X`` and cut it into flat clusters."""
        X = self._validate_data(X, dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        check_in(self.linkage, "linkage", _LINKAGES)
        check_in(
            self.metric,
            "metric",
            ("euclidean", "l2", "manhattan", "l1", "cityblock", "cosine", "precomputed"),
        )
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ValueError(
                "n_clusters, distance_threshold: exactly one of them must be None, got "
                f"n_clusters={self.n_clusters!r} and "
                f"distance_threshold={self.distance_threshold!r}."
            )
        if self.n_clusters is not None:
            check_scalar(self.n_clusters, "n_clusters", numbers.Integral, min_val=1)
            if self.n_clusters > n:
                raise ValueError(f"n_clusters={self.n_clusters} must be <= n_samples={n}.")
        else:
            check_scalar(self.distance_threshold, "distance_threshold", numbers.Real, min_val=0)
        if self.linkage == "ward" and self.metric not in ("euclidean", "l2"):
            raise ValueError(
                f"metric: linkage='ward' needs metric='euclidean', got {self.metric!r}."
            )
        if self.metric == "precomputed" and (X.shape[0] != X.shape[1] or not np.allclose(X, X.T)):
            raise ValueError(
                f"X: metric='precomputed' needs a symmetric square distance matrix, got "
                f"shape {X.shape}."
            )
        if self.metric in ("euclidean", "l2"):
            # from the coordinate differences (like SciPy's pdist), not the GEMM identity,
            # whose cancellation would blur the heights of near-duplicate points
            D = minkowski_distances(X, p=2)  # (n, n)
        else:
            D = pairwise_distances(X, metric=self.metric)  # (n, n)
        Z = linkage_tree(D, self.linkage)
        self.children_ = Z[:, :2].astype(np.intp)
        self.n_leaves_ = n
        self.n_connected_components_ = 1
        if self.distance_threshold is not None or self.compute_distances:
            self.distances_ = Z[:, 2].copy()
        self._linkage_matrix = Z
        if self.distance_threshold is not None:
            self.n_clusters_ = int(np.count_nonzero(Z[:, 2] >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = int(self.n_clusters)
        self.labels_ = cut_tree(self.children_, self.n_clusters_, n)
        return self

    def linkage_matrix(self) -> np.ndarray:
        """The fitted tree as a SciPy linkage matrix (n−1, 4)."""
        if not hasattr(self, "_linkage_matrix"):
            from glassml._core import NotFittedError

            raise NotFittedError(
                "This AgglomerativeClustering instance is not fitted yet. Call 'fit' first."
            )
        return self._linkage_matrix.copy()

    def _glassml_tags(self):
        return {"pairwise": self.metric == "precomputed"}
