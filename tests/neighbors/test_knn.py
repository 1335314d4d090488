"""NearestNeighbors / KNeighborsClassifier / KNeighborsRegressor against scikit-learn
(Inventory: NC-04, NC-05)."""

import numpy as np
import pytest
import sklearn.neighbors as skn
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.datasets import load_iris, load_wine, make_classification

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors, _base


def _data():
    rng = np.random.default_rng(0)
    iris = load_iris()
    wine = load_wine()
    Xc, yc = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    return {
        # tie-free: jitter the iris/wine features (iris has duplicate rows, wine's Chebyshev
        # distances tie on its integer-valued largest feature)
        "iris": (iris.data + 1e-3 * rng.normal(size=iris.data.shape), iris.target),
        "wine": (wine.data * (1 + 1e-4 * rng.normal(size=wine.data.shape)), wine.target),
        "synthetic": (Xc, yc),
        "wide": (rng.normal(size=(200, 40)), rng.integers(0, 4, 200)),
    }


DATA = _data()
CONFIGS = [
    ("minkowski", 2, "brute"),
    ("minkowski", 2, "kd_tree"),
    ("euclidean", 2, "auto"),
    ("manhattan", 2, "brute"),
    ("manhattan", 2, "kd_tree"),
    ("minkowski", 3, "brute"),
    ("minkowski", 3, "kd_tree"),
    ("chebyshev", 2, "kd_tree"),
    ("cosine", 2, "brute"),
]


def _split(X, y):
    return X[::2], y[::2], X[1::2], y[1::2]


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("metric, p, algorithm", CONFIGS)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_classifier_matches_sklearn(data, metric, p, algorithm, weights):
    Xtr, ytr, Xte, _ = _split(*DATA[data])
    kw = dict(n_neighbors=7, weights=weights, metric=metric, p=p)
    ours = KNeighborsClassifier(algorithm=algorithm, **kw).fit(Xtr, ytr)
    ref = skn.KNeighborsClassifier(algorithm="brute", **kw).fit(Xtr, ytr)
    d1, i1 = ours.kneighbors(Xte)
    d2, i2 = ref.kneighbors(Xte)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_allclose(d1, d2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        ours.predict_proba(Xte), ref.predict_proba(Xte), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("metric, p, algorithm", CONFIGS[::2])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_regressor_matches_sklearn(data, metric, p, algorithm, weights):
    X, y = DATA[data]
    target = X[:, 0] * 2.0 + np.sin(X[:, 1])
    Xtr, ytr, Xte, _ = _split(X, target)
    kw = dict(n_neighbors=4, weights=weights, metric=metric, p=p)
    ours = KNeighborsRegressor(algorithm=algorithm, **kw).fit(Xtr, ytr)
    ref = skn.KNeighborsRegressor(algorithm="brute", **kw).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), rtol=1e-10, atol=1e-12)


def test_regressor_multioutput_and_callable_weights():
    X, _ = DATA["synthetic"]
    Y = np.column_stack([X[:, 0], X[:, 1] ** 2])

    def w(d):
        return np.exp(-d)

    ours = KNeighborsRegressor(n_neighbors=5, weights=w).fit(X[:200], Y[:200])
    ref = skn.KNeighborsRegressor(n_neighbors=5, weights=w).fit(X[:200], Y[:200])
    np.testing.assert_allclose(ours.predict(X[200:]), ref.predict(X[200:]), rtol=1e-12)
    clf = KNeighborsClassifier(n_neighbors=5, weights=w).fit(X[:200], Y[:200, 0] > 0)
    sk = skn.KNeighborsClassifier(n_neighbors=5, weights=w).fit(X[:200], Y[:200, 0] > 0)
    np.testing.assert_allclose(clf.predict_proba(X[200:]), sk.predict_proba(X[200:]), rtol=1e-12)


def test_string_labels_and_classes():
    X, y = DATA["iris"]
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = KNeighborsClassifier(n_neighbors=3).fit(X, names)
    assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(clf.predict(X[:10])) <= set(names)


def test_zero_distance_weights():
    # a query equal to a training point: "distance" weights put all mass on the exact match
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([0, 1, 1])
    clf = KNeighborsClassifier(n_neighbors=3, weights="distance").fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba([[0.0]]), [[1.0, 0.0]])


def test_kneighbors_without_X_excludes_self():
    X, _ = DATA["wine"]
    for algorithm in ["brute", "kd_tree"]:
        ours = NearestNeighbors(n_neighbors=4, algorithm=algorithm).fit(X)
        ref = skn.NearestNeighbors(n_neighbors=4).fit(X)
        d1, i1 = ours.kneighbors()
        d2, i2 = ref.kneighbors()
        np.testing.assert_array_equal(i1, i2)
        np.testing.assert_allclose(d1, d2, rtol=1e-9)
    # duplicates: the point's twin at distance 0 is kept, like scikit-learn
    Xd = np.array([[0.0], [0.0], [5.0], [9.0]])
    np.testing.assert_array_equal(
        NearestNeighbors(n_neighbors=1, algorithm="brute").fit(Xd).kneighbors()[1][:2, 0],
        skn.NearestNeighbors(n_neighbors=1).fit(Xd).kneighbors()[1][:2, 0],
    )


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_radius_neighbors_and_graphs(algorithm):
    X, _ = DATA["iris"]
    Q = X[::7] + 0.05
    ours = NearestNeighbors(radius=0.6, n_neighbors=3, algorithm=algorithm).fit(X)
    ref = skn.NearestNeighbors(radius=0.6, n_neighbors=3).fit(X)
    d1, i1 = ours.radius_neighbors(Q, sort_results=True)
    d2, i2 = ref.radius_neighbors(Q, sort_results=True)
    for a, b, da, db in zip(i1, i2, d1, d2, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(da, db, rtol=1e-9)
    for mode in ["connectivity", "distance"]:
        for args in [(Q,), ()]:
            g1 = ours.radius_neighbors_graph(*args, mode=mode).toarray()
            g2 = ref.radius_neighbors_graph(*args, mode=mode).toarray()
            np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)
            k1 = ours.kneighbors_graph(*args, mode=mode).toarray()
            k2 = ref.kneighbors_graph(*args, mode=mode).toarray()
            np.testing.assert_allclose(k1, k2, rtol=1e-9, atol=1e-12)


def test_brute_force_chunking_and_selection(monkeypatch):
    # tiny chunks and the threshold selection on wide rows give the exact k smallest
    monkeypatch.setattr(_base, "_CHUNK_ELEMENTS", 1000)
    rng = np.random.default_rng(3)
    X, Q = rng.normal(size=(5000, 5)), rng.normal(size=(50, 5))
    for metric in ["euclidean", "manhattan"]:
        dist, ind = (
            NearestNeighbors(n_neighbors=9, algorithm="brute", metric=metric).fit(X).kneighbors(Q)
        )
        D = cdist(Q, X, "cityblock" if metric == "manhattan" else "euclidean")
        np.testing.assert_array_equal(ind, np.argsort(D, axis=1)[:, :9])
        np.testing.assert_allclose(dist, np.sort(D, axis=1)[:, :9], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 400),
    k=st.integers(1, 20),
    rows=st.integers(1, 5),
    seed=st.integers(0, 1000),
)
def test_smallest_k_property(n, k, rows, seed):
    k = min(k, n)
    D = np.random.default_rng(seed).integers(0, 50, size=(rows, n)).astype(float)  # many ties
    got = _base.smallest_k(D, k)
    np.testing.assert_array_equal(got, np.argsort(D, axis=1, kind="stable")[:, :k])


def test_auto_picks_tree_in_low_dimension():
    X, y = DATA["iris"]
    assert KNeighborsClassifier().fit(X, y)._fit_method == "kd_tree"
    Xw, yw = DATA["wide"]
    assert KNeighborsClassifier().fit(Xw, yw)._fit_method == "brute"
    assert KNeighborsClassifier(metric="cosine").fit(X, y)._fit_method == "brute"


# ------------------------------------------------------------------ contract and bad input
@sklearn_contract(
    [
        NearestNeighbors(),
        KNeighborsClassifier(algorithm="kd_tree", weights="distance", metric="manhattan"),
        KNeighborsRegressor(algorithm="brute", weights="distance", metric="cosine"),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_input():
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match="n_neighbors=200 is too large"):
        KNeighborsClassifier(n_neighbors=200).fit(X[:20], y[:20]).predict(X[:2])
    with pytest.raises(ValueError, match="n_neighbors"):
        KNeighborsClassifier(n_neighbors=0).fit(X, y)
    with pytest.raises(TypeError, match="n_neighbors"):
        KNeighborsRegressor(n_neighbors=2.5).fit(X, y)
    with pytest.raises(ValueError, match="metric"):
        KNeighborsClassifier(metric="euclidian").fit(X, y)
    with pytest.raises(ValueError, match="metric.*kd_tree"):
        KNeighborsClassifier(metric="cosine", algorithm="kd_tree").fit(X, y)
    with pytest.raises(ValueError, match="algorithm"):
        KNeighborsClassifier(algorithm="ball_tree_x").fit(X, y)
    with pytest.raises(ValueError, match="weights"):
        KNeighborsClassifier(weights="inverse").fit(X, y)
    with pytest.raises(ValueError, match="p"):
        KNeighborsClassifier(p=0.5).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        KNeighborsClassifier().fit(np.where(X == X[0, 0], np.nan, X), y)
    with pytest.raises(ValueError, match="Unknown label type"):
        KNeighborsClassifier().fit(X, X[:, 0] + 0.5)
    with pytest.raises(NotFittedError):
        KNeighborsRegressor().predict(X)
    with pytest.raises(TypeError, match="sparse"):
        from scipy import sparse

        KNeighborsClassifier().fit(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="X has 3 features"):
        KNeighborsClassifier().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="radius"):
        NearestNeighbors().fit(X).radius_neighbors(X, radius=-1.0)
    with pytest.raises(ValueError, match="mode"):
        NearestNeighbors().fit(X).kneighbors_graph(X, mode="weights")
    with pytest.raises(ValueError, match="weights: the callable must return"):
        KNeighborsRegressor(weights=lambda d: d[:, :1]).fit(X, y).predict(X)
