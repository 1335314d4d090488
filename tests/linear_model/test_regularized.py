"""Ridge, Lasso, ElasticNet and their paths against scikit-learn (LM-06, LM-07, LM-08)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import Ridge as SkRidge
from sklearn.linear_model import enet_path as sk_enet_path

from glassml.linear_model import ElasticNet, Lasso, Ridge, enet_path, lasso_path

RNG = np.random.default_rng(0)
X_TALL = RNG.normal(size=(150, 8)) * RNG.uniform(0.5, 2, size=8)
Y_TALL = X_TALL @ np.r_[3, -2, 0, 0, 1, 0, 0, 0.5] + 1 + 0.5 * RNG.normal(size=150)
X_WIDE = RNG.normal(size=(25, 60))
Y_WIDE = X_WIDE[:, :3] @ np.array([2.0, -1.0, 1.5]) + 0.2 * RNG.normal(size=25)
X_DIAB, Y_DIAB = load_diabetes(return_X_y=True)
SW = RNG.uniform(0.3, 3.0, size=150)
DATA = {"tall": (X_TALL, Y_TALL), "wide": (X_WIDE, Y_WIDE), "diabetes": (X_DIAB, Y_DIAB)}


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lstsq"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn(name, solver, fit_intercept):
    X, y = DATA[name]
    ours = Ridge(alpha=0.7, solver=solver, fit_intercept=fit_intercept).fit(X, y)
    ref = SkRidge(alpha=0.7, solver="svd", fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-10, atol=1e-10)


def test_ridge_multi_target_alpha_per_target_and_weights():
    Y = np.column_stack([Y_TALL, -Y_TALL + X_TALL[:, 0], X_TALL[:, 3]])
    alphas = np.array([0.1, 3.0, 30.0])
    for solver in ("cholesky", "svd"):
        ours = Ridge(alpha=alphas, solver=solver).fit(X_TALL, Y, SW)
        ref = SkRidge(alpha=alphas).fit(X_TALL, Y, sample_weight=SW)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-10)


def test_ridge_on_collinear_data_with_alpha_zero_warns_and_is_min_norm():
    X = np.column_stack([X_TALL[:, :3], X_TALL[:, 0]])
    with pytest.warns(UserWarning, match="singular"):
        ours = Ridge(alpha=0.0, solver="cholesky").fit(X, Y_TALL)
    Xc = X - X.mean(0)
    np.testing.assert_allclose(ours.coef_, np.linalg.pinv(Xc) @ (Y_TALL - Y_TALL.mean()), atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(alpha=st.floats(1e-3, 1e3), seed=st.integers(0, 1000))
def test_property_ridge_shrinks_and_satisfies_its_normal_equation(alpha, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    w = Ridge(alpha=alpha).fit(X, y).coef_
    Xc, yc = X - X.mean(0), y - y.mean()
    np.testing.assert_allclose(Xc.T @ (yc - Xc @ w), alpha * w, atol=1e-8 * (1 + alpha))
    w_ols = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    assert np.linalg.norm(w) <= np.linalg.norm(w_ols) + 1e-12


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("precompute", [True, False])
def test_elastic_net_matches_sklearn(name, l1_ratio, precompute):
    X, y = DATA[name]
    alpha = 0.05 if name != "diabetes" else 0.005
    ours = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, precompute=precompute, tol=1e-12, max_iter=100_000
    ).fit(X, y)
    ref = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9 * scale)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8 * max(1, scale))
    np.testing.assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)
    assert ours.n_iter_ == ref.n_iter_  # same cyclic updates, same stopping rule


@pytest.mark.parametrize("positive", [False, True])
def test_lasso_weights_positive_and_default_tol(positive):
    ours = Lasso(alpha=0.1, positive=positive).fit(X_TALL, Y_TALL, SW)
    ref = SkLasso(alpha=0.1, positive=positive).fit(X_TALL, Y_TALL, sample_weight=SW)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-12)
    assert ours.dual_gap_ == pytest.approx(ref.dual_gap_, rel=1e-6, abs=1e-14)
    if positive:
        assert (ours.coef_ >= 0).all()


def test_lasso_multi_target_and_warm_start():
    Y = np.column_stack([Y_TALL, X_TALL[:, 1]])
    ours = Lasso(alpha=0.1, tol=1e-10).fit(X_TALL, Y)
    ref = SkLasso(alpha=0.1, tol=1e-10).fit(X_TALL, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    model = Lasso(alpha=0.1, tol=1e-10, warm_start=True).fit(X_TALL, Y_TALL)
    first = model.n_iter_
    model.fit(X_TALL, Y_TALL)
    assert model.n_iter_ <= 1 < first


def test_enet_path_matches_sklearn():
    Xc, yc = X_TALL - X_TALL.mean(0), Y_TALL - Y_TALL.mean()
    alphas, coefs = enet_path(Xc, yc, l1_ratio=0.7, n_alphas=12, tol=1e-12, max_iter=10_000)
    ref_alphas, ref_coefs, _ = sk_enet_path(
        Xc, yc, l1_ratio=0.7, n_alphas=12, tol=1e-12, max_iter=10_000
    )
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, ref_coefs, atol=1e-9)
    la, lc = lasso_path(Xc, yc, n_alphas=5)
    assert (lc[:, 0] == 0).all() and (lc[:, -1] != 0).sum() >= 3


def test_bad_inputs():
    with pytest.raises(ValueError, match="alpha"):
        Ridge(alpha=-1.0).fit(X_TALL, Y_TALL)
    with pytest.raises(ValueError, match="alpha"):
        Ridge(alpha=[1.0, 2.0]).fit(X_TALL, np.column_stack([Y_TALL] * 3))
    with pytest.raises(ValueError, match="solver"):
        Ridge(solver="sag").fit(X_TALL, Y_TALL)
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNet(l1_ratio=1.5).fit(X_TALL, Y_TALL)
    with pytest.raises(ValueError, match="precompute"):
        ElasticNet(precompute="yes").fit(X_TALL, Y_TALL)
    with pytest.warns(UserWarning, match="alpha=0"):
        Lasso(alpha=0.0, max_iter=5).fit(X_TALL, Y_TALL)
    X_nan = X_TALL.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso().fit(X_nan, Y_TALL)


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_cv_matches_sklearn_leave_one_out(name, fit_intercept):
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    from glassml.linear_model import RidgeCV

    X, y = DATA[name]
    alphas = np.geomspace(1e-4, 10, 9)
    ours = RidgeCV(alphas=alphas, fit_intercept=fit_intercept).fit(X, y)
    ref = SkRidgeCV(alphas=alphas, fit_intercept=fit_intercept, store_cv_results=True).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-9)


def test_ridge_cv_leave_one_out_equals_brute_force():
    from glassml.linear_model import RidgeCV

    X, y = X_TALL[:40], Y_TALL[:40]
    model = RidgeCV(alphas=[0.5, 5.0]).fit(X, y)
    for alpha, shortcut in zip([0.5, 5.0], model.cv_results_, strict=True):
        errors = [
            (
                Ridge(alpha=alpha).fit(np.delete(X, i, 0), np.delete(y, i)).predict(X[i : i + 1])[0]
                - y[i]
            )
            ** 2
            for i in range(40)
        ]
        assert shortcut == pytest.approx(np.mean(errors), rel=1e-10)
    with pytest.raises(ValueError, match="alphas"):
        RidgeCV(alphas=[0.0, 1.0]).fit(X, y)
