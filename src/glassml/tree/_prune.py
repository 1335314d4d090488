"""Minimal cost-complexity pruning (Inventory: TE-05; Breiman et al. 1984, ch. 3).

The cost of a subtree T is ``R_α(T) = R(T) + α |leaves(T)|`` with ``R(t) = w_t I(t) / W``.
For an inner node t with branch T_t the *effective alpha* at which collapsing t to a leaf stops
costing anything is ``g(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1)``. Weakest-link pruning
repeatedly collapses the node of smallest g (the first in node order on ties, as scikit-learn),
recording ``(α, R(T))``; the tree kept for ``ccp_alpha`` is the last one whose α ≤ ``ccp_alpha``.

Example
-------
>>> from glassml.tree import DecisionTreeClassifier
>>> path = DecisionTreeClassifier().cost_complexity_pruning_path([[0.], [1.], [2.]], [0, 1, 1])
>>> [round(float(a), 4) for a in path["ccp_alphas"]]
[0.0, 0.4444]
"""

from __future__ import annotations

import numpy as np

from ._tree import TREE_LEAF, Tree

__all__ = ["pruning_path", "prune"]


def _weakest_link(tree: Tree, ccp_alpha: float | None):
    n = tree.node_count
    cl, cr = tree.children_left, tree.children_right
    total_weight = tree.weighted_n_node_samples[0]
    r_node = tree.weighted_n_node_samples * tree.impurity / total_weight  # (n,)
    leaf = cl == TREE_LEAF
    parent = np.full(n, -1, dtype=np.intp)
    inner = np.flatnonzero(~leaf)
    parent[cl[inner]] = inner
    parent[cr[inner]] = inner
    # pre-order numbering: the subtree of i is the range [i, i + size[i])
    size = np.ones(n, dtype=np.intp)
    for node in inner[::-1]:
        size[node] += size[cl[node]] + size[cr[node]]
    padded_r = np.concatenate([np.where(leaf, r_node, 0.0), [0.0]])
    padded_l = np.concatenate([leaf.astype(np.float64), [0.0]])
    bounds = np.stack([np.arange(n), np.arange(n) + size], axis=1).ravel()
    r_branch = np.add.reduceat(padded_r, bounds)[0::2]  # Σ R over the leaves of each branch
    n_leaves = np.add.reduceat(padded_l, bounds)[0::2]
    candidate = ~leaf
    in_subtree = np.ones(n, dtype=bool)
    alphas, impurities = [0.0], [r_branch[0]]
    while candidate[0]:
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(candidate, (r_node - r_branch) / (n_leaves - 1), np.inf)
        node = int(np.argmin(g))
        effective_alpha = float(g[node])
        if ccp_alpha is not None and ccp_alpha < effective_alpha:
            break
        in_subtree[node + 1 : node + size[node]] = False
        candidate[node : node + size[node]] = False
        removed_leaves = n_leaves[node] - 1
        diff = r_node[node] - r_branch[node]
        r_branch[node] = r_node[node]
        n_leaves[node] = 1
        anc = parent[node]
        while anc != -1:
            n_leaves[anc] -= removed_leaves
            r_branch[anc] += diff
            anc = parent[anc]
        alphas.append(effective_alpha)
        impurities.append(r_branch[0])
    return in_subtree, np.asarray(alphas), np.asarray(impurities)


def pruning_path(tree: Tree) -> dict:
    """``{"ccp_alphas", "impurities"}``: effective alphas and total leaf impurity R(T)."""
    _, alphas, impurities = _weakest_link(tree, None)
    return {"ccp_alphas": alphas, "impurities": impurities}


def prune(tree: Tree, ccp_alpha: float) -> Tree:
    """The subtree of ``tree`` selected by minimal cost-complexity pruning at ``ccp_alpha``."""
    keep, _, _ = _weakest_link(tree, ccp_alpha)
    return tree.subtree(keep)
