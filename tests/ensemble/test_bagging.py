"""Bagging meta-estimator (Inventory: TE-10, TE-08)."""

import numpy as np
import pytest
from sklearn import ensemble as sk_ens
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import train_test_split

from glassml._core.testing import sklearn_contract
from glassml.ensemble import BaggingClassifier, BaggingRegressor
from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor


@sklearn_contract(
    [
        BaggingClassifier(n_estimators=5, random_state=0),
        BaggingRegressor(n_estimators=5, random_state=0),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_classifier_close_to_sklearn_and_oob():
    X, y = load_breast_cancer(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    kw = dict(n_estimators=30, oob_score=True, max_features=0.7)
    ours = [BaggingClassifier(**kw, random_state=s).fit(Xa, ya) for s in range(2)]
    refs = [sk_ens.BaggingClassifier(**kw, random_state=s).fit(Xa, ya) for s in range(2)]
    acc = [np.mean([m.score(Xb, yb) for m in ms]) for ms in (ours, refs)]
    oob = [np.mean([m.oob_score_ for m in ms]) for ms in (ours, refs)]
    assert abs(acc[0] - acc[1]) < 0.03 and abs(oob[0] - oob[1]) < 0.03, (acc, oob)


def test_regressor_close_to_sklearn_and_beats_a_single_tree():
    X, y = load_diabetes(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = BaggingRegressor(n_estimators=40, oob_score=True, random_state=0).fit(Xa, ya)
    ref = sk_ens.BaggingRegressor(n_estimators=40, oob_score=True, random_state=0).fit(Xa, ya)
    assert abs(ours.score(Xb, yb) - ref.score(Xb, yb)) < 0.05
    assert abs(ours.oob_score_ - ref.oob_score_) < 0.06
    single = DecisionTreeRegressor(random_state=0).fit(Xa, ya).score(Xb, yb)
    assert ours.score(Xb, yb) > single + 0.1


def test_any_base_estimator_features_and_votes():
    from sklearn.svm import LinearSVC  # a member without predict_proba: majority vote

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] - X[:, 2] > 0).astype(int)
    bag = BaggingClassifier(
        estimator=LinearSVC(), n_estimators=7, max_features=3, bootstrap_features=True,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert all(len(f) == 3 for f in bag.estimators_features_)
    assert bag.score(X, y) > 0.75
    p = bag.predict_proba(X)
    assert np.allclose(p.sum(1), 1) and set(np.unique(p * 7).round(6)) <= set(range(8))
    pasting = BaggingClassifier(
        estimator=DecisionTreeClassifier(max_depth=2), bootstrap=False, max_samples=0.5,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert all(len(np.unique(r)) == 100 for r in pasting.estimators_samples_)


def test_bad_input():
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="max_samples"):
        BaggingClassifier(max_samples=0.0).fit(X, y)
    with pytest.raises(ValueError, match="max_features"):
        BaggingRegressor(max_features=5).fit(X, y)
    with pytest.raises(ValueError, match="oob_score"):
        BaggingClassifier(bootstrap=False, oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="n_estimators"):
        BaggingClassifier(n_estimators=0).fit(X, y)
