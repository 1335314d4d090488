"""SVR and LinearSVC against scikit-learn; hinge losses. Inventory: SV-05, SV-06, LM-15,
LS-10, LS-11."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import svm as sk

from glassml.svm import SVR, LinearSVC, hinge_loss, squared_hinge_loss

from .conftest import DATASETS


def _regression(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 3))
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.standard_normal(60)


@pytest.mark.parametrize(
    "params",
    [
        dict(kernel="rbf", C=2.0, epsilon=0.1),
        dict(kernel="linear", C=0.5, epsilon=0.2),
        dict(kernel="poly", degree=2, coef0=1.0, C=1.0, epsilon=0.05),
        dict(kernel="sigmoid", gamma=0.1, coef0=0.0, C=1.0, epsilon=0.1),
    ],
    ids=lambda p: p["kernel"],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_svr_matches_sklearn(params, seed):
    X, y = _regression(seed)
    ours = SVR(tol=1e-10, **params).fit(X, y)
    ref = sk.SVR(tol=1e-10, **params).fit(X, y)
    assert_array_equal(ours.support_, ref.support_)
    assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-4)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    assert_allclose(ours.predict(X), ref.predict(X), atol=1e-5)
    if params["kernel"] == "linear":
        assert_allclose(ours.coef_, ref.coef_, atol=1e-5)


def test_svr_epsilon_tube():
    """Points strictly inside the ε-tube are not support vectors (|α − α*| = 0)."""
    X, y = _regression(2)
    model = SVR(C=5.0, epsilon=0.3, tol=1e-10).fit(X, y)
    residual = np.abs(y - model.predict(X))
    inside = np.setdiff1d(np.arange(y.size), model.support_)
    assert (residual[inside] <= 0.3 + 1e-6).all()
    assert (residual[model.support_] >= 0.3 - 1e-6).all()


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize(
    "name",
    [
        "binary",
        "three",
        pytest.param("four_strings", marks=pytest.mark.slow),  # ~5 s: a sequential CD sweep
    ],
)
def test_linear_svc_dual_matches_sklearn(loss, name):
    X, y = DATASETS[name]
    kw = dict(loss=loss, dual=True, tol=1e-10, max_iter=100_000, C=0.7, intercept_scaling=2.0)
    ours = LinearSVC(random_state=0, **kw).fit(X, y)
    ref = sk.LinearSVC(random_state=0, **kw).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6)
    scores = ref.decision_function(X)
    assert_allclose(ours.decision_function(X), scores, atol=1e-5)
    if scores.ndim == 2:  # compare predictions away from exact ties between two classes
        top2 = np.sort(scores, axis=1)[:, -2:]
        clear = top2[:, 1] - top2[:, 0] > 1e-4
    else:
        clear = np.abs(scores) > 1e-4
    assert_array_equal(ours.predict(X)[clear], ref.predict(X)[clear])


@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 2.0}])
def test_linear_svc_primal_matches_sklearn(class_weight):
    X, y = DATASETS["binary"]
    kw = dict(dual=False, tol=1e-10, max_iter=10_000, C=2.0, class_weight=class_weight)
    ours = LinearSVC(**kw).fit(X, y)
    ref = sk.LinearSVC(**kw).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6)


def test_linear_svc_no_intercept_matches_sklearn():
    X, y = DATASETS["three"]
    ours = LinearSVC(fit_intercept=False, dual=True, tol=1e-10, max_iter=100_000).fit(X, y)
    ref = sk.LinearSVC(fit_intercept=False, dual=True, tol=1e-10, max_iter=100_000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert_array_equal(ours.intercept_, np.zeros(3))


def test_hinge_losses_match_sklearn():
    from sklearn.metrics import hinge_loss as sk_hinge

    rng = np.random.default_rng(0)
    y = rng.choice([-1, 1], size=50)
    s = rng.standard_normal(50)
    assert hinge_loss(y, s) == pytest.approx(sk_hinge(y, s), abs=1e-14)
    slack = np.maximum(0.0, 1.0 - y * s)
    assert squared_hinge_loss(y, s) == pytest.approx(float(np.mean(slack**2)), abs=1e-14)
    with pytest.raises(ValueError, match="y: the hinge loss needs labels in"):
        hinge_loss([0, 1], [0.5, 0.5])
