"""The fitted tree structure: parallel node arrays laid out like scikit-learn's ``tree_``.

Node ``i`` has ``children_left[i]``/``children_right[i]`` (``-1`` for a leaf), the split
``feature[i]`` and ``threshold[i]`` (``-2`` for a leaf; a sample goes left when
``x[feature] <= threshold``), ``missing_go_to_left[i]`` for NaN, ``value[i]`` (class fractions
for classification, the mean/median for regression; shape (node_count, 1, K)), ``impurity[i]``,
``n_node_samples[i]`` and ``weighted_n_node_samples[i]``. Nodes are numbered in depth-first
pre-order (left subtree before right), as scikit-learn's depth-first builder does.

Example
-------
>>> import numpy as np
>>> from glassml.tree import DecisionTreeClassifier
>>> t = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1]).tree_
>>> t.node_count, float(t.threshold[0])
(3, 0.5)
"""

from __future__ import annotations

import numpy as np

__all__ = ["Tree", "TREE_LEAF", "TREE_UNDEFINED"]

TREE_LEAF = -1
TREE_UNDEFINED = -2


class Tree:
    """Array representation of a binary decision tree (Inventory: TE-01, TE-03)."""

    def __init__(self, n_features, n_classes, arrays):
        self.n_features = int(n_features)
        self.n_classes = np.atleast_1d(np.asarray(n_classes, dtype=np.intp))
        self.n_outputs = 1
        self.children_left = np.asarray(arrays["children_left"], dtype=np.intp)
        self.children_right = np.asarray(arrays["children_right"], dtype=np.intp)
        self.feature = np.asarray(arrays["feature"], dtype=np.intp)
        self.threshold = np.asarray(arrays["threshold"], dtype=np.float64)
        self.missing_go_to_left = np.asarray(arrays["missing_go_to_left"], dtype=np.uint8)
        self.value = np.asarray(arrays["value"], dtype=np.float64)
        self.impurity = np.asarray(arrays["impurity"], dtype=np.float64)
        self.n_node_samples = np.asarray(arrays["n_node_samples"], dtype=np.intp)
        self.weighted_n_node_samples = np.asarray(
            arrays["weighted_n_node_samples"], dtype=np.float64
        )
        self.improvement = np.asarray(
            arrays.get("improvement", np.zeros(self.node_count)), dtype=np.float64
        )
        self.depth = np.asarray(arrays["depth"], dtype=np.intp)

    # ------------------------------------------------------------------ summary
    @property
    def node_count(self) -> int:
        return int(self.children_left.shape[0])

    @property
    def capacity(self) -> int:
        return self.node_count

    @property
    def max_depth(self) -> int:
        return int(self.depth.max()) if self.node_count else 0

    @property
    def n_leaves(self) -> int:
        return int(np.sum(self.children_left == TREE_LEAF))

    @property
    def is_leaf(self) -> np.ndarray:
        return self.children_left == TREE_LEAF

    # ------------------------------------------------------------------ traversal
    def _step(self, X, node):
        """Move every sample one level down from ``node`` (leaves stay)."""
        feat = self.feature[node]  # (n,)
        inner = self.children_left[node] != TREE_LEAF
        x = X[np.arange(X.shape[0]), np.where(inner, feat, 0)]  # (n,)
        go_left = x <= self.threshold[node]
        go_left = np.where(np.isnan(x), self.missing_go_to_left[node].astype(bool), go_left)
        child = np.where(go_left, self.children_left[node], self.children_right[node])
        return np.where(inner, child, node), inner

    def apply(self, X) -> np.ndarray:
        """Leaf index of every row of X (float32 features, as at training time)."""
        X = np.asarray(X, dtype=np.float32)
        node = np.zeros(X.shape[0], dtype=np.intp)
        active = np.arange(X.shape[0])
        while active.size:
            new, inner = self._step(X[active], node[active])
            node[active] = new
            active = active[self.children_left[new] != TREE_LEAF]
        return node

    def decision_path(self, X):
        """Sparse CSR indicator (n_samples, node_count) of the nodes each sample visits."""
        from scipy.sparse import csr_matrix

        X = np.asarray(X, dtype=np.float32)
        n = X.shape[0]
        node = np.zeros(n, dtype=np.intp)
        rows, cols = [np.arange(n)], [node.copy()]
        active = np.arange(n)
        while active.size:
            new, _ = self._step(X[active], node[active])
            node[active] = new
            rows.append(active)
            cols.append(new)
            active = active[self.children_left[new] != TREE_LEAF]
        r, c = np.concatenate(rows), np.concatenate(cols)
        order = np.lexsort((c, r))
        indicator = csr_matrix(
            (np.ones(r.size, dtype=np.intp), (r[order], c[order])), shape=(n, self.node_count)
        )
        indicator.sum_duplicates()
        indicator.data[:] = 1
        return indicator

    def predict(self, X) -> np.ndarray:
        """``value`` of the leaf of every row, shape (n_samples, 1, K)."""
        return self.value[self.apply(X)]

    # ------------------------------------------------------------------ importances
    def compute_feature_importances(self, normalize: bool = True) -> np.ndarray:
        """Mean decrease in impurity: Σ over splits on feature f of
        ``w_t I(t) − w_L I(L) − w_R I(R)``, divided by the root weight (then normalised to 1)."""
        inner = np.flatnonzero(~self.is_leaf)
        left, right = self.children_left[inner], self.children_right[inner]
        w, imp = self.weighted_n_node_samples, self.impurity
        decrease = w[inner] * imp[inner] - w[left] * imp[left] - w[right] * imp[right]
        importances = np.bincount(
            self.feature[inner], weights=decrease, minlength=self.n_features
        ).astype(np.float64)
        importances /= w[0]
        if normalize:
            total = importances.sum()
            if total > 0.0:
                importances /= total
        return importances

    # ------------------------------------------------------------------ restructuring
    def subtree(self, keep: np.ndarray, order: np.ndarray | None = None) -> Tree:
        """New tree holding the nodes ``keep`` (a mask closed under ancestors); kept nodes whose
        children are dropped become leaves. ``order`` (old ids) sets the new numbering."""
        old_ids = np.flatnonzero(keep) if order is None else np.asarray(order)
        new_id = np.full(self.node_count, TREE_LEAF, dtype=np.intp)
        new_id[old_ids] = np.arange(old_ids.size)
        cl = self.children_left[old_ids]
        cr = self.children_right[old_ids]
        inner = (cl != TREE_LEAF) & keep[np.maximum(cl, 0)]
        arrays = {
            "children_left": np.where(inner, new_id[np.maximum(cl, 0)], TREE_LEAF),
            "children_right": np.where(inner, new_id[np.maximum(cr, 0)], TREE_LEAF),
            "feature": np.where(inner, self.feature[old_ids], TREE_UNDEFINED),
            "threshold": np.where(inner, self.threshold[old_ids], float(TREE_UNDEFINED)),
            "missing_go_to_left": np.where(inner, self.missing_go_to_left[old_ids], 0),
            "value": self.value[old_ids],
            "impurity": self.impurity[old_ids],
            "n_node_samples": self.n_node_samples[old_ids],
            "weighted_n_node_samples": self.weighted_n_node_samples[old_ids],
            "improvement": np.where(inner, self.improvement[old_ids], 0.0),
            "depth": self.depth[old_ids],
        }
        return Tree(self.n_features, self.n_classes, arrays)

    def __getstate__(self):
        return dict(self.__dict__)
