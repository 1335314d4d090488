"""KernelPCA against scikit-learn (dense eigensolver): same eigenvalues, signs and projections."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn.decomposition import PCA as SkPCA
from sklearn.decomposition import KernelPCA as SkKernelPCA

from glassml._core.testing import sklearn_contract
from glassml.decomposition import KernelPCA

KERNELS = [
    {"kernel": "linear"},
    {"kernel": "rbf", "gamma": 0.1},
    {"kernel": "rbf"},
    {"kernel": "poly", "degree": 2, "gamma": 0.05, "coef0": 1.0},
    {"kernel": "cosine"},
]


@pytest.mark.parametrize("params", KERNELS)
@pytest.mark.parametrize("name", ["iris", "wine"])
@pytest.mark.parametrize("n_components", [3, None])
def test_matches_sklearn(params, name, n_components):
    X = getattr(datasets, f"load_{name}")().data
    if name == "wine":
        X = (X - X.mean(0)) / X.std(0)
    ours = KernelPCA(n_components=n_components, **params)
    ref = SkKernelPCA(n_components=n_components, eigen_solver="dense", **params)
    Z, Z_ref = ours.fit_transform(X), ref.fit_transform(X)
    lam0 = ref.eigenvalues_[0]
    assert ours.eigenvalues_.shape == ref.eigenvalues_.shape
    np.testing.assert_allclose(ours.eigenvalues_, ref.eigenvalues_, rtol=1e-10, atol=1e-10 * lam0)
    good = ref.eigenvalues_ > 1e-8 * lam0  # well-separated, well-determined components
    np.testing.assert_allclose(Z[:, good], Z_ref[:, good], atol=1e-8 * np.abs(Z_ref).max())
    T, T_ref = ours.transform(X[:40]), ref.transform(X[:40])
    np.testing.assert_allclose(T[:, good], T_ref[:, good], atol=1e-8 * np.abs(T_ref).max())


def test_linear_kernel_equals_pca_projection():
    X = datasets.load_iris().data
    Z = KernelPCA(n_components=3).fit_transform(X)
    Z_pca = SkPCA(n_components=3).fit_transform(X)
    np.testing.assert_allclose(np.abs(Z), np.abs(Z_pca), atol=1e-10)


def test_bad_input():
    X = datasets.load_iris().data
    with pytest.raises(ValueError, match="kernel"):
        KernelPCA(kernel="laplace").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        KernelPCA(n_components=0).fit(X)
    with pytest.raises(ValueError, match="not positive semi-definite"):
        KernelPCA(kernel="sigmoid", gamma=1.0, coef0=0.0).fit(
            np.random.default_rng(0).normal(size=(30, 3))
        )
    with pytest.raises(ValueError, match="4 features"):
        KernelPCA(n_components=2).fit(X).transform(X[:, :3])


@sklearn_contract([KernelPCA(n_components=2), KernelPCA(kernel="rbf")])
def test_sklearn_contract(estimator, check):
    check(estimator)
