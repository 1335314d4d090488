"""PCA against scikit-learn: components (same signs), variances, transforms (DR-01..DR-05)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.decomposition import PCA as SkPCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.decomposition import PCA


def _low_rank(n=200, p=30, rank=5, noise=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, rank)) @ rng.normal(size=(rank, p)) + noise * rng.normal(size=(n, p))


def _ill_conditioned(n=300, p=8, seed=1):
    rng = np.random.default_rng(seed)
    scales = np.logspace(-4, 4, p)  # condition number of the covariance ~1e16
    return rng.normal(size=(n, p)) * scales + 100.0


def _high_dim(n=40, p=300, seed=2):
    return np.random.default_rng(seed).normal(size=(n, p))


DATASETS = {
    "iris": lambda: datasets.load_iris().data,
    "wine": lambda: datasets.load_wine().data,
    "diabetes": lambda: datasets.load_diabetes().data,
    "breast_cancer": lambda: datasets.load_breast_cancer().data,
    "low_rank": _low_rank,
    "ill_conditioned": _ill_conditioned,
    "high_dim": _high_dim,
}


def _assert_same_fit(ours, ref, X, *, rtol):
    ev0 = ref.explained_variance_[0]
    assert ours.n_components_ == ref.n_components_
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        ours.explained_variance_, ref.explained_variance_, rtol=rtol, atol=rtol * ev0
    )
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=rtol, atol=rtol
    )
    np.testing.assert_allclose(
        ours.noise_variance_, ref.noise_variance_, rtol=1e-8, atol=rtol * ev0
    )
    # compare the well-determined components: eigh of the covariance resolves eigenvalues
    # only to ~eps·λ₀ in absolute terms, so near-null directions are left out there
    good = ref.explained_variance_ > (1e-8 if rtol < 1e-9 else 1e-6) * ev0
    np.testing.assert_allclose(ours.components_[good], ref.components_[good], atol=1e-8)
    np.testing.assert_allclose(ours.singular_values_[good], ref.singular_values_[good], rtol=rtol)
    Z, Z_ref = ours.transform(X), ref.transform(X)
    scale = np.abs(Z_ref).max()
    np.testing.assert_allclose(Z[:, good], Z_ref[:, good], atol=1e-8 * scale)
    X_back = ours.inverse_transform(Z)
    np.testing.assert_allclose(X_back, ref.inverse_transform(Z_ref), atol=1e-8 * np.abs(X).max())


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("solver", ["full", "covariance_eigh"])
@pytest.mark.parametrize("n_components", [None, 2, 0.85])
def test_matches_sklearn_exact_solvers(name, solver, n_components):
    X = DATASETS[name]()
    ours = PCA(n_components=n_components, svd_solver=solver).fit(X)
    ref = SkPCA(n_components=n_components, svd_solver=solver).fit(X)
    # full: same LAPACK SVD, agreement to round-off; covariance_eigh: eigh of XᵀX, whose
    # small eigenvalues carry the absolute round-off of the largest.
    _assert_same_fit(ours, ref, X, rtol=1e-10 if solver == "full" else 1e-9)


@pytest.mark.parametrize("name", ["iris", "wine", "diabetes", "low_rank"])
def test_eig_and_svd_agree_and_equal_sklearn_1e10(name):
    """CL-046: the covariance eigendecomposition and the SVD give the same PCA."""
    X = DATASETS[name]()
    eig = PCA(n_components=3, svd_solver="covariance_eigh").fit(X)
    svd = PCA(n_components=3, svd_solver="full").fit(X)
    ref = SkPCA(n_components=3, svd_solver="full").fit(X)
    np.testing.assert_allclose(eig.explained_variance_, svd.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(svd.explained_variance_, ref.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(eig.components_, ref.components_, atol=1e-10)
    np.testing.assert_allclose(svd.components_, ref.components_, atol=1e-12)


@pytest.mark.parametrize("name", ["wine", "breast_cancer", "high_dim"])
def test_mle_matches_sklearn(name):
    X = DATASETS[name]()
    if X.shape[0] < X.shape[1]:
        with pytest.raises(ValueError, match="mle"):
            PCA(n_components="mle").fit(X)
        return
    ours = PCA(n_components="mle", svd_solver="full").fit(X)
    ref = SkPCA(n_components="mle", svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    np.testing.assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-10)


@pytest.mark.parametrize("solver", ["full", "covariance_eigh", "randomized"])
def test_whiten_and_fit_transform_match_sklearn(solver):
    X = _low_rank(p=20, noise=0.1)
    kwargs = {"n_components": 4, "svd_solver": solver, "whiten": True}
    if solver == "randomized":
        kwargs.update(iterated_power=15, random_state=0)
    ours, ref = PCA(**kwargs), SkPCA(**kwargs)
    Z, Z_ref = ours.fit_transform(X), ref.fit_transform(X)
    np.testing.assert_allclose(Z, Z_ref, atol=1e-8)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(4), atol=1e-8)  # whitened: identity covariance
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z_ref), atol=1e-8)
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-8)


@pytest.mark.parametrize("name", ["iris", "wine", "diabetes"])
def test_score_matches_sklearn(name):
    X = DATASETS[name]()
    ours, ref = PCA(n_components=2).fit(X), SkPCA(n_components=2).fit(X)
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(ours.get_covariance(), ref.get_covariance(), atol=1e-10)
    np.testing.assert_allclose(ours.get_precision(), ref.get_precision(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.score(X), ref.score(X), rtol=1e-10)


@pytest.mark.parametrize(
    "shape, n_components",
    [
        ((2000, 50), 5),
        ((300, 100), 5),
        ((600, 700), 10),
        ((600, 700), 600),
        ((600, 700), 0.5),
        ((100, 20), None),
        ((550, 60), "mle"),
        ((550, 60), 5),
    ],
)
def test_auto_solver_policy_equals_sklearn(shape, n_components):
    X = np.random.default_rng(0).normal(size=shape)
    ours = PCA(n_components=n_components, random_state=0).fit(X)
    ref = SkPCA(n_components=n_components, random_state=0).fit(X)
    assert ours._fit_svd_solver == ref._fit_svd_solver


@pytest.mark.parametrize("name", ["low_rank", "breast_cancer", "diabetes"])
def test_randomized_close_to_exact(name):
    X = DATASETS[name]()
    k = 3
    ours = PCA(n_components=k, svd_solver="randomized", iterated_power=20, random_state=0).fit(X)
    exact = SkPCA(n_components=k, svd_solver="full").fit(X)
    ref = SkPCA(n_components=k, svd_solver="randomized", random_state=0).fit(X)
    np.testing.assert_allclose(ours.explained_variance_, exact.explained_variance_, rtol=1e-6)
    np.testing.assert_allclose(ours.components_, exact.components_, atol=1e-4)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-4
    )
    np.testing.assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-4)


def test_float32_preserved():
    X = _low_rank().astype(np.float32)
    for solver in ["full", "covariance_eigh", "randomized"]:
        pca = PCA(n_components=3, svd_solver=solver, random_state=0).fit(X)
        assert pca.components_.dtype == np.float32
        assert pca.transform(X).dtype == np.float32
        ref = SkPCA(n_components=3, svd_solver="full").fit(X.astype(np.float64))
        np.testing.assert_allclose(pca.explained_variance_, ref.explained_variance_, rtol=1e-3)


def test_labels_are_ignored():
    """CL-050: PCA is unsupervised; y changes nothing."""
    X, y = datasets.load_wine(return_X_y=True)
    a = PCA(n_components=3).fit(X, y).components_
    b = PCA(n_components=3).fit(X, np.random.default_rng(0).permutation(y)).components_
    np.testing.assert_array_equal(a, b)


def test_standardise_through_pipeline():
    """DR-04: standardisation is a pipeline step, not a PCA option."""
    X = datasets.load_wine().data
    ours = make_pipeline(StandardScaler(), PCA(n_components=2)).fit(X)
    ref = make_pipeline(StandardScaler(), SkPCA(n_components=2)).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(3, 30),
    p=st.integers(1, 12),
    seed=st.integers(0, 2**16),
    solver=st.sampled_from(["full", "covariance_eigh"]),
)
def test_properties(n, p, seed, solver):
    X = np.random.default_rng(seed).normal(size=(n, p)) * 3 + 1
    pca = PCA(svd_solver=solver).fit(X)
    V = pca.components_
    k = pca.n_components_
    assert k == min(n, p)
    good = pca.explained_variance_ > 1e-9 * pca.explained_variance_[0]
    np.testing.assert_allclose(V[good] @ V[good].T, np.eye(good.sum()), atol=1e-8)
    assert np.all(np.diff(pca.explained_variance_) <= 1e-9 * pca.explained_variance_[0])
    largest = V[np.arange(k), np.abs(V).argmax(1)]
    assert np.all(largest[good] > 0)  # svd_flip convention
    if k == p:  # all components kept: lossless round trip, total variance preserved
        np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-8)
        np.testing.assert_allclose(pca.explained_variance_ratio_.sum(), 1.0, rtol=1e-10)


# ---------------------------------------------------------------------------- bad input
def test_n_components_out_of_range_message():
    X = datasets.load_iris().data
    with pytest.raises(
        ValueError, match=r"n_components=20 must be between 0 and min\(n_samples, n_features\)=4"
    ):
        PCA(n_components=20).fit(X)
    with pytest.raises(ValueError, match=r"n_components=5 must be between 1 and min"):
        PCA(n_components=5, svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        PCA(n_components=0.5, svd_solver="randomized").fit(X)


@pytest.mark.parametrize(
    "params, err, match",
    [
        ({"n_components": -1}, ValueError, "n_components"),
        ({"n_components": 1.5}, ValueError, "n_components"),
        ({"n_components": "all"}, ValueError, "n_components"),
        ({"n_components": True}, TypeError, "n_components"),
        ({"svd_solver": "arpack"}, ValueError, "svd_solver"),
        ({"iterated_power": -2}, ValueError, "iterated_power"),
        ({"n_oversamples": 0}, ValueError, "n_oversamples"),
        ({"power_iteration_normalizer": "lu"}, ValueError, "power_iteration_normalizer"),
        ({"whiten": "yes"}, TypeError, "whiten"),
    ],
)
def test_bad_parameters(params, err, match):
    with pytest.raises(err, match=match):
        PCA(**params).fit(datasets.load_iris().data)


def test_bad_data():
    import scipy.sparse as sp

    X = datasets.load_iris().data.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        PCA().fit(X)
    with pytest.raises(TypeError, match="sparse"):
        PCA().fit(sp.csr_matrix(np.eye(5)))
    with pytest.raises(ValueError, match="could not convert"):
        PCA().fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(ValueError, match="n_samples=1"):
        PCA().fit(np.ones((1, 3)))
    pca = PCA(n_components=2)
    with pytest.raises(NotFittedError):
        pca.transform(np.ones((2, 4)))
    pca.fit(datasets.load_iris().data)
    with pytest.raises(ValueError, match="4 features"):
        pca.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n_components_=2"):
        pca.inverse_transform(np.ones((2, 3)))


@sklearn_contract(
    [
        PCA(),
        PCA(n_components=2, svd_solver="randomized", random_state=0),
        PCA(n_components=0.9, svd_solver="full"),
        PCA(svd_solver="covariance_eigh", whiten=True),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
