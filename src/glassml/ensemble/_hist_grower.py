"""The histogram tree grower of the XGBoost-style booster (Inventory: TE-13, TE-12).

One tree is fitted to per-sample gradients ``g`` and hessians ``h``. With ``G = Σ_node g`` and
``H = Σ_node h``, the second-order Taylor expansion of the regularised objective gives

* leaf weight   ``w* = −T_α(G) / (H + λ)``,  with ``T_α(G) = sign(G)·max(|G| − α, 0)`` (L1),
* split gain    ``½ [T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) − T(G)²/(H+λ)] − γ``,

and a split is kept only when its gain is positive (``γ`` prunes), both children keep
``H ≥ min_child_weight`` and ``≥ min_samples_leaf`` samples. Trees grow level by level: all
nodes of one depth are split together, with no Python loop per node.

Histograms. The gradient, hessian and count histograms of a node are (feature, bin) tables:
``gh`` (2, m, d, n_bins) float64 for (G, H) and ``counts`` (m, d, n_bins) int (exact counts;
LightGBM estimates them from the hessians, here ``min_samples_leaf`` is checked on true
counts; their cumulative sums run ~1.5-2x faster in integers). The root's (G, H) are one
sparse product ``Aᵀ [g h]`` with the (rows × cells) indicator ``A`` of the cells ``c =
feature·n_bins + bin`` (``d`` ones per row): a single C loop over the ``n·d`` cells; its counts
are the same in every round and computed once. The nodes of a deeper level use three
``np.bincount`` per feature over index ``node·n_bins + bin``, built for all features from one
gather of whole binned rows (the output of one call stays in cache). Only the smaller child of
each split is counted — its sibling is ``parent − child`` (histogram subtraction). Both
default directions for missing values are scored and the better one is learned. Rows are
routed to their children with one lookup table ``next[node, bin]`` per level (a row's node
kept as ``node·n_bins``), so the training rows' leaves come out of growing the tree (the
booster adds the leaf values through them instead of re-applying the tree). The estimators
are in ``_hist_boosting``.

Speed (W8: 50,000 × 20, 100 rounds, depth 6, one thread): about half of a fit is the
NumPy/SciPy kernels no vectorised formulation avoids — ~485 M scatter-adds (the bincounts
and the root products) and the sequential cumulative sums of the split search — which alone
take about as long as LightGBM's or scikit-learn's whole fit; the rest is vectorised passes
over the (nodes, features, bins) tables and the rows.
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
    cell (the root's sparse product), and ``rows_major`` (n, d) uint8 (a set of rows is one
    gather of d-byte rows, ~4x faster than d column gathers; routing reads rows in order).
    A histogram is a pair: the (G, H) sums ``gh`` (2, m, d, n_bins) float64 and the row counts
    ``counts`` (m, d, n_bins) int.

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
        self.rows_major = np.ascontiguousarray(binned, dtype=np.uint8)  # (n, d)
        self.has_missing = bool((self.rows_major == max_bins).any())
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
        self._root_counts = None  # (1, d, n_bins) count histogram of all rows, once computed

    def _histograms(self, rows, local, m, g, h, gh=None, counts=None):
        """(G, H) sums ``gh`` (2, m, d, n_bins) and row counts (m, d, n_bins) of ``m`` nodes.

        ``rows`` (r,) are the rows to count (None: all rows), ``local`` (r,) their node in
        0..m-1 (None when m = 1), ``g``, ``h`` (n,) the gradients and hessians of all rows;
        ``gh``, ``counts`` optional output arrays.
        Three ``np.bincount`` per feature over the index ``node·n_bins + bin``, built for a
        block of features at once (one gather of whole binned rows). Measured faster than one
        sparse product per node: the output of one bincount, m·n_bins values, stays in the
        L1/L2 cache, while one product over all features scatters over m·d·n_bins.
        """
        gh = np.empty((2, m, self.d, self.n_bins)) if gh is None else gh
        counts = np.empty((m, self.d, self.n_bins), np.intp) if counts is None else counts
        size = m * self.n_bins
        r = self.n if rows is None else rows.size
        g_rows, h_rows = (g, h) if rows is None else (np.take(g, rows), np.take(h, rows))
        offset = None if m == 1 else local * self.n_bins  # (r,)
        block = max(1, min(self.d, _CHUNK_CELLS // max(r, 1)))  # features per index block
        for lo in range(0, self.d, block):
            columns = self.rows_major[:, lo : lo + block]  # (n, block) uint8
            # gathering whole rows (d bytes each) is ~4x faster than d column gathers
            bins = (columns if rows is None else np.take(columns, rows, axis=0)).T  # (block, r)
            index = np.empty(bins.shape, dtype=np.intp)  # (block, r): node·n_bins + bin
            if offset is None:
                np.copyto(index, bins)
            else:
                np.add(bins, offset, out=index)
            for j, index_j in enumerate(index, start=lo):
                gh[0, :, j] = np.bincount(index_j, g_rows, size).reshape(m, -1)
                gh[1, :, j] = np.bincount(index_j, h_rows, size).reshape(m, -1)
                counts[:, j] = np.bincount(index_j, None, size).reshape(m, -1)
        return gh, counts

    def _root_histograms(self, g, h, rows):
        """Histograms of the root. All rows (``rows`` None): the count histogram is the same
        in every round, so after the first tree only (G, H) are summed, by one sparse product
        ``A (d·n_bins, n) @ [g h] (n, 2)`` with ``A`` one at (cell, row): a single C loop
        (scipy's ``csc_matvecs``) over the n·d cells. A row subsample: per-feature bincounts."""
        if rows is not None or self._root_counts is None:
            gh, counts = self._histograms(rows, None, 1, g, h)
            if rows is None:
                self._root_counts = counts
            return gh, counts
        total = np.zeros((self.stride, 2))
        step = self._chunk_rows
        for lo in range(0, self.n, step):
            r = min(step, self.n - lo)
            indicator = sparse.csc_matrix(
                (self._ones[: r * self.d], self.cells[lo : lo + r].ravel(), self._indptr[: r + 1]),
                shape=(self.stride, r),
            )
            total += indicator @ np.column_stack([g[lo : lo + r], h[lo : lo + r]])  # (cells, 2)
        return total.T.reshape(2, 1, self.d, self.n_bins), self._root_counts

    def _best_splits(self, gh, counts, totals, allowed):
        """Best split of each of the m nodes of a level, vectorized over nodes and features.

        ``gh`` (2, m, d, n_bins) (G, H) and ``counts`` (m, d, n_bins) histograms, ``totals``
        (3, m) the nodes' (G, H, count). Left child = bins <= b (cumulative sums), right child
        = node − left; the missing bin joins the left child (option 1) or the right one
        (option 0) and the better is kept. Returns the gain, feature, bin, missing_left (each
        (m,)) and the left child's (G, H, count), (3, m).
        """
        p = self.params
        B, m = self.missing_bin, gh.shape[1]
        lam, alpha = p.reg_lambda, p.reg_alpha
        GT, HT = totals[:2, :, None, None]  # each (m, 1, 1)
        CT = totals[2].astype(np.intp)[:, None, None]  # (m, 1, 1)
        cum_gh = np.cumsum(gh[..., :B], axis=-1)  # (2, m, d, B)
        cum_counts = np.cumsum(counts[..., :B], axis=-1)  # (m, d, B) int
        missing_gh, missing_counts = gh[..., B:], counts[..., B:]  # (2, m, d, 1), (m, d, 1)
        shape = cum_counts.shape
        invalid, flag = np.empty(shape, bool), np.empty(shape, bool)
        restrict = None if allowed.all() else ~allowed[None, :, None]  # (1, d, 1)
        best_gain = best_opt = None
        options = (False, True) if self.has_missing else (False,)
        with np.errstate(divide="ignore", invalid="ignore"):
            for missing_left in options:
                (GL, HL), CL = cum_gh, cum_counts  # each (m, d, B)
                if missing_left:
                    (GL, HL), CL = cum_gh + missing_gh, cum_counts + missing_counts
                # a child with fewer than min_samples_leaf rows or hessian below min_child_weight
                np.less(CL, p.min_samples_leaf, out=invalid)
                invalid |= np.greater(CL, CT - p.min_samples_leaf, out=flag)
                invalid |= np.less(HL, p.min_child_weight, out=flag)
                invalid |= np.greater(HL, HT - p.min_child_weight, out=flag)
                if restrict is not None:
                    invalid |= restrict
                if alpha > 0:
                    children = _score(GL, HL, lam, alpha) + _score(GT - GL, HT - HL, lam, alpha)
                else:  # in place: GL²/(HL+λ) + GR²/(HR+λ)                   # (m, d, B)
                    denominator = HL + lam
                    children = np.square(GL)
                    children /= denominator
                    right = np.subtract(GT, GL)
                    np.square(right, out=right)
                    np.subtract(HT + lam, HL, out=denominator)
                    right /= denominator
                    children += right
                np.copyto(children, -np.inf, where=invalid)
                if best_gain is None:
                    best_gain = children
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
        missing_sums = np.concatenate(
            [missing_gh[:, nodes, feature, 0], missing_counts[None, nodes, feature, 0]]
        )  # (3, m)
        left_sums = np.concatenate(
            [cum_gh[:, nodes, feature, bin_], cum_counts[None, nodes, feature, bin_]]
        ) + np.where(option, missing_sums, 0.0)  # (3, m)
        n_left = left_sums[2]
        # no missing values seen: NaN at predict time goes to the larger child
        missing_left = np.where(missing_sums[2] > 0, option, n_left >= totals[2] - n_left)
        return gain, feature, bin_, missing_left, left_sums

    def grow(self, g, h, in_bag, allowed):
        """Grow one tree; returns (HistTree, leaf index of every row of the training data)."""
        p = self.params
        n, B, n_bins = self.n, self.missing_bin, self.n_bins
        g = np.ascontiguousarray(g, dtype=np.float64)  # (n,)
        h = np.ascontiguousarray(h, dtype=np.float64)  # (n,)
        rows = np.flatnonzero(in_bag) if in_bag is not None else None
        n_rows = n if rows is None else rows.size
        capacity = 2 * n_rows + 1
        if p.max_depth is not None:
            capacity = min(capacity, 2 ** (p.max_depth + 1) - 1)
        if p.max_leaf_nodes is not None:
            capacity = min(capacity, 2 * p.max_leaf_nodes - 1)
        nodes = _Nodes(capacity)
        g_in, h_in = (g, h) if rows is None else (g[rows], h[rows])
        nodes.add(np.array([[g_in.sum()], [h_in.sum()], [float(n_rows)]]))
        # every training row (in bag or not) is routed; its node is kept scaled by n_bins, so
        # that node·n_bins + bin indexes the routing table directly (one pass less per level)
        node_scaled = np.zeros(n, dtype=np.intp)  # (n,) node_of_row · n_bins
        frontier = np.zeros(1, dtype=np.intp)  # node ids, in the order of the histograms
        gh, counts = self._root_histograms(g, h, rows)  # (2, 1, d, n_bins), (1, d, n_bins)
        bins = np.arange(n_bins)
        row_starts = np.arange(0, n * self.d, self.d)  # (n,) start of each row in cells_flat
        cells_flat = self.rows_major.ravel()  # (n·d,) uint8, row-major: rows read in order
        n_leaves, depth = 1, 0
        while frontier.size and (p.max_depth is None or depth < p.max_depth):
            totals = nodes.sums[:, frontier]  # (3, m)
            gain, f, b, ml, left_sums = self._best_splits(gh, counts, totals, allowed)
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
            # route the rows with two tables indexed by node·n_bins (+ bin): the split feature,
            # and the next node (scaled; leaves map to themselves)
            k = nodes.size
            feature_of = np.zeros(k * n_bins, np.intp)  # (k·n_bins,), used at node·n_bins
            feature_of[parents * n_bins] = f_s
            go_left = bins[None, :] <= b_s[:, None]  # (s, n_bins)
            go_left[:, B] = ml_s  # the missing bin follows the learned direction
            next_scaled = np.repeat(np.arange(k) * n_bins, n_bins).reshape(k, n_bins)
            next_scaled[parents] = np.where(go_left, left_ids[:, None], right_ids[:, None]) * n_bins
            position = np.take(feature_of, node_scaled)  # (n,) split feature of each row's node
            position += row_starts
            x = np.take(cells_flat, position)  # (n,) bin of each row on its node's feature
            np.add(node_scaled, x, out=position)
            node_scaled = np.take(next_scaled, position)  # (n,)
            if p.max_depth is not None and depth >= p.max_depth:
                break
            # histograms: count the smaller child of each split, subtract for its sibling
            left_n, right_n = nodes.sums[2, left_ids], nodes.sums[2, right_ids]
            small = np.where(right_n < left_n, right_ids, left_ids)  # (s,)
            large = np.where(right_n < left_n, left_ids, right_ids)  # (s,)
            local_of = np.full(k * n_bins, -1, np.intp)  # (k·n_bins,), used at node·n_bins
            local_of[small * n_bins] = np.arange(s)
            row_local = np.take(local_of, node_scaled)  # (n,)
            if in_bag is not None:
                row_local[~in_bag] = -1
            counted = np.flatnonzero(row_local >= 0)
            kept = slice(None) if s == frontier.size else split
            parent_gh, parent_counts = gh[:, kept], counts[kept]
            gh = np.empty((2, 2 * s, self.d, n_bins))  # small children, then large
            counts = np.empty((2 * s, self.d, n_bins), dtype=np.intp)
            self._histograms(counted, row_local[counted], s, g, h, gh[:, :s], counts[:s])
            np.subtract(parent_gh, gh[:, :s], out=gh[:, s:])
            np.subtract(parent_counts, counts[:s], out=counts[s:])
            frontier = np.concatenate([small, large])  # the order of the histograms
        node_of_row = node_scaled // n_bins  # (n,)
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
