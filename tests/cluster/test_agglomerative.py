"""AgglomerativeClustering / linkage_tree against SciPy and scikit-learn (Inventory: NC-06)."""

import numpy as np
import pytest
import sklearn.cluster as skc
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import pdist, squareform
from sklearn.datasets import load_iris, load_wine, make_blobs

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.cluster import AgglomerativeClustering, dendrogram_data, linkage_tree

LINKAGES = ["ward", "complete", "average", "single"]


def _datasets():
    rng = np.random.default_rng(0)
    blobs, _ = make_blobs(300, 3, centers=4, random_state=0)
    return {
        "iris": load_iris().data + 1e-4 * rng.normal(size=(150, 4)),  # break distance ties
        "wine": load_wine().data,
        "blobs": blobs,
        "random": rng.normal(size=(60, 7)),
    }


DATA = _datasets()


def assert_same_labels(ours, ref, method):
    """Equal labels; for single linkage, equal partitions (scikit-learn builds its single-linkage
    tree with its own minimum-spanning-tree code, whose children order, and hence label
    numbering, differs from SciPy's)."""
    if method != "single":
        np.testing.assert_array_equal(ours, ref)
        return
    pairs = set(zip(ours.tolist(), ref.tolist(), strict=True))
    assert len(pairs) == len(set(ours.tolist())) == len(set(ref.tolist()))


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("method", LINKAGES)
def test_linkage_matrix_equals_scipy(data, method):
    X = DATA[data]
    model = AgglomerativeClustering(n_clusters=3, linkage=method, compute_distances=True).fit(X)
    Z = model.linkage_matrix()
    ref = linkage(X, method)
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], ref[:, [0, 1, 3]])
    np.testing.assert_allclose(Z[:, 2], ref[:, 2], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.distances_, ref[:, 2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("method", LINKAGES)
@pytest.mark.parametrize("n_clusters", [1, 2, 5])
def test_labels_equal_sklearn(data, method, n_clusters):
    X = DATA[data]
    ours = AgglomerativeClustering(n_clusters=n_clusters, linkage=method).fit(X)
    ref = skc.AgglomerativeClustering(n_clusters=n_clusters, linkage=method).fit(X)
    assert_same_labels(ours.labels_, ref.labels_, method)
    assert ours.n_clusters_ == n_clusters


@pytest.mark.parametrize("method", LINKAGES)
def test_distance_threshold_equals_sklearn(method):
    X = DATA["blobs"]
    threshold = {"ward": 10.0, "complete": 5.0, "average": 3.0, "single": 1.0}[method]
    ours = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, linkage=method
    ).fit(X)
    ref = skc.AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, linkage=method
    ).fit(X)
    assert ours.n_clusters_ == ref.n_clusters_
    assert_same_labels(ours.labels_, ref.labels_, method)
    np.testing.assert_allclose(ours.distances_, np.sort(ref.distances_), rtol=1e-10)


@pytest.mark.parametrize("metric", ["manhattan", "cosine"])
@pytest.mark.parametrize("method", ["complete", "average", "single"])
def test_other_metrics_and_precomputed(metric, method):
    X = DATA["random"]
    scipy_metric = "cityblock" if metric == "manhattan" else "cosine"
    ours = AgglomerativeClustering(n_clusters=3, linkage=method, metric=metric).fit(X)
    ref = skc.AgglomerativeClustering(n_clusters=3, linkage=method, metric=metric).fit(X)
    assert_same_labels(ours.labels_, ref.labels_, method)
    Z = linkage_tree(squareform(pdist(X, scipy_metric)), method)
    np.testing.assert_allclose(Z[:, 2], linkage(X, method, metric=scipy_metric)[:, 2], rtol=1e-10)
    D = squareform(pdist(X, scipy_metric))
    pre = AgglomerativeClustering(n_clusters=3, linkage=method, metric="precomputed").fit(D)
    np.testing.assert_array_equal(pre.labels_, ours.labels_)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 25), seed=st.integers(0, 10_000), method=st.sampled_from(LINKAGES))
def test_heights_monotone_and_equal_to_scipy(n, seed, method):
    X = np.random.default_rng(seed).normal(size=(n, 2))
    Z = linkage_tree(squareform(pdist(X)), method)
    assert np.all(np.diff(Z[:, 2]) >= -1e-12)  # no inversions for these four linkages
    assert Z[-1, 3] == n
    np.testing.assert_allclose(Z[:, 2], linkage(X, method)[:, 2], rtol=1e-10, atol=1e-12)


def test_dendrogram_data():
    X = DATA["random"][:20]
    Z = linkage(X, "average")
    data = dendrogram_data(Z)
    assert data["leaves"] == leaves_list(Z).tolist()
    icoord, dcoord = np.array(data["icoord"]), np.array(data["dcoord"])
    assert icoord.shape == dcoord.shape == (19, 4)
    np.testing.assert_allclose(dcoord[:, 1], Z[:, 2])
    # leaves at x = 5, 15, ..., 195; every link's legs sit on its children
    assert icoord.min() == 5.0 and icoord.max() == 195.0
    np.testing.assert_array_equal(icoord[:, 0], icoord[:, 1])
    np.testing.assert_array_equal(icoord[:, 2], icoord[:, 3])


@sklearn_contract(
    [
        AgglomerativeClustering(),
        AgglomerativeClustering(linkage="single", metric="manhattan", compute_distances=True),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="n_clusters=10 must be <= n_samples=5"):
        AgglomerativeClustering(n_clusters=10).fit(X)
    with pytest.raises(ValueError, match="exactly one of them must be None"):
        AgglomerativeClustering(n_clusters=2, distance_threshold=1.0).fit(X)
    with pytest.raises(ValueError, match="exactly one of them must be None"):
        AgglomerativeClustering(n_clusters=None).fit(X)
    with pytest.raises(ValueError, match="linkage"):
        AgglomerativeClustering(linkage="centroid").fit(X)
    with pytest.raises(ValueError, match="ward.*euclidean"):
        AgglomerativeClustering(metric="manhattan").fit(X)
    with pytest.raises(ValueError, match="metric"):
        AgglomerativeClustering(metric="hamming", linkage="average").fit(X)
    with pytest.raises(ValueError, match="symmetric square"):
        AgglomerativeClustering(metric="precomputed", linkage="average").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        AgglomerativeClustering().fit(np.where(X > 0, np.nan, X))
    with pytest.raises(ValueError, match="minimum of 2"):
        AgglomerativeClustering(n_clusters=1).fit(X[:1])
    with pytest.raises(NotFittedError):
        AgglomerativeClustering().linkage_matrix()
