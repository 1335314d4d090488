"""CART decision trees (Inventory: TE-01..TE-06, TE-09): classifier, regressor, pruning,
missing values, text export and plotting.

Example
-------
>>> from glassml.tree import DecisionTreeClassifier, export_text
>>> clf = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1])
>>> print(export_text(clf))
|--- feature_0 <= 0.50
|   |--- class: 0
|--- feature_0 >  0.50
|   |--- class: 1
<BLANKLINE>
"""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor
from ._export import export_text, plot_tree
from ._tree import Tree

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree", "export_text", "plot_tree"]
