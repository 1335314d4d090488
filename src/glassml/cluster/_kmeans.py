"""K-means (Lloyd's algorithm) with k-means++ or random initialisation and restarts.

Objective (inertia, the within-cluster sum of squares, SSE):

    J(C, labels) = Σ_i w_i ‖x_i − c_{label_i}‖².

Lloyd alternates two steps that each never increase J:

* assignment: label_i = argmin_j ‖x_i − c_j‖² — one GEMM of the augmented matrices
  [−2 c_j, ‖c_j‖², 1] · [x_i; 1; ‖x_i‖²] gives all squared distances, and the argmin over the k
  rows is one ``np.minimum.reduce`` on distance bits tagged with the cluster index (see
  :func:`nearest_centers`);
* update: c_j = Σ_{label_i = j} w_i x_i / Σ_{label_i = j} w_i — the cluster weights by
  ``np.bincount``, the weighted sums by the indicator-matrix product Mᵀ X (M is (n, k) with
  w_i at (i, label_i)), updated incrementally with only the points that changed cluster;
  no Python loop over samples.

It stops when the labels no longer change or when the total squared centre shift
Σ_j ‖c_j^new − c_j^old‖² <= tol · mean_j Var(X[:, j]) (scikit-learn's tolerance scaling), or
at ``max_iter``. A cluster that loses all its points is moved to the point farthest from its
own centre (scikit-learn's rule). Like scikit-learn, the data are centred before iterating
(more accurate distances); from identical initial centres both give the same labels, centres
and inertia.

k-means++ (greedy, as in scikit-learn): the first centre is a sample drawn with probability
∝ w_i; each next centre is the best of 2 + ⌊ln k⌋ candidates drawn with probability
∝ w_i D(x_i)² (D = distance to the nearest chosen centre), "best" meaning the lowest potential
Σ_i w_i min(D(x_i)², ‖x_i − candidate‖²).

Inventory: NC-01 (k-means), NC-02 (n_init restarts); claims CL-053, CL-055.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import sparse

from glassml._core import (
    BaseEstimator,
    ClusterMixin,
    ConvergenceWarning,
    TransformerMixin,
    check_array,
    check_in,
    check_random_state,
    check_sample_weight,
    check_scalar,
)
from glassml.metrics.pairwise import euclidean_distances, row_norms

__all__ = ["KMeans", "kmeans_plusplus", "lloyd"]

_CHUNK_ROWS = 2**15  # rows of X per assignment GEMM
_FUSED_CHUNK_ROWS = 4096  # columns per assignment chunk in nearest_centers (stays in cache)
_MAX_TAG_BITS = 12  # up to 4096 clusters tagged in the low mantissa bits (<= 4096 ulps)
_FULL_UPDATE_SHARE = 0.25  # recompute the cluster sums from scratch above this share of moves


def check_n_clusters(n_clusters, n_samples: int) -> int:
    """Validate ``n_clusters`` (an int in [1, n_samples])."""
    check_scalar(n_clusters, "n_clusters", numbers.Integral, min_val=1)
    if n_clusters > n_samples:
        raise ValueError(f"n_clusters={n_clusters} must be <= n_samples={n_samples}.")
    return int(n_clusters)


def kmeans_plusplus(
    X, n_clusters: int, *, sample_weight=None, random_state=None, n_local_trials=None
):
    """Greedy k-means++ seeding; returns ``(centers, indices)`` (see the module docstring).

    Example
    -------
    >>> X = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> centers, idx = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(np.round(centers.ravel()).tolist())
    [0.0, 10.0]
    """
    X = check_array(X, name="X", dtype=np.float64)
    n_samples, n_features = X.shape
    n_clusters = check_n_clusters(n_clusters, n_samples)
    w = check_sample_weight(sample_weight, X)
    rng = check_random_state(random_state)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    x_sq = row_norms(X, squared=True)  # (n,)
    centers = np.empty((n_clusters, n_features))
    indices = np.full(n_clusters, -1, dtype=np.intp)
    first = rng.choice(n_samples, p=w / w.sum())
    centers[0], indices[0] = X[first], first
    closest_sq = euclidean_distances(X[first : first + 1], X, squared=True, Y_norm_squared=x_sq)[
        0
    ]  # (n,) squared distance to the nearest chosen centre
    potential = closest_sq @ w
    for c in range(1, n_clusters):
        targets = rng.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(w * closest_sq), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        cand_sq = euclidean_distances(
            X[candidates], X, squared=True, Y_norm_squared=x_sq
        )  # (trials, n)
        np.minimum(closest_sq, cand_sq, out=cand_sq)
        cand_potential = cand_sq @ w  # (trials,)
        best = int(np.argmin(cand_potential))
        potential, closest_sq = cand_potential[best], cand_sq[best]
        centers[c], indices[c] = X[candidates[best]], candidates[best]
    return centers, indices


def _augment(X: np.ndarray) -> np.ndarray:
    """[X, 1] (n, d+1): the left factor of the assignment GEMM."""
    X_aug = np.empty((X.shape[0], X.shape[1] + 1))
    X_aug[:, :-1] = X
    X_aug[:, -1] = 1.0
    return X_aug


def _centers_aug(centers: np.ndarray) -> np.ndarray:
    """[−2 c, ‖c‖²] (k, d+1): the right factor of the assignment GEMM."""
    C_aug = np.empty((centers.shape[0], centers.shape[1] + 1))
    np.multiply(centers, -2.0, out=C_aug[:, :-1])
    C_aug[:, -1] = row_norms(centers, squared=True)
    return C_aug


def assign_labels(X_aug: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Nearest centre of every row: argmin_j ‖c_j‖² − 2 x·c_j (chunked GEMM)."""
    C_aug = _centers_aug(centers)
    labels = np.empty(X_aug.shape[0], dtype=np.intp)
    for start in range(0, X_aug.shape[0], _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        labels[rows] = np.argmin(X_aug[rows] @ C_aug.T, axis=1)  # (c, k) -> (c,)
    return labels


def _augment_transposed(X: np.ndarray) -> np.ndarray:
    """[Xᵀ; 1; ‖x‖²] (d+2, n): with [−2 c, ‖c‖², 1] one GEMM gives ‖x − c‖² for all pairs."""
    n, d = X.shape
    XaT = np.empty((d + 2, n))
    for start in range(0, n, 2048):  # blocked transpose: 4x faster than one strided copy
        XaT[:d, start : start + 2048] = X[start : start + 2048].T
    XaT[d] = 1.0
    np.einsum("ij,ij->i", X, X, out=XaT[d + 1])  # ‖x‖²
    return XaT


def nearest_centers(XaT: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for every column of ``XaT`` (from :func:`_augment_transposed`).

    D = [−2 C, ‖c‖², 1] · XaT is the (k, n) matrix of squared distances. Non-negative float64
    values order like their int64 bit patterns, so each distance's lowest ⌈log₂ k⌉ mantissa
    bits are replaced by its row (cluster) index and one ``np.minimum.reduce`` down the k rows
    returns distance and index at once (an argmin without a per-sample loop; the perturbation
    is a few ulps, exact ties still go to the lowest index). Chunks of columns stay in cache.
    """
    k, d = centers.shape
    C2 = np.empty((k, d + 2))
    np.multiply(centers, -2.0, out=C2[:, :d])
    C2[:, d] = row_norms(centers, squared=True)
    C2[:, d + 1] = 1.0
    n = XaT.shape[1]
    labels = np.empty(n, dtype=np.intp)
    bits = max(1, int(np.ceil(np.log2(k))))
    if bits > _MAX_TAG_BITS:  # too many clusters to hide the index in the mantissa: argmin
        for start in range(0, n, _FUSED_CHUNK_ROWS):
            cols = slice(start, start + _FUSED_CHUNK_ROWS)
            labels[cols] = np.argmin(C2 @ XaT[:, cols], axis=0)
        return labels
    low = (1 << bits) - 1
    keep = np.int64(~low)
    cluster_ids = np.arange(k, dtype=np.int64)[:, None]
    for start in range(0, n, _FUSED_CHUNK_ROWS):
        cols = slice(start, start + _FUSED_CHUNK_ROWS)
        keys = (C2 @ XaT[:, cols]).view(np.int64)  # (k, c) squared distances as bit patterns
        # (a distance that rounding made slightly negative has the sign bit set, so it wins,
        # as a true distance of ~0 should)
        keys &= keep
        keys |= cluster_ids
        best = np.minimum.reduce(keys, axis=0)  # (c,)
        best &= low
        labels[cols] = best
    return labels


def inertia_of(X: np.ndarray, w: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    """Σ_i w_i ‖x_i − c_{label_i}‖² (computed from the differences, not the GEMM identity)."""
    total = 0.0
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        diff = X[rows] - centers[labels[rows]]  # (c, d)
        total += float(w[rows] @ np.einsum("ij,ij->i", diff, diff))
    return total


def cluster_sums(X: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Weighted sums Σ_{label_i = j} w_i x_i (k, d) as Mᵀ X with the indicator M (n, k).

    M is sparse (one w_i per row) for large inputs and dense for small ones, where building a
    SciPy sparse matrix costs more than the product.
    """
    n = X.shape[0]
    if n * k <= 2**16:
        indicator = np.zeros((n, k))
        indicator[np.arange(n), labels] = w
        return indicator.T @ X
    indicator = sparse.csr_matrix((w, labels, np.arange(n + 1)), shape=(n, k))
    return np.asarray(indicator.T @ X)


def _relocate_empty(X, w, centers_old, sums, weight_in, labels) -> None:
    """Move each empty cluster to one of the points farthest from their own centre."""
    empty = np.flatnonzero(weight_in == 0)
    if empty.size == 0:
        return
    diff = X - centers_old[labels]
    dist = np.einsum("ij,ij->i", diff, diff)  # (n,)
    if dist.max() == 0:  # more clusters than distinct points: nothing to move
        return
    far = np.argpartition(dist, -empty.size)[: -empty.size - 1 : -1]
    for new_id, far_idx in zip(empty, far, strict=True):  # loop over empty clusters only
        old_id = labels[far_idx]
        sums[old_id] -= X[far_idx] * w[far_idx]
        sums[new_id] = X[far_idx] * w[far_idx]
        weight_in[new_id] = w[far_idx]
        weight_in[old_id] -= w[far_idx]


def lloyd(X, sample_weight, centers_init, *, max_iter=300, tol=0.0, XaT=None):
    """Lloyd's iterations from ``centers_init``; returns ``(labels, inertia, centers, n_iter)``.

    ``tol`` is the absolute bound on the total squared centre shift (already scaled). The
    weighted cluster sums are updated incrementally: only the points whose label changed are
    moved from their old cluster's sum to the new one (all of them when many moved).
    """
    n, k = X.shape[0], centers_init.shape[0]
    XaT = _augment_transposed(X) if XaT is None else XaT
    w = sample_weight
    centers = np.array(centers_init, dtype=np.float64)
    labels_old = np.full(n, -1, dtype=np.intp)
    raw_sums = None  # Σ w x per cluster for labels_old
    strict = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        labels = nearest_centers(XaT, centers)
        moved = np.flatnonzero(labels != labels_old)
        if raw_sums is None or moved.size > _FULL_UPDATE_SHARE * n:
            raw_sums = cluster_sums(X, w, labels, k)  # (k, d)
        elif moved.size:
            raw_sums += cluster_sums(X[moved], w[moved], labels[moved], k)
            raw_sums -= cluster_sums(X[moved], w[moved], labels_old[moved], k)
        weight_in = np.bincount(labels, weights=w, minlength=k)  # (k,)
        sums = raw_sums.copy()
        _relocate_empty(X, w, centers, sums, weight_in, labels)
        filled = weight_in > 0
        sums[filled] /= weight_in[filled][:, None]
        shift = ((sums - centers) ** 2).sum()
        centers = sums
        if moved.size == 0:
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:  # labels consistent with the final centres
        labels = nearest_centers(XaT, centers)
    return labels, inertia_of(X, w, centers, labels), centers, n_iter


def _check_fit_weights(sample_weight, X) -> np.ndarray:
    """Per-sample weights for fitting: non-negative, not all zero."""
    w = check_sample_weight(sample_weight, X)
    if not w.any():
        raise ValueError("sample_weight: Sample weights must contain at least one non-zero number.")
    return w


def _tolerance(X: np.ndarray, tol: float) -> float:
    """tol scaled by the mean feature variance, as scikit-learn does."""
    return 0.0 if tol == 0 else float(np.mean(np.var(X, axis=0)) * tol)


class _CentroidMixin:
    """predict / transform / score of a fitted centroid model (KMeans, MiniBatchKMeans): every
    row goes to its nearest centre in ``cluster_centers_``. Inventory: NC-01."""

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def predict(self, X):
        """Index of the nearest centre for every row of ``X``."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        return assign_labels(_augment(X), self.cluster_centers_)

    def transform(self, X):
        """Euclidean distances (n_samples, n_clusters) from every row to every centre."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        return euclidean_distances(X, self.cluster_centers_)

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return the distances to the centres."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of ``X`` under the fitted centres (higher is better)."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        w = check_sample_weight(sample_weight, X)
        labels = assign_labels(_augment(X), self.cluster_centers_)
        return -inertia_of(X, w, self.cluster_centers_, labels)


class KMeans(_CentroidMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """K-means clustering by Lloyd's algorithm (see the module docstring for the maths).

    Inventory: NC-01, NC-02 (with :func:`glassml.cluster.elbow`: NC-03); claims CL-053..CL-055.

    Parameters
    ----------
    n_clusters : int, default 8
    init : {"k-means++", "random"} or array (n_clusters, n_features), default "k-means++"
    n_init : "auto" or int, default "auto"
        Restarts; the run with the lowest inertia wins. "auto": 1 for k-means++ or an array,
        10 for "random".
    max_iter : int, default 300
    tol : float, default 1e-4
        Relative tolerance on the squared centre shift (× mean feature variance).
    random_state : None, int or Generator
    algorithm : {"lloyd", "elkan"}, default "lloyd"
        Both run Lloyd's iterations (Elkan's variant gives the same result, only faster in
        some regimes); "elkan" is accepted for scikit-learn compatibility.

    Attributes
    ----------
    cluster_centers_ (k, d), labels_ (n,), inertia_ (float), n_iter_ (int).

    Example
    -------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_[:, 0].tolist()), km.inertia_
    ([0.0, 10.0], 1.0)
    """

    def __init__(
        self,
        *,
        n_clusters=8,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        algorithm="lloyd",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def _check_params(self, X):
        n_clusters = check_n_clusters(self.n_clusters, X.shape[0])
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0)
        check_in(self.algorithm, "algorithm", ("lloyd", "elkan"))
        if isinstance(self.init, str):
            check_in(self.init, "init", ("k-means++", "random"))
            init = self.init
        else:
            init = check_array(self.init, name="init", dtype=np.float64)
            if init.shape != (n_clusters, X.shape[1]):
                raise ValueError(
                    f"init: expected an array of shape (n_clusters, n_features) = "
                    f"{(n_clusters, X.shape[1])}, got {init.shape}."
                )
        if isinstance(self.n_init, str):
            check_in(self.n_init, "n_init", ("auto",))
            n_init = 10 if isinstance(init, str) and init == "random" else 1
        else:
            n_init = check_scalar(self.n_init, "n_init", numbers.Integral, min_val=1)
        if not isinstance(init, str) and n_init != 1:
            warnings.warn(
                f"n_init={n_init}: explicit initial centres were passed, so a single "
                "initialisation is run (n_init=1).",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_clusters, init, int(n_init)

    def _init_centers(self, X, w, init, n_clusters, rng):
        if isinstance(init, str) and init == "k-means++":
            return kmeans_plusplus(X, n_clusters, sample_weight=w, random_state=rng)[0]
        if isinstance(init, str):  # "random": k distinct samples drawn ∝ w
            seeds = rng.choice(X.shape[0], size=n_clusters, replace=False, p=w / w.sum())
            return X[seeds]
        return init

    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X`` (n_samples, n_features); ``sample_weight`` weights the SSE."""
        X = self._validate_data(X, dtype=np.float64)
        n_clusters, init, n_init = self._check_params(X)
        w = _check_fit_weights(sample_weight, X)
        rng = check_random_state(self.random_state)
        X_mean = X.mean(axis=0)
        X_c = X - X_mean  # centred copy: more accurate distances
        if not isinstance(init, str):
            init = init - X_mean
        tol = _tolerance(X_c, self.tol)
        XaT = _augment_transposed(X_c)
        best = None
        for _ in range(n_init):
            centers0 = self._init_centers(X_c, w, init, n_clusters, rng)
            result = lloyd(X_c, w, centers0, max_iter=self.max_iter, tol=tol, XaT=XaT)
            if best is None or result[1] < best[1]:
                best = result
        labels, inertia, centers, n_iter = best
        n_distinct = np.unique(labels).size
        if n_distinct < n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
                f"({n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = centers + X_mean
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        return self
