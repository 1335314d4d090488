"""Random forests and extra trees against scikit-learn (Inventory: TE-07, TE-08, TE-09)."""

import numpy as np
import pytest
from sklearn import ensemble as sk_ens
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.model_selection import train_test_split

from glassml._core.testing import sklearn_contract
from glassml.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from glassml.inspection import permutation_importance

_WEIGHTS = "sample_weight is not equivalent to removing/repeating samples."


def _xfail(est):
    out = {}
    if isinstance(est, RandomForestClassifier | RandomForestRegressor) and est.bootstrap:
        # bootstrap draws differ between weighted and repeated data (scikit-learn xfails this too)
        out["check_sample_weight_equivalence_on_dense_data"] = _WEIGHTS
    return out


@sklearn_contract(
    [
        RandomForestClassifier(n_estimators=5, random_state=0),
        RandomForestRegressor(n_estimators=5, random_state=0),
        ExtraTreesClassifier(n_estimators=5, random_state=0),
        ExtraTreesRegressor(n_estimators=5, random_state=0),
    ],
    expected_failed_checks=_xfail,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
@pytest.mark.parametrize(
    "ours, ref",
    [
        (RandomForestClassifier, sk_ens.RandomForestClassifier),
        (ExtraTreesClassifier, sk_ens.ExtraTreesClassifier),
    ],
)
def test_classifier_accuracy_and_oob_close_to_sklearn(loader, ours, ref):
    X, y = loader(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    kw = dict(n_estimators=30, bootstrap=True, oob_score=True)
    accs, oobs = [], []
    for est in (ours, ref):
        runs = [est(**kw, random_state=s).fit(Xa, ya) for s in range(2)]
        accs.append(np.mean([r.score(Xb, yb) for r in runs]))
        oobs.append(np.mean([r.oob_score_ for r in runs]))
    assert abs(accs[0] - accs[1]) <= 0.03, accs
    assert abs(oobs[0] - oobs[1]) <= 0.03, oobs
    model = ours(**kw, random_state=0).fit(Xa, ya)
    assert model.oob_decision_function_.shape == (len(ya), len(np.unique(y)))
    np.testing.assert_allclose(model.predict_proba(Xb).sum(1), 1.0)


def test_regressor_r2_and_oob_close_to_sklearn():
    X, y = load_diabetes(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
    for ours, ref in [
        (RandomForestRegressor, sk_ens.RandomForestRegressor),
        (ExtraTreesRegressor, sk_ens.ExtraTreesRegressor),
    ]:
        kw = dict(n_estimators=30, max_features=0.5, bootstrap=True, oob_score=True)
        a = ours(**kw, random_state=0).fit(Xa, ya)
        b = ref(**kw, random_state=0).fit(Xa, ya)
        assert abs(a.score(Xb, yb) - b.score(Xb, yb)) < 0.05
        assert abs(a.oob_score_ - b.oob_score_) < 0.05
        assert a.oob_prediction_.shape == ya.shape


def test_reproducible_for_any_n_jobs_and_importances():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    one = RandomForestClassifier(n_estimators=8, n_jobs=1, random_state=3).fit(X, y)
    two = RandomForestClassifier(n_estimators=8, n_jobs=2, random_state=3).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    np.testing.assert_array_equal(one.apply(X), two.apply(X))
    imp = one.feature_importances_
    assert abs(imp.sum() - 1) < 1e-12 and set(np.argsort(imp)[-2:]) == {0, 1}
    ref = sk_ens.RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)
    ours = RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=0.05)


def test_permutation_importance_matches_sklearn_statistically():
    from sklearn.inspection import permutation_importance as sk_perm

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 5))
    y = 3 * X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=400)
    model = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=5, random_state=0)
    ref = sk_perm(model, X, y, n_repeats=5, random_state=0)
    np.testing.assert_allclose(ours["importances_mean"], ref["importances_mean"], atol=0.15)
    assert np.argmax(ours["importances_mean"]) == 0
    assert ours["importances"].shape == (5, 5)
    with pytest.raises(ValueError, match="n_repeats"):
        permutation_importance(model, X, y, n_repeats=0)


def test_bad_input():
    X, y = np.random.default_rng(0).normal(size=(30, 3)), np.arange(30) % 2
    with pytest.raises(ValueError, match="n_estimators"):
        RandomForestClassifier(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError, match="oob_score"):
        ExtraTreesClassifier(oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="max_depth"):
        RandomForestRegressor(max_depth=0).fit(X, y)
    with pytest.raises(ValueError, match="max_samples"):
        RandomForestClassifier(max_samples=2.0).fit(X, y)
    with pytest.raises(ValueError, match="sample_weight"):
        RandomForestClassifier(n_estimators=3).fit(X, y, sample_weight=np.zeros(30))
    Xn = np.where(X > 1, np.nan, X)  # NaN is supported (documented): it must not crash
    assert RandomForestClassifier(n_estimators=5, random_state=0).fit(Xn, y).score(Xn, y) > 0.8
