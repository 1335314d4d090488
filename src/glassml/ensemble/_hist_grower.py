"""The histogram tree grower of the XGBoost-style booster (Inventory: TE-13, TE-12).

One tree is fitted to per-sample gradients ``g`` and hessians ``h``. With ``G = Σ_node g`` and
``H = Σ_node h``, the second-order Taylor expansion of the regularised objective gives

* leaf weight   ``w* = −T_α(G) / (H + λ)``,  with ``T_α(G) = sign(G)·max(|G| − α, 0)`` (L1),
* split gain    ``½ [T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) − T(G)²/(H+λ)] − γ``,

and a split is kept only when its gain is positive (``γ`` prunes), both children keep
``H ≥ min_child_weight`` and ``≥ min_samples_leaf`` samples. Trees grow level by level: all
nodes of one depth are split together, with no Python loop per node.

Histograms. The gradient, hessian and count histograms of a node are (feature, bin) tables.
For one node (the root, the root's smaller child) every (row, feature) cell is a column index
``c = feature·n_bins + bin`` and the three histograms are one sparse product ``Aᵀ [g h 1]``
with the (rows × cells) indicator ``A`` (``d`` ones per row): a single C loop over the ``n·d``
cells; the count histogram of all rows is the same in every round and is computed once. Deeper
levels use three ``np.bincount`` per feature over index ``node·n_bins + bin`` (measured faster
there: the output of one call stays in cache). The counts are exact (LightGBM estimates them
from the hessians; here ``min_samples_leaf`` is checked on true counts). Only the smaller child
of each split is counted — its sibling is ``parent − child`` (histogram subtraction). Both
default directions for missing values are scored and the better one is learned. Rows are
routed to their children with one lookup table ``go_left[node, bin]`` per level, so the
training rows' leaves come out of growing the tree (the booster adds the leaf values through
them instead of re-applying the tree). The estimators are in ``_hist_boosting``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

# cells (row × feature) of one sparse product; bounds the all-ones data buffer to 32 MiB
_CHUNK_CELLS = 1 << 22


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


class _Nodes:
    """Growable flat node arrays of one tree (ids in creation order, root = 0)."""

    def __init__(self, capacity):
        self.size = 0
        self.feature = np.full(capacity, -1, dtype=np.intp)
        self.bin = np.zeros(capacity, dtype=np.intp)
        self.threshold = np.full(capacity, np.inf)
        self.missing_left = np.zeros(capacity, dtype=bool)
        self.left = np.full(capacity, -1, dtype=np.intp)
        self.right = np.full(capacity, -1, dtype=np.intp)
        self.gain = np.zeros(capacity)
        self.sums = np.zeros((3, capacity))  # (G, H, count) of every node

    def add(self, sums):
        """Append ``k`` nodes with statistics ``sums`` (3, k); returns their ids."""
        k = sums.shape[1]
        if self.size + k > self.feature.size:
            grow = max(self.feature.size, k)
            for name, fill in (("feature", -1), ("bin", 0), ("threshold", np.inf),
                               ("missing_left", False), ("left", -1), ("right", -1),
                               ("gain", 0.0)):  # fmt: skip
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.full(grow, fill, old.dtype)]))
            self.sums = np.concatenate([self.sums, np.zeros((3, grow))], axis=1)
        ids = np.arange(self.size, self.size + k)
        self.sums[:, ids] = sums
        self.size += k
        return ids


class TreeGrower:
    """Level-wise histogram tree grower over pre-binned data.

    Parameters
    ----------
    binned : (n, d) uint8 bins (``max_bins`` = missing).
    bin_thresholds : list of d arrays, the raw upper edge of every bin.
    max_bins : int, number of non-missing bins.
    params : GrowParams.

    The data is kept twice: ``cells`` (n, d) int32, the flattened (feature, bin) index of every
    cell (row-major, so the cells of a set of rows are one contiguous gather), and ``columns``
    (d, n) uint8, feature-major for routing rows on one feature.

    Example
    -------
    >>> binned = np.array([[0], [0], [1], [1]], dtype=np.uint8)
    >>> params = GrowParams(1, None, 1, 0.0, 0.0, 0.0, 0.0, 1.0)  # depth 1, λ = 0, η = 1
    >>> grower = TreeGrower(binned, [np.array([0.5])], 2, params)
    >>> tree, leaf_of_row = grower.grow(np.array([1.0, 1.0, -1.0, -1.0]), np.ones(4), None,
    ...                                 np.ones(1, dtype=bool))
    >>> tree.value[leaf_of_row].tolist(), float(tree.threshold[0])  # w* = -G/H per leaf
    ([-1.0, -1.0, 1.0, 1.0], 0.5)
    """

    def __init__(self, binned, bin_thresholds, max_bins, params: GrowParams):
        self.n, self.d = binned.shape
        self.n_bins = max_bins + 1  # non-missing bins + the missing bin
        self.missing_bin = max_bins
        self.params = params
        self.columns = np.ascontiguousarray(binned.T)  # (d, n) uint8
        self.has_missing = bool((self.columns == max_bins).any())
        self.stride = self.d * self.n_bins  # cells of one node
        offsets = np.arange(self.d, dtype=np.int32) * self.n_bins  # (d,)
        self.cells = np.add(binned, offsets, dtype=np.int32)  # (n, d)
        # raw threshold of (feature, bin); +inf where a feature has fewer edges
        self.edges = np.full((self.d, max_bins), np.inf)
        for j, edges in enumerate(bin_thresholds):
            self.edges[j, : edges.size] = edges
        chunk_rows = max(1, min(self.n, _CHUNK_CELLS // self.d))
        self._ones = np.ones(chunk_rows * self.d)
        index_dtype = np.int32 if (chunk_rows + 1) * self.d < 2**31 else np.int64
        self._indptr = np.arange(0, (chunk_rows + 1) * self.d, self.d, dtype=index_dtype)
        self._chunk_rows = chunk_rows
        self._root_counts = None  # (d, n_bins) count histogram of all rows, once computed

    def _histograms(self, rows, local, m, stats, out=None):
        """Gradient, hessian and count histograms of ``m`` nodes, shape (3, m, d, n_bins).

        ``rows`` (r,) are the rows to count, ``local`` (r,) their node in 0..m-1 (None when
        m = 1), ``stats`` (n, 3) holds (g, h, 1) of every row; ``out`` an optional (3, m, d,
        n_bins) buffer. One node: one sparse product for all features; several nodes: three
        bincounts per feature (measured faster: the output of one bincount, m·n_bins values,
        stays in the L1/L2 cache, while one product over all features scatters over m·d·n_bins).
        """
        out = np.empty((3, m, self.d, self.n_bins)) if out is None else out
        if m == 1:
            self._histograms_sparse(rows, stats, out)
        else:
            self._histograms_per_feature(rows, local, m, stats, out)
        return out

    def _root_histograms(self, stats, bagged):
        """Histograms of the root over all rows: the count histogram of all rows is the same
        in every round, so after the first tree only (g, h) are summed (2 of 3 statistics)."""
        out = np.empty((3, 1, self.d, self.n_bins))
        rows = np.arange(self.n)
        if bagged or self._root_counts is None:
            self._histograms_sparse(rows, stats, out)
            if not bagged:
                self._root_counts = out[2].copy()
        else:
            self._histograms_sparse(rows, stats, out, n_stats=2)
            out[2] = self._root_counts
        return out

    def _histograms_per_feature(self, rows, local, m, stats, out):
        """Three ``np.bincount`` per feature over index ``node·n_bins + bin``."""
        size = m * self.n_bins
        offset = local * self.n_bins  # (r,)
        g_rows, h_rows = stats[rows, 0], stats[rows, 1]  # (r,)
        for j in range(self.d):
            index = offset + self.columns[j][rows]  # (r,)
            out[0, :, j] = np.bincount(index, weights=g_rows, minlength=size).reshape(m, -1)
            out[1, :, j] = np.bincount(index, weights=h_rows, minlength=size).reshape(m, -1)
            out[2, :, j] = np.bincount(index, minlength=size).reshape(m, -1)

    def _histograms_sparse(self, rows, stats, out, n_stats=3):
        """One node: ``A (d·n_bins, r) @ stats[rows] (r, n_stats)`` with ``A`` one at
        (cell, row), a single C loop (scipy's ``csc_matvecs``) adding a row's statistics."""
        total = np.zeros((self.stride, n_stats))
        step = self._chunk_rows
        for lo in range(0, max(rows.size, 1), step):
            chunk = rows[lo : lo + step]
            r = chunk.size
            all_rows = r == self.n
            cells = self.cells if all_rows else self.cells[chunk]  # (r, d) int32
            indicator = sparse.csc_matrix(
                (self._ones[: r * self.d], cells.ravel(), self._indptr[: r + 1]),
                shape=(self.stride, r),
            )
            values = stats if all_rows else stats[chunk]  # (r, 3)
            if n_stats < 3:
                values = np.ascontiguousarray(values[:, :n_stats])
            total += indicator @ values  # (d·n_bins, n_stats)
        out[:n_stats] = total.T.reshape(n_stats, 1, self.d, self.n_bins)

    def _best_splits(self, hist, totals, allowed):
        """Best split of each of the m nodes of a level, vectorized over nodes and features.

        ``hist`` (3, m, d, n_bins) (G, H, count), ``totals`` (3, m). Left child = bins <= b
        (cumulative sums), right child = node − left; the missing bin joins the left child
        (option 1) or the right one (option 0) and the better is kept. Returns the gain,
        feature, bin, missing_left (each (m,)) and the left child's (G, H, count), (3, m).
        """
        p = self.params
        B, m = self.missing_bin, hist.shape[1]
        lam, alpha = p.reg_lambda, p.reg_alpha
        GT, HT, CT = totals[:, :, None, None]  # each (m, 1, 1)
        cum = np.cumsum(hist[..., :B], axis=-1)  # (3, m, d, B)
        missing = hist[..., B:]  # (3, m, d, 1)
        options = [cum]
        if self.has_missing:
            options.append(cum + missing)
        min_leaf, min_hess = p.min_samples_leaf, p.min_child_weight
        best_gain = best_opt = None
        with np.errstate(divide="ignore", invalid="ignore"):
            for GL, HL, CL in options:
                if alpha > 0:
                    children = _score(GL, HL, lam, alpha) + _score(GT - GL, HT - HL, lam, alpha)
                else:  # in place: GL²/(HL+λ) + GR²/(HR+λ)           # (m, d, B)
                    denominator = HL + lam
                    children = np.square(GL)
                    children /= denominator
                    right = np.subtract(GT, GL)
                    np.square(right, out=right)
                    np.subtract(HT + lam, HL, out=denominator)
                    right /= denominator
                    children += right
                valid = CL >= min_leaf
                valid &= CL <= CT - min_leaf
                valid &= HL >= min_hess
                valid &= HL <= HT - min_hess
                if not allowed.all():
                    valid &= allowed[None, :, None]
                np.copyto(children, -np.inf, where=~valid)
                if best_gain is None:
                    best_gain, best_opt = children, None
                else:
                    best_opt = children > best_gain
                    np.copyto(best_gain, children, where=best_opt)
            flat = best_gain.reshape(m, -1).argmax(axis=1)  # (m,)
            nodes = np.arange(m)
            parent = _score(totals[0], totals[1], lam, alpha)  # (m,)
            gain = 0.5 * (best_gain.reshape(m, -1)[nodes, flat] - parent) - p.gamma
        gain = np.where(np.isfinite(gain), gain, -np.inf)
        feature, bin_ = np.divmod(flat, B)
        option = np.zeros(m, bool) if best_opt is None else best_opt.reshape(m, -1)[nodes, flat]
        missing_sums = missing[:, nodes, feature, 0]  # (3, m)
        left_sums = cum[:, nodes, feature, bin_] + np.where(option, missing_sums, 0.0)  # (3, m)
        n_left = left_sums[2]
        # no missing values seen: NaN at predict time goes to the larger child
        missing_left = np.where(missing_sums[2] > 0, option, n_left >= totals[2] - n_left)
        return gain, feature, bin_, missing_left, left_sums

    def grow(self, g, h, in_bag, allowed):
        """Grow one tree; returns (HistTree, leaf index of every row of the training data)."""
        p = self.params
        n, B = self.n, self.missing_bin
        stats = np.empty((n, 3))  # (n, 3): g, h, 1 per row
        stats[:, 0], stats[:, 1], stats[:, 2] = g, h, 1.0
        rows = np.flatnonzero(in_bag) if in_bag is not None else np.arange(n)
        capacity = 2 * rows.size + 1
        if p.max_depth is not None:
            capacity = min(capacity, 2 ** (p.max_depth + 1) - 1)
        if p.max_leaf_nodes is not None:
            capacity = min(capacity, 2 * p.max_leaf_nodes - 1)
        nodes = _Nodes(capacity)
        nodes.add(np.array([[g[rows].sum()], [h[rows].sum()], [float(rows.size)]]))
        node_of_row = np.zeros(n, dtype=np.intp)  # every training row, in bag or not
        frontier = np.zeros(1, dtype=np.intp)  # node ids, in the order of the histograms
        hist = self._root_histograms(stats, in_bag is not None)  # (3, 1, d, n_bins)
        bins = np.arange(self.n_bins)
        row_ids = np.arange(n)
        n_leaves, depth = 1, 0
        while frontier.size and (p.max_depth is None or depth < p.max_depth):
            totals = nodes.sums[:, frontier]  # (3, m)
            gain, f, b, ml, left_sums = self._best_splits(hist, totals, allowed)
            split = np.flatnonzero(gain > 1e-12)  # positions in frontier
            if p.max_leaf_nodes is not None:
                budget = p.max_leaf_nodes - n_leaves
                split = split[np.argsort(-gain[split], kind="stable")[: max(budget, 0)]]
                split.sort()
            if split.size == 0:
                break
            s = split.size
            n_leaves += s
            depth += 1
            parents = frontier[split]  # (s,)
            f_s, b_s, ml_s = f[split], b[split], ml[split]
            lsum = left_sums[:, split]  # (3, s)
            children = np.empty((3, 2 * s))  # left, right interleaved
            children[:, 0::2], children[:, 1::2] = lsum, nodes.sums[:, parents] - lsum
            ids = nodes.add(children)
            left_ids, right_ids = ids[0::2], ids[1::2]
            nodes.feature[parents], nodes.bin[parents] = f_s, b_s
            nodes.missing_left[parents], nodes.gain[parents] = ml_s, gain[split]
            nodes.threshold[parents] = self.edges[f_s, b_s]  # x <= threshold goes left
            nodes.left[parents], nodes.right[parents] = left_ids, right_ids
            # route the rows with one (node, bin) -> next node table (leaves map to themselves)
            k = nodes.size
            f_of = np.zeros(k, np.intp)
            f_of[parents] = f_s
            go_left = bins[None, :] <= b_s[:, None]  # (s, n_bins)
            go_left[:, B] = ml_s  # the missing bin follows the learned direction
            next_node = np.repeat(np.arange(k)[:, None], self.n_bins, axis=1)  # (k, n_bins)
            next_node[parents] = np.where(go_left, left_ids[:, None], right_ids[:, None])
            x = np.take(self.columns, f_of[node_of_row] * n + row_ids)  # (n,) bin of each row
            node_of_row = np.take(next_node, node_of_row * self.n_bins + x)  # (n,)
            if p.max_depth is not None and depth >= p.max_depth:
                break
            # histograms: count the smaller child of each split, subtract for its sibling
            left_n, right_n = nodes.sums[2, left_ids], nodes.sums[2, right_ids]
            small = np.where(right_n < left_n, right_ids, left_ids)  # (s,)
            large = np.where(right_n < left_n, left_ids, right_ids)  # (s,)
            local_of = np.full(k, -1, np.intp)
            local_of[small] = np.arange(s)
            row_local = local_of[node_of_row]  # (n,)
            if in_bag is not None:
                row_local[~in_bag] = -1
            counted = np.flatnonzero(row_local >= 0)
            parent_hist = hist if s == frontier.size else hist[:, split]
            hist = np.empty((3, 2 * s, self.d, self.n_bins))  # small children, then large
            self._histograms(counted, row_local[counted], s, stats, out=hist[:, :s])
            np.subtract(parent_hist, hist[:, :s], out=hist[:, s:])
            frontier = np.concatenate([small, large])  # the order of the histograms
        k = nodes.size
        feature = nodes.feature[:k]
        value = _leaf_weight(nodes.sums[0, :k], nodes.sums[1, :k], p.reg_lambda, p.reg_alpha)
        value = np.where(feature < 0, value * p.learning_rate, 0.0)
        tree = HistTree(
            feature=feature.copy(),
            bin_threshold=nodes.bin[:k].copy(),
            threshold=nodes.threshold[:k].copy(),
            missing_left=nodes.missing_left[:k].copy(),
            left=nodes.left[:k].copy(),
            right=nodes.right[:k].copy(),
            value=value,
            gain=nodes.gain[:k].copy(),
            depth=depth,
        )
        return tree, node_of_row
