"""PoissonRegressor, QuantileRegressor and the SGD models against scikit-learn (LM-04, LM-11,
LM-12, LM-15)."""

import numpy as np
import pytest
import sklearn.linear_model as sk
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.preprocessing import StandardScaler

from glassml.linear_model import (
    Perceptron,
    PoissonRegressor,
    QuantileRegressor,
    SGDClassifier,
    SGDRegressor,
    poisson_deviance,
)
from glassml.linear_model._sgd import sgd_loss

RNG = np.random.default_rng(0)
X_P = RNG.normal(size=(200, 4))
Y_P = RNG.poisson(np.exp(X_P @ np.array([0.3, -0.2, 0.1, 0.0]) + 0.5))
SW = RNG.uniform(0.5, 2.0, size=200)
Y_Q = X_P @ np.array([1.0, 2.0, 0.0, -1.0]) + RNG.standard_t(2, size=200)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_matches_sklearn(solver, alpha, weighted):
    sw = SW if weighted else None
    ours = PoissonRegressor(alpha=alpha, solver=solver, tol=1e-10, max_iter=1000).fit(X_P, Y_P, sw)
    ref = sk.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X_P, Y_P, sample_weight=sw)
    atol = 1e-7 if solver == "lbfgs" else 1e-12
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=atol)
    np.testing.assert_allclose(ours.predict(X_P), ref.predict(X_P), rtol=1e-6)
    assert ours.score(X_P, Y_P) == pytest.approx(ref.score(X_P, Y_P), abs=1e-8)


def test_poisson_default_and_deviance():
    ours, ref = PoissonRegressor().fit(X_P, Y_P), sk.PoissonRegressor().fit(X_P, Y_P)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    from sklearn.metrics import mean_poisson_deviance

    mu = ours.predict(X_P)
    assert poisson_deviance(Y_P, mu) == pytest.approx(mean_poisson_deviance(Y_P, mu), rel=1e-12)


@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("alpha", [0.0, 0.05])
@pytest.mark.parametrize("weighted", [False, True])
def test_quantile_matches_sklearn(quantile, alpha, weighted):
    sw = SW if weighted else None
    ours = QuantileRegressor(quantile=quantile, alpha=alpha).fit(X_P, Y_Q, sw)
    ref = sk.QuantileRegressor(quantile=quantile, alpha=alpha).fit(X_P, Y_Q, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    if alpha == 0 and not weighted:  # about a q-fraction of the points lie below the fit
        below = np.mean(Y_Q < ours.predict(X_P))
        assert abs(below - quantile) < 0.05


def _std(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer])
@pytest.mark.parametrize(
    "loss, penalty",
    [
        ("hinge", "l2"),
        ("log_loss", "l2"),
        ("modified_huber", "l2"),
        ("hinge", "elasticnet"),
        ("log_loss", "l1"),
    ],
)
def test_sgd_classifier_accuracy_like_sklearn(loader, loss, penalty):
    """Sample orders differ (different RNGs), so compare training accuracy, not weights."""
    X, y = _std(loader)
    ours = SGDClassifier(loss=loss, penalty=penalty, random_state=0).fit(X, y)
    ref = sk.SGDClassifier(loss=loss, penalty=penalty, random_state=0).fit(X, y)
    assert ours.score(X, y) >= ref.score(X, y) - 0.04
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape
    if penalty == "l1" and loader is load_breast_cancer:
        assert np.sum(ours.coef_ == 0) > 0  # truncated gradient gives exact zeros


@pytest.mark.parametrize(
    "loss, learning_rate",
    [
        ("squared_error", "invscaling"),
        ("squared_error", "adaptive"),
        ("huber", "constant"),
        ("epsilon_insensitive", "constant"),
    ],
)
def test_sgd_regressor_r2_like_sklearn(loss, learning_rate):
    X, y = _std(load_diabetes)
    kw = {
        "loss": loss,
        "learning_rate": learning_rate,
        "random_state": 0,
        "epsilon": 30.0 if loss == "huber" else 1.0,
        "alpha": 0.01,
    }
    ours, ref = SGDRegressor(**kw).fit(X, y), sk.SGDRegressor(**kw).fit(X, y)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=0.03)


def test_sgd_regressor_reaches_least_squares_and_perceptron_separates():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 1.0
    model = SGDRegressor(alpha=0.0, penalty=None, tol=None, max_iter=60, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.coef_, [2.0, -1.0, 0.5], atol=2e-2)
    labels = (X @ np.array([1.0, 1.0, 0.0]) > 0).astype(int)
    assert Perceptron(random_state=0, max_iter=50).fit(X, labels).score(X, labels) >= 0.98


def test_sgd_losses_match_their_definitions():
    hinge, d_hinge = sgd_loss("hinge")
    assert hinge(0.5, 1.0) == 0.5 and d_hinge(0.5, 1.0) == -1.0 and d_hinge(2.0, 1.0) == 0.0
    log_loss, d_log = sgd_loss("log_loss")
    assert log_loss(0.3, -1.0) == pytest.approx(np.log1p(np.exp(0.3)))
    eps = 1e-6
    for name in ("log_loss", "squared_error", "huber", "modified_huber"):
        loss, dloss = sgd_loss(name, epsilon=0.5)
        for p in (-1.7, -0.2, 0.4, 2.3):  # finite differences away from kinks
            numeric = (loss(p + eps, 1.0) - loss(p - eps, 1.0)) / (2 * eps)
            assert dloss(p, 1.0) == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_sgd_predict_proba_and_bad_inputs():
    X, y = _std(load_iris)
    model = SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    with pytest.raises(AttributeError, match="log_loss"):
        SGDClassifier(random_state=0).fit(X, y).predict_proba(X)
    with pytest.raises(ValueError, match="loss"):
        SGDClassifier(loss="squared_loss").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        SGDRegressor(learning_rate="cyclic").fit(X, y)
    with pytest.raises(ValueError, match="eta0"):
        SGDRegressor(learning_rate="constant", eta0=0.0).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SGDClassifier().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="non-negative"):
        PoissonRegressor().fit(X_P, -Y_P)
    with pytest.raises(ValueError, match="quantile"):
        QuantileRegressor(quantile=1.0).fit(X_P, Y_Q)
    with pytest.raises(ValueError, match="solver"):
        QuantileRegressor(solver="simplex").fit(X_P, Y_Q)
