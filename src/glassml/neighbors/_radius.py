"""Radius-neighbour classification and regression: vote or average over all training points
within a fixed distance r instead of over a fixed number k.

For a query x with neighbourhood N_r(x) = {i : d(x, x_i) <= r} and weights w_i (1, 1/d or a
callable of the distances):

    classifier:  P(y = c | x) = Σ_{i ∈ N_r(x)} w_i [y_i = c] / Σ_{i ∈ N_r(x)} w_i
    regressor:   ŷ(x) = Σ_{i ∈ N_r(x)} w_i y_i / Σ_{i ∈ N_r(x)} w_i

The neighbourhoods are ragged, so they are handled as flat (query, neighbour, distance)
triples and reduced with ``np.bincount`` — no Python loop per query. An empty neighbourhood
gives NaN (regressor, with a warning) or the ``outlier_label`` (classifier; an error when none
is given), as in scikit-learn.

Inventory: NC-04 (neighbour voting/averaging), NC-05.
"""

from __future__ import annotations

import warnings

import numpy as np

from glassml._core import ClassifierMixin, RegressorMixin, check_classification_targets

from ._base import NeighborsBase, RadiusNeighborsMixin
from ._weights import check_weights

__all__ = ["RadiusNeighborsClassifier", "RadiusNeighborsRegressor"]


def _flat_weights(hit_q, hit_d, weights, n_queries) -> np.ndarray:
    """Weight of every (query, neighbour) hit; "distance" uses the zero-distance rule."""
    if weights in (None, "uniform"):
        return np.ones(hit_d.size)
    if weights == "distance":
        exact = hit_d == 0
        has_exact = np.bincount(hit_q, weights=exact, minlength=n_queries) > 0  # (n_q,)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / hit_d
        return np.where(has_exact[hit_q], exact.astype(float), inverse)
    w = np.asarray(weights(hit_d), dtype=np.float64)
    if w.shape != hit_d.shape:
        raise ValueError(
            "weights: the callable must return one weight per distance (it receives the flat "
            f"array of neighbour distances, shape {hit_d.shape}), got shape {w.shape}."
        )
    return w


class _RadiusBase(RadiusNeighborsMixin, NeighborsBase):
    def _hits(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        hit_q, hit_p, hit_d = self._radius_hits(X, self._check_radius(None), False)
        w = _flat_weights(hit_q, hit_d, self.weights, X.shape[0])
        return X.shape[0], hit_q, hit_p, w

    def _fit_common(self, X):
        check_weights(self.weights)
        self._check_radius(None)
        self._fit_data(X)


class RadiusNeighborsClassifier(ClassifierMixin, _RadiusBase):
    """Vote among all training points within ``radius`` (module docstring).

    Inventory: NC-04, NC-05.

    Parameters
    ----------
    radius : float, default 1.0
    weights : {"uniform", "distance"} or callable (of the flat distance array)
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
    leaf_size : int, default 30
    metric : str, default "minkowski"
    p : float, default 2
    outlier_label : None, a class label, or "most_frequent"
        Label for queries with no neighbour; None raises an error for them.

    Example
    -------
    >>> clf = RadiusNeighborsClassifier(radius=1.5).fit([[0], [1], [5], [6]], [0, 0, 1, 1])
    >>> clf.predict([[0.5], [5.5]]).tolist()
    [0, 1]
    """

    def __init__(
        self,
        *,
        radius=1.0,
        weights="uniform",
        algorithm="auto",
        leaf_size=30,
        metric="minkowski",
        p=2,
        outlier_label=None,
    ):
        self.radius = radius
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.p = p
        self.outlier_label = outlier_label

    def fit(self, X, y):
        """Store the training data; ``classes_`` are the sorted unique labels."""
        X, y = self._validate_data(X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, self._y = np.unique(y, return_inverse=True)
        if self.outlier_label is None:
            self.outlier_label_ = None
        elif isinstance(self.outlier_label, str) and self.outlier_label == "most_frequent":
            self.outlier_label_ = self.classes_[np.argmax(np.bincount(self._y))]
        else:
            self.outlier_label_ = self.outlier_label
        self._fit_common(X)
        return self

    def predict_proba(self, X):
        """Class probabilities (n_queries, n_classes); an outlier row is 1 at ``outlier_label``
        when that label is a known class, else all zeros."""
        n_q, hit_q, hit_p, w = self._hits(X)
        n_classes = self.classes_.size
        cell = hit_q * n_classes + self._y[hit_p]  # flat (query, class) of every hit
        proba = np.bincount(cell, weights=w, minlength=n_q * n_classes).reshape(n_q, n_classes)
        total = proba.sum(axis=1)  # (n_q,)
        outliers = np.bincount(hit_q, minlength=n_q) == 0
        if outliers.any():
            if self.outlier_label_ is None:
                raise ValueError(
                    f"No neighbors found for test samples {np.flatnonzero(outliers).tolist()}, "
                    "you can try using larger radius, giving a label for outliers, or "
                    "considering removing them from your dataset."
                )
            known = np.flatnonzero(self.classes_ == self.outlier_label_)
            if known.size:
                proba[outliers, known[0]] = 1.0
                total[outliers] = 1.0
        if np.any(total[~outliers] == 0):
            raise ValueError(
                "weights: all neighbours of some sample get zero weight; a callable `weights` "
                "must give at least one non-zero weight per sample."
            )
        total[total == 0] = 1.0
        return proba / total[:, None]

    def predict(self, X):
        """Most voted class, or ``outlier_label`` for queries without neighbours."""
        n_q, hit_q, hit_p, w = self._hits(X)
        n_classes = self.classes_.size
        cell = hit_q * n_classes + self._y[hit_p]
        votes = np.bincount(cell, weights=w, minlength=n_q * n_classes).reshape(n_q, n_classes)
        outliers = np.bincount(hit_q, minlength=n_q) == 0
        if outliers.any() and self.outlier_label_ is None:
            raise ValueError(
                f"No neighbors found for test samples {np.flatnonzero(outliers).tolist()}, "
                "you can try using larger radius, giving a label for outliers, or "
                "considering removing them from your dataset."
            )
        pred = self.classes_[np.argmax(votes, axis=1)]
        if outliers.any():
            pred = pred.astype(np.result_type(pred, np.asarray(self.outlier_label_)))
            pred[outliers] = self.outlier_label_
        return pred

    def _glassml_tags(self):
        return {"multi_class": True}


class RadiusNeighborsRegressor(RegressorMixin, _RadiusBase):
    """Average of the targets of all training points within ``radius`` (module docstring).

    Queries without neighbours get NaN and a ``UserWarning``.

    Inventory: NC-04, NC-05.

    Parameters
    ----------
    radius : float, default 1.0
    weights : {"uniform", "distance"} or callable (of the flat distance array)
    algorithm : {"auto", "brute", "kd_tree"}, default "auto"
    leaf_size : int, default 30
    metric : str, default "minkowski"
    p : float, default 2

    Example
    -------
    >>> reg = RadiusNeighborsRegressor(radius=1.0).fit([[0], [1], [2], [3]], [0.0, 1.0, 2.0, 3.0])
    >>> reg.predict([[1.5]]).tolist()
    [1.5]
    """

    def __init__(
        self,
        *,
        radius=1.0,
        weights="uniform",
        algorithm="auto",
        leaf_size=30,
        metric="minkowski",
        p=2,
    ):
        self.radius = radius
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.p = p

    def fit(self, X, y):
        """Store the training data and targets (1-D or (n_samples, n_outputs))."""
        X, y = self._validate_data(X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._y = y.astype(np.float64, copy=False)
        self._fit_common(X)
        return self

    def predict(self, X):
        """Weighted mean of the targets within ``radius``; NaN where there are none."""
        n_q, hit_q, hit_p, w = self._hits(X)
        y = self._y if self._y.ndim == 2 else self._y[:, None]  # (n_fit, n_out)
        denom = np.bincount(hit_q, weights=w, minlength=n_q)  # (n_q,)
        pred = np.column_stack(
            [np.bincount(hit_q, weights=w * y[hit_p, j], minlength=n_q) for j in range(y.shape[1])]
        )  # (n_q, n_out); one bincount per output column
        empty = np.bincount(hit_q, minlength=n_q) == 0
        if empty.any():
            warnings.warn(
                "One or more samples have no neighbors within specified radius; predicting NaN.",
                UserWarning,
                stacklevel=2,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            pred = pred / denom[:, None]
        pred[empty] = np.nan
        return pred.ravel() if self._y.ndim == 1 else pred

    def _glassml_tags(self):
        return {"multi_output": True}
