"""DBSCAN against scikit-learn (Inventory: NC-06, NC-07)."""

import numpy as np
import pytest
import sklearn.cluster as skc
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris, make_blobs, make_moons

from glassml._core.testing import sklearn_contract
from glassml.cluster import DBSCAN


def _datasets():
    rng = np.random.default_rng(0)
    blobs, _ = make_blobs(500, 2, centers=4, cluster_std=1.5, random_state=0)
    moons, _ = make_moons(400, noise=0.08, random_state=0)
    return {
        "blobs+noise": np.vstack([blobs, rng.uniform(-15, 15, size=(60, 2))]),
        "moons": moons,
        "iris": load_iris().data,
        "3d": rng.normal(size=(300, 3)),
    }


DATA = _datasets()
PARAMS = {
    "blobs+noise": [(0.5, 5), (1.0, 10)],
    "moons": [(0.1, 5), (0.2, 8)],
    "iris": [(0.4, 4), (0.8, 10)],
    "3d": [(0.5, 4), (0.8, 3)],
}


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_labels_equal_sklearn(data, algorithm):
    X = DATA[data]
    for eps, min_samples in PARAMS[data]:
        ours = DBSCAN(eps=eps, min_samples=min_samples, algorithm=algorithm).fit(X)
        ref = skc.DBSCAN(eps=eps, min_samples=min_samples).fit(X)
        np.testing.assert_array_equal(ours.labels_, ref.labels_)
        np.testing.assert_array_equal(ours.core_sample_indices_, ref.core_sample_indices_)
        np.testing.assert_array_equal(ours.components_, ref.components_)


@pytest.mark.parametrize("metric", ["manhattan", "chebyshev", "cosine"])
def test_other_metrics(metric):
    X = DATA["moons"] + 1.0
    eps = {"manhattan": 0.2, "chebyshev": 0.1, "cosine": 0.002}[metric]
    ours = DBSCAN(eps=eps, min_samples=5, metric=metric).fit(X)
    ref = skc.DBSCAN(eps=eps, min_samples=5, metric=metric).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


def test_sample_weight():
    X = DATA["blobs+noise"]
    w = np.random.default_rng(1).uniform(0.2, 3.0, X.shape[0])
    ours = DBSCAN(eps=0.6, min_samples=6).fit(X, sample_weight=w)
    ref = skc.DBSCAN(eps=0.6, min_samples=6).fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0.05, 1.0), min_samples=st.integers(1, 6))
def test_random_inputs_equal_sklearn(seed, eps, min_samples):
    X = np.random.default_rng(seed).uniform(0, 3, size=(60, 2))
    ours = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    ref = skc.DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


@sklearn_contract([DBSCAN(eps=1.0, min_samples=3)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="eps"):
        DBSCAN(eps=0.0).fit(X)
    with pytest.raises(ValueError, match="min_samples"):
        DBSCAN(min_samples=0).fit(X)
    with pytest.raises(ValueError, match="metric"):
        DBSCAN(metric="haversine").fit(X)
    with pytest.raises(ValueError, match="algorithm"):
        DBSCAN(algorithm="ball").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        DBSCAN().fit(np.where(X > 1, np.nan, X))
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero"):
        DBSCAN().fit(X, sample_weight=np.zeros(10))
