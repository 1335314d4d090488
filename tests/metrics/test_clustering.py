"""Clustering metrics against scikit-learn (MS-19 … MS-22)."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans

import glassml.metrics as gm


def _labelings():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, 300)
    yield "noisy_copy", a, np.where(rng.random(300) < 0.7, a, rng.integers(0, 5, 300))
    yield "independent", rng.integers(0, 3, 200), rng.integers(0, 6, 200)
    yield "strings", np.array(list("xyz"))[a[:100] % 3], a[:100]
    yield "single_cluster", a[:50], np.zeros(50, dtype=int)


LABELINGS = list(_labelings())
EXTERNAL = [
    (gm.rand_score, skm.rand_score),
    (gm.adjusted_rand_score, skm.adjusted_rand_score),
    (gm.mutual_info_score, skm.mutual_info_score),
    (gm.normalized_mutual_info_score, skm.normalized_mutual_info_score),
    (gm.adjusted_mutual_info_score, skm.adjusted_mutual_info_score),
    (gm.homogeneity_score, skm.homogeneity_score),
    (gm.completeness_score, skm.completeness_score),
    (gm.v_measure_score, skm.v_measure_score),
]


@pytest.mark.parametrize("name, a, b", LABELINGS, ids=[x[0] for x in LABELINGS])
@pytest.mark.parametrize("ours, ref", EXTERNAL, ids=[e[0].__name__ for e in EXTERNAL])
def test_external_scores(name, a, b, ours, ref):
    assert ours(a, b) == pytest.approx(ref(a, b), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("method", ["min", "geometric", "arithmetic", "max"])
def test_nmi_ami_average_methods(method):
    _, a, b = LABELINGS[0]
    assert gm.normalized_mutual_info_score(a, b, average_method=method) == pytest.approx(
        skm.normalized_mutual_info_score(a, b, average_method=method), rel=1e-10
    )
    assert gm.adjusted_mutual_info_score(a, b, average_method=method) == pytest.approx(
        skm.adjusted_mutual_info_score(a, b, average_method=method), rel=1e-10
    )


def test_pair_confusion_and_contingency():
    _, a, b = LABELINGS[0]
    np.testing.assert_array_equal(
        gm.pair_confusion_matrix(a, b), skm.cluster.pair_confusion_matrix(a, b)
    )
    np.testing.assert_array_equal(gm.contingency_matrix(a, b), skm.cluster.contingency_matrix(a, b))


def _blobs(seed=0, n=240, k=4, d=3):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 5, (k, d))
    labels = rng.integers(0, k, n)
    return centers[labels] + rng.normal(size=(n, d)), labels


@pytest.mark.parametrize("seed", [0, 1])
def test_silhouette(seed):
    X, labels = _blobs(seed)
    labels[:1] = 7  # a singleton cluster gets s = 0
    np.testing.assert_allclose(
        gm.silhouette_samples(X, labels, chunk_size=50), skm.silhouette_samples(X, labels),
        rtol=1e-9, atol=1e-12,
    )  # fmt: skip
    assert gm.silhouette_score(X, labels) == pytest.approx(skm.silhouette_score(X, labels),
                                                           rel=1e-10)  # fmt: skip
    for metric in ("manhattan", "cosine"):
        np.testing.assert_allclose(
            gm.silhouette_samples(X, labels, metric={"manhattan": "cityblock"}.get(metric, metric)),
            skm.silhouette_samples(X, labels, metric=metric), rtol=1e-10, atol=1e-12,
        )  # fmt: skip
    D = skm.pairwise_distances(X)
    np.testing.assert_allclose(
        gm.silhouette_samples(D, labels, metric="precomputed"),
        skm.silhouette_samples(D, labels, metric="precomputed"), rtol=1e-12, atol=1e-14,
    )  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_davies_bouldin_calinski_harabasz(seed):
    X, labels = _blobs(seed)
    assert gm.davies_bouldin_score(X, labels) == pytest.approx(
        skm.davies_bouldin_score(X, labels), rel=1e-10
    )
    assert gm.calinski_harabasz_score(X, labels) == pytest.approx(
        skm.calinski_harabasz_score(X, labels), rel=1e-10
    )


def test_inertia_equals_kmeans():
    X, _ = _blobs(3)
    km = KMeans(n_clusters=4, n_init=2, random_state=0).fit(X)
    assert gm.inertia(X, km.labels_, km.cluster_centers_) == pytest.approx(km.inertia_, rel=1e-8)
    # with the cluster means as centres, inertia equals the within-cluster dispersion
    assert gm.inertia(X, km.labels_) <= gm.inertia(X, km.labels_, km.cluster_centers_) + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40))
def test_external_properties(pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    ari = gm.adjusted_rand_score(a, b)
    assert ari == pytest.approx(gm.adjusted_rand_score(b, a), abs=1e-12)  # symmetric
    assert ari <= 1.0 + 1e-12
    assert 0.0 <= gm.rand_score(a, b) <= 1.0
    nmi = gm.normalized_mutual_info_score(a, b)
    assert -1e-12 <= nmi <= 1.0 + 1e-12
    assert nmi == pytest.approx(gm.normalized_mutual_info_score(b, a), abs=1e-12)
    perm = np.array([3, 0, 2, 1])  # renaming the clusters changes nothing
    assert gm.adjusted_rand_score(a, perm[b]) == pytest.approx(ari, abs=1e-12)
    assert gm.adjusted_rand_score(a, a) == 1.0


def test_bad_inputs():
    X, labels = _blobs(0, n=20)
    with pytest.raises(ValueError, match="Number of labels is 1"):
        gm.silhouette_score(X, np.zeros(20))
    with pytest.raises(ValueError, match="Number of labels is 20"):
        gm.davies_bouldin_score(X, np.arange(20))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.calinski_harabasz_score(X, labels[:-1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.adjusted_rand_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="average_method"):
        gm.normalized_mutual_info_score([0, 1], [0, 1], average_method="median")
    with pytest.raises(ValueError, match="square"):
        gm.silhouette_samples(np.zeros((4, 3)), [0, 0, 1, 1], metric="precomputed")
    with pytest.raises(ValueError, match="NaN"):
        gm.silhouette_score(np.full((4, 2), np.nan), [0, 0, 1, 1])
