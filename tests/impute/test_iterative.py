"""IterativeImputer (DP-11) and its BayesianRidge against scikit-learn."""

import warnings

import numpy as np
import pytest
import sklearn.impute as ski
from sklearn.datasets import load_diabetes, load_iris
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.linear_model import BayesianRidge as SkBayesianRidge
from sklearn.linear_model import Ridge

from glassml._core import ConvergenceWarning
from glassml._core.testing import sklearn_contract
from glassml.impute import BayesianRidge, IterativeImputer

SkIterative = ski.IterativeImputer


def with_gaps(X, rate, seed):
    X = np.array(X, dtype=float)
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


def correlated(seed=0, n=150):
    rng = np.random.default_rng(seed)
    cov = np.array([[1, 0.8, 0.5, 0.2], [0.8, 1, 0.6, 0.3], [0.5, 0.6, 1, 0.4], [0.2, 0.3, 0.4, 1]])
    return rng.multivariate_normal(np.zeros(4), cov, size=n) * [1, 2, 3, 4] + [0, 1, 2, 3]


DATA = {
    "iris": with_gaps(load_iris().data, 0.2, 0),
    "diabetes": with_gaps(load_diabetes().data[:150, :6], 0.15, 1),
    "correlated": with_gaps(correlated(), 0.25, 2),
}
PARAMS = [
    {},
    {"max_iter": 12, "tol": 1e-5},
    {"imputation_order": "descending", "initial_strategy": "median"},
    {"imputation_order": "roman", "skip_complete": True},
    {"imputation_order": "random"},
    {"min_value": 0.0, "max_value": 5.0},
    {"add_indicator": True},
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:\\[IterativeImputer\\] Early stopping")
@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("params", PARAMS)
def test_matches_sklearn(data, params):
    X = DATA[data]
    a = IterativeImputer(random_state=0, **params)
    b = SkIterative(random_state=0, **params)
    np.testing.assert_allclose(
        a.fit_transform(X[:100]), b.fit_transform(X[:100]), rtol=1e-9, atol=1e-10
    )
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.transform(X[100:]), b.transform(X[100:]), rtol=1e-9, atol=1e-10)
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()


def test_other_estimator_inside():
    X = DATA["correlated"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = IterativeImputer(estimator=Ridge(alpha=2.0), max_iter=5).fit_transform(X)
        b = SkIterative(estimator=Ridge(alpha=2.0), max_iter=5).fit_transform(X)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(40, 3), (5, 12)])  # n > p (eigen path) and n < p (dual path)
def test_bayesian_ridge_matches_sklearn(shape):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    y = X @ rng.normal(size=shape[1]) + 0.3 * rng.normal(size=shape[0]) + 2.0
    a, b = BayesianRidge().fit(X, y), SkBayesianRidge().fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-10)
    np.testing.assert_allclose([a.alpha_, a.lambda_], [b.alpha_, b.lambda_], rtol=1e-10)
    assert a.n_iter_ == b.n_iter_
    mean_a, std_a = a.predict(X, return_std=True)
    mean_b, std_b = b.predict(X, return_std=True)
    np.testing.assert_allclose(mean_a, mean_b, rtol=1e-10)
    np.testing.assert_allclose(std_a, std_b, rtol=1e-10)


def test_sample_posterior_is_seeded_and_varies():
    X = DATA["correlated"]
    a = IterativeImputer(sample_posterior=True, random_state=1, max_iter=3).fit_transform(X)
    b = IterativeImputer(sample_posterior=True, random_state=1, max_iter=3).fit_transform(X)
    c = IterativeImputer(sample_posterior=True, random_state=2, max_iter=3).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    gaps = np.isnan(X)
    assert not np.allclose(a[gaps], c[gaps])
    np.testing.assert_array_equal(a[~gaps], X[~gaps])
    clipped = IterativeImputer(
        sample_posterior=True, random_state=1, min_value=0, max_value=1, max_iter=2
    ).fit_transform(X)
    assert clipped[gaps].min() >= 0 and clipped[gaps].max() <= 1


def test_beats_mean_on_correlated_data():
    truth = correlated(seed=5, n=300)
    X = with_gaps(truth, 0.2, 5)
    gaps = np.isnan(X)
    filled = IterativeImputer(random_state=0, max_iter=30).fit_transform(X)
    col_mean = np.nanmean(X, axis=0)
    rmse_iter = np.sqrt(np.mean((filled - truth)[gaps] ** 2))
    rmse_mean = np.sqrt(np.mean((np.where(gaps, col_mean, X) - truth)[gaps] ** 2))
    assert rmse_iter < 0.9 * rmse_mean  # correlations 0.2-0.8: a clear but moderate gain


@pytest.mark.filterwarnings("ignore:\\[IterativeImputer\\] Early stopping")
def test_convergence_warning_and_bad_input():
    X = DATA["iris"]
    with pytest.warns(ConvergenceWarning, match="Early stopping criterion not reached"):
        IterativeImputer(max_iter=1, tol=0.0).fit(X)
    with pytest.raises(ValueError, match="max_iter"):
        IterativeImputer(max_iter=-1).fit(X)
    with pytest.raises(ValueError, match="tol"):
        IterativeImputer(tol=-1.0).fit(X)
    with pytest.raises(ValueError, match="imputation_order"):
        IterativeImputer(imputation_order="sideways").fit(X)
    with pytest.raises(ValueError, match="min_value >= max_value"):
        IterativeImputer(min_value=5, max_value=1).fit(X)
    with pytest.raises(ValueError, match="min_value"):
        IterativeImputer(min_value=[0, 1]).fit(X)
    with pytest.raises(ValueError, match="is expecting 4 features"):
        IterativeImputer(max_iter=2).fit(X).transform(X[:, :3])


@sklearn_contract([IterativeImputer(max_iter=3, random_state=0), BayesianRidge()])
def test_sklearn_contract(estimator, check):
    check(estimator)
