"""GaussianMixture (ST-23) against scikit-learn's GaussianMixture, and the sklearn contract."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.mixture import GaussianMixture as SkGM

from glassml._core import ConvergenceWarning, NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.stats import GaussianMixture


@sklearn_contract(
    [
        GaussianMixture(random_state=0),
        GaussianMixture(n_components=2, covariance_type="diag", random_state=0),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def _blobs(seed, d=2):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(3, d))
    X = np.concatenate(
        [
            rng.normal(c, s, size=(n, d))
            for c, s, n in zip(centres, (0.5, 1.0, 1.5), (60, 90, 50), strict=True)
        ]
    )
    return X


def _init(cov_type, k, d, seed):
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(k) * 5)
    means = rng.normal(0, 3, size=(k, d))
    if cov_type == "full":
        A = rng.normal(size=(k, d, d))
        precisions = A @ A.transpose(0, 2, 1) + d * np.eye(d)
    else:
        precisions = rng.uniform(0.3, 2.0, size=(k, d))
    return weights, means, precisions


@pytest.mark.parametrize("cov_type", ["full", "diag"])
@pytest.mark.parametrize(("seed", "d", "k"), [(0, 2, 3), (1, 3, 2), (2, 5, 4)])
def test_em_trajectory_matches_sklearn_from_the_same_start(cov_type, seed, d, k):
    X = _blobs(seed, d)
    w, m, p = _init(cov_type, k, d, seed)
    kw = dict(
        n_components=k, covariance_type=cov_type, weights_init=w, means_init=m, precisions_init=p
    )
    for max_iter, tol in [(5, 0.0), (300, 1e-8)]:
        ours = GaussianMixture(**kw, max_iter=max_iter, tol=tol)
        ref = SkGM(**kw, max_iter=max_iter, tol=tol)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours.fit(X)
            ref.fit(X)
        ours_warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        assert ours_warned == (max_iter == 5) == (not ours.converged_) == (not ref.converged_)
        assert ours.n_iter_ == ref.n_iter_
        assert_allclose(ours.lower_bound_, ref.lower_bound_, rtol=1e-10)
        assert_allclose(ours.weights_, ref.weights_, rtol=1e-8, atol=1e-12)
        assert_allclose(ours.means_, ref.means_, rtol=1e-8, atol=1e-10)
        assert_allclose(ours.covariances_, ref.covariances_, rtol=1e-8, atol=1e-10)
        assert_allclose(ours.precisions_, ref.precisions_, rtol=1e-8, atol=1e-10)
        assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-10)
        assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-7, atol=1e-10)
        assert (ours.predict(X) == ref.predict(X)).all()
        assert_allclose([ours.bic(X), ours.aic(X)], [ref.bic(X), ref.aic(X)], rtol=1e-10)


@pytest.mark.parametrize("cov_type", ["full", "diag"])
@pytest.mark.parametrize("init", ["kmeans", "random", "random_from_data"])
def test_own_initialisation_reaches_sklearn_quality(cov_type, init):
    X = _blobs(3)
    ours = GaussianMixture(
        n_components=3,
        covariance_type=cov_type,
        init_params=init,
        n_init=3,
        random_state=0,
        max_iter=500,
    ).fit(X)
    ref = SkGM(n_components=3, covariance_type=cov_type, n_init=3, random_state=0).fit(X)
    assert ours.score(X) >= ref.score(X) - 0.02
    assert_allclose(ours.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(np.exp(ours.score_samples(X)).mean() > 0, True)


def test_sample_and_density_properties():
    X = _blobs(4)
    gm = GaussianMixture(n_components=3, random_state=0).fit(X)
    S, labels = gm.sample(5000, random_state=1)
    assert S.shape == (5000, 2) and labels.shape == (5000,)
    assert_allclose(np.bincount(labels, minlength=3) / 5000, gm.weights_, atol=0.03)
    # fit_predict equals fit then predict (the final E-step is consistent)
    assert (GaussianMixture(n_components=3, random_state=0).fit_predict(X) == gm.predict(X)).all()


def test_bad_input():
    X = _blobs(0)
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixture(covariance_type="tied").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        GaussianMixture(n_components=0).fit(X)
    with pytest.raises(ValueError, match="n_components"):
        GaussianMixture(n_components=5).fit(X[:3])
    with pytest.raises(ValueError, match="means_init"):
        GaussianMixture(n_components=2, means_init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match="weights_init"):
        GaussianMixture(n_components=2, weights_init=[0.5, 0.6]).fit(X)
    with pytest.raises(ValueError, match="reg_covar"):
        GaussianMixture(reg_covar=-1.0).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture().fit(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(NotFittedError):
        GaussianMixture().predict(X)
    with pytest.raises(ValueError, match="features"):
        GaussianMixture(random_state=0).fit(X).predict(np.zeros((2, 3)))


def test_bic_picks_the_true_number_of_components_and_works_in_grid_search():
    from sklearn.model_selection import GridSearchCV

    X = _blobs(5)
    bics = [GaussianMixture(n_components=k, random_state=0).fit(X).bic(X) for k in (1, 2, 3, 4, 5)]
    assert int(np.argmin(bics)) + 1 == 3
    search = GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 3]}, cv=3).fit(X)
    assert search.best_params_["n_components"] == 3
