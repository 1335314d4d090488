"""Level-by-level CART growth (Inventory: TE-01..TE-04, TE-06).

All nodes of one depth are split together (see ``_splitter``), so the Python work is per level,
not per node. The stopping rules are scikit-learn's: a node is a leaf when
``depth >= max_depth``, ``n < min_samples_split``, ``n < 2·min_samples_leaf``,
``w < 2·min_weight_leaf``, its impurity is ``<= eps``, no valid split exists, or the weighted
impurity decrease ``(w_t/W)·(I(t) − w_L/w_t·I(L) − w_R/w_t·I(R)) + eps < min_impurity_decrease``.
Nodes are then renumbered in depth-first pre-order. With ``max_leaf_nodes`` the full tree is
grown and the best-first tree (expand the frontier node with the largest impurity decrease) is
cut out of it — a node's best split does not depend on the order of expansion, so this equals
best-first growth.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from ._criterion import node_impurity_classification, weighted_median
from ._splitter import best_splits, mae_splits, random_splits
from ._tree import TREE_LEAF, TREE_UNDEFINED, Tree

EPSILON = np.finfo(np.float64).eps


@dataclass
class GrowConfig:
    is_classification: bool
    n_classes: int
    criterion: str
    splitter: str
    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    min_weight_leaf: float
    max_features: int
    min_impurity_decrease: float
    max_leaf_nodes: int | None


def _node_stats(S, counts, y, w, cfg):
    """Weighted size, impurity, value and mean of each node (segments of S)."""
    n_nodes = counts.size
    node_of = np.repeat(np.arange(n_nodes), counts)  # (P,)
    ws = w[S]
    wn = np.bincount(node_of, weights=ws, minlength=n_nodes)  # (n_nodes,)
    if cfg.is_classification:
        K = cfg.n_classes
        counts_k = np.bincount(node_of * K + y[S], weights=ws, minlength=n_nodes * K)
        counts_k = counts_k.reshape(n_nodes, K)
        impurity = node_impurity_classification(counts_k, cfg.criterion)
        return wn, impurity, counts_k / wn[:, None], None
    ys = y[S]
    mean = np.bincount(node_of, weights=ws * ys, minlength=n_nodes) / wn  # (n_nodes,)
    if cfg.criterion == "absolute_error":
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        med = np.array(
            [
                weighted_median(ys[a : a + c], ws[a : a + c])
                for a, c in zip(starts, counts, strict=True)
            ]
        )
        dev = np.abs(ys - med[node_of])
        impurity = np.bincount(node_of, weights=ws * dev, minlength=n_nodes) / wn
        return wn, impurity, med[:, None], mean
    resid = ys - mean[node_of]
    impurity = np.bincount(node_of, weights=ws * resid * resid, minlength=n_nodes) / wn
    return wn, impurity, mean[:, None], mean


def _feature_chunks(n_nodes, n_features, max_features, rng):
    """Per-node random feature order, consumed ``max_features`` at a time."""
    if max_features >= n_features and rng is None:
        return np.broadcast_to(np.arange(n_features), (n_nodes, n_features))
    return np.argsort(rng.random((n_nodes, n_features)), axis=1)


def grow_tree(X, ranks, y, w, cfg: GrowConfig, rng) -> Tree:
    """Grow a CART tree on float32 ``X`` (n, d) with sample weights ``w`` (zeros are ignored)."""
    n, d = X.shape
    has_nan = bool(np.isnan(X).any())
    # (d, n) feature-major for the sorted split search; float64 (exact for float32 values) so
    # the split search gathers sorted values without a conversion pass per level
    XT = np.ascontiguousarray(X.T, dtype=np.float64)
    total_weight = w.sum()
    S = np.flatnonzero(w > 0)
    counts = np.array([S.size])
    stats = _node_stats(S, counts, y, w, cfg)
    levels = []  # per level: dict of arrays
    next_id, depth = 0, 0
    while counts.size:
        n_nodes = counts.size
        wn, impurity, value, mean = stats
        next_id += n_nodes
        leaf = (
            (depth >= cfg.max_depth)
            | (counts < cfg.min_samples_split)
            | (counts < 2 * cfg.min_samples_leaf)
            | (wn < 2 * cfg.min_weight_leaf)
            | (impurity <= EPSILON)
        )
        feature = np.full(n_nodes, TREE_UNDEFINED, dtype=np.intp)
        threshold = np.full(n_nodes, float(TREE_UNDEFINED))
        missing_left = np.zeros(n_nodes, dtype=bool)
        improvement = np.zeros(n_nodes)
        child_S, child_counts, child_stats = np.empty(0, np.intp), np.empty(0, np.intp), None
        cand = np.flatnonzero(~leaf)
        if cand.size:
            node_of = np.repeat(np.arange(n_nodes), counts)
            in_cand = ~leaf[node_of]
            S_c, counts_c = S[in_cand], counts[cand]
            if cfg.is_classification:
                target = y
            else:
                target = y[S_c] - mean[node_of[in_cand]]  # centred per node, aligned with S_c
            found, feat_c, thr_c, mleft_c = _search(
                X, XT, ranks, target, y, w, S_c, counts_c, cfg, rng, has_nan, d
            )
            # route samples of the nodes that split
            node_c = np.repeat(np.arange(cand.size), counts_c)
            keep = found[node_c]
            S_s, node_s = S_c[keep], node_c[keep]
            x = np.take(XT, feat_c[node_s] * n + S_s)  # (P_split,) value of the split feature
            go_left = x <= thr_c[node_s]
            if has_nan:
                go_left = np.where(np.isnan(x), mleft_c[node_s], go_left)
            split_nodes = np.flatnonzero(found)  # indices into cand
            slot = np.full(cand.size, -1, dtype=np.intp)
            slot[split_nodes] = np.arange(split_nodes.size)
            child_key = 2 * slot[node_s] + (~go_left)
            order = np.argsort(child_key, kind="stable")
            child_S = S_s[order]
            child_counts = np.bincount(child_key, minlength=2 * split_nodes.size)
            child_stats = _node_stats(child_S, child_counts, y, w, cfg)
            cw, cimp = child_stats[0], child_stats[1]
            p = cand[split_nodes]
            w_l, w_r = cw[0::2], cw[1::2]
            gain = (wn[p] / total_weight) * (
                impurity[p] - w_l / wn[p] * cimp[0::2] - w_r / wn[p] * cimp[1::2]
            )
            accept = ~(gain + EPSILON < cfg.min_impurity_decrease)
            feature[p[accept]] = feat_c[split_nodes[accept]]
            threshold[p[accept]] = thr_c[split_nodes[accept]]
            missing_left[p[accept]] = mleft_c[split_nodes[accept]]
            improvement[p[accept]] = gain[accept]
            if not accept.all():
                keep_child = np.repeat(accept, 2)
                child_S = child_S[np.repeat(keep_child, child_counts)]
                child_counts = child_counts[keep_child]
                child_stats = tuple(None if a is None else a[keep_child] for a in child_stats)
            split_parent = p[accept]
        else:
            split_parent = np.empty(0, np.intp)
        left_child = np.full(n_nodes, TREE_LEAF, dtype=np.intp)
        right_child = np.full(n_nodes, TREE_LEAF, dtype=np.intp)
        k = np.arange(split_parent.size)
        left_child[split_parent] = next_id + 2 * k
        right_child[split_parent] = next_id + 2 * k + 1
        levels.append(
            {
                "children_left": left_child,
                "children_right": right_child,
                "feature": feature,
                "threshold": threshold,
                "missing_go_to_left": missing_left,
                "value": value,
                "impurity": impurity,
                "n_node_samples": counts,
                "weighted_n_node_samples": wn,
                "improvement": improvement,
                "depth": np.full(n_nodes, depth),
            }
        )
        S, counts, stats = child_S, child_counts, child_stats
        depth += 1
    arrays = {k: np.concatenate([lv[k] for lv in levels]) for k in levels[0]}
    arrays["value"] = arrays["value"][:, None, :]
    tree = Tree(d, cfg.n_classes if cfg.is_classification else 1, arrays)
    if cfg.max_leaf_nodes is not None:
        return _best_first(tree, cfg.max_leaf_nodes)
    return tree.subtree(np.ones(tree.node_count, bool), order=_preorder(tree))


def _search(X, XT, ranks, target, y, w, S, counts, cfg, rng, has_nan, d):
    """Find splits, drawing ``max_features`` features per node (more when none is valid)."""
    n_nodes = counts.size
    use_all = cfg.max_features >= d and cfg.splitter == "best"
    order = _feature_chunks(n_nodes, d, cfg.max_features, None if use_all else rng)
    m = d if use_all else cfg.max_features
    found = np.zeros(n_nodes, bool)
    feature = np.full(n_nodes, TREE_UNDEFINED, dtype=np.intp)
    threshold = np.full(n_nodes, float(TREE_UNDEFINED))
    missing_left = np.zeros(n_nodes, bool)
    todo = np.arange(n_nodes)
    for lo in range(0, d, m):
        F = np.ascontiguousarray(order[todo, lo : lo + m])
        if todo.size == n_nodes:
            S_t, counts_t, target_t = S, counts, target
        else:
            in_todo = np.zeros(n_nodes, dtype=bool)
            in_todo[todo] = True
            sel = np.flatnonzero(np.repeat(in_todo, counts))
            S_t, counts_t = S[sel], counts[todo]
            target_t = target if cfg.is_classification else target[sel]
        if cfg.criterion == "absolute_error":
            res = mae_splits(X, y, w, S_t, counts_t, F, cfg, rng)
        elif cfg.splitter == "best":
            res = best_splits(XT, ranks, target_t, w, S_t, counts_t, F, cfg, has_nan=has_nan)
        else:
            res = random_splits(X, target_t, w, S_t, counts_t, F, cfg, rng)
        f_ok, f_feat, f_thr, f_ml = res
        hit = todo[f_ok]
        found[hit], feature[hit], threshold[hit], missing_left[hit] = (
            True,
            f_feat[f_ok],
            f_thr[f_ok],
            f_ml[f_ok],
        )
        todo = todo[~f_ok]
        if not todo.size:
            break
    return found, feature, threshold, missing_left


def _subtree_sizes(tree: Tree) -> np.ndarray:
    size = np.ones(tree.node_count, dtype=np.intp)
    cl, cr = tree.children_left, tree.children_right
    for dep in range(tree.max_depth - 1, -1, -1):  # bottom-up, one level at a time
        nodes = np.flatnonzero((tree.depth == dep) & (cl != TREE_LEAF))
        size[nodes] += size[cl[nodes]] + size[cr[nodes]]
    return size


def _preorder(tree: Tree) -> np.ndarray:
    """Old ids listed in depth-first pre-order (computed level by level)."""
    size = _subtree_sizes(tree)
    pre = np.zeros(tree.node_count, dtype=np.intp)
    cl, cr = tree.children_left, tree.children_right
    for dep in range(tree.max_depth):
        nodes = np.flatnonzero((tree.depth == dep) & (cl != TREE_LEAF))
        pre[cl[nodes]] = pre[nodes] + 1
        pre[cr[nodes]] = pre[nodes] + 1 + size[cl[nodes]]
    order = np.empty_like(pre)
    order[pre] = np.arange(tree.node_count)
    return order


def _best_first(tree: Tree, max_leaf_nodes: int) -> Tree:
    """Expand the frontier node of largest impurity decrease until ``max_leaf_nodes`` leaves."""
    cl, cr = tree.children_left, tree.children_right
    keep = np.zeros(tree.node_count, bool)
    keep[0] = True
    order = [0]
    heap = [(-tree.improvement[0], 0)] if cl[0] != TREE_LEAF else []
    n_leaves = 1
    while heap and n_leaves < max_leaf_nodes:
        _, node = heapq.heappop(heap)
        for child in (cl[node], cr[node]):
            keep[child] = True
            order.append(child)
            if cl[child] != TREE_LEAF:
                heapq.heappush(heap, (-tree.improvement[child], child))
        n_leaves += 1
    return tree.subtree(keep, order=np.asarray(order))
