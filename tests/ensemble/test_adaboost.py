"""AdaBoost SAMME and AdaBoost.R2 (TE-11) against scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml._core.testing import sklearn_contract
from glassml.ensemble._weight_boosting import AdaBoostClassifier, AdaBoostRegressor


def _data(n=300, d=4, seed=0, n_classes=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if n_classes == 2:
        return X, (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, np.digitize(X[:, 0] + X[:, 2], [-0.5, 0.5])


_WEIGHTS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "as in scikit-learn (which marks the same check): AdaBoost.R2 draws a weighted bootstrap "
        "and SAMME clips weights at machine epsilon, so weights != repeated samples"
    )
}


@sklearn_contract([AdaBoostClassifier(n_estimators=5), AdaBoostRegressor(n_estimators=5)],
                  expected_failed_checks=lambda est: _WEIGHTS)  # fmt: skip
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("learning_rate", [1.0, 0.5])
def test_samme_identical_weights(n_classes, learning_rate):
    from sklearn.ensemble import AdaBoostClassifier as Ref

    X, y = _data(seed=n_classes, n_classes=n_classes)
    ours = AdaBoostClassifier(n_estimators=40, learning_rate=learning_rate).fit(X, y)
    ref = Ref(n_estimators=40, learning_rate=learning_rate, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_errors_, ref.estimator_errors_, rtol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    staged = [s for s in ours.staged_score(X, y)]
    np.testing.assert_allclose(staged, list(ref.staged_score(X, y)), atol=1e-12)


def test_samme_with_sklearn_base_learner():
    from sklearn.ensemble import AdaBoostClassifier as Ref
    from sklearn.tree import DecisionTreeClassifier as SkTree

    X, y = _data(seed=7, n_classes=3)
    ours = AdaBoostClassifier(estimator=SkTree(max_depth=2), n_estimators=20).fit(X, y)
    ref = Ref(estimator=SkTree(max_depth=2), n_estimators=20, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_, rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_property_weights_follow_samme_formula(seed):
    X, y = _data(80, 3, seed=seed)
    model = AdaBoostClassifier(n_estimators=3).fit(X, y)
    err = model.estimator_errors_
    np.testing.assert_allclose(model.estimator_weights_, np.log((1 - err) / err), rtol=1e-12)


@pytest.mark.slow
def test_regressor_close_to_sklearn():
    from sklearn.ensemble import AdaBoostRegressor as Ref

    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = X[:, 0] ** 2 + X[:, 1]
    for loss in ["linear", "square", "exponential"]:
        ours = AdaBoostRegressor(loss=loss, random_state=0).fit(X[:300], y[:300])
        ref = Ref(loss=loss, random_state=0).fit(X[:300], y[:300])
        # bootstrap draws differ (NumPy Generator vs RandomState): compare test R²
        assert abs(ours.score(X[300:], y[300:]) - ref.score(X[300:], y[300:])) < 0.1


def test_regressor_weighted_median():
    class Constant:
        pass

    model = AdaBoostRegressor()
    preds = np.array([[1.0, 5.0, 3.0], [2.0, 0.0, 9.0]])
    alphas = np.array([0.2, 0.5, 0.4])
    np.testing.assert_array_equal(model._weighted_median(preds, alphas), [3.0, 2.0])


def test_bad_inputs():
    X, y = _data(40)
    with pytest.raises(ValueError, match="2 classes"):
        AdaBoostClassifier().fit(X, np.zeros(40))
    with pytest.raises(ValueError, match="learning_rate"):
        AdaBoostClassifier(learning_rate=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        AdaBoostRegressor(loss="huber").fit(X, y.astype(float))
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AdaBoostClassifier().fit(X_nan, y)
