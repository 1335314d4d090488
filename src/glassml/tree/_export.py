"""Text rules and a matplotlib drawing of a fitted decision tree (Inventory: TE-01).

``export_text`` writes the same report as ``sklearn.tree.export_text`` for the same tree:
one ``|--- feature <= threshold`` line per branch, nested by ``|   ``, leaves showing the class
(or ``value: [mean]``), branches deeper than ``max_depth`` shown as truncated.

Example
-------
>>> from glassml.tree import DecisionTreeRegressor, export_text
>>> reg = DecisionTreeRegressor(max_depth=1).fit([[0.0], [1.0]], [1.0, 3.0])
>>> print(export_text(reg, feature_names=["x"], decimals=1))
|--- x <= 0.5
|   |--- value: [1.0]
|--- x >  0.5
|   |--- value: [3.0]
<BLANKLINE>
"""

from __future__ import annotations

from io import StringIO

import numpy as np

from .._core import check_is_fitted
from ._tree import TREE_LEAF, TREE_UNDEFINED

__all__ = ["export_text", "plot_tree"]


def _subtree_depth(tree, node) -> int:
    stack, deepest = [(node, 1)], 0
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if tree.children_left[n] != TREE_LEAF:
            stack += [(tree.children_left[n], d + 1), (tree.children_right[n], d + 1)]
    return deepest


def export_text(
    decision_tree,
    *,
    feature_names=None,
    class_names=None,
    max_depth=10,
    spacing=3,
    decimals=2,
    show_weights=False,
):
    """Text report of the rules of a fitted tree, in scikit-learn's format.

    Parameters
    ----------
    decision_tree : fitted DecisionTreeClassifier or DecisionTreeRegressor
    feature_names : list of str, optional (default ``feature_0``, ``feature_1``, ...)
    class_names : list of str, optional (default ``classes_``)
    max_depth : int — deeper branches are reported as ``truncated branch of depth k``
    spacing : int — width of one indentation step
    decimals : int — digits of thresholds and values
    show_weights : bool — print the weighted class counts of the leaves
    """
    check_is_fitted(decision_tree)
    tree = decision_tree.tree_
    is_clf = hasattr(decision_tree, "classes_")
    if is_clf:
        if class_names is None:
            class_names = decision_tree.classes_
        elif len(class_names) != len(decision_tree.classes_):
            raise ValueError(
                f"class_names: expected {len(decision_tree.classes_)} names (one per class), "
                f"got {len(class_names)}."
            )
    if feature_names is not None and len(feature_names) != tree.n_features:
        raise ValueError(
            f"feature_names: expected {tree.n_features} names, got {len(feature_names)}."
        )
    if feature_names is not None:
        names = [feature_names[i] if i != TREE_UNDEFINED else None for i in tree.feature]
    else:
        names = [f"feature_{i}" for i in tree.feature]
    value_fmt = "{}{} weights: {}\n" if (is_clf and show_weights) else "{}{}{}\n"
    if not is_clf:
        value_fmt = "{}{} value: {}\n"
    report = StringIO()

    def add_leaf(node, indent):
        value = tree.value[node][0]
        if is_clf:
            val = ""
            if show_weights:
                w = tree.weighted_n_node_samples[node]
                val = "[" + ", ".join(f"{v * w:.{decimals}f}" for v in value) + "]"
            val += " class: " + str(class_names[int(np.argmax(value))])
        else:
            val = "[" + ", ".join(f"{v:.{decimals}f}" for v in value) + "]"
        report.write(value_fmt.format(indent, "", val))

    stack = [(0, 1, None)]  # (node, depth, text to write before visiting)
    while stack:
        node, depth, prefix = stack.pop()
        if prefix is not None:
            report.write(prefix)
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        if depth <= max_depth + 1:
            if tree.feature[node] != TREE_UNDEFINED and tree.children_left[node] != TREE_LEAF:
                thr = f"{tree.threshold[node]:.{decimals}f}"
                right_line = f"{indent} {names[node]} >  {thr}\n"
                stack.append((tree.children_right[node], depth + 1, right_line))
                stack.append(
                    (tree.children_left[node], depth + 1, f"{indent} {names[node]} <= {thr}\n")
                )
            else:
                add_leaf(node, indent)
        elif _subtree_depth(tree, node) == 1:
            add_leaf(node, indent)
        else:
            report.write(f"{indent} truncated branch of depth {_subtree_depth(tree, node)}\n")
    return report.getvalue()


def plot_tree(decision_tree, *, ax=None, feature_names=None, class_names=None, max_depth=None,
              fontsize=8, precision=3):  # fmt: skip
    """Draw the tree with matplotlib: one box per node (split rule, impurity, samples, value),
    leaves spread evenly on the x-axis, parents centred over their children.

    Returns the list of matplotlib text artists (one per drawn node), like scikit-learn.

    Example
    -------
    >>> from matplotlib.figure import Figure
    >>> from glassml.tree import DecisionTreeClassifier
    >>> clf = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1])
    >>> len(plot_tree(clf, ax=Figure().subplots()))
    3
    """
    check_is_fitted(decision_tree)
    tree = decision_tree.tree_
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(8, 5)).subplots()
    limit = tree.max_depth if max_depth is None else max_depth
    is_clf = hasattr(decision_tree, "classes_")
    xs, ys, order = {}, {}, []
    next_leaf = [0.0]

    def place(node, depth):  # post-order x placement (iterative)
        stack = [(node, depth, False)]
        while stack:
            n, d, done = stack.pop()
            inner = tree.children_left[n] != TREE_LEAF and d < limit
            if inner and not done:
                stack += [(n, d, True), (tree.children_right[n], d + 1, False),
                          (tree.children_left[n], d + 1, False)]  # fmt: skip
                continue
            if inner:
                xs[n] = (xs[tree.children_left[n]] + xs[tree.children_right[n]]) / 2
            else:
                xs[n] = next_leaf[0]
                next_leaf[0] += 1.0
            ys[n] = -d
            order.append(n)

    place(0, 0)
    width = max(next_leaf[0] - 1.0, 1.0)
    artists = []
    for n in sorted(order):
        lines = []
        if tree.children_left[n] != TREE_LEAF and ys[n] > -limit:
            fname = (
                feature_names[tree.feature[n]] if feature_names is not None
                else f"x[{tree.feature[n]}]"
            )  # fmt: skip
            lines.append(f"{fname} <= {tree.threshold[n]:.{precision}g}")
        lines.append(f"impurity = {tree.impurity[n]:.{precision}g}")
        lines.append(f"samples = {tree.n_node_samples[n]}")
        value = tree.value[n][0]
        if is_clf:
            names = class_names if class_names is not None else decision_tree.classes_
            lines.append("value = [" + ", ".join(f"{v:.{precision}g}" for v in value) + "]")
            lines.append(f"class = {names[int(np.argmax(value))]}")
        else:
            lines.append(f"value = {value[0]:.{precision}g}")
        x, y = xs[n] / width, ys[n]
        for child in (tree.children_left[n], tree.children_right[n]):
            if child != TREE_LEAF and child in xs:
                ax.plot([x, xs[child] / width], [y, ys[child]], color="0.5", lw=0.8, zorder=1)
        artists.append(
            ax.text(
                x,
                y,
                "\n".join(lines),
                ha="center",
                va="center",
                fontsize=fontsize,
                bbox={"boxstyle": "round", "fc": "white", "ec": "0.3"},
                zorder=2,
            )  # fmt: skip
        )
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-limit - 0.5, 0.5)
    ax.set_axis_off()
    return artists
