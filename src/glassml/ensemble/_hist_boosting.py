"""XGBoost-style second-order histogram gradient boosting (Inventory: TE-13, TE-12).

Every round fits a regression tree to the first and second derivatives of the loss,
``g_i = ∂L(y_i, F_i)/∂F`` and ``h_i = ∂²L/∂F²``. With ``G = Σ_node g`` and ``H = Σ_node h``,
the second-order Taylor expansion of the regularised objective gives

* leaf weight   ``w* = −T_α(G) / (H + λ)``,  with ``T_α(G) = sign(G)·max(|G| − α, 0)`` (L1),
* split gain    ``½ [T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) − T(G)²/(H+λ)] − γ``,

and a split is kept only when its gain is positive (``γ`` prunes), both children keep
``H ≥ min_child_weight`` and ``≥ min_samples_leaf`` samples. Features are quantile-binned
(:class:`BinMapper`, ≤255 bins plus a missing-value bin); per-node gradient/hessian/count
histograms come from one ``np.bincount`` over all (sample, feature) pairs of a tree level,
and only the smaller child of each split is counted — its sibling is ``parent − child``
(histogram subtraction). For every candidate threshold both *default directions* for missing
values are scored (missing → left, missing → right) and the better one is learned. Trees are
grown level by level: all nodes of one depth are split together, with no Python loop per node.
Row subsampling (``subsample``), column subsampling (``colsample_bytree``), the losses
``squared_error``, binary/multinomial ``log_loss`` (softmax, K trees per round), a custom
objective ``fn(y, raw) -> (grad, hess)``, and early stopping on a validation set.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from glassml._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_classification_targets,
    check_in,
    check_random_state,
    check_sample_weight,
    check_scalar,
)

from ._binning import BinMapper
from ._losses import get_loss

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]


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


class BaseHistGradientBoosting(BaseEstimator):
    """Shared fitting loop of the histogram boosters."""

    def __init__(
        self,
        *,
        loss,
        learning_rate=0.1,
        max_iter=100,
        max_depth=6,
        max_leaf_nodes=None,
        min_samples_leaf=20,
        min_child_weight=1e-3,
        reg_lambda=1.0,
        reg_alpha=0.0,
        gamma=0.0,
        max_bins=255,
        subsample=1.0,
        colsample_bytree=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        random_state=None,
    ):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.max_bins = max_bins
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    def _glassml_tags(self):
        return {"allow_nan": True}

    def _check_params(self):
        R, I = numbers.Real, numbers.Integral
        check_scalar(self.learning_rate, "learning_rate", R, min_val=0.0,
                     include_boundaries="neither")  # fmt: skip
        check_scalar(self.max_iter, "max_iter", I, min_val=1)
        if self.max_depth is not None:
            check_scalar(self.max_depth, "max_depth", I, min_val=1)
        if self.max_leaf_nodes is not None:
            check_scalar(self.max_leaf_nodes, "max_leaf_nodes", I, min_val=2)
        check_scalar(self.min_samples_leaf, "min_samples_leaf", I, min_val=1)
        check_scalar(self.min_child_weight, "min_child_weight", R, min_val=0.0)
        check_scalar(self.reg_lambda, "reg_lambda", R, min_val=0.0)
        check_scalar(self.reg_alpha, "reg_alpha", R, min_val=0.0)
        check_scalar(self.gamma, "gamma", R, min_val=0.0)
        check_scalar(self.max_bins, "max_bins", I, min_val=2, max_val=255)
        check_scalar(self.subsample, "subsample", R, min_val=0.0, max_val=1.0,
                     include_boundaries="right")  # fmt: skip
        check_scalar(self.colsample_bytree, "colsample_bytree", R, min_val=0.0, max_val=1.0,
                     include_boundaries="right")  # fmt: skip
        check_in(self.early_stopping, "early_stopping", (True, False))
        if self.validation_fraction is not None:
            check_scalar(self.validation_fraction, "validation_fraction", R, min_val=0.0,
                         max_val=1.0, include_boundaries="neither")  # fmt: skip
        check_scalar(self.n_iter_no_change, "n_iter_no_change", I, min_val=1)
        check_scalar(self.tol, "tol", R, min_val=0.0)

    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Boost ``max_iter`` rounds (fewer with early stopping); returns ``self``.

        ``eval_set=(X_val, y_val)`` turns on early stopping on that set; otherwise
        ``early_stopping=True`` holds out ``validation_fraction`` of the data (or scores the
        training loss when ``validation_fraction=None``).
        """
        self._check_params()
        X, y = self._validate_data(X, y, allow_nan=True, dtype=np.float64)
        if np.isinf(X).any():
            raise ValueError("X: contains infinity; only NaN is supported as a missing value.")
        w = check_sample_weight(sample_weight, X)
        if not (w > 0).any():
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        y = self._encode_target(y)
        rng = check_random_state(self.random_state)
        X_val = y_val = w_val = None
        stop_early = self.early_stopping or eval_set is not None
        if eval_set is not None:
            X_val = self._validate_data(eval_set[0], reset=False, allow_nan=True,
                                        dtype=np.float64)  # fmt: skip
            y_val, w_val = self._encode_target(eval_set[1], fitted=True), np.ones(len(X_val))
        elif self.early_stopping and self.validation_fraction is not None:
            order = rng.permutation(X.shape[0])
            n_val = max(1, int(round(self.validation_fraction * X.shape[0])))
            val, train = order[:n_val], order[n_val:]
            X_val, y_val, w_val = X[val], y[val], w[val]
            X, y, w = X[train], y[train], w[train]
        loss = self._make_loss()
        self._loss_ = loss
        mapper = BinMapper(max_bins=self.max_bins, random_state=rng.integers(2**31)).fit(X)
        binned = mapper.transform(X)  # (n, d) uint8
        self._bin_mapper = mapper
        params = GrowParams(
            max_depth=self.max_depth,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=int(self.min_samples_leaf),
            min_child_weight=float(self.min_child_weight),
            reg_lambda=float(self.reg_lambda),
            reg_alpha=float(self.reg_alpha),
            gamma=float(self.gamma),
            learning_rate=float(self.learning_rate),
        )
        grower = TreeGrower(binned, mapper.bin_thresholds_, self.max_bins, params)
        n, d = X.shape
        K = self._n_trees_per_iteration
        self._baseline = self._initial_raw(loss, y, w)  # (K,)
        raw = np.tile(self._baseline, (n, 1))  # (n, K)
        raw_val = None if X_val is None else np.tile(self._baseline, (len(X_val), 1))
        self._predictors = []
        self.train_score_, self.validation_score_ = [], []
        best, since_best, self.best_iteration_ = np.inf, 0, 0
        n_cols = max(1, int(round(self.colsample_bytree * d)))
        for iteration in range(self.max_iter):
            grad, hess = self._gradient_hessian(loss, y, raw)  # each (n, K)
            grad, hess = grad * w[:, None], hess * w[:, None]
            in_bag = None
            if self.subsample < 1.0:
                in_bag = rng.random(n) < self.subsample
                if not in_bag.any():
                    in_bag[rng.integers(n)] = True
            allowed = np.ones(d, dtype=bool)
            if n_cols < d:
                allowed[:] = False
                allowed[rng.choice(d, n_cols, replace=False)] = True
            trees = []
            for k in range(K):
                tree, leaf_of_row = grower.grow(grad[:, k], hess[:, k], in_bag, allowed)
                raw[:, k] += tree.value[leaf_of_row]
                if raw_val is not None:
                    raw_val[:, k] += tree.predict(X_val)
                trees.append(tree)
            self._predictors.append(trees)
            if stop_early:
                score = (self._objective(loss, y, raw, w) if raw_val is None
                         else self._objective(loss, y_val, raw_val, w_val))  # fmt: skip
                self.validation_score_.append(score)
                if score < best - self.tol:
                    best, since_best, self.best_iteration_ = score, 0, iteration
                else:
                    since_best += 1
                    if since_best >= self.n_iter_no_change:
                        break
        self.n_iter_ = len(self._predictors)
        if not stop_early:
            self.best_iteration_ = self.n_iter_ - 1
        self.validation_score_ = np.asarray(self.validation_score_)
        gains = np.zeros(d)
        for trees in self._predictors:
            for tree in trees:
                internal = tree.feature >= 0
                np.add.at(gains, tree.feature[internal], tree.gain[internal])
        total = gains.sum()
        self.feature_importances_ = gains / total if total > 0 else gains
        return self

    def _objective(self, loss, y, raw, w):
        """Early-stopping score: the loss (squared error for a custom objective)."""
        if callable(self.loss):
            return float(np.average((y - raw[:, 0]) ** 2, weights=w))
        return loss(y, raw, w)

    def _raw_predict(self, X, n_iter=None):
        """Raw scores F(x) = baseline + Σ trees, shape (n_samples, K)."""
        X = self._validate_data(X, reset=False, allow_nan=True, dtype=np.float64)
        raw = np.tile(self._baseline, (X.shape[0], 1))  # (n, K)
        for trees in self._predictors[:n_iter]:
            for k, tree in enumerate(trees):
                raw[:, k] += tree.predict(X)
        return raw

    def _staged_raw(self, X):
        X = self._validate_data(X, reset=False, allow_nan=True, dtype=np.float64)
        raw = np.tile(self._baseline, (X.shape[0], 1))
        for trees in self._predictors:
            for k, tree in enumerate(trees):
                raw[:, k] += tree.predict(X)
            yield raw.copy()


class HistGradientBoostingRegressor(RegressorMixin, BaseHistGradientBoosting):
    """Second-order histogram gradient boosting for regression (Inventory: TE-13).

    F_M(x) = F_0 + Σ_m η f_m(x), each tree f_m minimising
    Σ_i [g_i f(x_i) + ½ h_i f(x_i)²] + γ·T + ½λ‖w‖² + α‖w‖₁ (see the module docstring).

    Parameters
    ----------
    loss : 'squared_error' or callable ``fn(y, raw) -> (grad, hess)`` (custom objective;
        its baseline is 0 and its early-stopping score the squared error).
    learning_rate : float > 0, shrinkage η.      max_iter : int, boosting rounds.
    max_depth : int or None (default 6).          max_leaf_nodes : int or None.
    min_samples_leaf : int.   min_child_weight : float, minimum hessian sum of a child.
    reg_lambda, reg_alpha, gamma : L2 on leaf weights, L1 on leaf weights, split penalty.
    max_bins : int ≤ 255.   subsample, colsample_bytree : row / column fractions per round.
    early_stopping, validation_fraction, n_iter_no_change, tol : stop when the validation
        loss has not improved by ``tol`` for ``n_iter_no_change`` rounds.
    random_state : int, Generator or None.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3)); y = X[:, 0] - X[:, 1]
    >>> HistGradientBoostingRegressor(max_iter=100).fit(X, y).score(X, y) > 0.9
    True
    """

    _n_trees_per_iteration = 1

    def __init__(self, *, loss="squared_error", learning_rate=0.1, max_iter=100, max_depth=6,
                 max_leaf_nodes=None, min_samples_leaf=20, min_child_weight=1e-3,
                 reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, max_bins=255, subsample=1.0,
                 colsample_bytree=1.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-7, random_state=None):  # fmt: skip
        super().__init__(
            loss=loss, learning_rate=learning_rate, max_iter=max_iter, max_depth=max_depth,
            max_leaf_nodes=max_leaf_nodes, min_samples_leaf=min_samples_leaf,
            min_child_weight=min_child_weight, reg_lambda=reg_lambda, reg_alpha=reg_alpha,
            gamma=gamma, max_bins=max_bins, subsample=subsample,
            colsample_bytree=colsample_bytree, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            tol=tol, random_state=random_state,
        )  # fmt: skip

    def _encode_target(self, y, fitted=False):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of targets, got shape {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError("y: contains NaN or infinity.")
        return y

    def _make_loss(self):
        if callable(self.loss):
            return self.loss
        check_in(self.loss, "loss", ("squared_error",))
        return get_loss("squared_error")

    def _initial_raw(self, loss, y, w):
        return np.zeros(1) if callable(self.loss) else loss.init_raw(y, w)

    def _gradient_hessian(self, loss, y, raw):
        if not callable(self.loss):
            return loss.gradient_hessian(y, raw)
        grad, hess = self.loss(y, raw[:, 0].copy())
        grad, hess = np.asarray(grad, dtype=np.float64), np.asarray(hess, dtype=np.float64)
        if grad.shape != y.shape or hess.shape != y.shape:
            raise ValueError(
                f"loss: a custom objective must return (grad, hess) of shape {y.shape}, "
                f"got {grad.shape} and {hess.shape}."
            )
        return grad[:, None], hess[:, None]

    def predict(self, X):
        """F(x) for every row, shape (n_samples,)."""
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X):
        """Predictions after each round (a generator)."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class HistGradientBoostingClassifier(ClassifierMixin, BaseHistGradientBoosting):
    """Second-order histogram gradient boosting for classification (Inventory: TE-13).

    Binary: one tree per round on the logistic loss (p = σ(F), g = p − y, h = p(1 − p)).
    K > 2 classes: K trees per round on the softmax cross-entropy (g_k = p_k − [y = k],
    h_k = p_k(1 − p_k), the diagonal Hessian as in scikit-learn and LightGBM).
    Parameters as in :class:`HistGradientBoostingRegressor`; ``loss='log_loss'``.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3)); y = X[:, 0] > 0
    >>> HistGradientBoostingClassifier(max_iter=20).fit(X, y).score(X, y) > 0.95
    True
    """

    def __init__(self, *, loss="log_loss", learning_rate=0.1, max_iter=100, max_depth=6,
                 max_leaf_nodes=None, min_samples_leaf=20, min_child_weight=1e-3,
                 reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, max_bins=255, subsample=1.0,
                 colsample_bytree=1.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-7, random_state=None):  # fmt: skip
        super().__init__(
            loss=loss, learning_rate=learning_rate, max_iter=max_iter, max_depth=max_depth,
            max_leaf_nodes=max_leaf_nodes, min_samples_leaf=min_samples_leaf,
            min_child_weight=min_child_weight, reg_lambda=reg_lambda, reg_alpha=reg_alpha,
            gamma=gamma, max_bins=max_bins, subsample=subsample,
            colsample_bytree=colsample_bytree, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            tol=tol, random_state=random_state,
        )  # fmt: skip

    def _encode_target(self, y, fitted=False):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of labels, got shape {y.shape}.")
        if fitted:
            encoded = np.searchsorted(self.classes_, y)
            encoded = np.clip(encoded, 0, len(self.classes_) - 1)
            if not np.array_equal(self.classes_[encoded], y):
                raise ValueError("eval_set: y contains labels not seen in training.")
            return encoded
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"y: needs samples of at least 2 classes, got 1 class ({self.classes_[0]!r})."
            )
        self.n_classes_ = self.classes_.size
        return encoded

    @property
    def _n_trees_per_iteration(self):
        return 1 if self.n_classes_ == 2 else self.n_classes_

    def _make_loss(self):
        check_in(self.loss, "loss", ("log_loss",))
        return get_loss("log_loss", n_classes=self.n_classes_)

    def _initial_raw(self, loss, y, w):
        return loss.init_raw(y, w)

    def _gradient_hessian(self, loss, y, raw):
        return loss.gradient_hessian(y, raw)

    def decision_function(self, X):
        """Raw scores: (n_samples,) for two classes, else (n_samples, K)."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X):
        """Class probabilities (sigmoid or softmax of the raw scores), (n_samples, K)."""
        raw = self._raw_predict(X)  # validates and checks fitted first
        return self._loss_.proba(raw)

    def predict(self, X):
        """Most probable class (for two classes: class 1 iff F(x) > 0)."""
        raw = self._raw_predict(X)  # (n, K)
        best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
        return self.classes_[best]

    def staged_predict_proba(self, X):
        for raw in self._staged_raw(X):
            yield self._loss_.proba(raw)

    def staged_predict(self, X):
        for raw in self._staged_raw(X):
            best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
            yield self.classes_[best]
