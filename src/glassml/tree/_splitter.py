"""Vectorised split search for a whole level of a CART tree at once.

All candidate nodes of one depth are processed together: their samples lie contiguously in one
index array ``S`` (segment ``i`` holds node ``i``). For the *best* splitter every chosen feature
column is sorted within its segment by one ``argsort`` of the key ``node·(n+1) + rank(x)``
(ranks of each feature are computed once per data set), cumulative sums of the class-weight
one-hot (classification) or of the centred weighted target (regression) give the left statistics
of every threshold of every feature of every node, and a segmented arg-max picks the best split
of each node. The *random* splitter (extra trees) draws one uniform threshold per node and
feature between the node's min and max and scores it with segmented sums; proxies equal up to
rounding (within 1e-10 of the node's bound on the proxy) count as ties and go to the first
drawn feature, so integer sample weights give the same tree as repeated samples.

Thresholds sit at midpoints ``x_(i)/2 + x_(i+1)/2`` of consecutive distinct values, and two
values closer than ``1e-7`` are treated as equal, exactly like scikit-learn.

Missing values (Inventory: TE-06), as in scikit-learn ≥ 1.3: for a feature with NaN in a node,
every threshold is scored twice, with the missing samples sent right and sent left, plus the
split "all non-missing left, missing right" (threshold ``+inf``); the better one wins and the
direction is stored in ``missing_go_to_left``. When the node had no missing value for the chosen
feature, NaN at predict time goes to the child that received more training samples.
"""

from __future__ import annotations

import numpy as np

from ._criterion import (
    absolute_error_curve,
    proxy_binary,
    proxy_classification,
    proxy_regression,
)

FEATURE_THRESHOLD = 1e-7
# random splitter: split proxies within this fraction of the node's proxy bound are ties
_TIE_TOLERANCE = 1e-10

__all__ = ["best_splits", "random_splits", "mae_splits", "compute_ranks", "FEATURE_THRESHOLD"]


def compute_ranks(X: np.ndarray) -> np.ndarray:
    """Dense rank of every value within its column (NaN ranks last); int32, feature-major (d, n)."""
    ranks = np.empty((X.shape[1], X.shape[0]), dtype=np.int32)
    for j in range(X.shape[1]):
        _, inverse = np.unique(X[:, j], return_inverse=True)  # NaNs collapse to one, last
        ranks[j] = inverse.ravel()
    return ranks


def _segments(counts):
    starts = np.zeros(counts.size, dtype=np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    node_of = np.repeat(np.arange(counts.size), counts)  # (P,)
    return starts, node_of


def _left_stats(values, starts, node_of):
    """Inclusive within-segment cumulative sums of ``values`` (m, P, ...) along the samples,
    and the segment totals (m, nC, ...)."""
    cum = np.cumsum(values, axis=1)  # (m, P, ...)
    P = values.shape[1]
    ends = np.concatenate([starts[1:], [P]]) - 1
    before = np.take(cum, starts - 1, axis=1)  # (m, nC, ...)
    before[:, 0] = 0.0  # the first segment starts at 0
    totals = np.take(cum, ends, axis=1) - before
    cum -= np.take(before, node_of, axis=1)
    return cum, totals


def _first_argmax_rows(candidates):
    """``argmax(candidates, axis=0)`` and the maxima, (P,) each, for a short first axis: one
    contiguous comparison per row instead of a strided reduction (first row wins ties)."""
    best = candidates[0].copy()
    row = np.zeros(best.shape, dtype=np.intp)
    for j in range(1, candidates.shape[0]):
        better = candidates[j] > best
        row[better] = j
        np.copyto(best, candidates[j], where=better)
    return row, best


def best_splits(X, ranks, target, w, S, counts, F, cfg, *, has_nan):
    """Best split of each node (segments of ``S``) over the features ``F`` (nC, m).

    ``X`` (float64) and ``ranks`` come feature-major, shape (d, n). ``target`` is the int class
    code (classification, indexed by sample) or the node-centred target (regression, aligned with
    ``S``). Arrays below are (m, P): one row per feature slot, contiguous along the samples.
    Returns ``found, feature, threshold, missing_left`` per node.
    """
    n_nodes, m = F.shape
    n = X.shape[1]
    P = S.size
    starts, node_of = _segments(counts)
    feat = np.take(np.ascontiguousarray(F.T), node_of, axis=1)  # (m, P)
    key_dtype = np.int32 if n_nodes * (n + 1) < 2**31 - 1 else np.int64
    node_key = (node_of * (n + 1)).astype(key_dtype)  # (P,)
    feature_base = feat * n  # (m, P) start of each slot's feature row in the (d, n) arrays
    key = np.take(ranks, feature_base + S).astype(key_dtype, copy=False)  # (m, P)
    key += node_key  # sort by (node, rank)
    order = np.argsort(key, axis=1)  # (m, P): sorted within each node by feature value
    SS = np.take(S, order)  # (m, P) sample ids
    xs = np.take(X, feature_base + SS).astype(np.float64, copy=False)  # (m, P) sorted values
    ws = np.take(w, SS)  # (m, P)
    binary = cfg.is_classification and cfg.n_classes == 2
    if binary:  # class-1 weight only; class 0 is w − c₁
        stat = np.take(w * target, SS)  # (m, P), one gather of the per-sample products
    elif cfg.is_classification:
        K = cfg.n_classes
        stat = np.zeros((m * P, K))
        stat[np.arange(m * P), np.take(target, SS).ravel()] = ws.ravel()
        stat = stat.reshape(m, P, K)  # (m, P, K)
    else:
        stat = ws * np.take(target, order)  # (m, P): centred y, reordered like SS
    missing = np.isnan(xs) if has_nan else None
    if has_nan:
        present = ~missing
        ws = ws * present
        stat = stat * (present[..., None] if stat.ndim == 3 else present)
    w_left, w_tot = _left_stats(ws, starts, node_of)  # (m, P), (m, nC)
    s_left, s_tot = _left_stats(stat, starts, node_of)

    position = np.arange(P)
    seg_end = (starts + counts)[node_of]  # (P,) exclusive end of own segment
    n_left = position - starts[node_of] + 1  # (P,) non-missing samples on the left
    has_next = position + 1 < seg_end
    distinct_next = np.zeros(xs.shape, dtype=bool)  # x_(p+1) > x_(p) + 1e-7; NaN compares False
    np.greater(xs[:, 1:], xs[:, :-1] + FEATURE_THRESHOLD, out=distinct_next[:, :-1])
    distinct_next &= has_next
    node_count = counts[node_of]  # (P,)
    w_node_present = np.take(w_tot, node_of, axis=1)  # (m, P)
    s_node_present = np.take(s_tot, node_of, axis=1)

    def score(sl, wl, sr, wr, nl, nr, valid):
        if cfg.min_samples_leaf > 1 or has_nan:  # else implied by "a next value exists"
            valid = valid & (nl >= cfg.min_samples_leaf) & (nr >= cfg.min_samples_leaf)
        if cfg.min_weight_leaf > 0:
            valid &= (wl >= cfg.min_weight_leaf) & (wr >= cfg.min_weight_leaf)
        if binary:
            proxy = proxy_binary(sl, sr, wl, wr, cfg.criterion)
        elif cfg.is_classification:
            proxy = proxy_classification(sl, sr, wl, wr, cfg.criterion)
        else:
            proxy = proxy_regression(sl, sr, wl, wr)
        return np.where(valid, proxy, -np.inf)

    if not has_nan:
        candidates = score(
            s_left,
            w_left,
            s_node_present - s_left,
            w_node_present - w_left,
            n_left,
            node_count - n_left,
            distinct_next,
        )
        last_present = None
        n_missing_node = np.zeros((m, n_nodes), dtype=np.intp)
    else:
        n_missing_node = np.add.reduceat(missing, starts, axis=1)  # (m, nC)
        n_miss = n_missing_node[:, node_of]  # (m, P)
        w_raw = np.take(w, SS)
        w_all = np.add.reduceat(w_raw, starts, axis=1)[:, node_of]  # (m, P) incl. missing
        if binary:
            s_all = np.add.reduceat(w_raw * np.take(target, SS), starts, axis=1)[:, node_of]
        elif cfg.is_classification:
            onehot_all = np.zeros((m * P, cfg.n_classes))
            onehot_all[np.arange(m * P), np.take(target, SS).ravel()] = w_raw.ravel()
            onehot_all = onehot_all.reshape(m, P, -1)
            s_all = np.add.reduceat(onehot_all, starts, axis=1)[:, node_of]
        else:
            s_all = np.add.reduceat(w_raw * np.take(target, order), starts, axis=1)[:, node_of]
        w_miss, s_miss = w_all - w_node_present, s_all - s_node_present
        n_present = node_count - n_miss  # (m, P)
        is_present = ~missing
        last_present = is_present & (n_left == n_present) & (n_miss > 0)
        # missing right (+ the "missing only on the right" split at the last present value)
        proxy_right = score(
            s_left,
            w_left,
            s_all - s_left,
            w_all - w_left,
            n_left,
            node_count - n_left,
            is_present & (distinct_next | last_present),
        )
        # missing left
        proxy_left = score(
            s_left + s_miss,
            w_left + w_miss,
            s_all - s_left - s_miss,
            w_all - w_left - w_miss,
            n_left + n_miss,
            node_count - n_left - n_miss,
            is_present & distinct_next,
        )
        candidates = np.concatenate([proxy_right, proxy_left], axis=0)  # (2m, P)

    row, best = _first_argmax_rows(candidates)  # (P,) best feature slot at each position
    seg_max = np.maximum.reduceat(best, starts)  # (nC,)
    hit = np.flatnonzero((best == seg_max[node_of]) & (best > -np.inf))
    nodes, first = np.unique(node_of[hit], return_index=True)
    pos = hit[first]
    j = row[pos] % m
    found = np.zeros(n_nodes, dtype=bool)
    found[nodes] = True
    feature = np.full(n_nodes, -2, dtype=np.intp)
    threshold = np.full(n_nodes, -2.0)
    missing_left = np.zeros(n_nodes, dtype=bool)
    feature[nodes] = F[nodes, j]
    nxt = np.minimum(pos + 1, P - 1)
    thr = xs[j, pos] / 2.0 + xs[j, nxt] / 2.0
    if has_nan:
        thr = np.where(last_present[j, pos] & (row[pos] < m), np.inf, thr)
    threshold[nodes] = thr
    nl = n_left[pos]
    node_missing = n_missing_node[j, nodes]
    default_left = nl > counts[nodes] - nl
    missing_left[nodes] = np.where(node_missing > 0, row[pos] >= m, default_left)
    return found, feature, threshold, missing_left


def random_splits(X, target, w, S, counts, F, cfg, rng):
    """One uniformly drawn threshold per node and feature; keep the best (extra trees)."""
    n_nodes, m = F.shape
    starts, node_of = _segments(counts)
    feat = F[node_of]  # (P, m)
    V = X[S[:, None], feat].astype(np.float64)  # (P, m)
    nan = np.isnan(V)
    with np.errstate(invalid="ignore"):
        v_min = np.fmin.reduceat(V, starts, axis=0)  # (nC, m), NaN if all missing
        v_max = np.fmax.reduceat(V, starts, axis=0)
    n_miss = np.add.reduceat(nan, starts, axis=0)  # (nC, m)
    constant = np.isnan(v_min) | ((v_max <= v_min + FEATURE_THRESHOLD) & (n_miss == 0))
    lo = np.where(constant, 0.0, v_min)
    hi = np.where(constant, 1.0, v_max)
    thr = rng.uniform(lo, hi)  # (nC, m)
    thr = np.where(thr == hi, lo, thr)
    go_left_missing = (rng.integers(0, 2, size=(n_nodes, m)) == 1) & (n_miss > 0)
    with np.errstate(invalid="ignore"):
        left = V <= thr[node_of]  # (P, m)
    left = np.where(nan, go_left_missing[node_of], left)
    ws = w[S]  # (P,)
    wl_s = left * ws[:, None]  # (P, m)
    n_left = np.add.reduceat(left, starts, axis=0)  # (nC, m)
    w_left = np.add.reduceat(wl_s, starts, axis=0)
    w_tot = np.add.reduceat(ws, starts)[:, None]
    if cfg.is_classification:
        onehot = np.zeros((S.size, cfg.n_classes))
        onehot[np.arange(S.size), target[S]] = ws
        s_left = np.add.reduceat(left[:, :, None] * onehot[:, None, :], starts, axis=0)
        s_tot = np.add.reduceat(onehot, starts, axis=0)[:, None, :]
        proxy = proxy_classification(s_left, s_tot - s_left, w_left, w_tot - w_left, cfg.criterion)
        scale = w_tot[:, 0] * max(1.0, np.log2(cfg.n_classes))  # (nC,) bounds |proxy|
    else:
        s_left = np.add.reduceat(wl_s * target[:, None], starts, axis=0)
        s_tot = np.add.reduceat(ws * target, starts)[:, None]
        proxy = proxy_regression(s_left, s_tot - s_left, w_left, w_tot - w_left)
        scale = np.add.reduceat(ws * target * target, starts)  # (nC,) Σ w t² bounds the proxy
    n_right = counts[:, None] - n_left
    w_right = w_tot - w_left
    valid = ~constant & (n_left >= cfg.min_samples_leaf) & (n_right >= cfg.min_samples_leaf)
    valid &= (w_left >= cfg.min_weight_leaf) & (w_right >= cfg.min_weight_leaf)
    proxy = np.where(valid, proxy, -np.inf)
    # Proxies equal up to rounding are ties, won by the first drawn feature. Different
    # partitions with the same sufficient statistics (e.g. two samples of equal y swapped)
    # score the same in exact arithmetic, but Σ w·t and the sum over w repeated copies round
    # differently — without the tolerance a weighted fit and the fit on repeated samples
    # would pick different thresholds (and route unseen points differently).
    best = proxy.max(axis=1)  # (nC,)
    j = np.argmax(proxy >= (best - _TIE_TOLERANCE * scale)[:, None], axis=1)  # first best
    rows = np.arange(n_nodes)
    found = proxy[rows, j] > -np.inf
    feature = np.where(found, F[rows, j], -2)
    threshold = np.where(found, thr[rows, j], -2.0)
    nl = n_left[rows, j]
    missing_left = np.where(n_miss[rows, j] > 0, go_left_missing[rows, j], nl > counts - nl)
    return found, feature, threshold, missing_left & found


def mae_splits(X, y, w, S, counts, F, cfg, rng):
    """Absolute-error splits: one node at a time, O(n²) vectorised per node and feature."""
    n_nodes, m = F.shape
    starts, _ = _segments(counts)
    found = np.zeros(n_nodes, dtype=bool)
    feature = np.full(n_nodes, -2, dtype=np.intp)
    threshold = np.full(n_nodes, -2.0)
    missing_left = np.zeros(n_nodes, dtype=bool)
    for i in range(n_nodes):
        idx = S[starts[i] : starts[i] + counts[i]]
        n = idx.size
        best = -np.inf
        for f in F[i]:
            x = X[idx, f].astype(np.float64)
            if cfg.splitter == "random":
                lo, hi = x.min(), x.max()
                if hi <= lo + FEATURE_THRESHOLD:
                    continue
                t = rng.uniform(lo, hi)
                t = lo if t == hi else t
                order = np.argsort(x, kind="stable")
                k = int(np.searchsorted(x[order], t, side="right")) - 1  # last left position
                positions = np.array([k])
            else:
                order = np.argsort(x, kind="stable")
                xs = x[order]
                positions = np.flatnonzero(xs[1:] > xs[:-1] + FEATURE_THRESHOLD)
            if positions.size == 0:
                continue
            ys, wsum = y[idx][order], w[idx][order]
            ae_left = absolute_error_curve(ys, wsum)  # prefix [0..p]
            ae_right = absolute_error_curve(ys[::-1], wsum[::-1])[::-1]  # suffix [p..n-1]
            nl = positions + 1
            cw = np.cumsum(wsum)
            wl, wr = cw[positions], cw[-1] - cw[positions]
            ok = (nl >= cfg.min_samples_leaf) & (n - nl >= cfg.min_samples_leaf)
            ok &= (wl >= cfg.min_weight_leaf) & (wr >= cfg.min_weight_leaf)
            ok &= nl < n
            if not ok.any():
                continue
            proxy = np.where(ok, -(ae_left[positions] + ae_right[np.minimum(nl, n - 1)]), -np.inf)
            k = int(np.argmax(proxy))
            if proxy[k] > best:
                best = proxy[k]
                p = positions[k]
                found[i], feature[i] = True, f
                xs = x[order]
                threshold[i] = t if cfg.splitter == "random" else xs[p] / 2.0 + xs[p + 1] / 2.0
                missing_left[i] = (p + 1) > n - (p + 1)
    return found, feature, threshold, missing_left
