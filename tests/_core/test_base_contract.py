"""The estimator contract of glassml._core.base, checked by scikit-learn's own suite."""

import numpy as np
import pytest

from glassml._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    check_classification_targets,
    check_sample_weight,
    clone,
)
from glassml._core.testing import sklearn_contract


class MeanRegressor(RegressorMixin, BaseEstimator):
    """Predicts the (weighted) training mean plus ``shift``."""

    def __init__(self, *, shift=0.0):
        self.shift = shift

    def fit(self, X, y, sample_weight=None):
        X, y = self._validate_data(X, y, y_numeric=True)
        w = check_sample_weight(sample_weight, X)
        if w.sum() <= 0:
            raise ValueError("sample_weight: the weights sum to zero.")
        self.mean_ = float(np.average(y, weights=w)) + self.shift
        return self

    def _glassml_tags(self):
        return {"poor_score": True}

    def predict(self, X):
        X = self._validate_data(X, reset=False)
        return np.full(X.shape[0], self.mean_)


class NearestCentroid(ClassifierMixin, BaseEstimator):
    """Assigns each sample to the class with the nearest mean."""

    def __init__(self, *, metric="euclidean"):
        self.metric = metric

    def fit(self, X, y):
        X, y = self._validate_data(X, y)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("y: needs samples of at least 2 classes, got 1 class.")
        self.centroids_ = np.stack([X[y_idx == k].mean(0) for k in range(len(self.classes_))])
        return self

    def predict(self, X):
        X = self._validate_data(X, reset=False)
        d = ((X[:, None, :] - self.centroids_[None]) ** 2).sum(-1)
        return self.classes_[d.argmin(1)]


class Centerer(TransformerMixin, BaseEstimator):
    """Subtracts the training mean."""

    def __init__(self, *, with_mean=True):
        self.with_mean = with_mean

    def fit(self, X, y=None):
        X = self._validate_data(X)
        self.mean_ = X.mean(0) if self.with_mean else np.zeros(X.shape[1])
        return self

    def transform(self, X):
        X = self._validate_data(X, reset=False)
        return X - self.mean_

    def inverse_transform(self, X):
        return np.asarray(X, dtype=float) + self.mean_


@sklearn_contract([MeanRegressor(), NearestCentroid(), Centerer()])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_get_set_params_and_repr():
    est = MeanRegressor(shift=2.0)
    assert est.get_params() == {"shift": 2.0}
    assert repr(est) == "MeanRegressor(shift=2.0)"
    est.set_params(shift=3.0)
    assert est.shift == 3.0
    with pytest.raises(ValueError, match="Invalid parameter 'nope' for estimator MeanRegressor"):
        est.set_params(nope=1)


def test_clone_is_unfitted_copy():
    est = MeanRegressor(shift=1.5).fit([[0.0], [1.0]], [1.0, 2.0])
    c = clone(est)
    assert c.shift == 1.5 and not hasattr(c, "mean_")


def test_predict_before_fit_and_wrong_width():
    from glassml._core import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        MeanRegressor().predict([[1.0]])
    est = MeanRegressor().fit([[0.0, 1.0]], [1.0])
    with pytest.raises(ValueError, match="X has 3 features, but MeanRegressor is expecting 2"):
        est.predict([[1.0, 2.0, 3.0]])


def test_works_inside_sklearn_pipeline_and_search():
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(4, 1, (30, 2))]
    y = np.r_[np.zeros(30), np.ones(30)]
    scores = cross_val_score(make_pipeline(StandardScaler(), NearestCentroid()), X, y, cv=3)
    assert scores.mean() > 0.9
    gs = GridSearchCV(MeanRegressor(), {"shift": [-1.0, 0.0, 1.0]}, cv=3).fit(X, y)
    assert gs.best_params_ == {"shift": 0.0}


def test_is_classifier_reads_sklearn_tags():
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from glassml._core import is_classifier, is_regressor

    assert is_classifier(LogisticRegression()) and not is_regressor(LogisticRegression())
    assert is_regressor(LinearRegression()) and is_classifier(NearestCentroid())
    assert not is_classifier(object())
