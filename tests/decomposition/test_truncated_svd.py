"""TruncatedSVD, randomized_svd, svd_flip, low-rank approximation against scikit-learn/SciPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg
from sklearn import datasets
from sklearn.decomposition import TruncatedSVD as SkTruncatedSVD
from sklearn.utils.extmath import randomized_svd as sk_randomized_svd
from sklearn.utils.extmath import svd_flip as sk_svd_flip

from glassml._core.testing import sklearn_contract
from glassml.decomposition import (
    TruncatedSVD,
    compress_image,
    low_rank_approximation,
    randomized_range_finder,
    randomized_svd,
    svd_flip,
)


def _decaying(m=120, n=80, seed=0):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(m, n)))
    V, _ = np.linalg.qr(rng.normal(size=(n, n)))
    s = 0.7 ** np.arange(n)  # fast spectral decay
    return (U * s) @ V.T


DATA = {
    "digits": lambda: datasets.load_digits().data,
    "wine": lambda: datasets.load_wine().data,
    "counts": lambda: np.random.default_rng(3).poisson(1.5, size=(200, 40)).astype(float),
    "decaying": _decaying,
}


@pytest.mark.parametrize("name", sorted(DATA))
def test_full_matches_sklearn_arpack(name):
    X = DATA[name]()
    k = 4
    ours = TruncatedSVD(n_components=k, algorithm="full")
    ref = SkTruncatedSVD(n_components=k, algorithm="arpack", tol=0.0, random_state=0)
    Z, Z_ref = ours.fit_transform(X), ref.fit_transform(X)
    np.testing.assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)
    np.testing.assert_allclose(ours.components_, ref.components_, atol=1e-8)
    np.testing.assert_allclose(Z, Z_ref, atol=1e-8 * np.abs(Z_ref).max())
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-8
    )
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=1e-8 * np.abs(X).max())
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z_ref), atol=1e-7)


@pytest.mark.parametrize("name", ["digits", "decaying", "wine"])
def test_randomized_matches_sklearn_randomized(name):
    X = DATA[name]()
    ours = TruncatedSVD(n_components=3, n_iter=10, random_state=0).fit(X)
    ref = SkTruncatedSVD(n_components=3, n_iter=10, random_state=0).fit(X)
    np.testing.assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-6)
    np.testing.assert_allclose(ours.components_, ref.components_, atol=1e-4)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-4
    )


@pytest.mark.parametrize("normalizer", ["auto", "QR", "LU", "none"])
@pytest.mark.parametrize("shape", [(120, 80), (80, 120)])
def test_randomized_svd_equals_exact_on_decaying_spectrum(normalizer, shape):
    A = _decaying(*shape) if shape[0] >= shape[1] else _decaying(*shape[::-1]).T
    k = 6
    U, s, Vt = randomized_svd(A, k, n_iter=6, power_iteration_normalizer=normalizer, random_state=0)
    U_e, s_e, Vt_e = linalg.svd(A, full_matrices=False)
    U_e, Vt_e = sk_svd_flip(U_e[:, :k], Vt_e[:k])
    # without re-normalisation the power iterations lose the trailing directions to round-off
    atol = 1e-5 if normalizer == "none" else 1e-8
    np.testing.assert_allclose(s, s_e[:k], rtol=1e-10)
    np.testing.assert_allclose(Vt, Vt_e, atol=atol)
    np.testing.assert_allclose(U, U_e, atol=atol)
    U_s, s_s, Vt_s = sk_randomized_svd(A, k, n_iter=6, random_state=0)
    np.testing.assert_allclose(s, s_s, rtol=1e-10)
    np.testing.assert_allclose(Vt, Vt_s, atol=atol)


def test_range_finder_spans_low_rank_range():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(60, 4)) @ rng.normal(size=(4, 30))
    Q = randomized_range_finder(A, size=4, n_iter=2, random_state=1)
    np.testing.assert_allclose(Q.T @ Q, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(Q @ (Q.T @ A), A, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 12), n=st.integers(1, 12), seed=st.integers(0, 10_000), u_based=st.booleans()
)
def test_svd_flip_equals_sklearn(m, n, seed, u_based):
    U, s, Vt = np.linalg.svd(np.random.default_rng(seed).normal(size=(m, n)), full_matrices=False)
    ours = svd_flip(U.copy(), Vt.copy(), u_based_decision=u_based)
    ref = sk_svd_flip(U.copy(), Vt.copy(), u_based_decision=u_based)
    np.testing.assert_array_equal(ours[0], ref[0])
    np.testing.assert_array_equal(ours[1], ref[1])


@settings(max_examples=30, deadline=None)
@given(m=st.integers(2, 15), n=st.integers(2, 15), seed=st.integers(0, 10_000))
def test_eckart_young(m, n, seed):
    """CL-051: ‖A − A_k‖_F = √Σ_{i>k} σ_i² and no random rank-k matrix does better."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, n))
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(min(m, n) + 1):
        A_k, err = low_rank_approximation(A, k, return_error=True)
        np.testing.assert_allclose(np.linalg.norm(A - A_k), np.sqrt(np.sum(s[k:] ** 2)), atol=1e-10)
        np.testing.assert_allclose(err, np.sqrt(np.sum(s[k:] ** 2)), atol=1e-10)
        assert np.linalg.matrix_rank(A_k) <= k
        B = rng.normal(size=(m, k)) @ rng.normal(size=(k, n))
        assert np.linalg.norm(A - B) >= err - 1e-10


def test_compress_image_ratio_and_psnr():
    digits = datasets.load_digits().images[:64]  # 8x8 digits tiled into a 64x64 mosaic
    mosaic = digits.reshape(8, 8, 8, 8).transpose(0, 2, 1, 3).reshape(64, 64)
    prev = -np.inf
    for k in (1, 4, 16, 64):
        out = compress_image(mosaic, k, data_range=16.0)
        assert out.image.shape == mosaic.shape
        np.testing.assert_allclose(out.compression_ratio, 64 * 64 / (k * 129))
        mse = np.mean((out.image - mosaic) ** 2)
        np.testing.assert_allclose(out.mse, mse)
        if mse > 0:
            np.testing.assert_allclose(out.psnr, 10 * np.log10(16.0**2 / mse))
        assert out.psnr >= prev  # quality never drops with rank
        prev = out.psnr
    rgb = np.stack([mosaic, mosaic.T, mosaic[::-1]], axis=-1)
    assert compress_image(rgb, 8).image.shape == (64, 64, 3)


# ---------------------------------------------------------------------------- bad input
def test_bad_input():
    import scipy.sparse as sp

    X = DATA["wine"]()
    with pytest.raises(ValueError, match="n_components=20 must be between 1 and n_features=13"):
        TruncatedSVD(n_components=20).fit(X)
    with pytest.raises(ValueError, match="n_components=200 must be between 1 and min"):
        TruncatedSVD(n_components=200, algorithm="full").fit(X)
    with pytest.raises(ValueError, match="algorithm"):
        TruncatedSVD(algorithm="arpack").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        TruncatedSVD(n_components=0).fit(X)
    with pytest.raises(TypeError, match="sparse"):
        TruncatedSVD().fit(sp.csr_matrix(X))
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TruncatedSVD().fit(X_nan)
    with pytest.raises(ValueError, match="n_components=9 must be between 1 and min"):
        randomized_svd(np.ones((5, 9)), 9)
    with pytest.raises(ValueError, match="power_iteration_normalizer"):
        randomized_svd(np.ones((5, 9)), 2, power_iteration_normalizer="qr")
    with pytest.raises(ValueError, match="k"):
        low_rank_approximation(np.ones((3, 4)), 4)
    with pytest.raises(ValueError, match="image"):
        compress_image(np.ones((2, 2, 2, 2)), 1)
    with pytest.raises(ValueError, match="data_range"):
        compress_image(np.ones((4, 4)), 1)


@sklearn_contract(
    [TruncatedSVD(n_components=1, random_state=0), TruncatedSVD(n_components=1, algorithm="full")]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
