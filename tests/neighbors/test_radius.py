"""RadiusNeighborsClassifier / RadiusNeighborsRegressor against scikit-learn
(Inventory: NC-04, NC-05)."""

import warnings

import numpy as np
import pytest
import sklearn.neighbors as skn
from sklearn.datasets import load_iris

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.neighbors import RadiusNeighborsClassifier, RadiusNeighborsRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 3))
Y_CLASS = rng.integers(0, 3, 300)
Y_REG = np.column_stack([X[:, 0] ** 2, np.sin(X[:, 1])])
Q = 1.5 * rng.normal(size=(80, 3))  # some queries far from every training point


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
@pytest.mark.parametrize("outlier_label", ["most_frequent", 2, 7])
def test_classifier_matches_sklearn(weights, algorithm, outlier_label):
    kw = dict(radius=0.9, weights=weights, outlier_label=outlier_label)
    ours = RadiusNeighborsClassifier(algorithm=algorithm, **kw).fit(X, Y_CLASS)
    ref = skn.RadiusNeighborsClassifier(**kw).fit(X, Y_CLASS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns about an unknown outlier label
        expected_proba, expected = ref.predict_proba(Q), ref.predict(Q)
    np.testing.assert_allclose(ours.predict_proba(Q), expected_proba, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(Q), expected)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
@pytest.mark.parametrize("multi_output", [False, True])
def test_regressor_matches_sklearn(weights, algorithm, multi_output):
    y = Y_REG if multi_output else Y_REG[:, 0]
    ours = RadiusNeighborsRegressor(radius=0.7, weights=weights, algorithm=algorithm).fit(X, y)
    ref = skn.RadiusNeighborsRegressor(radius=0.7, weights=weights).fit(X, y)
    with pytest.warns(UserWarning, match="no neighbors within specified radius"):
        got = ours.predict(Q)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ref.predict(Q)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_iris_in_sample_accuracy_and_exact_matches():
    data = load_iris()
    clf = RadiusNeighborsClassifier(radius=0.5, weights="distance").fit(data.data, data.target)
    ref = skn.RadiusNeighborsClassifier(radius=0.5, weights="distance").fit(data.data, data.target)
    np.testing.assert_allclose(clf.predict_proba(data.data), ref.predict_proba(data.data))


@sklearn_contract(
    [
        RadiusNeighborsClassifier(weights="distance", outlier_label="most_frequent"),
        RadiusNeighborsRegressor(radius=5.0, weights="distance"),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_input():
    with pytest.raises(ValueError, match="No neighbors found for test samples"):
        RadiusNeighborsClassifier(radius=0.01).fit(X, Y_CLASS).predict(Q)
    with pytest.raises(ValueError, match="radius"):
        RadiusNeighborsRegressor(radius=-1.0).fit(X, Y_REG)
    with pytest.raises(ValueError, match="weights"):
        RadiusNeighborsClassifier(weights="gaussian").fit(X, Y_CLASS)
    with pytest.raises(ValueError, match="weights: the callable must return one weight"):
        RadiusNeighborsRegressor(radius=2.0, weights=lambda d: d[:1]).fit(X, Y_REG).predict(Q)
    with pytest.raises(NotFittedError):
        RadiusNeighborsRegressor().predict(Q)
    with pytest.raises(ValueError, match="Unknown label type"):
        RadiusNeighborsClassifier().fit(X, X[:, 0])
