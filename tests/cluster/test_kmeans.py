"""KMeans, kmeans_plusplus and elbow against scikit-learn (Inventory: NC-01, NC-02, NC-03)."""

import warnings

import numpy as np
import pytest
import sklearn.cluster as skc
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.datasets import load_iris, load_wine, make_blobs

from glassml._core import ConvergenceWarning, NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.cluster import KMeans, elbow, kmeans_plusplus
from glassml.cluster._kmeans import lloyd


def _datasets():
    rng = np.random.default_rng(0)
    blobs, _ = make_blobs(1500, 5, centers=6, cluster_std=2.0, random_state=0)
    return {
        "iris": load_iris().data,
        "wine": load_wine().data,  # features on very different scales
        "blobs": blobs,
        "offset": 1e4 + rng.normal(size=(400, 3)),  # needs the centring for accuracy
        "wide": rng.normal(size=(120, 60)),
    }


DATA = _datasets()


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("tol", [0.0, 1e-4])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_as_sklearn_from_identical_init(data, tol, weighted):
    X = DATA[data]
    rng = np.random.default_rng(1)
    k = 4
    init = X[rng.choice(X.shape[0], k, replace=False)]
    w = rng.uniform(0.5, 2.0, X.shape[0]) if weighted else None
    ours = KMeans(n_clusters=k, init=init, tol=tol, max_iter=300).fit(X, sample_weight=w)
    ref = skc.KMeans(n_clusters=k, init=init, n_init=1, tol=tol, max_iter=300).fit(
        X, sample_weight=w
    )
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-8, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)
    assert ours.n_iter_ == ref.n_iter_
    Q = X[::3] + 0.01
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.transform(Q), ref.transform(Q), rtol=1e-8, atol=1e-8)
    assert ours.score(Q) == pytest.approx(ref.score(Q), rel=1e-8)


@pytest.mark.parametrize("k", [1, 2, 37, 130])
def test_many_clusters_match_sklearn(k, monkeypatch):
    # the cluster index hidden in the low mantissa bits needs ⌈log₂ k⌉ bits; chunks of 512
    import glassml.cluster._kmeans as kmeans_module

    monkeypatch.setattr(kmeans_module, "_FUSED_CHUNK_ROWS", 512)
    X = DATA["blobs"]
    init = X[np.random.default_rng(k).choice(X.shape[0], k, replace=False)]
    ours = KMeans(n_clusters=k, init=init, max_iter=20).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skc.KMeans(n_clusters=k, init=init, n_init=1, max_iter=20).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-8, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)


def test_nearest_centers_plain_argmin_fallback(monkeypatch):
    import glassml.cluster._kmeans as kmeans_module

    X = np.random.default_rng(0).normal(size=(300, 3))
    centers = X[:40]
    XaT = kmeans_module._augment_transposed(X)
    packed = kmeans_module.nearest_centers(XaT, centers)
    np.testing.assert_array_equal(packed, cdist(X, centers).argmin(1))
    monkeypatch.setattr(kmeans_module, "_MAX_TAG_BITS", 2)  # 40 clusters need 6 bits
    np.testing.assert_array_equal(kmeans_module.nearest_centers(XaT, centers), packed)


@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_partial_runs_match_sklearn(max_iter):
    X = DATA["blobs"]
    init = X[:6]
    ours = KMeans(n_clusters=6, init=init, max_iter=max_iter, tol=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skc.KMeans(n_clusters=6, init=init, n_init=1, max_iter=max_iter, tol=0).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-8, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)


def test_empty_cluster_relocation_matches_sklearn():
    X = np.random.default_rng(0).normal(size=(60, 2))
    init = np.vstack([X[:3], [[50.0, 50.0]], [[-50.0, 50.0]]])  # two centres far from all data
    ours = KMeans(n_clusters=5, init=init).fit(X)
    ref = skc.KMeans(n_clusters=5, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-10, atol=1e-12)
    assert np.unique(ours.labels_).size == 5


def test_kmeanspp_and_random_init_reach_good_solutions():
    X, _ = make_blobs(
        900, 2, centers=[[0, 0], [8, 0], [0, 8], [8, 8]], cluster_std=0.6, random_state=3
    )
    ref = skc.KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
    for init, n_init in [("k-means++", 1), ("random", 10)]:
        ours = KMeans(n_clusters=4, init=init, n_init=n_init, random_state=0).fit(X)
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
        # same partition up to a permutation of the labels
        pairs = {(a, b) for a, b in zip(ours.labels_, ref.labels_, strict=True)}
        assert len(pairs) == 4


def test_kmeans_plusplus_properties():
    X = DATA["blobs"]
    centers, idx = kmeans_plusplus(X, 6, random_state=0)
    np.testing.assert_array_equal(centers, X[idx])
    assert np.unique(idx).size == 6
    # greedy k-means++ seeding is already a good solution: far better than random samples
    pot = cdist(X, centers, "sqeuclidean").min(1).sum()
    rand = X[np.random.default_rng(0).choice(len(X), 6, replace=False)]
    assert pot < cdist(X, rand, "sqeuclidean").min(1).sum()
    # zero-weight samples are never chosen
    w = np.zeros(len(X))
    w[:50] = 1.0
    _, idx = kmeans_plusplus(X, 5, sample_weight=w, random_state=1)
    assert np.all(idx < 50)


def test_n_init_picks_the_lowest_inertia_and_reproducible():
    X = DATA["blobs"]
    one = [
        KMeans(n_clusters=6, init="random", n_init=1, random_state=s).fit(X).inertia_
        for s in range(5)
    ]
    best = KMeans(n_clusters=6, init="random", n_init=10, random_state=0).fit(X)
    assert best.inertia_ <= min(one) + 1e-9 * min(one)
    again = KMeans(n_clusters=6, init="random", n_init=10, random_state=0).fit(X)
    np.testing.assert_array_equal(best.labels_, again.labels_)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 5), steps=st.integers(1, 6))
def test_lloyd_never_increases_inertia(seed, k, steps):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 2))
    w = np.ones(80)
    centers = X[rng.choice(80, k, replace=False)]
    previous = np.inf
    for _ in range(steps):
        labels, inertia, centers, _ = lloyd(X, w, centers, max_iter=1)
        assert inertia <= previous * (1 + 1e-12)
        previous = inertia
        np.testing.assert_array_equal(labels, cdist(X, centers).argmin(1))


def test_elbow_finds_four_blobs():
    # four equidistant centres (a regular simplex): a square layout would put the largest
    # second difference at K=2, where pairs of blobs merge
    X, _ = make_blobs(400, 4, centers=10.0 * np.eye(4), cluster_std=1.0, random_state=0)
    result = elbow(X, range(1, 9), n_init=3)
    assert result.best_k == 4
    assert np.all(np.diff(result.inertias) < 0)
    ref = [skc.KMeans(n_clusters=k, n_init=3, random_state=0).fit(X).inertia_ for k in range(1, 9)]
    np.testing.assert_allclose(result.inertias, ref, rtol=0.02)
    assert np.isnan(result.second_differences[[0, -1]]).all()
    with pytest.raises(ValueError, match="ks: expected at least three consecutive"):
        elbow(X, [1, 3, 5])


def test_fit_predict_transform_consistency():
    X = DATA["iris"]
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_allclose(
        KMeans(n_clusters=3, random_state=0).fit_transform(X), km.transform(X)
    )
    np.testing.assert_array_equal(KMeans(n_clusters=3, random_state=0).fit_predict(X), km.labels_)
    np.testing.assert_allclose(km.transform(X), cdist(X, km.cluster_centers_), rtol=1e-9)
    assert -km.score(X) == pytest.approx(km.inertia_, rel=1e-10)


# scikit-learn xfails this check for its own KMeans/MiniBatchKMeans: the random initialisation
# draws differently on the weighted and on the repeated data set, so the two runs differ.
# (glassml._core.testing.sklearn_contract cannot take expected_failed_checks yet: it unpacks the
# pytest.param that scikit-learn yields for an expected failure; reported to the lead.)
WEIGHT_EQUIVALENCE = "check_sample_weight_equivalence_on_dense_data"


def run_contract_check(estimator, check):
    """Run one scikit-learn check; the weight-equivalence check must fail as documented."""
    name = getattr(check, "__name__", None) or check.func.__name__
    if name == WEIGHT_EQUIVALENCE:
        with pytest.raises(AssertionError):
            check(estimator)
    else:
        check(estimator)


@sklearn_contract([KMeans(n_clusters=3, init="random", n_init=2)])
def test_sklearn_contract(estimator, check):
    run_contract_check(estimator, check)


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="n_clusters=10 must be <= n_samples=5"):
        KMeans(n_clusters=10).fit(X)
    with pytest.raises(ValueError, match="n_clusters"):
        KMeans(n_clusters=0).fit(X)
    with pytest.raises(ValueError, match="init"):
        KMeans(n_clusters=2, init="kmeans++").fit(X)
    with pytest.raises(ValueError, match=r"init: expected an array of shape .*\(2, 2\)"):
        KMeans(n_clusters=2, init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match="n_init"):
        KMeans(n_clusters=2, n_init=0).fit(X)
    with pytest.raises(ValueError, match="tol"):
        KMeans(n_clusters=2, tol=-1.0).fit(X)
    with pytest.raises(ValueError, match="algorithm"):
        KMeans(n_clusters=2, algorithm="hartigan").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        KMeans(n_clusters=2).fit(np.array([[np.nan, 1.0], [1.0, 2.0], [3.0, 1.0]]))
    with pytest.raises(TypeError, match="sparse"):
        from scipy import sparse

        KMeans(n_clusters=2).fit(sparse.csr_matrix(X))
    with pytest.raises(ValueError, match="could not convert dtype object"):
        KMeans(n_clusters=2).fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero"):
        KMeans(n_clusters=2).fit(X, sample_weight=np.zeros(5))
    with pytest.raises(NotFittedError):
        KMeans().predict(X)
    with pytest.warns(RuntimeWarning, match="n_init=3"):
        KMeans(n_clusters=2, init=X[:2], n_init=3).fit(X)
    with pytest.warns(ConvergenceWarning, match="Number of distinct clusters"):
        KMeans(n_clusters=3, random_state=0).fit(np.zeros((5, 2)))
