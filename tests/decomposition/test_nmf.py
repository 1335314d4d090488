"""NMF against scikit-learn from the same initial W, H (DR-10)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.decomposition import NMF as SkNMF
from sklearn.decomposition._nmf import _beta_divergence as sk_beta_divergence
from sklearn.decomposition._nmf import _initialize_nmf as sk_initialize_nmf
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

from glassml._core import ConvergenceWarning
from glassml._core.testing import sklearn_contract
from glassml.decomposition import NMF, beta_divergence, initialize_nmf


def _topics(n=80, p=30, k=4, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.gamma(0.5, size=(n, k))
    H = rng.gamma(0.5, size=(k, p))
    return rng.poisson(5 * W @ H).astype(float) + 0.01


DATA = {
    "topics": _topics,
    "digits": lambda: datasets.load_digits().data[:300] + 0.01,
    "abs_normal": lambda: np.abs(np.random.default_rng(1).normal(size=(50, 12))) + 0.01,
}

CASES = [
    ("cd", "frobenius", 0.0, 0.0),
    ("cd", "frobenius", 0.05, 0.5),
    ("mu", "frobenius", 0.0, 0.0),
    ("mu", "frobenius", 0.05, 0.0),
    ("mu", "kullback-leibler", 0.0, 0.0),
    ("mu", "kullback-leibler", 0.01, 0.0),
    ("mu", "itakura-saito", 0.0, 0.0),
    ("mu", 1.5, 0.0, 0.0),
    ("mu", 3.0, 0.0, 0.0),
]


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("solver, beta, alpha, l1_ratio", CASES)
def test_matches_sklearn_from_custom_init(name, solver, beta, alpha, l1_ratio):
    X = DATA[name]()
    k = 4
    W0, H0 = sk_initialize_nmf(X, k, init="nndsvda", random_state=0)
    kw = dict(
        n_components=k,
        init="custom",
        solver=solver,
        beta_loss=beta,
        alpha_W=alpha,
        l1_ratio=l1_ratio,
        max_iter=150,
        tol=1e-4,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, SkConvergenceWarning))
        ours, ref = NMF(**kw), SkNMF(**kw)
        W = ours.fit_transform(X, W=W0.copy(), H=H0.copy())
        W_ref = ref.fit_transform(X, W=W0.copy(), H=H0.copy())
        assert ours.n_iter_ == ref.n_iter_
        np.testing.assert_allclose(ours.reconstruction_err_, ref.reconstruction_err_, rtol=1e-10)
        np.testing.assert_allclose(W, W_ref, rtol=1e-8, atol=1e-10 * np.abs(W_ref).max())
        np.testing.assert_allclose(ours.components_, ref.components_, rtol=1e-8, atol=1e-10)
        # scikit-learn's KL transform adds the l1 term to a cached array on every
        # iteration (a bug); we compare transforms only where its transform is sound
        if not (beta == "kullback-leibler" and l1_ratio * alpha > 0):
            T, T_ref = ours.transform(X[:20]), ref.transform(X[:20])
            np.testing.assert_allclose(T, T_ref, rtol=1e-7, atol=1e-9 * np.abs(T_ref).max())
    np.testing.assert_allclose(ours.inverse_transform(W), W @ ours.components_)


@pytest.mark.parametrize("beta", ["frobenius", "kullback-leibler", "itakura-saito", 0.5, 1.5, 3])
def test_beta_divergence_matches_sklearn(beta):
    rng = np.random.default_rng(0)
    X = np.abs(rng.normal(size=(10, 7))) + 0.1
    W, H = np.abs(rng.normal(size=(10, 3))), np.abs(rng.normal(size=(3, 7)))
    for sq in (False, True):
        np.testing.assert_allclose(
            beta_divergence(X, W, H, beta, square_root=sq),
            sk_beta_divergence(X, W, H, beta, square_root=sq),
            rtol=1e-12,
        )


@pytest.mark.parametrize("init", ["nndsvd", "nndsvda"])
def test_nndsvd_init_close_to_sklearn(init):
    """Both inits come from a randomized SVD with 4 power iterations and different random
    draws, so they agree to the accuracy of that SVD (~1e-5 relative here), not to round-off."""
    X = _topics(k=3)
    W, H = initialize_nmf(X, 3, init=init, random_state=0)
    W_ref, H_ref = sk_initialize_nmf(X, 3, init=init, random_state=0)
    np.testing.assert_allclose(W, W_ref, atol=5e-5 * np.abs(W_ref).max())
    np.testing.assert_allclose(H, H_ref, atol=5e-5 * np.abs(H_ref).max())


def test_default_fit_reaches_sklearn_error():
    X = _topics()
    ours = NMF(n_components=4, max_iter=500, random_state=0).fit(X)
    ref = SkNMF(n_components=4, max_iter=500, random_state=0).fit(X)
    np.testing.assert_allclose(ours.reconstruction_err_, ref.reconstruction_err_, rtol=1e-3)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), solver=st.sampled_from(["cd", "mu"]))
def test_factors_non_negative_and_error_below_init(seed, solver):
    rng = np.random.default_rng(seed)
    X = np.abs(rng.normal(size=(15, 8)))
    W0, H0 = initialize_nmf(X, 3, init="random", random_state=seed)
    model = NMF(3, init="custom", solver=solver, max_iter=50, tol=0.0)
    W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
    assert (W >= 0).all() and (model.components_ >= 0).all()
    assert model.reconstruction_err_ <= beta_divergence(X, W0, H0, 2, square_root=True) + 1e-12


def test_bad_input():
    X = np.abs(np.random.default_rng(0).normal(size=(10, 5)))
    with pytest.raises(ValueError, match="Negative values in data passed to NMF"):
        NMF(2).fit(X - 1.0)
    with pytest.raises(ValueError, match="beta_loss: solver 'cd'"):
        NMF(2, beta_loss="kullback-leibler").fit(X)
    with pytest.raises(ValueError, match="init"):
        NMF(2, init="svd").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        NMF(0).fit(X)
    with pytest.raises(ValueError, match="init='custom' needs both W and H"):
        NMF(2, init="custom").fit(X)
    with pytest.raises(ValueError, match="H: expected shape"):
        NMF(2, init="custom").fit(X, W=np.ones((10, 2)), H=np.ones((3, 5)))
    with pytest.raises(ValueError, match="nndsvd"):
        NMF(8, init="nndsvd").fit(X)
    with pytest.raises(ValueError, match="beta_loss <= 0 and X contains zeros"):
        NMF(2, solver="mu", beta_loss="itakura-saito").fit(np.eye(4))
    with pytest.raises(ValueError, match="NaN"):
        NMF(2).fit(np.full((3, 3), np.nan))
    with pytest.warns(ConvergenceWarning, match="Maximum number of iterations"):
        NMF(2, max_iter=1, init="random", random_state=0).fit(X)


@sklearn_contract(
    [
        NMF(n_components=1, max_iter=500, random_state=0),
        NMF(n_components=2, init="random", random_state=0, max_iter=300),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
