"""TargetEncoder (DP-05) against scikit-learn: smoothing, cross fitting, target types."""

import numpy as np
import pytest
import sklearn.preprocessing as skp
from sklearn.model_selection import KFold, StratifiedKFold

from glassml._core.testing import sklearn_contract
from glassml.preprocessing import TargetEncoder
from glassml.preprocessing._target_encoder import kfold_test_folds, stratified_test_folds


def make_data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    city = rng.choice(np.array(["oslo", "rome", "lima", "pune", None], dtype=object), size=n)
    level = rng.integers(0, 12, size=n).astype(object)
    level[rng.random(n) < 0.05] = np.nan
    X = np.column_stack([city, level])
    effect = np.where(city == "rome", 1.5, 0.0) + (level == 3) * 1.0
    targets = {
        "continuous": effect + rng.normal(size=n),
        "binary": (rng.random(n) < 0.2 + 0.3 * (city == "oslo")).astype(int),
        "imbalanced": np.where(rng.random(n) < 0.07, "fraud", "ok"),
        "multiclass": rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.3, 0.1]),
    }
    return X, targets


X, TARGETS = make_data()


def sk_cv(kind, seed=0):
    if kind == "continuous":
        return KFold(5, shuffle=True, random_state=seed)
    return StratifiedKFold(5, shuffle=True, random_state=seed)


@pytest.mark.parametrize("smooth", ["auto", 0.0, 4.0])
@pytest.mark.parametrize("kind", list(TARGETS))
def test_matches_sklearn(kind, smooth):
    y = TARGETS[kind]
    ours = TargetEncoder(smooth=smooth, cv=5, shuffle=True, random_state=0)
    ref = skp.TargetEncoder(smooth=smooth, cv=sk_cv(kind))
    A, B = ours.fit_transform(X, y), ref.fit_transform(X, y)
    np.testing.assert_allclose(A, B, rtol=1e-10, atol=1e-12)  # same folds, same encodings
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.target_mean_, ref.target_mean_, rtol=1e-12)
    for e1, e2 in zip(ours.encodings_, ref.encodings_, strict=True):
        np.testing.assert_allclose(e1, e2, rtol=1e-10, atol=1e-12)
    assert ours.target_type_ == ref.target_type_
    assert ours.get_feature_names_out().tolist() == list(ref.get_feature_names_out())


def test_accepts_a_splitter_object():
    y = TARGETS["binary"]
    cv = StratifiedKFold(4, shuffle=True, random_state=3)
    A = TargetEncoder(cv=cv).fit_transform(X, y)
    B = skp.TargetEncoder(cv=StratifiedKFold(4, shuffle=True, random_state=3)).fit_transform(X, y)
    np.testing.assert_allclose(A, B, rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("n_splits", [3, 5])
def test_folds_match_sklearn_splitters(seed, n_splits):
    y = TARGETS["multiclass"]
    ours = stratified_test_folds(y, n_splits, shuffle=True, random_state=seed)
    ref = [t for _, t in StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y)]
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, b)
    ours = kfold_test_folds(len(y), n_splits, shuffle=True, random_state=seed)
    ref = [t for _, t in KFold(n_splits, shuffle=True, random_state=seed).split(X)]
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(np.sort(a), b)


def test_unknown_category_gets_target_mean_and_smoothing_formula():
    Xs = np.array([["a"], ["a"], ["b"], ["b"], ["b"]], dtype=object)
    y = np.array([1.0, 3.0, 10.0, 20.0, 30.0])
    enc = TargetEncoder(smooth=2.0, target_type="continuous").fit(Xs, y)
    ybar = y.mean()
    expected = [(4.0 + 2 * ybar) / (2 + 2), (60.0 + 2 * ybar) / (3 + 2), ybar]
    np.testing.assert_allclose(enc.transform([["a"], ["b"], ["zzz"]]).ravel(), expected)


def test_cross_fitting_differs_from_full_fit():
    y = TARGETS["continuous"]
    enc = TargetEncoder(random_state=0)
    assert not np.allclose(enc.fit_transform(X, y), enc.transform(X))


def test_bad_input():
    y = TARGETS["continuous"]
    with pytest.raises(ValueError, match="smooth"):
        TargetEncoder(smooth=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="cv"):
        TargetEncoder(cv=1).fit_transform(X, y)
    with pytest.raises(ValueError, match="target_type"):
        TargetEncoder(target_type="ordinal").fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TargetEncoder().fit(X, y[:10])
    with pytest.raises(ValueError, match="requires y"):
        TargetEncoder().fit(X, None)
    with pytest.raises(ValueError, match="1-D"):
        TargetEncoder().fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="cannot be greater than the number of members"):
        TargetEncoder(cv=5).fit_transform(X[:4], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="is expecting 2 features"):
        TargetEncoder().fit(X, y).transform(X[:, :1])


@sklearn_contract([TargetEncoder(cv=3, random_state=0)])
def test_sklearn_contract(estimator, check):
    check(estimator)
