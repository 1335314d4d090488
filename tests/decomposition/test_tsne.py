"""Exact t-SNE (DR-09) against scikit-learn's method="exact"."""

import numpy as np
import pytest
from scipy.optimize import check_grad
from scipy.spatial.distance import squareform
from sklearn import datasets
from sklearn.manifold import TSNE as SkTSNE
from sklearn.manifold import trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities, _kl_divergence
from sklearn.metrics import pairwise_distances

from glassml._core.testing import sklearn_contract
from glassml.decomposition import TSNE, joint_probabilities
from glassml.decomposition._tsne import _kl_and_gradient


@pytest.mark.parametrize("perplexity", [5.0, 30.0])
@pytest.mark.parametrize("name", ["iris", "wine"])
def test_joint_probabilities_match_sklearn(name, perplexity):
    X = getattr(datasets, f"load_{name}")().data
    P = joint_probabilities(X, perplexity)
    ref = squareform(_joint_probabilities(pairwise_distances(X, squared=True), perplexity, 0))
    # scikit-learn bisects on float32 distances and both stop when the entropy is within
    # 1e-5 nats of log(perplexity): rows agree to that accuracy (~1e-5 of max P), not to eps
    np.testing.assert_allclose(P, ref, atol=1e-5 * ref.max())
    np.testing.assert_allclose(P.sum(), 1.0, rtol=1e-9)  # plus the eps floors


@pytest.mark.parametrize("n_components", [2, 3])
def test_kl_and_gradient_match_sklearn(n_components):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    P = joint_probabilities(X, 10.0)
    Y = rng.normal(size=(40, n_components))
    dof = max(n_components - 1, 1)
    kl, grad = _kl_and_gradient(Y, P, dof)
    kl_ref, grad_ref = _kl_divergence(Y.ravel(), squareform(P, checks=False), dof, 40, n_components)
    np.testing.assert_allclose(kl, kl_ref, rtol=1e-10)
    np.testing.assert_allclose(grad.ravel(), grad_ref, rtol=1e-9, atol=1e-14)


def test_gradient_is_the_derivative_of_kl_in_2d():
    rng = np.random.default_rng(1)
    P = joint_probabilities(rng.normal(size=(25, 4)), 5.0)
    Y0 = rng.normal(size=(25, 2))

    def f(y):
        return _kl_and_gradient(y.reshape(25, 2), P, 1)[0]

    def g(y):
        return _kl_and_gradient(y.reshape(25, 2), P, 1)[1].ravel()

    assert check_grad(f, g, Y0.ravel()) < 1e-6 * np.linalg.norm(g(Y0.ravel()))


@pytest.mark.slow
def test_embedding_quality_close_to_sklearn():
    X = datasets.load_digits().data[:150]
    init = np.random.default_rng(0).normal(size=(len(X), 2)) * 1e-4
    ours = TSNE(init=init, perplexity=20.0, max_iter=500).fit(X)
    ref = SkTSNE(init=init.copy(), perplexity=20.0, method="exact", max_iter=500).fit(X)
    # the optimisation is chaotic, so embeddings differ; the objective and quality agree
    np.testing.assert_allclose(ours.kl_divergence_, ref.kl_divergence_, rtol=0.1)
    t_ours = trustworthiness(X, ours.embedding_, n_neighbors=10)
    t_ref = trustworthiness(X, ref.embedding_, n_neighbors=10)
    assert t_ours > 0.95 and abs(t_ours - t_ref) < 0.02


def test_separates_clusters():
    rng = np.random.default_rng(2)
    centres = rng.normal(scale=10, size=(3, 10))
    y = np.repeat(np.arange(3), 30)
    X = centres[y] + rng.normal(size=(90, 10))
    Y = TSNE(perplexity=10.0, random_state=0, max_iter=500).fit_transform(X)
    d = np.linalg.norm(Y[:, None] - Y[None], axis=-1)
    same = d[y[:, None] == y[None]].mean()
    other = d[y[:, None] != y[None]].mean()
    assert other > 3 * same


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="perplexity must be less than n_samples"):
        TSNE(perplexity=30.0).fit(X)
    with pytest.raises(ValueError, match="init"):
        TSNE(perplexity=5.0, init="spectral").fit(X)
    with pytest.raises(ValueError, match="init: expected an array of shape"):
        TSNE(perplexity=5.0, init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match="max_iter"):
        TSNE(perplexity=5.0, max_iter=100).fit(X)
    with pytest.raises(ValueError, match="init='pca' needs n_components=4"):
        TSNE(n_components=4, perplexity=5.0).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        TSNE(perplexity=5.0).fit(np.full((5, 2), np.nan))


@sklearn_contract([TSNE(perplexity=2.0, max_iter=250, random_state=0)])
def test_sklearn_contract(estimator, check):
    check(estimator)
