"""Clustering metrics: internal (silhouette, Davies–Bouldin, Calinski–Harabasz, inertia) and
external, comparing two labelings (Rand, adjusted Rand, mutual information and its normalised
and adjusted forms, homogeneity, completeness, V-measure).

Inventory: MS-19 … MS-22. External scores start from the contingency table n_ij, built with one
``bincount``; the silhouette works in row chunks so that memory stays O(chunk · n).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import gammaln

from ._checks import as_1d, check_same_length

__all__ = [
    "contingency_matrix",
    "pair_confusion_matrix",
    "rand_score",
    "adjusted_rand_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "adjusted_mutual_info_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "completeness_score",
    "v_measure_score",
    "silhouette_samples",
    "silhouette_score",
    "davies_bouldin_score",
    "calinski_harabasz_score",
    "inertia",
]


def _labelings(labels_true, labels_pred):
    labels_true = as_1d(labels_true, "labels_true")
    labels_pred = as_1d(labels_pred, "labels_pred")
    check_same_length(("labels_true", labels_true), ("labels_pred", labels_pred))
    return labels_true, labels_pred


def contingency_matrix(labels_true, labels_pred):
    """n_ij = number of samples in true class i and predicted cluster j (dense int64).

    >>> contingency_matrix([0, 0, 1], [1, 1, 1])
    array([[2],
           [1]])
    """
    labels_true, labels_pred = _labelings(labels_true, labels_pred)
    _, t = np.unique(labels_true, return_inverse=True)
    _, p = np.unique(labels_pred, return_inverse=True)
    n_t = int(t.max()) + 1 if t.size else 0
    n_p = int(p.max()) + 1 if p.size else 0
    return np.bincount(t * n_p + p, minlength=n_t * n_p).reshape(n_t, n_p)


def pair_confusion_matrix(labels_true, labels_pred):
    """2×2 counts over ordered sample pairs: [[different/different, different/same], …].

    C[1,1] pairs together in both, C[0,1] apart in truth but together in the prediction, etc.

    >>> pair_confusion_matrix([0, 0, 1, 1], [0, 0, 1, 1])
    array([[8, 0],
           [0, 4]])
    """
    labels_true, labels_pred = _labelings(labels_true, labels_pred)
    n = labels_true.shape[0]
    c = contingency_matrix(labels_true, labels_pred).astype(np.int64)
    n_c, n_k = c.sum(axis=1), c.sum(axis=0)
    sum_squares = int((c**2).sum())
    out = np.empty((2, 2), dtype=np.int64)
    out[1, 1] = sum_squares - n
    out[0, 1] = int((c @ n_k).sum()) - sum_squares
    out[1, 0] = int((c.T @ n_c).sum()) - sum_squares
    out[0, 0] = n * n - out[0, 1] - out[1, 0] - sum_squares
    return out


def rand_score(labels_true, labels_pred):
    """Rand index = share of sample pairs on which the two labelings agree. Inventory: MS-21.

    >>> rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    c = pair_confusion_matrix(labels_true, labels_pred)
    agree, total = int(c[0, 0] + c[1, 1]), int(c.sum())
    if agree == total or total == 0:
        return 1.0
    return agree / total


def adjusted_rand_score(labels_true, labels_pred):
    """ARI = (RI − E[RI]) / (max RI − E[RI]): 0 for random labelings, 1 for identical ones.

    Inventory: MS-21. In pair counts: 2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)).

    >>> adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2])
    0.5714285714285714
    """
    (tn, fp), (fn, tp) = pair_confusion_matrix(labels_true, labels_pred).tolist()
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(labels):
    """Shannon entropy (nats) of a labeling: −Σ (n_k/n) log(n_k/n)."""
    if labels.size == 0:
        return 1.0
    counts = np.unique(labels, return_counts=True)[1].astype(np.float64)
    if counts.size == 1:
        return 0.0
    p = counts / counts.sum()
    return float(max(0.0, -(p * np.log(p)).sum()))


def _mutual_info_from_table(c):
    n = c.sum()
    nz = c > 0
    n_ij = c[nz].astype(np.float64)
    a = c.sum(axis=1).astype(np.float64)
    b = c.sum(axis=0).astype(np.float64)
    outer = np.outer(a, b)[nz]
    mi = (n_ij / n) * (np.log(n_ij) + np.log(n) - np.log(outer))
    return float(np.clip(mi.sum(), 0.0, None))


def mutual_info_score(labels_true, labels_pred, *, contingency=None):
    """MI = Σ_ij (n_ij/N) log(N n_ij / (a_i b_j)) in nats. Inventory: MS-22.

    >>> round(mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 6)
    0.693147
    """
    if contingency is None:
        contingency = contingency_matrix(labels_true, labels_pred)
    c = np.asarray(contingency)
    if c.ndim != 2 or (c < 0).any():
        raise ValueError("contingency: expected a non-negative 2-D table of counts.")
    return _mutual_info_from_table(c)


def _generalized_mean(u, v, method):
    if method == "min":
        return min(u, v)
    if method == "geometric":
        return float(np.sqrt(u * v))
    if method == "arithmetic":
        return (u + v) / 2.0
    if method == "max":
        return max(u, v)
    raise ValueError(
        f"average_method: expected 'min', 'geometric', 'arithmetic' or 'max', got {method!r}."
    )


def _trivial_agreement(labels_true, labels_pred):
    n_true, n_pred = np.unique(labels_true).size, np.unique(labels_pred).size
    return (n_true == n_pred == 1) or (n_true == n_pred == 0)


def normalized_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic"):
    """NMI = MI / mean(H(true), H(pred)) (the mean given by ``average_method``). MS-22.

    >>> round(normalized_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 12)
    1.0
    """
    labels_true, labels_pred = _labelings(labels_true, labels_pred)
    _generalized_mean(1.0, 1.0, average_method)
    if _trivial_agreement(labels_true, labels_pred):
        return 1.0
    mi = mutual_info_score(labels_true, labels_pred)
    if mi == 0:
        return 0.0
    norm = _generalized_mean(_entropy(labels_true), _entropy(labels_pred), average_method)
    return float(mi / norm)


def _expected_mutual_info(c):
    """E[MI] under the hypergeometric model of random labelings with the same marginals.

    E = Σ_i Σ_j Σ_{n=max(1, a_i+b_j−N)}^{min(a_i, b_j)} (n/N) log(N n/(a_i b_j)) ·
        a_i! b_j! (N−a_i)! (N−b_j)! / (N! n! (a_i−n)! (b_j−n)! (N−a_i−b_j+n)!)
    (Vinh, Epps & Bailey 2010), vectorized over n for each (i, j).
    """
    N = int(c.sum())
    a = c.sum(axis=1).astype(np.int64)
    b = c.sum(axis=0).astype(np.int64)
    emi = 0.0
    lg = gammaln(np.arange(N + 2, dtype=np.float64))  # lg[k] = log((k−1)!)
    for ai in a:
        for bj in b:
            lo, hi = max(1, ai + bj - N), min(ai, bj)
            if hi < lo:
                continue
            nij = np.arange(lo, hi + 1)  # (m,)
            term1 = nij / N
            term2 = np.log(N * nij) - np.log(ai * bj)
            log_p = (
                lg[ai + 1] + lg[bj + 1] + lg[N - ai + 1] + lg[N - bj + 1]
                - lg[N + 1] - lg[nij + 1] - lg[ai - nij + 1] - lg[bj - nij + 1]
                - lg[N - ai - bj + nij + 1]
            )  # fmt: skip
            emi += float(np.sum(term1 * term2 * np.exp(log_p)))
    return emi


def adjusted_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic"):
    """AMI = (MI − E[MI]) / (mean(H(true), H(pred)) − E[MI]): 0 for chance, 1 for identical.

    Inventory: MS-22 (chance-corrected). O(R·C·N) for R classes and C clusters.

    >>> round(adjusted_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 12)
    1.0
    """
    labels_true, labels_pred = _labelings(labels_true, labels_pred)
    _generalized_mean(1.0, 1.0, average_method)
    if _trivial_agreement(labels_true, labels_pred):
        return 1.0
    c = contingency_matrix(labels_true, labels_pred)
    mi = _mutual_info_from_table(c)
    emi = _expected_mutual_info(c)
    norm = _generalized_mean(_entropy(labels_true), _entropy(labels_pred), average_method)
    denom = norm - emi
    eps = np.finfo(np.float64).eps
    denom = min(denom, -eps) if denom < 0 else max(denom, eps)
    return float((mi - emi) / denom)


def homogeneity_completeness_v_measure(labels_true, labels_pred, *, beta=1.0):
    """Homogeneity h = MI/H(C), completeness c = MI/H(K), V = (1+β)hc/(βh + c).

    h = 1 when each cluster holds one class only; c = 1 when each class sits in one cluster.

    >>> [round(v, 4) for v in homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 0, 1, 2])]
    [1.0, 0.6667, 0.8]
    """
    labels_true, labels_pred = _labelings(labels_true, labels_pred)
    if labels_true.size == 0:
        return 1.0, 1.0, 1.0
    h_c, h_k = _entropy(labels_true), _entropy(labels_pred)
    mi = mutual_info_score(labels_true, labels_pred)
    homogeneity = mi / h_c if h_c else 1.0
    completeness = mi / h_k if h_k else 1.0
    if homogeneity + completeness == 0.0:
        return float(homogeneity), float(completeness), 0.0
    v = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return float(homogeneity), float(completeness), float(v)


def homogeneity_score(labels_true, labels_pred):
    """Homogeneity = 1 − H(C|K)/H(C) = MI/H(C).

    >>> homogeneity_score([0, 0, 1, 1], [0, 0, 1, 2])
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true, labels_pred):
    """Completeness = 1 − H(K|C)/H(K) = MI/H(K).

    >>> round(completeness_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.6667
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true, labels_pred, *, beta=1.0):
    """V-measure: the (β-weighted) harmonic mean of homogeneity and completeness.

    >>> v_measure_score([0, 0, 1, 1], [0, 0, 1, 2])
    0.8
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]


# ----------------------------------------------------------------------------- internal scores
def _check_X_labels(X, labels):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D array, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("X: Input contains NaN or infinity.")
    labels = as_1d(labels, "labels")
    check_same_length(("X", X), ("labels", labels))
    classes, codes = np.unique(labels, return_inverse=True)
    n_labels, n = classes.size, X.shape[0]
    if not 1 < n_labels < n:
        raise ValueError(
            f"labels: Number of labels is {n_labels}. Valid values are 2 to n_samples - 1 "
            f"(inclusive), n_samples={n}."
        )
    return X, codes, n_labels


def _distance_chunk(X, rows, metric, sq_norms):
    """Distances from the samples ``rows`` (a slice) to all samples, shape (chunk, n)."""
    if metric == "precomputed":
        return X[rows]
    if metric == "euclidean":
        d2 = X[rows] @ X.T  # (chunk, n) Gram block, then in place ‖a‖² − 2a·b + ‖b‖²
        d2 *= -2.0
        d2 += sq_norms[rows, None]
        d2 += sq_norms[None, :]
        np.maximum(d2, 0.0, out=d2)
        d2[np.arange(d2.shape[0]), np.arange(rows.start, rows.stop)] = 0.0  # exact self-distance
        return np.sqrt(d2, out=d2)
    return cdist(X[rows], X, metric=metric)


def silhouette_samples(X, labels, *, metric="euclidean", chunk_size=None):
    """Silhouette of every sample: s = (b − a) / max(a, b). Inventory: MS-19.

    a = mean distance to the other members of its own cluster, b = the smallest mean distance
    to the members of another cluster; s = 0 for a sample alone in its cluster. Per-cluster
    distance sums come from one (chunk, n) @ (n, K) product per chunk.

    Parameters
    ----------
    metric : "euclidean", "precomputed" (X is a distance matrix) or a SciPy ``cdist`` name.
    chunk_size : int, optional
        Rows per distance block; by default about 32 MB of float64 distances per block.

    >>> silhouette_samples([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]).round(3).tolist()
    [0.905, 0.895, 0.895, 0.905]
    """
    X, codes, k = _check_X_labels(X, labels)
    n = X.shape[0]
    if metric == "precomputed":
        if X.shape[0] != X.shape[1]:
            raise ValueError(f"X: a precomputed distance matrix must be square, got {X.shape}.")
        if np.any(np.diag(X) != 0):
            raise ValueError("X: The precomputed distance matrix contains non-zero elements on "
                             "the diagonal.")  # fmt: skip
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0  # (n, K)
    sizes = onehot.sum(axis=0)  # (K,)
    sq_norms = np.einsum("ij,ij->i", X, X) if metric == "euclidean" else None
    if chunk_size is None:
        chunk_size = max(1, 2**22 // n)  # 2^22 float64 distances = 32 MB per block (cache)
    elif not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ValueError(f"chunk_size: expected an integer >= 1, got {chunk_size!r}.")
    a = np.empty(n)
    b = np.empty(n)
    for start in range(0, n, chunk_size):
        rows = slice(start, min(start + chunk_size, n))
        D = _distance_chunk(X, rows, metric, sq_norms)  # (chunk, n)
        cluster_sums = D @ onehot  # (chunk, K) total distance to each cluster
        own = codes[rows]
        idx = np.arange(own.size)
        own_sum = cluster_sums[idx, own]
        denom = sizes[own] - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            a[rows] = own_sum / denom
        means = cluster_sums / sizes[None, :]
        means[idx, own] = np.inf
        b[rows] = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (b - a) / np.maximum(a, b)
    s[sizes[codes] == 1] = 0.0
    return np.nan_to_num(s)


def silhouette_score(X, labels, *, metric="euclidean", sample_size=None, random_state=None):
    """Mean silhouette over the samples (or over a random subsample of ``sample_size``). MS-19.

    >>> round(silhouette_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.8997
    """
    if sample_size is not None:
        from glassml._core import check_random_state

        X = np.asarray(X)
        labels = np.asarray(labels)
        idx = check_random_state(random_state).permutation(X.shape[0])[:sample_size]
        X = X[idx][:, idx] if metric == "precomputed" else X[idx]
        labels = labels[idx]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))


def _centroids(X, codes, k):
    counts = np.bincount(codes, minlength=k).astype(np.float64)  # (K,)
    onehot = np.zeros((X.shape[0], k))
    onehot[np.arange(X.shape[0]), codes] = 1.0  # (n, K)
    sums = onehot.T @ X  # (K, d) per-cluster sums through one GEMM
    return sums / counts[:, None], counts


def davies_bouldin_score(X, labels):
    """DB = (1/K) Σ_i max_{j≠i} (s_i + s_j) / d(c_i, c_j); lower is better. Inventory: MS-20.

    s_i is the mean distance of cluster i's points to its centroid c_i.

    >>> round(davies_bouldin_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.1
    """
    X, codes, k = _check_X_labels(X, labels)
    centroids, _ = _centroids(X, codes, k)
    dist_to_own = np.linalg.norm(X - centroids[codes], axis=1)  # (n,)
    intra = np.bincount(codes, weights=dist_to_own, minlength=k) / np.bincount(codes, minlength=k)
    centroid_dist = cdist(centroids, centroids)  # (K, K)
    if np.allclose(intra, 0) or np.allclose(centroid_dist, 0):
        return 0.0
    centroid_dist[centroid_dist == 0] = np.inf
    ratio = (intra[:, None] + intra[None, :]) / centroid_dist
    return float(np.mean(np.max(ratio, axis=1)))


def calinski_harabasz_score(X, labels):
    """CH = [B/(K−1)] / [W/(n−K)]: between- over within-cluster dispersion (higher is better).

    B = Σ_k n_k ‖c_k − c‖², W = Σ_i ‖x_i − c_{k(i)}‖².

    >>> calinski_harabasz_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1])
    200.0
    """
    X, codes, k = _check_X_labels(X, labels)
    n = X.shape[0]
    centroids, counts = _centroids(X, codes, k)
    mean = X.mean(axis=0)
    between = float(counts @ ((centroids - mean) ** 2).sum(axis=1))
    within = float(((X - centroids[codes]) ** 2).sum())
    return 1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0))


def inertia(X, labels, centers=None):
    """Within-cluster sum of squares Σ_i ‖x_i − μ_{k(i)}‖² (the k-means objective).

    ``centers`` (K, d) indexed by the integer labels 0..K−1; by default the cluster means.

    >>> inertia([[0.0], [2.0], [10.0]], [0, 0, 1])
    2.0
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D array, got shape {X.shape}.")
    labels = as_1d(labels, "labels")
    check_same_length(("X", X), ("labels", labels))
    if centers is None:
        classes, codes = np.unique(labels, return_inverse=True)
        centers, _ = _centroids(X, codes, classes.size)
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= len(centers):
            raise ValueError(f"labels: expected integers in [0, {len(centers)}) to index centers.")
        if centers.ndim != 2 or centers.shape[1] != X.shape[1]:
            raise ValueError(
                f"centers: expected shape (n_clusters, {X.shape[1]}), got {centers.shape}."
            )
        codes = labels
    return float(((X - centers[codes]) ** 2).sum())
