"""Nearest neighbours: exact search (brute force through BLAS, or a KD-tree), KNN
classification and regression (k nearest or all within a radius).

Inventory: NC-04, NC-05; claims CL-008, CL-037, CL-056.
"""

from ._classification import KNeighborsClassifier
from ._kd_tree import KDTree
from ._radius import RadiusNeighborsClassifier, RadiusNeighborsRegressor
from ._regression import KNeighborsRegressor
from ._unsupervised import NearestNeighbors

__all__ = [
    "KDTree",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "NearestNeighbors",
    "RadiusNeighborsClassifier",
    "RadiusNeighborsRegressor",
]
