"""LinearRegression against scikit-learn / SciPy, fit statistics and diagnostics (LM-01..04, 13)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression as SkLinearRegression

from glassml.linear_model import (
    LinearRegression,
    RankDeficiencyWarning,
    breusch_pagan,
    durbin_watson,
    residual_diagnostics,
    variance_inflation_factor,
)


def _data(n=120, p=6, seed=0, targets=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p) + rng.normal(size=p)
    coef = rng.normal(size=(p,) if targets is None else (p, targets))
    y = X @ coef + 2.5 + 0.3 * rng.normal(size=coef.shape[1:] and (n, targets) or n)
    return X, y, rng.uniform(0.2, 3.0, size=n)


DATASETS = {
    "synthetic": _data(),
    "diabetes": (*load_diabetes(return_X_y=True), np.linspace(0.5, 2.0, 442)),
}


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("solver", ["lstsq", "normal"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_closed_form_matches_sklearn(name, solver, weighted, fit_intercept):
    X, y, sw = DATASETS[name]
    sw = sw if weighted else None
    ours = LinearRegression(solver=solver, fit_intercept=fit_intercept).fit(X, y, sw)
    ref = SkLinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(ours.singular_values_, ref.singular_, rtol=1e-9)
    assert ours.rank_ == ref.rank_
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10, atol=1e-9)


def test_multi_target_matches_sklearn():
    X, Y, _ = _data(targets=3)
    ours = LinearRegression().fit(X, Y)
    ref = SkLinearRegression().fit(X, Y)
    assert ours.coef_.shape == (3, X.shape[1])
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-10)


@pytest.mark.parametrize("solver", ["gd", "minibatch", "sgd"])
def test_gradient_descent_reaches_the_least_squares_solution(solver):
    """CL-012 / LM-04: batch, mini-batch and stochastic GD find the OLS weights."""
    X, y, sw = _data(n=200, p=4, seed=3)
    X = (X - X.mean(0)) / X.std(0)
    ref = SkLinearRegression().fit(X, y)
    ours = LinearRegression(solver=solver, random_state=0).fit(X, y)
    atol = 1e-8 if solver == "gd" else 2e-2
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    assert ours.n_iter_ >= 1


def test_gd_with_sample_weight_matches_sklearn():
    X, y, sw = _data(n=150, p=3, seed=4)
    X = (X - X.mean(0)) / X.std(0)
    ours = LinearRegression(solver="gd").fit(X, y, sw)
    ref = SkLinearRegression().fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)


def test_collinear_columns_warn_and_give_the_minimum_norm_solution():
    X, y, _ = _data(n=80, p=4, seed=5)
    X_dup = np.column_stack([X, X[:, 0], 2 * X[:, 1]])
    with pytest.warns(RankDeficiencyWarning, match="rank deficient"):
        ours = LinearRegression().fit(X_dup, y)
    Xc, yc = X_dup - X_dup.mean(0), y - y.mean()
    np.testing.assert_allclose(ours.coef_, np.linalg.pinv(Xc) @ yc, atol=1e-10)
    assert ours.rank_ == 4
    # the duplicated column shares the weight equally (minimum norm)
    assert ours.coef_[0] == pytest.approx(ours.coef_[4], abs=1e-10)
    assert np.isnan(ours.bse_).all()


def test_normal_solver_falls_back_on_singular_gram():
    X, y, _ = _data(n=50, p=3, seed=6)
    X_dup = np.column_stack([X, X[:, 2]])
    with pytest.warns(RankDeficiencyWarning, match="singular"):
        ours = LinearRegression(solver="normal").fit(X_dup, y)
    ref = SkLinearRegression(tol=1e-12).fit(X_dup, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)


def test_ill_conditioned_matches_sklearn_to_relative_precision():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 5))
    X[:, 1] = X[:, 0] + 1e-4 * rng.normal(size=300)  # cond(X) ~ 1e4: Gram path + refinement
    y = X @ np.arange(1.0, 6.0) + 0.1 * rng.normal(size=300)
    ours = LinearRegression().fit(X, y)
    ref = SkLinearRegression(tol=1e-15).fit(X, y)
    np.testing.assert_allclose(
        ours.coef_, ref.coef_, rtol=1e-8, atol=1e-8 * np.abs(ref.coef_).max()
    )
    X[:, 1] = X[:, 0] + 1e-9 * rng.normal(size=300)  # cond ~ 1e9: SVD path
    ours = LinearRegression().fit(X, y)
    ref = SkLinearRegression(tol=1e-15).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-8)


def test_high_dimensional_n_less_than_p():
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(15, 40)), rng.normal(size=15)
    with pytest.warns(RankDeficiencyWarning):
        ours = LinearRegression().fit(X, y)
    ref = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), y, atol=1e-9)  # interpolates


def test_fit_statistics_match_the_textbook_formulas():
    """LM-13: bse, t, p against the explicit (X̃ᵀX̃)⁻¹ with an intercept column."""
    X, y, _ = _data(n=60, p=3, seed=9)
    ours = LinearRegression().fit(X, y)
    Xa = np.column_stack([np.ones(60), X])
    beta = np.linalg.solve(Xa.T @ Xa, Xa.T @ y)
    resid = y - Xa @ beta
    dof = 60 - 4
    sigma2 = resid @ resid / dof
    cov = sigma2 * np.linalg.inv(Xa.T @ Xa)
    se = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(ours.residuals_, resid, atol=1e-10)
    np.testing.assert_allclose(ours.bse_, se[1:], rtol=1e-9)
    assert ours.intercept_bse_ == pytest.approx(se[0], rel=1e-9)
    np.testing.assert_allclose(ours.tvalues_, beta[1:] / se[1:], rtol=1e-9)
    np.testing.assert_allclose(
        ours.pvalues_, 2 * stats.t.sf(np.abs(beta[1:] / se[1:]), dof), rtol=1e-8
    )
    r2 = 1 - resid @ resid / np.sum((y - y.mean()) ** 2)
    assert ours.r2_ == pytest.approx(r2, abs=1e-12)
    assert ours.adjusted_r2_ == pytest.approx(1 - (1 - r2) * 59 / 56, abs=1e-12)
    assert ours.r2_ == pytest.approx(ours.score(X, y), abs=1e-12)


def test_vif_and_breusch_pagan():
    rng = np.random.default_rng(10)
    a = rng.normal(size=500)
    X = np.column_stack([a, a + 0.1 * rng.normal(size=500), rng.normal(size=500)])
    vif = variance_inflation_factor(X)
    corr_inv = np.linalg.inv(np.corrcoef(X, rowvar=False))
    np.testing.assert_allclose(vif, np.diag(corr_inv), rtol=1e-8)
    assert np.isinf(variance_inflation_factor(np.column_stack([a, 2 * a, X[:, 2]]))[0])
    x = rng.uniform(1, 5, size=(400, 1))
    homo, hetero = rng.normal(size=400), rng.normal(size=400) * x[:, 0]
    bp = breusch_pagan(x, hetero)
    # Koenker's statistic = n R² of e² on x (checked by hand)
    e2 = hetero**2
    r = np.corrcoef(x[:, 0], e2)[0, 1]
    assert bp.statistic == pytest.approx(400 * r**2, rel=1e-10)
    assert bp.pvalue < 1e-3 and breusch_pagan(x, homo).pvalue > 0.01
    d = residual_diagnostics(x, homo)
    assert d["durbin_watson"] == pytest.approx(durbin_watson(homo))
    assert d["durbin_watson"] == pytest.approx(np.sum(np.diff(homo) ** 2) / np.sum(homo**2))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(8, 40),
    p=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    shift=st.floats(-100, 100),
)
def test_property_translation_equivariance_and_orthogonal_residuals(n, p, seed, shift):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, p)), rng.normal(size=n)
    base = LinearRegression().fit(X, y)
    moved = LinearRegression().fit(X, y + shift)
    np.testing.assert_allclose(moved.coef_, base.coef_, atol=1e-8)
    assert moved.intercept_ == pytest.approx(base.intercept_ + shift, abs=1e-7)
    # normal equations: residuals are orthogonal to the columns and sum to zero
    np.testing.assert_allclose(X.T @ base.residuals_, 0.0, atol=1e-8)
    assert abs(base.residuals_.sum()) < 1e-8


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "qr"}, "solver"),
        ({"solver": "gd", "learning_rate": -1.0}, "learning_rate"),
        ({"solver": "gd", "n_epochs": 0}, "n_epochs"),
        ({"solver": "minibatch", "batch_size": 0}, "batch_size"),
        ({"rcond": -1.0}, "rcond"),
    ],
)
def test_bad_hyperparameters(params, match):
    X, y, _ = _data(n=20, p=2)
    with pytest.raises((ValueError, TypeError), match=match):
        LinearRegression(**params).fit(X, y)


def test_bad_input():
    X, y, _ = _data(n=20, p=2)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(X_nan, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        LinearRegression().fit(X, y, sample_weight=-np.ones(20))
    with pytest.raises(FloatingPointError, match="learning_rate"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            LinearRegression(solver="gd", learning_rate=1e6).fit(X * 100, y)
    with pytest.raises(ValueError, match="2 features"):
        LinearRegression().fit(X, y).predict(np.ones((3, 5)))
