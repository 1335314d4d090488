"""Ranking and recommendation metrics over a (n_queries, n_items) relevance matrix and a score
matrix of the same shape: precision@k, recall@k (hit rate), AP@k and MAP, MRR, DCG and NDCG,
label-ranking average precision.

Inventory: MS-23, MS-24, MS-25. Items are ranked by decreasing score; among equal scores the
item with the lower column index ranks first (a stable sort), except in :func:`dcg_score` /
:func:`ndcg_score`, which average the gains of tied items like scikit-learn.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_1d, check_weights

__all__ = [
    "precision_at_k",
    "recall_at_k",
    "hit_rate_at_k",
    "average_precision_at_k",
    "mean_average_precision",
    "mean_reciprocal_rank",
    "dcg_score",
    "ndcg_score",
    "label_ranking_average_precision_score",
]


def _matrices(y_true, y_score):
    Y = as_float_1d(y_true, "y_true", allow_2d=True)
    S = as_float_1d(y_score, "y_score", allow_2d=True)
    if Y.ndim != 2 or S.ndim != 2:
        raise ValueError(
            f"y_true and y_score: expected 2-D (n_queries, n_items) arrays, got shapes "
            f"{Y.shape} and {S.shape}."
        )
    if Y.shape != S.shape:
        raise ValueError(f"y_true and y_score have different shape: {Y.shape} vs {S.shape}.")
    if (Y < 0).any():
        raise ValueError("y_true: relevance must be non-negative.")
    return Y, S


def _check_k(k, n_items, *, allow_none=True):
    if k is None and allow_none:
        return n_items
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k: expected an integer >= 1, got {k!r}.")
    if k > n_items:
        raise ValueError(f"k: k={k} is larger than the number of items ({n_items}).")
    return int(k)


def _top_k_relevance(Y, S, k):
    """Binary relevance of the top-k items of each query, in rank order, shape (n, k)."""
    order = np.argsort(-S, axis=1, kind="stable")[:, :k]  # (n, k) best items first
    return (np.take_along_axis(Y, order, axis=1) > 0).astype(np.float64)


def precision_at_k(y_true, y_score, *, k):
    """P@k = (1/k) #relevant among the k top-scored items, averaged over queries. MS-25.

    >>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.7, 0.1]], k=2)
    0.5
    """
    Y, S = _matrices(y_true, y_score)
    k = _check_k(k, Y.shape[1], allow_none=False)
    return float(_top_k_relevance(Y, S, k).sum(axis=1).mean() / k)


def recall_at_k(y_true, y_score, *, k):
    """R@k = #relevant in the top k / #relevant, averaged over queries. MS-25.

    Queries without any relevant item count as 0.

    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.7, 0.1]], k=2)
    0.5
    """
    Y, S = _matrices(y_true, y_score)
    k = _check_k(k, Y.shape[1], allow_none=False)
    n_rel = (Y > 0).sum(axis=1)
    hits = _top_k_relevance(Y, S, k).sum(axis=1)
    return float(np.mean(np.divide(hits, n_rel, out=np.zeros_like(hits), where=n_rel > 0)))


def hit_rate_at_k(y_true, y_score, *, k):
    """HR@k = share of queries with at least one relevant item in the top k. MS-25.

    >>> hit_rate_at_k([[1, 0, 0], [0, 0, 1]], [[0.9, 0.5, 0.1], [0.9, 0.5, 0.1]], k=2)
    0.5
    """
    Y, S = _matrices(y_true, y_score)
    k = _check_k(k, Y.shape[1], allow_none=False)
    return float((_top_k_relevance(Y, S, k).sum(axis=1) > 0).mean())


def _ap_at_k(Y, S, k):
    rel = _top_k_relevance(Y, S, k)  # (n, k)
    precision_at_i = np.cumsum(rel, axis=1) / np.arange(1, k + 1)  # (n, k) P@i
    n_rel = np.minimum((Y > 0).sum(axis=1), k).astype(np.float64)
    total = (precision_at_i * rel).sum(axis=1)
    return np.divide(total, n_rel, out=np.zeros_like(total), where=n_rel > 0)


def average_precision_at_k(y_true, y_score, *, k=None):
    """AP@k per query: (1/min(k, R)) Σ_{i≤k} P@i · rel_i with R relevant items. MS-23.

    With k = None (all items) and no tied scores this equals the non-interpolated average
    precision of :func:`glassml.metrics.average_precision_score` for each query.

    >>> average_precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.7, 0.1]])
    array([0.83333333])
    """
    Y, S = _matrices(y_true, y_score)
    return _ap_at_k(Y, S, _check_k(k, Y.shape[1]))


def mean_average_precision(y_true, y_score, *, k=None):
    """MAP@k = mean over queries of AP@k. Inventory: MS-23.

    >>> round(mean_average_precision([[1, 0, 1, 0], [0, 1, 0, 0]],
    ...                              [[0.9, 0.8, 0.7, 0.1], [0.9, 0.8, 0.7, 0.1]]), 4)
    0.6667
    """
    return float(average_precision_at_k(y_true, y_score, k=k).mean())


def mean_reciprocal_rank(y_true, y_score):
    """MRR = mean over queries of 1/rank of the first relevant item (0 if none).

    >>> mean_reciprocal_rank([[0, 0, 1], [0, 1, 0]], [[0.9, 0.5, 0.1], [0.9, 0.5, 0.1]])
    0.41666666666666663
    """
    Y, S = _matrices(y_true, y_score)
    rel = _top_k_relevance(Y, S, Y.shape[1])  # (n, n_items)
    has = rel.any(axis=1)
    first = rel.argmax(axis=1)  # (n,) 0-based rank of the first relevant item
    return float(np.where(has, 1.0 / (first + 1.0), 0.0).mean())


def _discount(n_items, k, log_base):
    d = 1.0 / (np.log(np.arange(n_items) + 2) / np.log(log_base))  # 1 / log_b(rank + 1)
    if k is not None:
        d[k:] = 0.0
    return d


def _dcg_per_query(Y, S, k, log_base, ignore_ties):
    n, m = Y.shape
    discount = _discount(m, k, log_base)  # (m,)
    if ignore_ties:  # scikit-learn's order: reversed ascending argsort (ties arbitrary)
        gains = np.take_along_axis(Y, np.argsort(S, axis=1)[:, ::-1], axis=1)
        return gains @ discount
    order = np.argsort(-S, axis=1, kind="stable")  # (n, m)
    gains = np.take_along_axis(Y, order, axis=1)
    # tie-averaged DCG: every item of a run of equal scores gets the run's mean gain
    s_sorted = np.take_along_axis(S, order, axis=1)
    new_run = np.ones((n, m), dtype=bool)
    new_run[:, 1:] = s_sorted[:, 1:] != s_sorted[:, :-1]
    run_id = np.cumsum(new_run, axis=1) - 1 + (np.arange(n) * m)[:, None]  # global run ids
    run_id = run_id.ravel()
    run_gain = np.bincount(run_id, weights=gains.ravel(), minlength=n * m)
    run_size = np.bincount(run_id, minlength=n * m)
    run_disc = np.bincount(run_id, weights=np.broadcast_to(discount, (n, m)).ravel(),
                           minlength=n * m)  # fmt: skip
    used = run_size > 0
    contrib = np.zeros(n * m)
    contrib[used] = run_gain[used] / run_size[used] * run_disc[used]
    return contrib.reshape(n, m).sum(axis=1)


def _check_dcg_inputs(Y, k):
    if Y.shape[1] <= 1:
        raise ValueError(
            f"y_true: Computing NDCG is only meaningful when there is more than 1 document. "
            f"Got {Y.shape[1]} instead."
        )
    if k is not None:
        _check_k(k, Y.shape[1], allow_none=False)


def dcg_score(y_true, y_score, *, k=None, log_base=2, sample_weight=None, ignore_ties=False):
    """DCG@k = Σ_{i≤k} rel_i / log_b(i + 1) in the order of decreasing score. MS-24.

    Tied scores share the mean gain of their run (scikit-learn's tie handling) unless
    ``ignore_ties``.

    >>> round(dcg_score([[3, 2, 3, 0, 1, 2]], [[6, 5, 4, 3, 2, 1]]), 4)
    6.8611
    """
    Y, S = _matrices(y_true, y_score)
    _check_dcg_inputs(Y, k)
    w = check_weights(sample_weight, Y.shape[0])
    return float(np.average(_dcg_per_query(Y, S, k, log_base, ignore_ties), weights=w))


def ndcg_score(y_true, y_score, *, k=None, sample_weight=None, ignore_ties=False):
    """NDCG@k = DCG@k / IDCG@k, the DCG of the ideal ordering; in [0, 1]. MS-24.

    Queries without relevant items score 0.

    >>> round(ndcg_score([[3, 2, 3, 0, 1, 2]], [[6, 5, 4, 3, 2, 1]]), 4)
    0.9608
    """
    Y, S = _matrices(y_true, y_score)
    _check_dcg_inputs(Y, k)
    w = check_weights(sample_weight, Y.shape[0])
    gain = _dcg_per_query(Y, S, k, 2, ignore_ties)
    ideal = _dcg_per_query(Y, Y, k, 2, True)
    ndcg = np.divide(gain, ideal, out=np.zeros_like(gain), where=ideal != 0)
    return float(np.average(ndcg, weights=w))


def label_ranking_average_precision_score(y_true, y_score, *, sample_weight=None):
    """LRAP = mean over samples and their relevant labels j of
    |{relevant l : s_l ≥ s_j}| / |{l : s_l ≥ s_j}|.

    Samples with no relevant label, or with all labels relevant, score 1.

    >>> round(label_ranking_average_precision_score([[1, 0, 0], [0, 0, 1]],
    ...                                             [[0.75, 0.5, 1], [1, 0.2, 0.1]]), 4)
    0.4167
    """
    Y, S = _matrices(y_true, y_score)
    if not np.isin(Y, (0, 1)).all():
        raise ValueError("y_true: expected a binary label-indicator matrix.")
    rel = Y > 0
    n, m = Y.shape
    w = check_weights(sample_weight, n)
    scores = np.ones(n)
    n_rel = rel.sum(axis=1)
    todo = np.flatnonzero((n_rel > 0) & (n_rel < m))
    for start in range(0, todo.size, 1024):  # chunks keep the (chunk, m, m) block small
        rows = todo[start : start + 1024]
        s = S[rows]  # (c, m)
        r = rel[rows]  # (c, m)
        at_least = s[:, None, :] >= s[:, :, None]  # (c, j, l): s_l >= s_j
        rank = at_least.sum(axis=2)  # (c, m)
        rel_rank = (at_least & r[:, None, :]).sum(axis=2)  # (c, m)
        per_label = np.where(r, rel_rank / rank, 0.0)
        scores[rows] = per_label.sum(axis=1) / n_rel[rows]
    return float(np.average(scores, weights=w))
