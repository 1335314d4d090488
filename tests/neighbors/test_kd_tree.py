"""glassml.neighbors.KDTree against sklearn.neighbors.KDTree and brute force (Inventory: NC-04)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.neighbors import KDTree as SkKDTree

from glassml.neighbors import KDTree

METRICS = [("euclidean", 2), ("manhattan", 1), ("minkowski", 3), ("chebyshev", 2)]


@pytest.mark.parametrize("metric, p", METRICS)
@pytest.mark.parametrize(
    "n, d, k, leaf_size", [(1000, 3, 5, 40), (3000, 2, 12, 8), (37, 4, 37, 5), (1, 2, 1, 40)]
)
def test_query_matches_sklearn(metric, p, n, d, k, leaf_size):
    rng = np.random.default_rng(n + d)
    X = rng.normal(size=(n, d))
    Q = rng.normal(size=(200, d))
    ours = KDTree(X, leaf_size=leaf_size, metric=metric, p=p)
    sk_kw = {"p": p} if metric == "minkowski" else {}
    ref = SkKDTree(X, leaf_size=leaf_size, metric=metric, **sk_kw)
    d1, i1 = ours.query(Q, k)
    d2, i2 = ref.query(Q, k)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_allclose(d1, d2, rtol=1e-12)
    r = 0.8
    ind1, dist1 = ours.query_radius(Q, r, return_distance=True, sort_results=True)
    ind2, dist2 = ref.query_radius(Q, r, return_distance=True, sort_results=True)
    for a, b, da, db in zip(ind1, ind2, dist1, dist2, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(da, db, rtol=1e-12)
    np.testing.assert_array_equal(
        ours.query_radius(Q, r, count_only=True), ref.query_radius(Q, r, count_only=True)
    )


def test_query_radius_per_query_radii_and_unsorted():
    rng = np.random.default_rng(5)
    X, Q = rng.uniform(size=(500, 2)), rng.uniform(size=(50, 2))
    radii = rng.uniform(0.01, 0.2, size=50)
    got = KDTree(X, leaf_size=10).query_radius(Q, radii)
    D = cdist(Q, X)
    for q in range(50):
        np.testing.assert_array_equal(np.sort(got[q]), np.flatnonzero(D[q] <= radii[q]))


def test_sorted_structure_of_tree():
    X = np.random.default_rng(6).normal(size=(1000, 3))
    tree = KDTree(X, leaf_size=20)
    # every point lies inside the box of its leaf, leaves hold leaf_size..2 leaf_size points
    sizes = (tree._leaf_points >= 0).sum(axis=1)
    assert sizes.min() >= 20 and sizes.max() <= 40
    assert np.array_equal(np.sort(tree.idx_array), np.arange(1000))
    leaves = tree._leaf_first + np.arange(tree._leaf_points.shape[0])
    for leaf, pts in zip(leaves, tree._leaf_points, strict=True):
        P = X[pts[pts >= 0]]
        assert np.all(P >= tree.node_lo[leaf]) and np.all(P <= tree.node_hi[leaf])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 120),
    d=st.integers(1, 4),
    k=st.integers(1, 6),
    leaf=st.integers(1, 12),
    seed=st.integers(0, 10_000),
)
def test_query_equals_brute_force(n, d, k, leaf, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Q = rng.normal(size=(7, d))
    k = min(k, n)
    dist, ind = KDTree(X, leaf_size=leaf).query(Q, k)
    D = cdist(Q, X)
    np.testing.assert_allclose(dist, np.sort(D, axis=1)[:, :k], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.take_along_axis(D, ind, 1), dist, rtol=1e-12, atol=1e-12)


def test_duplicates_and_integer_grid():
    X = np.repeat(np.arange(10.0)[:, None], 5, axis=0)  # every point five times
    dist, ind = KDTree(X, leaf_size=3).query([[3.2]], k=5)
    np.testing.assert_allclose(dist, 0.2)
    assert set(X[ind[0], 0]) == {3.0}


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="k: expected k <= n_samples_fit = 10"):
        KDTree(X).query(X, k=11)
    with pytest.raises(ValueError, match="expected 2 features"):
        KDTree(X).query(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="metric"):
        KDTree(X, metric="cosine")
    with pytest.raises(ValueError, match="leaf_size"):
        KDTree(X, leaf_size=0)
    with pytest.raises(ValueError, match="NaN"):
        KDTree(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="r: expected finite non-negative"):
        KDTree(X).query_radius(X, -1.0)
    with pytest.raises(ValueError, match="p: expected a number >= 1"):
        KDTree(X, metric="minkowski", p=0.5)
