"""Ensembles (Inventory: TE-07..TE-13): bagging, random forests, extra trees, AdaBoost, gradient
boosting and an XGBoost-style second-order histogram booster.

Example
-------
>>> import numpy as np
>>> from glassml.ensemble import RandomForestClassifier
>>> rng = np.random.default_rng(0); X = rng.normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int)
>>> RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y).score(X, y) > 0.9
True
"""

from ._bagging import BaggingClassifier, BaggingRegressor
from ._forest import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from ._gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor
from ._hist_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from ._weight_boosting import AdaBoostClassifier, AdaBoostRegressor

__all__ = [
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
]
