"""KNNImputer and nan_euclidean_distances (DP-10) against scikit-learn."""

import warnings

import numpy as np
import pytest
import sklearn.impute as ski
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.metrics.pairwise import nan_euclidean_distances as sk_nan_euclidean

from glassml._core.testing import sklearn_contract
from glassml.impute import KNNImputer, nan_euclidean_distances


def with_gaps(X, rate, seed):
    X = np.array(X, dtype=float)
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


def correlated(seed=0, n=120):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 1))
    return z @ np.ones((1, 4)) + 0.3 * rng.normal(size=(n, 4))


DATA = {
    "iris": with_gaps(load_iris().data, 0.15, 0),
    "wine": with_gaps(load_wine().data, 0.1, 1),
    "diabetes": with_gaps(load_diabetes().data[:200], 0.2, 2),
    "correlated_heavy": with_gaps(correlated(), 0.45, 3),  # rows with nothing in common
}


@pytest.mark.parametrize("data", list(DATA))
def test_distances_match_sklearn(data):
    X = DATA[data]
    np.testing.assert_allclose(
        nan_euclidean_distances(X[:40], X[40:]),
        sk_nan_euclidean(X[:40], X[40:]),
        rtol=1e-12,
        atol=1e-12,
        equal_nan=True,
    )
    np.testing.assert_allclose(
        nan_euclidean_distances(X[:50], squared=True),
        sk_nan_euclidean(X[:50], squared=True),
        rtol=1e-12,
        atol=1e-12,
        equal_nan=True,
    )


def test_distance_formula_by_hand():
    x, y = np.array([[3.0, np.nan, 1.0]]), np.array([[0.0, 4.0, np.nan]])
    # one common coordinate (the first): d = sqrt(3 / 1 * 3^2)
    np.testing.assert_allclose(nan_euclidean_distances(x, y), [[np.sqrt(27.0)]])
    assert np.isnan(nan_euclidean_distances([[np.nan, 1.0]], [[2.0, np.nan]])[0, 0])


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize(
    "params", [{"n_neighbors": 3}, {"n_neighbors": 5, "weights": "distance"}, {"n_neighbors": 1}]
)
def test_imputer_matches_sklearn(data, params):
    X = DATA[data]
    split = len(X) * 2 // 3
    a, b = KNNImputer(**params).fit(X[:split]), ski.KNNImputer(**params).fit(X[:split])
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        KNNImputer(**params).fit_transform(X),
        ski.KNNImputer(**params).fit_transform(X),
        rtol=1e-10,
        atol=1e-12,
    )


def test_indicator_empty_columns_and_callable_weights():
    X = DATA["iris"].copy()
    X[:, 1] = np.nan
    for params in (
        {"add_indicator": True},
        {"keep_empty_features": True},
        {"weights": lambda d: 1.0 / (1.0 + d)},
    ):
        a, b = KNNImputer(**params).fit(X), ski.KNNImputer(**params).fit(X)
        out = a.transform(X)
        np.testing.assert_allclose(out, b.transform(X), rtol=1e-10)
        assert len(a.get_feature_names_out()) == out.shape[1]
        if not params.get("keep_empty_features"):  # sklearn 1.9 then drops the kept column's name
            assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()


def test_seed_snippet_knn_fills_four():
    # CL-045 / 001:5176-5181: KNNImputer(n_neighbors=3) on [[1,2],[nan,3],[7,6]] -> (1+7)/2 = 4
    X = [[1, 2], [np.nan, 3], [7, 6]]
    assert KNNImputer(n_neighbors=3).fit_transform(X)[1, 0] == 4.0
    assert ski.KNNImputer(n_neighbors=3).fit_transform(X)[1, 0] == 4.0


def test_blocked_distances_give_same_result(monkeypatch):
    import glassml.impute._knn as knn

    X = DATA["wine"]
    full = KNNImputer(n_neighbors=4).fit_transform(X)
    monkeypatch.setattr(knn, "_CHUNK_ELEMENTS", 7 * len(X))  # 7 query rows per block
    np.testing.assert_allclose(KNNImputer(n_neighbors=4).fit_transform(X), full, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 1000), st.floats(0.0, 0.6), st.integers(1, 6))
def test_never_leaves_nan_and_keeps_observed(seed, rate, k):
    X = with_gaps(np.random.default_rng(seed).normal(size=(15, 3)), rate, seed)
    X[0] = [1.0, 2.0, 3.0]  # every column has an observed value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = KNNImputer(n_neighbors=k).fit_transform(X)
    assert not np.isnan(out).any()
    np.testing.assert_array_equal(out[~np.isnan(X)], X[~np.isnan(X)])


def test_bad_input():
    X = DATA["iris"]
    with pytest.raises(ValueError, match="n_neighbors"):
        KNNImputer(n_neighbors=0).fit(X)
    with pytest.raises(ValueError, match="weights"):
        KNNImputer(weights="gaussian").fit(X)
    with pytest.raises(ValueError, match="metric"):
        KNNImputer(metric="manhattan").fit(X)
    with pytest.raises(ValueError, match="missing_values"):
        KNNImputer(missing_values=-1).fit(X)
    with pytest.raises(ValueError, match="infinity"):
        KNNImputer().fit(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="is expecting 4 features"):
        KNNImputer().fit(X).transform(X[:, :2])
    with pytest.raises(ValueError, match="Incompatible dimension"):
        nan_euclidean_distances(X, X[:, :2])


@sklearn_contract([KNNImputer(), KNNImputer(n_neighbors=2, weights="distance", add_indicator=True)])
def test_sklearn_contract(estimator, check):
    check(estimator)
