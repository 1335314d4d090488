"""Missing values (TE-06), pruning (TE-05), export_text / plot_tree, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import tree as sk_tree
from sklearn.datasets import load_iris

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text, plot_tree


def _nan_data(seed, n=500, frac=0.15):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X[rng.random(X.shape) < frac] = np.nan
    return X, y


def _sklearn_match(ours, make_ref, X, y, seeds=range(8)):
    for s in seeds:
        ref = make_ref(s).fit(X, y)
        if np.array_equal(ref.tree_.feature, ours.tree_.feature):
            return ref
    raise AssertionError("no scikit-learn seed grows the same tree")


@pytest.mark.parametrize(
    "params", [dict(max_depth=3, min_samples_leaf=20), dict(min_samples_leaf=30)]
)
def test_missing_values_match_sklearn(params):
    X, y = _nan_data(0)
    ours = DecisionTreeClassifier(**params).fit(X, y)
    ref = _sklearn_match(
        ours, lambda s: sk_tree.DecisionTreeClassifier(**params, random_state=s), X, y
    )
    a, b = ours.tree_, ref.tree_
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.missing_go_to_left, b.missing_go_to_left)
    np.testing.assert_array_equal(a.n_node_samples, b.n_node_samples)
    Xt, _ = _nan_data(1, frac=0.3)
    np.testing.assert_array_equal(ours.predict(Xt), ref.predict(Xt))


def test_missing_values_regressor_and_unseen_nan_goes_to_larger_child():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 3))
    y = 3 * X[:, 0] + rng.normal(size=400)
    ours = DecisionTreeRegressor(max_depth=1).fit(X, y)  # no NaN at training time
    ref = sk_tree.DecisionTreeRegressor(max_depth=1, random_state=0).fit(X, y)
    t = ours.tree_
    bigger_left = t.n_node_samples[t.children_left[0]] > t.n_node_samples[t.children_right[0]]
    assert bool(t.missing_go_to_left[0]) == bigger_left
    Xt = np.array([[np.nan, 0.0, 0.0]])
    np.testing.assert_allclose(ours.predict(Xt), ref.predict(Xt), rtol=1e-12)
    Xn = X.copy()
    Xn[rng.random(X.shape) < 0.2] = np.nan
    ours = DecisionTreeRegressor(min_samples_leaf=25).fit(Xn, y)
    ref = sk_tree.DecisionTreeRegressor(min_samples_leaf=25, random_state=0).fit(Xn, y)
    np.testing.assert_array_equal(ours.tree_.missing_go_to_left, ref.tree_.missing_go_to_left)
    np.testing.assert_allclose(ours.predict(Xn), ref.predict(Xn), rtol=1e-12)


def test_all_missing_on_one_side_uses_infinite_threshold():
    # feature 0 is informative only through missingness: NaN <=> class 1
    X = np.array([[0.0], [1.0], [2.0], [np.nan], [np.nan], [3.0]])
    y = np.array([0, 0, 0, 1, 1, 0])
    ours = DecisionTreeClassifier().fit(X, y)
    assert ours.tree_.threshold[0] == np.inf and not ours.tree_.missing_go_to_left[0]
    np.testing.assert_array_equal(ours.predict(X), y)


def test_random_splitter_handles_nan():
    X, y = _nan_data(3)
    clf = DecisionTreeClassifier(splitter="random", random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_pruning_path_and_pruned_tree_match_sklearn():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 4)) * [1, 3, 7, 11]
    y = (X[:, 0] + X[:, 1] / 3 + 0.7 * rng.normal(size=300) > 0).astype(int)
    params = dict(min_samples_leaf=10)
    ours = DecisionTreeClassifier(**params).fit(X, y)
    ref = _sklearn_match(
        ours, lambda s: sk_tree.DecisionTreeClassifier(**params, random_state=s), X, y
    )
    path = DecisionTreeClassifier(**params).cost_complexity_pruning_path(X, y)
    ref_path = ref.cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(path["ccp_alphas"], ref_path["ccp_alphas"], atol=1e-12)
    np.testing.assert_allclose(path["impurities"], ref_path["impurities"], atol=1e-12)
    k = len(path["ccp_alphas"]) // 2  # between two path values: away from the knife edge
    alpha = float(path["ccp_alphas"][k] + path["ccp_alphas"][k + 1]) / 2
    pruned = DecisionTreeClassifier(**params, ccp_alpha=alpha).fit(X, y)
    ref_pruned = sk_tree.DecisionTreeClassifier(
        **params, ccp_alpha=alpha, random_state=ref.random_state
    ).fit(X, y)
    for k in ["children_left", "children_right", "feature", "n_node_samples"]:
        np.testing.assert_array_equal(getattr(pruned.tree_, k), getattr(ref_pruned.tree_, k))
    assert pruned.get_n_leaves() < ours.get_n_leaves()


def test_export_text_matches_sklearn():
    X, y = load_iris(return_X_y=True)
    ours = DecisionTreeClassifier(max_depth=3, min_samples_leaf=5).fit(X, y)
    ref = _sklearn_match(
        ours,
        lambda s: sk_tree.DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, random_state=s),
        X,
        y,
    )
    names = ["sl", "sw", "pl", "pw"]
    for kw in [dict(), dict(feature_names=names, decimals=3), dict(show_weights=True, max_depth=1)]:
        assert export_text(ours, **kw) == sk_tree.export_text(ref, **kw)
    reg = DecisionTreeRegressor(max_depth=2).fit(X[:, :2], X[:, 3])
    ref_reg = sk_tree.DecisionTreeRegressor(max_depth=2, random_state=0).fit(X[:, :2], X[:, 3])
    np.testing.assert_array_equal(reg.tree_.feature, ref_reg.tree_.feature)
    assert export_text(reg, decimals=4) == sk_tree.export_text(ref_reg, decimals=4)


def test_plot_tree_draws_one_box_per_node():
    from matplotlib.figure import Figure

    X, y = load_iris(return_X_y=True)
    clf = DecisionTreeClassifier(max_depth=2).fit(X, y)
    ax = Figure().subplots()
    artists = plot_tree(clf, ax=ax, feature_names=["a", "b", "c", "d"])
    assert len(artists) == clf.tree_.node_count
    assert any("<=" in a.get_text() for a in artists)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["gini", "entropy"]))
def test_monotone_rescaling_keeps_the_partition(seed, criterion):
    """Trees only compare values: a strictly increasing map of a feature changes thresholds
    but not the leaves (Inventory: TE-01; claim CL-038)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 3))
    y = rng.integers(0, 3, size=80)
    a = DecisionTreeClassifier(criterion=criterion, max_depth=4).fit(X, y)
    b = DecisionTreeClassifier(criterion=criterion, max_depth=4).fit(np.exp(X / 2) * 5 + 1, y)
    np.testing.assert_array_equal(a.apply(X), b.apply(np.exp(X / 2) * 5 + 1))
    proba = a.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    imp = a.feature_importances_
    assert imp.min() >= 0 and (imp.sum() == 0 or abs(imp.sum() - 1) < 1e-12)


def test_bad_input():
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="max_depth"):
        DecisionTreeClassifier(max_depth=0).fit(X, y)
    with pytest.raises(ValueError, match="min_samples_split"):
        DecisionTreeClassifier(min_samples_split=1).fit(X, y)
    with pytest.raises(ValueError, match="min_samples_leaf"):
        DecisionTreeRegressor(min_samples_leaf=0).fit(X, y)
    with pytest.raises(ValueError, match="criterion"):
        DecisionTreeClassifier(criterion="mse").fit(X, y)
    with pytest.raises(ValueError, match="max_features"):
        DecisionTreeClassifier(max_features="half").fit(X, y)
    with pytest.raises(ValueError, match="max_features"):
        DecisionTreeClassifier(max_features=5).fit(X, y)
    with pytest.raises(ValueError, match="ccp_alpha"):
        DecisionTreeClassifier(ccp_alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="class_weight"):
        DecisionTreeClassifier(class_weight={7: 2.0}).fit(X, y)
    with pytest.raises(ValueError, match="absolute_error"):
        DecisionTreeRegressor(criterion="absolute_error").fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="Unknown label type|continuous"):
        DecisionTreeClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="infinity"):
        DecisionTreeClassifier().fit(np.where(X > 1, np.inf, X), y)


def test_degenerate_data_documented_behaviour():
    X = np.ones((10, 3))  # constant features: no split exists -> a single leaf
    y = np.arange(10) % 2
    clf = DecisionTreeClassifier().fit(X, y)
    assert clf.get_n_leaves() == 1 and clf.get_depth() == 0
    np.testing.assert_allclose(clf.predict_proba(X), 0.5)
    one = DecisionTreeClassifier().fit(np.random.default_rng(0).normal(size=(5, 2)), [3] * 5)
    assert one.get_n_leaves() == 1 and (one.predict([[0.0, 0.0]]) == 3).all()
    # duplicate rows with conflicting labels stay in one impure leaf
    Xd, yd = np.array([[0.0], [0.0], [1.0], [1.0]]), np.array([0, 1, 1, 1])
    dup = DecisionTreeClassifier().fit(Xd, yd)
    np.testing.assert_allclose(dup.predict_proba([[0.0]]), [[0.5, 0.5]])
    # min_samples_leaf larger than half the data: no split possible, no empty leaves
    big_leaf = DecisionTreeRegressor(min_samples_leaf=7).fit(Xd.repeat(3, 0), yd.repeat(3))
    assert big_leaf.get_n_leaves() == 1
