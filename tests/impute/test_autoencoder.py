"""AutoencoderImputer (DP-13): a denoising autoencoder fills the gaps from its reconstruction."""

import numpy as np
import pytest
import sklearn.impute as ski

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.impute import AutoencoderImputer
from glassml.linear_model import Ridge
from glassml.pipeline import make_pipeline


def correlated_gaussian(seed=0, n=300, d=6, rho=0.85):
    """Equicorrelated Gaussian columns with different means and scales, plus 20% MCAR gaps."""
    rng = np.random.default_rng(seed)
    cov = rho * np.ones((d, d)) + (1 - rho) * np.eye(d)
    X = rng.multivariate_normal(np.zeros(d), cov, size=n) * np.arange(1, d + 1) + 10 * np.arange(d)
    missing = rng.random(X.shape) < 0.2
    X_missing = np.where(missing, np.nan, X)
    return X, X_missing, missing


FAST = {"max_epochs": 40, "random_state": 0}


def test_no_nan_left_and_observed_entries_unchanged():
    _, X_missing, missing = correlated_gaussian()
    out = AutoencoderImputer(**FAST).fit_transform(X_missing)
    assert out.shape == X_missing.shape and not np.isnan(out).any()
    np.testing.assert_array_equal(out[~missing], X_missing[~missing])


@pytest.mark.parametrize("seed", [0, 1])
def test_beats_mean_imputation_on_correlated_data(seed):
    X, X_missing, missing = correlated_gaussian(seed)
    ours = AutoencoderImputer(**FAST).fit_transform(X_missing)
    mean_fill = ski.SimpleImputer(strategy="mean").fit_transform(X_missing)  # the oracle baseline
    rmse_ours = np.sqrt(np.mean((ours[missing] - X[missing]) ** 2))
    rmse_mean = np.sqrt(np.mean((mean_fill[missing] - X[missing]) ** 2))
    assert rmse_ours < 0.8 * rmse_mean, (rmse_ours, rmse_mean)


def test_training_loss_decreases_and_stats_match_observed_moments():
    _, X_missing, _ = correlated_gaussian()
    imp = AutoencoderImputer(**FAST).fit(X_missing)
    assert len(imp.loss_curve_) == FAST["max_epochs"]
    assert imp.loss_curve_[-1] < 0.6 * imp.loss_curve_[0]
    np.testing.assert_allclose(imp.mean_, np.nanmean(X_missing, axis=0), rtol=1e-12)
    np.testing.assert_allclose(imp.scale_, np.nanstd(X_missing, axis=0), rtol=1e-12)


def test_reproducible_with_random_state():
    _, X_missing, _ = correlated_gaussian(n=120)
    a = AutoencoderImputer(max_epochs=10, random_state=3).fit_transform(X_missing)
    b = AutoencoderImputer(max_epochs=10, random_state=3).fit_transform(X_missing)
    c = AutoencoderImputer(max_epochs=10, random_state=4).fit_transform(X_missing)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_transform_new_data_and_in_pipeline():
    X, X_missing, _ = correlated_gaussian(n=200)
    y = X[:, 0] - X[:, 1]
    imp = AutoencoderImputer(**FAST).fit(X_missing[:150])
    out = imp.transform(X_missing[150:])
    assert out.shape == (50, 6) and not np.isnan(out).any()
    pipe = make_pipeline(AutoencoderImputer(**FAST), Ridge(alpha=1e-3)).fit(X_missing, y)
    pred = pipe.predict(X_missing)
    assert pred.shape == (200,) and np.isfinite(pred).all()
    assert np.corrcoef(pred, y)[0, 1] > 0.5


def test_constant_and_all_missing_columns_are_handled():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=30), np.full(30, 4.0), np.full(30, np.nan)])
    X[::5, 0] = np.nan
    X[::7, 1] = np.nan
    out = AutoencoderImputer(max_epochs=5, random_state=0).fit_transform(X)
    assert not np.isnan(out).any()
    np.testing.assert_allclose(out[::7, 1], 4.0, atol=0.5)


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"max_epochs": 0}, ValueError, "max_epochs"),
        ({"max_epochs": 1.5}, TypeError, "max_epochs"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"mask_ratio": 1.0}, ValueError, "mask_ratio"),
        ({"mask_ratio": -0.1}, ValueError, "mask_ratio"),
        ({"hidden_sizes": ()}, ValueError, "hidden_sizes"),
        ({"hidden_sizes": (8, 0)}, ValueError, "hidden_sizes"),
        ({"initial_strategy": "median"}, ValueError, "initial_strategy"),
        ({"random_state": "x"}, ValueError, "random_state"),
    ],
)
def test_bad_parameters_name_the_parameter(params, exc, match):
    X = np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]])
    with pytest.raises(exc, match=match):
        AutoencoderImputer(**params).fit(X)


def test_transform_before_fit_and_wrong_width():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]])
    with pytest.raises(NotFittedError):
        AutoencoderImputer().transform(X)
    imp = AutoencoderImputer(max_epochs=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        imp.transform(np.ones((2, 3)))


@sklearn_contract([AutoencoderImputer(hidden_sizes=(4,), max_epochs=2, random_state=0)])
def test_sklearn_contract(estimator, check):
    check(estimator)
