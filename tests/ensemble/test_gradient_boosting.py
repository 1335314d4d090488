"""Gradient boosting with CART trees (TE-12) against scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml._core.testing import sklearn_contract
from glassml.ensemble._gradient_boosting import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)


def _data(n=300, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X[:, 0] ** 2 + X[:, 1] + 0.1 * rng.standard_normal(n)
    return X, y


_WEIGHTS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "as in scikit-learn (which marks the same check): subsampling-free boosting still "
        "breaks exact ties between split features differently for repeated samples"
    )
}


@sklearn_contract([GradientBoostingClassifier(n_estimators=5),
                   GradientBoostingRegressor(n_estimators=5)],
                  expected_failed_checks=lambda est: _WEIGHTS)  # fmt: skip
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("loss", ["squared_error", "huber"])
@pytest.mark.parametrize("seed", [0, 1])
def test_regressor_first_round_identical(loss, seed):
    from sklearn.ensemble import GradientBoostingRegressor as Ref

    # min_samples_leaf avoids exact ties between features in tiny nodes (broken at random)
    X, y = _data(500, seed=seed)
    kw = dict(loss=loss, n_estimators=1, random_state=0, min_samples_leaf=15)
    ours = GradientBoostingRegressor(**kw).fit(X, y)
    ref = Ref(**kw).fit(X, y)
    ours_tree, ref_tree = ours.estimators_[0, 0].tree_, ref.estimators_[0, 0].tree_
    np.testing.assert_array_equal(ours_tree.feature, ref_tree.feature)
    np.testing.assert_allclose(ours_tree.threshold, ref_tree.threshold, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-10)
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_squared_error_many_rounds_identical(seed):
    from sklearn.ensemble import GradientBoostingRegressor as Ref

    X, y = _data(500, seed=seed)
    ours = GradientBoostingRegressor(n_estimators=30, random_state=0, min_samples_leaf=15)
    ref = Ref(n_estimators=30, random_state=0, min_samples_leaf=15).fit(X, y)
    ours.fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-10)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-10)
    for a, b in zip(ours.staged_predict(X[:5]), ref.staged_predict(X[:5]), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-10)


@pytest.mark.parametrize("loss, alpha", [("absolute_error", 0.5), ("quantile", 0.9)])
def test_leaf_line_search_is_residual_quantile(loss, alpha):
    # pseudo-residuals are ±1 (ties!), so check the line search itself: every leaf value is
    # the alpha-quantile of the residuals y − F_0 of its samples (Friedman's step 5)
    X, y = _data(301, seed=9)
    model = GradientBoostingRegressor(loss=loss, alpha=alpha, n_estimators=1, learning_rate=1.0,
                                      max_depth=2).fit(X, y)  # fmt: skip
    prior = np.percentile(y, 100 * alpha)
    leaves = model.estimators_[0, 0].apply(X)
    for leaf in np.unique(leaves):
        residual = np.sort(y[leaves == leaf] - prior)
        rank = int(np.ceil(alpha * residual.size)) - 1  # inverted-CDF quantile
        np.testing.assert_allclose(model.estimators_[0, 0].tree_.value[leaf, 0, 0],
                                   residual[rank], rtol=1e-12)  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["absolute_error", "huber", "quantile"])
def test_robust_losses_close_to_sklearn(loss):
    from sklearn.ensemble import GradientBoostingRegressor as Ref

    X, y = _data(400, seed=3)
    ours = GradientBoostingRegressor(loss=loss, n_estimators=40, random_state=0).fit(X, y)
    ref = Ref(loss=loss, n_estimators=40, random_state=0).fit(X, y)
    # residual signs tie often, so later trees may break ties differently: compare the loss
    ours_loss = ours._loss(y, ours.predict(X)[:, None], np.ones_like(y))
    ref_loss = ours._loss(y, ref.predict(X)[:, None], np.ones_like(y))
    assert abs(ours_loss - ref_loss) <= 0.1 * ref_loss


@pytest.mark.parametrize("loss, n_classes", [("log_loss", 2), ("exponential", 2),
                                             ("log_loss", 3)])  # fmt: skip
def test_classifier_identical(loss, n_classes):
    from sklearn.ensemble import GradientBoostingClassifier as Ref

    X, _ = _data(500, seed=n_classes)
    score = X[:, 0] + X[:, 2]
    y = np.digitize(score, [-0.5, 0.5]) if n_classes == 3 else (score > 0).astype(int)
    kw = dict(loss=loss, n_estimators=20, random_state=0, min_samples_leaf=15)
    ours = GradientBoostingClassifier(**kw).fit(X, y)
    ref = Ref(**kw).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-10)
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=1e-10)


def test_subsample_oob_and_early_stopping():
    from sklearn.ensemble import GradientBoostingRegressor as Ref

    X, y = _data(600, seed=4)
    ours = GradientBoostingRegressor(n_estimators=50, subsample=0.5, random_state=0).fit(X, y)
    ref = Ref(n_estimators=50, subsample=0.5, random_state=0).fit(X, y)
    assert ours.oob_improvement_.shape == (50,)
    assert ours.oob_improvement_[:5].min() > 0  # early rounds improve out-of-bag loss
    np.testing.assert_allclose(ours.oob_scores_[-1], ref.oob_scores_[-1], rtol=0.35)
    stopped = GradientBoostingRegressor(n_estimators=1000, learning_rate=0.3,
                                        n_iter_no_change=5, random_state=0).fit(X, y)  # fmt: skip
    assert 5 < stopped.n_estimators_ < 1000
    assert len(stopped.train_score_) == stopped.n_estimators_


def test_init_estimator_and_zero():
    from sklearn.ensemble import GradientBoostingRegressor as Ref
    from sklearn.linear_model import LinearRegression

    X, y = _data(500, seed=5)
    for init in ["zero", LinearRegression()]:
        kw = dict(n_estimators=10, init=init, random_state=0, min_samples_leaf=15)
        ours = GradientBoostingRegressor(**kw).fit(X, y)
        ref = Ref(**kw).fit(X, y)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-8)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_property_pseudo_residuals_are_residuals(seed):
    # squared loss: the first tree is fitted to y − mean(y), so its leaf means are residual means
    X, y = _data(60, 2, seed=seed)
    model = GradientBoostingRegressor(n_estimators=1, learning_rate=1.0, max_depth=2).fit(X, y)
    leaves = model.estimators_[0, 0].apply(X)
    for leaf in np.unique(leaves):
        np.testing.assert_allclose(model.predict(X[leaves == leaf]),
                                   y[leaves == leaf].mean(), atol=1e-10)  # fmt: skip


def test_bad_inputs():
    X, y = _data(40)
    with pytest.raises(ValueError, match="loss"):
        GradientBoostingRegressor(loss="log_loss").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        GradientBoostingRegressor(learning_rate=0.0).fit(X, y)
    with pytest.raises(ValueError, match="2 classes"):
        GradientBoostingClassifier().fit(X, np.ones(40))
    with pytest.raises(ValueError, match="exponential"):
        GradientBoostingClassifier(loss="exponential").fit(X, np.arange(40) % 3)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GradientBoostingRegressor().fit(X_nan, y)
