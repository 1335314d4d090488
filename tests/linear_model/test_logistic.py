"""LogisticRegression and L-BFGS against scikit-learn / SciPy (LM-09, LM-10, CL-023)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize, rosen, rosen_der
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from glassml.linear_model import LogisticRegression, lbfgs


def _std(X):
    return StandardScaler().fit_transform(X)


DATA = {
    "iris": (_std(load_iris().data), load_iris().target),
    "wine": (_std(load_wine().data), load_wine().target),
    "breast_cancer": (_std(load_breast_cancer().data), load_breast_cancer().target),
}


def test_lbfgs_minimises_rosenbrock_like_scipy():
    res = lbfgs(lambda x: (rosen(x), rosen_der(x)), np.full(6, -1.2), max_iter=1000, gtol=1e-10)
    ref = minimize(
        rosen,
        np.full(6, -1.2),
        jac=rosen_der,
        method="L-BFGS-B",
        options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 1000},
    )
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    np.testing.assert_allclose(res.x, np.ones(6), atol=1e-6)
    assert res.converged


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_l2_matches_sklearn(name, solver, C):
    X, y = DATA[name]
    ours = LogisticRegression(C=C, solver=solver, tol=1e-10, max_iter=1000).fit(X, y)
    ref = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    atol = 3e-6 if solver == "lbfgs" else 1e-9
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=atol)
    np.testing.assert_allclose(
        ours.predict_log_proba(X)[:5], ref.predict_log_proba(X)[:5], atol=10 * atol
    )
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_default_lbfgs_agrees_with_sklearn_default():
    X, y = DATA["wine"]
    ours = LogisticRegression().fit(X, y)
    ref = SkLogisticRegression().fit(X, y)
    # both stop at tol=1e-4 on the gradient, so they agree to about that precision
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=5e-3)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_sample_weight_matches_sklearn():
    X, y = DATA["iris"]
    sw = np.random.default_rng(0).uniform(0.2, 3, size=y.shape[0])
    ours = LogisticRegression(tol=1e-10, solver="newton-cholesky").fit(X, y, sw)
    ref = SkLogisticRegression(tol=1e-12, solver="newton-cholesky").fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None), ("elasticnet", 0.4)])
def test_l1_and_elasticnet_match_sklearn_saga(penalty, l1_ratio):
    X, y = DATA["iris"]
    ours = LogisticRegression(
        C=0.5, penalty=penalty, l1_ratio=l1_ratio, solver="proximal", tol=1e-9, max_iter=20_000
    ).fit(X, y)
    ref = SkLogisticRegression(
        C=0.5,
        l1_ratio=1.0 if l1_ratio is None else l1_ratio,
        solver="saga",
        tol=1e-8,
        max_iter=100_000,
    ).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)


def test_l1_solution_satisfies_the_kkt_conditions():
    """Binary L1: ∇ᵢ + λ sign(wᵢ) = 0 where wᵢ ≠ 0 and |∇ᵢ| ≤ λ where wᵢ = 0 (λ = 1/(C n))."""
    X, y = DATA["breast_cancer"]
    C = 0.5
    model = LogisticRegression(C=C, penalty="l1", solver="proximal", tol=1e-9, max_iter=20_000).fit(
        X, y
    )
    w, b = model.coef_[0], model.intercept_[0]
    p = 1 / (1 + np.exp(-(X @ w + b)))
    grad = X.T @ (p - y) / len(y)
    lam = 1 / (C * len(y))
    active = w != 0
    assert 0 < active.sum() < w.size
    np.testing.assert_allclose(grad[active] + lam * np.sign(w[active]), 0.0, atol=1e-8)
    assert np.all(np.abs(grad[~active]) <= lam + 1e-8)
    assert abs(np.mean(p - y)) < 1e-8  # unpenalised intercept: score equation


def test_unpenalised_is_the_bernoulli_mle():
    """CL-023: with penalty=None the fit is the MLE; an intercept-only model gives p = ȳ."""
    X, y = DATA["breast_cancer"]
    X = X[:, :4]
    ours = LogisticRegression(penalty=None, tol=1e-10, max_iter=500).fit(X, y)
    ref = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    const = LogisticRegression(penalty=None, tol=1e-12).fit(np.zeros((len(y), 1)), y)
    assert const.predict_proba(np.zeros((1, 1)))[0, 1] == pytest.approx(y.mean(), abs=1e-8)


def test_multinomial_unpenalised_probabilities_match():
    X, y = DATA["iris"]
    X = X[:, :2]  # not separable
    ours = LogisticRegression(penalty=None, tol=1e-10, max_iter=1000).fit(X, y)
    ref = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 4))
def test_property_probabilities_and_label_invariance(seed, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    y = np.arange(40) % k
    model = LogisticRegression(tol=1e-10, solver="newton-cholesky").fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, atol=1e-12)
    # string labels give the same model
    named = LogisticRegression(tol=1e-10, solver="newton-cholesky").fit(
        X, np.array(list("abcd"))[y]
    )
    np.testing.assert_allclose(named.predict_proba(X), proba, atol=1e-10)


def test_bad_inputs():
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="solver"):
        LogisticRegression(penalty="l1").fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        LogisticRegression(penalty="elasticnet", solver="proximal").fit(X, y)
    with pytest.raises(ValueError, match="C"):
        LogisticRegression(C=0.0).fit(X, y)
    with pytest.raises(ValueError, match="penalty"):
        LogisticRegression(penalty="l3").fit(X, y)
    X_nan = X.copy()
    X_nan[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(X_nan, y)
