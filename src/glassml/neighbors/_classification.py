"""k-nearest-neighbour classification: a (weighted) vote of the k nearest training labels.

Inventory: NC-04 (KNN classifier, majority vote of k=5).
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import ClassifierMixin, check_classification_targets, check_scalar

from ._base import KNeighborsMixin, NeighborsBase
from ._weights import check_weights, neighbor_weights

__all__ = ["KNeighborsClassifier"]


class KNeighborsClassifier(KNeighborsMixin, ClassifierMixin, NeighborsBase):
    """k-nearest-neighbour classifier.

    P(y = c | x) = Σ_{i ∈ N_k(x)} w_i [y_i = c] / Σ_{i ∈ N_k(x)} w_i, with w_i = 1 ("uniform")
    or 1/d(x, x_i) ("distance") or a user callable of the distances; the prediction is the
    arg-max class (ties go to the smallest class label). A lazy learner: ``fit`` only stores
    the data (CL-056).

    Inventory: NC-04, NC-05; claims CL-008, CL-037, CL-056.

    Parameters
    ----------
    n_neighbors : int, default 5
    weights : {"uniform", "distance"} or callable, default "uniform"
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
    leaf_size : int, default 30
    metric : str, default "minkowski" ("euclidean", "manhattan", "chebyshev", "cosine", ...)
    p : float, default 2

    Example
    -------
    >>> clf = KNeighborsClassifier(n_neighbors=3).fit([[0], [1], [2], [10], [11]], [0, 0, 0, 1, 1])
    >>> clf.predict([[1.5], [10.5]]).tolist()
    [0, 1]
    """

    def __init__(
        self,
        *,
        n_neighbors=5,
        weights="uniform",
        algorithm="auto",
        leaf_size=30,
        metric="minkowski",
        p=2,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.p = p

    def fit(self, X, y):
        """Store the training data; ``classes_`` are the sorted unique labels of ``y``."""
        X, y = self._validate_data(X, y, dtype=np.float64)
        check_classification_targets(y)
        check_scalar(self.n_neighbors, "n_neighbors", numbers.Integral, min_val=1)
        check_weights(self.weights)
        self.classes_, self._y = np.unique(y, return_inverse=True)
        self.outputs_2d_ = False
        self._fit_data(X)
        return self

    def predict_proba(self, X):
        """Class probabilities (n_queries, n_classes), columns ordered like ``classes_``."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        dist, ind = self.kneighbors(X)
        weights = neighbor_weights(dist, self.weights)
        if weights is None:
            weights = np.ones(ind.shape)
        elif (weights == 0).all(axis=1).any():
            raise ValueError(
                "weights: all neighbours of some sample get zero weight; a callable "
                "`weights` must give at least one non-zero weight per sample."
            )
        n_q, n_classes = ind.shape[0], self.classes_.size
        labels = self._y[ind]  # (n_q, k) encoded labels of the neighbours
        cell = np.arange(n_q)[:, None] * n_classes + labels  # (n_q, k) flat (row, class)
        votes = np.bincount(cell.ravel(), weights=weights.ravel(), minlength=n_q * n_classes)
        proba = votes.reshape(n_q, n_classes)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """The class with the largest (weighted) vote among the k nearest neighbours."""
        proba = self.predict_proba(X)  # (n_queries, n_classes); checks fitted first
        return self.classes_[np.argmax(proba, axis=1)]

    def _glassml_tags(self):
        return {"multi_class": True}
