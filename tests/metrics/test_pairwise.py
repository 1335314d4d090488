"""glassml.metrics.pairwise against sklearn.metrics.pairwise / SciPy (Inventory: NC-05;
claims CL-077, CL-078)."""

import numpy as np
import pytest
import sklearn.metrics.pairwise as skp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist
from sklearn.datasets import load_iris, load_wine

from glassml.metrics import pairwise as gp


def _datasets():
    rng = np.random.default_rng(0)
    iris = load_iris().data
    wine = load_wine().data
    wide = rng.normal(size=(20, 300))
    big = 1e3 + rng.normal(size=(40, 6))  # large offsets: cancellation in the GEMM identity
    ints = rng.integers(-5, 5, size=(30, 4)).astype(float)  # duplicate rows, exact zeros
    return {
        "iris": (iris[:70], iris[70:]),
        "wine": (wine[:90], wine[90:]),
        "wide": (wide[:12], wide[12:]),
        "offset": (big[:25], big[25:]),
        "ints": (ints[:15], ints[15:]),
    }


DATASETS = _datasets()

PAIRS = [
    ("euclidean_distances", {}),
    ("euclidean_distances", {"squared": True}),
    ("manhattan_distances", {}),
    ("cosine_similarity", {}),
    ("cosine_distances", {}),
    ("linear_kernel", {}),
    ("polynomial_kernel", {}),
    ("polynomial_kernel", {"degree": 2, "gamma": 0.3, "coef0": 0.5}),
    ("rbf_kernel", {}),
    ("rbf_kernel", {"gamma": 0.01}),
    ("sigmoid_kernel", {"gamma": 0.01, "coef0": 0.2}),
    ("laplacian_kernel", {"gamma": 0.05}),
]


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("name, kw", PAIRS, ids=[f"{n}-{k}" for n, k in PAIRS])
def test_matches_sklearn(name, kw, data):
    X, Y = DATASETS[data]
    ours = getattr(gp, name)
    ref = getattr(skp, name)
    np.testing.assert_allclose(ours(X, Y, **kw), ref(X, Y, **kw), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours(X, **kw), ref(X, **kw), rtol=1e-12, atol=1e-12)


def test_euclidean_self_distances_exact_zero_and_clipped():
    X = 1e4 + np.random.default_rng(1).normal(size=(50, 3))
    D = gp.euclidean_distances(X)
    assert np.all(np.diag(D) == 0.0)
    assert np.all(D >= 0)
    np.testing.assert_allclose(D, cdist(X, X), rtol=1e-6, atol=1e-8)


def test_euclidean_float32_kept_and_accurate():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 5)).astype(np.float32)
    Y = rng.normal(size=(20, 5)).astype(np.float32)
    D = gp.euclidean_distances(X, Y)
    assert D.dtype == np.float32
    np.testing.assert_allclose(D, skp.euclidean_distances(X, Y), rtol=1e-6)


def test_precomputed_norms():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(10, 4)), rng.normal(size=(7, 4))
    D = gp.euclidean_distances(X, Y, X_norm_squared=(X**2).sum(1), Y_norm_squared=(Y**2).sum(1))
    np.testing.assert_allclose(D, cdist(X, Y), rtol=1e-12)


@pytest.mark.parametrize("p", [1, 1.5, 3, np.inf])
def test_minkowski_matches_scipy(p):
    X, Y = DATASETS["wine"]
    expected = cdist(X, Y, "chebyshev") if np.isinf(p) else cdist(X, Y, "minkowski", p=p)
    np.testing.assert_allclose(gp.minkowski_distances(X, Y, p=p), expected, rtol=1e-12)
    np.testing.assert_allclose(
        gp.pairwise_distances(X, Y, metric="minkowski", p=p), expected, rtol=1e-12
    )


def test_weighted_minkowski_matches_scipy():
    X, Y = DATASETS["iris"]
    w = np.array([0.5, 1.0, 2.0, 0.1])
    np.testing.assert_allclose(
        gp.minkowski_distances(X, Y, p=3, w=w), cdist(X, Y, "minkowski", p=3, w=w), rtol=1e-12
    )


def test_manhattan_chunked_matches_scipy(monkeypatch):
    monkeypatch.setattr(gp, "_CHUNK_BYTES", 64)  # forces one row per chunk
    X, Y = DATASETS["wine"]
    np.testing.assert_allclose(gp.manhattan_distances(X, Y), cdist(X, Y, "cityblock"), rtol=1e-12)


def test_nan_euclidean_matches_sklearn():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 6))
    Y = rng.normal(size=(25, 6))
    X[rng.random(X.shape) < 0.25] = np.nan
    Y[rng.random(Y.shape) < 0.25] = np.nan
    X[0] = np.nan  # a row with nothing present: NaN distances
    for args in [(X, Y), (X,)]:
        ours = gp.nan_euclidean_distances(*args)
        ref = skp.nan_euclidean_distances(*args)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(
        gp.nan_euclidean_distances(X, Y, squared=True),
        skp.nan_euclidean_distances(X, Y, squared=True),
        rtol=1e-12,
        atol=1e-12,
        equal_nan=True,
    )


@pytest.mark.parametrize(
    "metric", ["euclidean", "l2", "manhattan", "cityblock", "l1", "cosine", "sqeuclidean"]
)
def test_pairwise_distances_dispatch(metric):
    X, Y = DATASETS["iris"]
    np.testing.assert_allclose(
        gp.pairwise_distances(X, Y, metric=metric),
        skp.pairwise_distances(X, Y, metric=metric),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "metric", ["linear", "poly", "polynomial", "rbf", "sigmoid", "laplacian", "cosine"]
)
def test_pairwise_kernels_dispatch(metric):
    X, Y = DATASETS["iris"]
    np.testing.assert_allclose(
        gp.pairwise_kernels(X, Y, metric=metric),
        skp.pairwise_kernels(X, Y, metric=metric),
        rtol=1e-12,
        atol=1e-12,
    )


def test_callable_metric_and_kernel():
    X, Y = DATASETS["iris"]
    X, Y = X[:5], Y[:4]

    def chebyshev(a, b):
        return np.abs(a - b).max()

    np.testing.assert_allclose(
        gp.pairwise_distances(X, Y, metric=chebyshev), cdist(X, Y, "chebyshev"), rtol=1e-12
    )
    np.testing.assert_allclose(
        gp.pairwise_kernels(X, Y, metric=lambda a, b: a @ b), X @ Y.T, rtol=1e-12
    )


def test_precomputed():
    D = cdist(DATASETS["iris"][0], DATASETS["iris"][0])
    assert gp.pairwise_distances(D, metric="precomputed") is not None
    np.testing.assert_array_equal(gp.pairwise_distances(D, metric="precomputed"), D)
    with pytest.raises(ValueError, match="non-negative"):
        gp.pairwise_distances(-D - 1, metric="precomputed")


def test_cosine_seed_example_cl077():
    # CL-077: cos([1,2,3],[4,5,6]) = 32 / (sqrt(14) sqrt(77)) = 0.974632
    value = gp.cosine_similarity_vec([1, 2, 3], [4, 5, 6])
    assert value == pytest.approx(32 / np.sqrt(14 * 77), rel=1e-15)
    assert round(value, 6) == 0.974632
    assert gp.cosine_similarity_vec([1, 0], [0, 3]) == 0.0
    assert gp.cosine_similarity_vec([1, 2], [-2, -4]) == pytest.approx(-1.0)
    np.testing.assert_allclose(
        gp.cosine_similarity([[1, 2, 3]], [[4, 5, 6]]),
        skp.cosine_similarity([[1, 2, 3]], [[4, 5, 6]]),
    )


def test_cosine_length_invariance_cl078():
    doc = np.array([[3.0, 0.0, 1.0, 2.0]])
    tripled = 3 * doc
    assert gp.cosine_similarity(doc, tripled)[0, 0] == pytest.approx(1.0, abs=1e-15)
    assert gp.euclidean_distances(doc, tripled)[0, 0] == pytest.approx(2 * np.linalg.norm(doc))


def test_cosine_zero_rows_have_zero_similarity():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(gp.cosine_similarity(X), skp.cosine_similarity(X))


# ------------------------------------------------------------------ properties
# values on a 0.01 grid: squares of tiny floats (~1e-160) would underflow to subnormals, where
# no norm-based formula (scikit-learn's included) keeps its relative accuracy
finite = st.integers(-10_000, 10_000).map(lambda v: v / 100.0)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 4)), elements=finite))
def test_distance_properties(X):
    D = gp.euclidean_distances(X)
    assert np.all(D >= 0) and np.all(np.diag(D) == 0)
    np.testing.assert_allclose(D, D.T, atol=1e-9)
    M = gp.manhattan_distances(X)
    # ‖·‖₂ <= ‖·‖₁ (up to the rounding of the GEMM identity)
    assert np.all(D <= M + 1e-6 * (1 + M))
    S = gp.cosine_similarity(X)
    assert np.all(S <= 1 + 1e-12) and np.all(S >= -1 - 1e-12)


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.just(3)), elements=finite),
    st.floats(0.1, 10),
)
def test_cosine_scale_invariance(X, scale):
    Y = X + 1.0  # rows away from zero most of the time
    np.testing.assert_allclose(
        gp.cosine_similarity(X, Y), gp.cosine_similarity(scale * X, Y), atol=1e-9
    )


# ------------------------------------------------------------------ bad input
def test_bad_inputs():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="Incompatible dimension"):
        gp.euclidean_distances(X, np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        gp.euclidean_distances(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="metric"):
        gp.pairwise_distances(X, metric="hamming-ish")
    with pytest.raises(ValueError, match="metric"):
        gp.pairwise_kernels(X, metric="rbff")
    with pytest.raises(ValueError, match="p: expected a number >= 1"):
        gp.minkowski_distances(X, p=0.5)
    with pytest.raises(ValueError, match="w: expected 2"):
        gp.minkowski_distances(X, p=2, w=[1.0])
    with pytest.raises(ValueError, match="zero vector"):
        gp.cosine_similarity_vec([0, 0], [1, 2])
    with pytest.raises(ValueError, match="same length"):
        gp.cosine_similarity_vec([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="1-D array"):
        gp.cosine_similarity([1.0, 2.0])
    with pytest.raises(TypeError, match="sparse"):
        from scipy import sparse

        gp.linear_kernel(sparse.csr_matrix(X))
