"""The histogram tree grower of the XGBoost-style booster (Inventory: TE-13, TE-12).

One tree is fitted to per-sample gradients ``g`` and hessians ``h``. With ``G = Σ_node g`` and
``H = Σ_node h``, the second-order Taylor expansion of the regularised objective gives

* leaf weight   ``w* = −T_α(G) / (H + λ)``,  with ``T_α(G) = sign(G)·max(|G| − α, 0)`` (L1),
* split gain    ``½ [T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) − T(G)²/(H+λ)] − γ``,

and a split is kept only when its gain is positive (``γ`` prunes), both children keep
``H ≥ min_child_weight`` and ``≥ min_samples_leaf`` samples. Per-node gradient/hessian/count
histograms over the quantile bins come from one ``np.bincount`` over all (sample, feature)
pairs of a tree level, and only the smaller child of each split is counted — its sibling is
``parent − child`` (histogram subtraction). Both default directions for missing values are
scored and the better one is learned. Trees grow level by level: all nodes of one depth are
split together, with no Python loop per node. The estimators are in ``_hist_boosting``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class HistTree:
    """One grown tree as flat node arrays (``feature == -1`` marks a leaf)."""

    feature: np.ndarray  # (n_nodes,) split feature, -1 at leaves
    bin_threshold: np.ndarray  # (n_nodes,) bin <= threshold goes left
    threshold: np.ndarray  # (n_nodes,) raw value: x <= threshold goes left
    missing_left: np.ndarray  # (n_nodes,) bool, learned default direction for NaN
    left: np.ndarray  # (n_nodes,)
    right: np.ndarray  # (n_nodes,)
    value: np.ndarray  # (n_nodes,) leaf weight (learning rate included)
    gain: np.ndarray  # (n_nodes,) gain of the split (0 at leaves)
    depth: int

    def apply(self, X):
        """Leaf index of every row of raw ``X``, descending all rows one level at a time:
        left iff ``x <= threshold``, NaN follows the learned default direction."""
        n = X.shape[0]
        node = np.zeros(n, dtype=np.intp)  # (n,)
        rows = np.arange(n)
        for _ in range(self.depth):
            feature = self.feature[node]  # (n,)
            internal = feature >= 0
            if not internal.any():
                break
            x = X[rows, np.maximum(feature, 0)]  # (n,)
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            child = np.where(go_left, self.left[node], self.right[node])
            node = np.where(internal, child, node)
        return node

    def predict(self, X):
        return self.value[self.apply(X)]


def _score(G, H, reg_lambda, reg_alpha):
    """Structure score T_α(G)² / (H + λ) of a node (the negative of twice its best loss)."""
    if reg_alpha > 0:
        G = np.sign(G) * np.maximum(np.abs(G) - reg_alpha, 0.0)
    return G * G / (H + reg_lambda)


def _leaf_weight(G, H, reg_lambda, reg_alpha):
    """w* = −T_α(G) / (H + λ)."""
    if reg_alpha > 0:
        G = np.sign(G) * np.maximum(np.abs(G) - reg_alpha, 0.0)
    return -G / np.maximum(H + reg_lambda, 1e-300)


@dataclass
class GrowParams:
    max_depth: int
    max_leaf_nodes: int | None
    min_samples_leaf: int
    min_child_weight: float
    reg_lambda: float
    reg_alpha: float
    gamma: float
    learning_rate: float


class TreeGrower:
    """Level-wise histogram tree grower over pre-binned data.

    The binned data is stored feature-major, (d, n), so that a feature's bins of a set of
    rows are one contiguous gather.
    """

    def __init__(self, binned, bin_thresholds, max_bins, params: GrowParams):
        self.n, self.d = binned.shape
        self.columns = np.asfortranarray(binned).T  # (d, n) uint8, one contiguous row per feature
        self.n_bins = max_bins + 1  # non-missing bins + the missing bin
        self.missing_bin = max_bins
        self.edges = bin_thresholds
        self.params = params
        self.has_missing = bool((self.columns == max_bins).any())

    def _histograms(self, rows, local, m, g, h):
        """Gradient, hessian and count histograms, each (m, d, n_bins), of ``m`` nodes: one
        ``np.bincount`` per feature over index ``node·n_bins + bin`` (no (n·d) temporaries)."""
        size = m * self.n_bins
        shape = (m, self.d, self.n_bins)
        G, H, C = np.empty(shape), np.empty(shape), np.empty(shape)
        offset = local * self.n_bins  # (r,)
        g_rows, h_rows = g[rows], h[rows]  # (r,)
        all_rows = rows.size == self.n
        for j in range(self.d):
            column = self.columns[j] if all_rows else self.columns[j][rows]  # (r,)
            index = offset + column  # (r,)
            G[:, j] = np.bincount(index, weights=g_rows, minlength=size).reshape(m, -1)
            H[:, j] = np.bincount(index, weights=h_rows, minlength=size).reshape(m, -1)
            C[:, j] = np.bincount(index, minlength=size).reshape(m, -1)
        return G, H, C

    def _best_splits(self, G, H, C, node_G, node_H, node_C, allowed):
        """Best (gain, feature, bin, missing_left) of each of the m nodes, vectorized.

        Left child = bins <= b (cumulative sums), right child = node − left; the missing bin
        joins the left child (option 1) or the right one (option 0) and the better is kept.
        """
        p = self.params
        B, m = self.missing_bin, G.shape[0]
        lam, alpha = p.reg_lambda, p.reg_alpha
        GT, HT, CT = (t[:, None, None] for t in (node_G, node_H, node_C))  # (m, 1, 1)
        cum = [np.cumsum(A[:, :, :B], axis=2) for A in (G, H, C)]  # each (m, d, B)
        missing = [A[:, :, B : B + 1] for A in (G, H, C)]  # each (m, d, 1)
        options = [cum]
        if self.has_missing:
            options.append([c + mv for c, mv in zip(cum, missing, strict=True)])
        min_leaf, min_hess = p.min_samples_leaf, p.min_child_weight
        best_gain = best_opt = None
        with np.errstate(divide="ignore", invalid="ignore"):
            for GL, HL, CL in options:
                if alpha > 0:
                    children = _score(GL, HL, lam, alpha) + _score(GT - GL, HT - HL, lam, alpha)
                else:  # in-place: GL²/(HL+λ) + GR²/(HR+λ)           # (m, d, B)
                    children = np.square(GL)
                    children /= HL + lam
                    right = np.subtract(GT, GL)
                    np.square(right, out=right)
                    right /= (HT + lam) - HL
                    children += right
                valid = CL >= min_leaf
                valid &= CL <= CT - min_leaf
                valid &= HL >= min_hess
                valid &= HL <= HT - min_hess
                valid &= allowed[None, :, None]
                np.copyto(children, -np.inf, where=~valid)
                if best_gain is None:
                    best_gain, best_opt = children, np.zeros(children.shape, dtype=bool)
                else:
                    best_opt = children > best_gain
                    best_gain = np.where(best_opt, children, best_gain)
            flat = best_gain.reshape(m, -1).argmax(axis=1)  # (m,)
            parent = _score(node_G, node_H, lam, alpha)  # (m,)
            gain = 0.5 * (best_gain.reshape(m, -1)[np.arange(m), flat] - parent) - p.gamma
        gain = np.where(np.isfinite(gain), gain, -np.inf)
        feature, bin_ = np.unravel_index(flat, best_gain.shape[1:])
        option = best_opt.reshape(m, -1)[np.arange(m), flat]
        missing_count = missing[2][np.arange(m), feature, 0]
        n_left = cum[2][np.arange(m), feature, bin_] + np.where(option, missing_count, 0)
        # no missing values seen: NaN at predict time goes to the larger child
        missing_left = np.where(missing_count > 0, option, n_left >= node_C - n_left)
        return gain, feature, bin_, missing_left

    def grow(self, g, h, in_bag, allowed):
        """Grow one tree; returns (HistTree, leaf index of every row of the training data)."""
        p = self.params
        rows = np.flatnonzero(in_bag) if in_bag is not None else np.arange(self.n)
        feat, bthr, thr, mleft, left, right, gains = [], [], [], [], [], [], []
        sums_G, sums_H, sums_C = [], [], []

        def new_node(Gs, Hs, Cs):
            feat.append(-1), bthr.append(0), thr.append(np.inf), mleft.append(False)
            left.append(-1), right.append(-1), gains.append(0.0)
            sums_G.append(Gs), sums_H.append(Hs), sums_C.append(Cs)
            return len(feat) - 1

        root = new_node(g[rows].sum(), h[rows].sum(), rows.size)
        node_of_row = np.zeros(self.n, dtype=np.intp)  # every training row, in bag or not
        frontier = np.array([root])
        hist = self._histograms(rows, np.zeros(rows.size, np.intp), 1, g, h)
        n_leaves, depth = 1, 0
        while frontier.size and (p.max_depth is None or depth < p.max_depth):
            node_G = np.array([sums_G[i] for i in frontier])
            node_H = np.array([sums_H[i] for i in frontier])
            node_C = np.array([sums_C[i] for i in frontier])
            gain, f, b, ml = self._best_splits(*hist, node_G, node_H, node_C, allowed)
            split = np.flatnonzero(gain > 1e-12)  # positions in frontier
            if p.max_leaf_nodes is not None:
                budget = p.max_leaf_nodes - n_leaves
                split = split[np.argsort(-gain[split], kind="stable")[: max(budget, 0)]]
                split.sort()
            if split.size == 0:
                break
            n_leaves += split.size
            depth += 1
            # cumulative child statistics from the histograms of the chosen (feature, bin)
            Gh, Hh, Ch = (A[split, f[split]] for A in hist)  # each (s, n_bins)
            B = self.missing_bin
            take = np.arange(B)[None, :] <= b[split][:, None]  # (s, B)
            sums = []
            for A in (Gh, Hh, Ch):
                left_sum = (A[:, :B] * take).sum(axis=1) + np.where(ml[split], A[:, B], 0)
                sums.append(left_sum)
            parent_ids = frontier[split]
            left_ids, right_ids = [], []
            for j, node in enumerate(parent_ids):
                fj, bj = int(f[split[j]]), int(b[split[j]])
                feat[node], bthr[node], mleft[node] = fj, bj, bool(ml[split[j]])
                edges = self.edges[fj]
                thr[node] = float(edges[bj]) if bj < edges.size else np.inf
                gains[node] = float(gain[split[j]])
                lG, lH, lC = sums[0][j], sums[1][j], sums[2][j]
                left[node] = new_node(lG, lH, lC)
                right[node] = new_node(sums_G[node] - lG, sums_H[node] - lH, sums_C[node] - lC)
                left_ids.append(left[node]), right_ids.append(right[node])
            # route the rows of the split nodes to their children
            n_nodes = len(feat)
            f_of = np.full(n_nodes, -1, np.intp)
            f_of[parent_ids] = f[split]
            b_of = np.zeros(n_nodes, np.intp)
            b_of[parent_ids] = b[split]
            ml_of = np.zeros(n_nodes, bool)
            ml_of[parent_ids] = ml[split]
            l_of, r_of = np.asarray(left), np.asarray(right)
            moving = np.flatnonzero(f_of[node_of_row] >= 0)  # rows in split nodes
            nodes = node_of_row[moving]
            x = self.columns.ravel()[f_of[nodes] * self.n + moving]  # (r,) binned values
            go_left = np.where(x == B, ml_of[nodes], x <= b_of[nodes])
            node_of_row[moving] = np.where(go_left, l_of[nodes], r_of[nodes])
            if p.max_depth is not None and depth >= p.max_depth:
                break
            # histograms: count the smaller child of each split, subtract for its sibling
            left_ids, right_ids = np.array(left_ids), np.array(right_ids)
            left_n = np.array([sums_C[c] for c in left_ids])
            right_n = np.array([sums_C[c] for c in right_ids])
            small = np.where(right_n < left_n, right_ids, left_ids)  # (s,)
            large = np.where(right_n < left_n, left_ids, right_ids)  # (s,)
            local_of = np.full(n_nodes, -1, np.intp)
            local_of[small] = np.arange(small.size)
            row_local = local_of[node_of_row[rows]]
            keep = row_local >= 0
            small_hist = self._histograms(rows[keep], row_local[keep], small.size, g, h)
            hist = tuple(
                np.concatenate([S, A[split] - S]) for A, S in zip(hist, small_hist, strict=True)
            )
            frontier = np.concatenate([small, large])  # the order of the histograms
        value = _leaf_weight(np.array(sums_G), np.array(sums_H), p.reg_lambda, p.reg_alpha)
        feature = np.array(feat, dtype=np.intp)
        value = np.where(feature < 0, value * p.learning_rate, 0.0)
        tree = HistTree(
            feature=feature,
            bin_threshold=np.array(bthr, dtype=np.intp),
            threshold=np.array(thr, dtype=np.float64),
            missing_left=np.array(mleft, dtype=bool),
            left=np.array(left, dtype=np.intp),
            right=np.array(right, dtype=np.intp),
            value=value,
            gain=np.array(gains),
            depth=depth,
        )
        return tree, node_of_row
