"""XGBoost-style histogram boosting (TE-13) against scikit-learn, LightGBM and XGBoost."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml._core.testing import sklearn_contract
from glassml.ensemble._binning import BinMapper
from glassml.ensemble._hist_boosting import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)


def _classification(n=1500, d=6, seed=0, n_classes=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    score = X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * rng.standard_normal(n)
    if n_classes == 2:
        return X, (score > 0).astype(int)
    return X, np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))


@sklearn_contract([HistGradientBoostingClassifier(max_iter=10),
                   HistGradientBoostingRegressor(max_iter=10)])  # fmt: skip
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bin_mapper_matches_sklearn():
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

    rng = np.random.default_rng(1)
    X = np.column_stack([rng.standard_normal(2000), rng.integers(0, 5, 2000)]).astype(float)
    X[rng.random(2000) < 0.1, 0] = np.nan
    ours = BinMapper(max_bins=255).fit(X)
    ref = _BinMapper(n_bins=256).fit(X)
    for j in range(2):
        np.testing.assert_allclose(ours.bin_thresholds_[j], ref.bin_thresholds_[j], rtol=1e-6)
    ref_bins = ref.transform(X).astype(int)
    ref_bins[ref_bins == 255] = 255
    np.testing.assert_array_equal(ours.transform(X), ref_bins)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_regressor_matches_sklearn(depth):
    from sklearn.ensemble import HistGradientBoostingRegressor as Ref

    rng = np.random.default_rng(depth)
    X = rng.standard_normal((500, 4))
    y = X[:, 0] ** 2 + X[:, 1] + 0.1 * rng.standard_normal(500)
    ours = HistGradientBoostingRegressor(max_iter=15, max_depth=depth, reg_lambda=0.0).fit(X, y)
    ref = Ref(max_iter=15, max_depth=depth, max_leaf_nodes=None, early_stopping=False,
              l2_regularization=0.0).fit(X, y)  # fmt: skip
    # scikit-learn accumulates gradients in float32
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-5)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_matches_sklearn(n_classes):
    from sklearn.ensemble import HistGradientBoostingClassifier as Ref

    X, y = _classification(800, 4, seed=n_classes, n_classes=n_classes)
    if n_classes == 2:  # (3 classes + NaN: a float32 near-tie in one node flips sklearn's split)
        X[::7, 1] = np.nan
    ours = HistGradientBoostingClassifier(max_iter=10, max_depth=3, reg_lambda=1.0).fit(X, y)
    ref = Ref(max_iter=10, max_depth=3, max_leaf_nodes=None, early_stopping=False,
              l2_regularization=1.0).fit(X, y)  # fmt: skip
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    assert ours.n_iter_ == ref.n_iter_ == 10


@pytest.mark.slow
def test_xgboost_and_lightgbm_accuracy_within_half_a_point():
    """Mean test accuracy over three 6,000/6,000 splits (5% missing values) within 0.5
    points of XGBoost's and LightGBM's with the same settings (one split alone can differ by
    more: the libraries bin and break ties differently)."""
    import lightgbm
    import xgboost

    accs = {"ours": [], "xgb": [], "lgb": []}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((12_000, 8))
        score = (
            X[:, 0] + X[:, 1] * X[:, 2] + np.sin(2 * X[:, 3]) + 0.5 * rng.standard_normal(12_000)
        )
        y = (score > 0).astype(int)
        X[rng.random(X.shape) < 0.05] = np.nan
        Xtr, Xte, ytr, yte = X[:6000], X[6000:], y[:6000], y[6000:]
        ours = HistGradientBoostingClassifier(max_iter=50, max_depth=5, reg_lambda=1.0,
                                              min_samples_leaf=1, min_child_weight=1.0).fit(Xtr, ytr)  # fmt: skip
        xgb = xgboost.XGBClassifier(n_estimators=50, max_depth=5, learning_rate=0.1,
                                    tree_method="hist", n_jobs=1).fit(Xtr, ytr)  # fmt: skip
        lgb = lightgbm.LGBMClassifier(n_estimators=50, max_depth=5, num_leaves=32, learning_rate=0.1,
                                      min_child_samples=1, reg_lambda=1.0, verbose=-1, n_jobs=1).fit(Xtr, ytr)  # fmt: skip
        assert ours.n_iter_ == 50
        for name, model in (("ours", ours), ("xgb", xgb), ("lgb", lgb)):
            accs[name].append(model.score(Xte, yte))
    mean = {k: float(np.mean(v)) for k, v in accs.items()}
    assert abs(mean["ours"] - mean["xgb"]) <= 0.005, mean
    assert abs(mean["ours"] - mean["lgb"]) <= 0.005, mean


def test_early_stopping_same_round_as_xgboost():
    import xgboost

    X, y = _classification(3000, 6, seed=5)
    Xtr, Xva, ytr, yva = X[:2000], X[2000:], y[:2000], y[2000:]
    ours = HistGradientBoostingClassifier(max_iter=300, max_depth=3, learning_rate=0.3,
                                          min_samples_leaf=1, min_child_weight=1.0,
                                          n_iter_no_change=10, tol=0.0)  # fmt: skip
    ours.fit(Xtr, ytr, eval_set=(Xva, yva))
    ref = xgboost.XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.3, n_jobs=1,
                                tree_method="hist", early_stopping_rounds=10,
                                eval_metric="logloss")  # fmt: skip
    ref.fit(Xtr, ytr, eval_set=[(Xva, yva)], verbose=False)
    assert ours.n_iter_ < 300
    # same patience rule; the two differ only in the baseline score and float rounding
    assert abs(ours.best_iteration_ - ref.best_iteration) <= 0.15 * ref.best_iteration
    assert ours.score(Xva, yva) >= ref.score(Xva, yva) - 0.005
    assert ours.n_iter_ == ours.best_iteration_ + 11


def test_gain_leaf_formulas_single_split():
    # one round, depth 1: the leaf weights must be −G/(H+λ)·η with the soft-threshold for α
    X = np.array([[0.0], [0.0], [1.0], [1.0], [1.0]])
    y = np.array([0.0, 1.0, 5.0, 6.0, 7.0])
    lam, alpha, eta = 2.0, 0.5, 0.3
    model = HistGradientBoostingRegressor(max_iter=1, max_depth=1, min_samples_leaf=1,
                                          reg_lambda=lam, reg_alpha=alpha,
                                          learning_rate=eta).fit(X, y)  # fmt: skip
    g = y.mean() - y  # gradient of ½(y − F)² at F = mean
    soft = lambda G: np.sign(G) * max(abs(G) - alpha, 0.0)  # noqa: E731
    left = -soft(g[:2].sum()) / (2 + lam) * eta
    right = -soft(g[2:].sum()) / (3 + lam) * eta
    np.testing.assert_allclose(model.predict([[0.0], [1.0]]), y.mean() + np.array([left, right]),
                               rtol=1e-12)  # fmt: skip
    tree = model._predictors[0][0]
    score = lambda G, H: soft(G) ** 2 / (H + lam)  # noqa: E731
    gain = 0.5 * (score(g[:2].sum(), 2) + score(g[2:].sum(), 3) - score(g.sum(), 5))
    np.testing.assert_allclose(tree.gain[0], gain, rtol=1e-12)


def test_gamma_prunes_weak_splits():
    X, y = _classification(400, 3, seed=2)
    strong = HistGradientBoostingClassifier(max_iter=1, gamma=1e6).fit(X, y)
    assert strong._predictors[0][0].feature.size == 1  # only the root remains


def test_missing_values_learned_direction():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 2))
    y = (X[:, 0] > 0.5).astype(int)
    X[y == 1, 1] = np.nan  # missingness is informative
    X[:, 0] = rng.standard_normal(1000)  # the only signal left is "is feature 1 missing"
    model = HistGradientBoostingClassifier(max_iter=5, max_depth=1).fit(X, y)
    tree = model._predictors[0][0]
    assert tree.feature[0] == 1
    assert model.score(X, y) == 1.0
    assert model.predict([[0.0, np.nan]])[0] == 1


def test_custom_objective_equals_squared_error():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] - 2 * X[:, 1]
    custom = HistGradientBoostingRegressor(
        loss=lambda y, raw: (raw - y, np.ones_like(y)), max_iter=10
    ).fit(X, y - y.mean())
    builtin = HistGradientBoostingRegressor(max_iter=10).fit(X, y)
    np.testing.assert_allclose(custom.predict(X) + y.mean(), builtin.predict(X), atol=1e-10)


def test_subsampling_is_seeded_and_changes_model():
    X, y = _classification(600, 5, seed=7)
    a = HistGradientBoostingClassifier(max_iter=10, subsample=0.5, colsample_bytree=0.6,
                                       random_state=3).fit(X, y)  # fmt: skip
    b = HistGradientBoostingClassifier(max_iter=10, subsample=0.5, colsample_bytree=0.6,
                                       random_state=3).fit(X, y)  # fmt: skip
    full = HistGradientBoostingClassifier(max_iter=10).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert np.abs(a.predict_proba(X) - full.predict_proba(X)).max() > 1e-6
    used = {int(f) for trees in a._predictors for f in trees[0].feature if f >= 0}
    assert used  # column subsampling still yields splits


def test_unit_weights_skip_nothing_and_weights_scale_gradients():
    """sample_weight=1 gives the very same model as no weights (the multiply is skipped);
    doubling every weight doubles G and H, so with λ = 0 the leaves w* = −G/H are unchanged."""
    X, y = _classification(800, 4, seed=5)
    plain = HistGradientBoostingClassifier(max_iter=8, reg_lambda=0.0).fit(X, y)
    ones = HistGradientBoostingClassifier(max_iter=8, reg_lambda=0.0).fit(X, y, np.ones(len(y)))
    twos = HistGradientBoostingClassifier(max_iter=8, reg_lambda=0.0).fit(
        X, y, np.full(len(y), 2.0)
    )
    np.testing.assert_array_equal(ones.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_allclose(twos.predict_proba(X), plain.predict_proba(X), rtol=1e-10)


def test_row_subsample_grows_the_tree_of_the_in_bag_rows():
    """Growing with an in-bag mask (root and level histograms of the in-bag rows only) gives
    the tree grown on those rows alone, and routes the in-bag rows to the same leaves."""
    from glassml.ensemble._hist_grower import GrowParams, TreeGrower

    X, y = _classification(900, 5, seed=8)
    X[::13, 1] = np.nan
    mapper = BinMapper(max_bins=63, random_state=0).fit(X)
    binned = mapper.transform(X)
    params = GrowParams(5, None, 5, 1e-3, 1.0, 0.0, 0.0, 0.3)
    in_bag = np.random.default_rng(0).random(len(y)) < 0.6
    g, h = 0.5 - y + 0.1 * X[:, 2], np.full(len(y), 0.25)
    everything = TreeGrower(binned, mapper.bin_thresholds_, 63, params)
    bag_only = TreeGrower(binned[in_bag], mapper.bin_thresholds_, 63, params)
    allowed = np.ones(5, bool)
    tree, leaves = everything.grow(g, h, in_bag, allowed)
    expected, expected_leaves = bag_only.grow(g[in_bag], h[in_bag], None, allowed)
    for name in ("feature", "bin_threshold", "missing_left", "left", "right"):
        np.testing.assert_array_equal(getattr(tree, name), getattr(expected, name), err_msg=name)
    np.testing.assert_allclose(tree.value, expected.value, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(leaves[in_bag], expected_leaves)
    np.testing.assert_array_equal(leaves, tree.apply(X))  # out-of-bag rows are routed too


def test_staged_predict_ends_at_predict():
    X, y = _classification(300, 3, seed=1, n_classes=3)
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, y)
    stages = list(model.staged_predict_proba(X))
    assert len(stages) == 5
    np.testing.assert_allclose(stages[-1], model.predict_proba(X))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_property_leaf_count_and_proba(seed):
    X, y = _classification(120, 3, seed=seed)
    model = HistGradientBoostingClassifier(max_iter=3, max_depth=None, max_leaf_nodes=5,
                                           min_samples_leaf=2).fit(X, y)  # fmt: skip
    for trees in model._predictors:
        assert (trees[0].feature < 0).sum() <= 5
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "params, match",
    [({"learning_rate": 0.0}, "learning_rate"), ({"loss": "hinge"}, "loss"),
     ({"max_bins": 300}, "max_bins"), ({"subsample": 0.0}, "subsample"),
     ({"max_depth": 0}, "max_depth"), ({"reg_lambda": -1.0}, "reg_lambda")],
)  # fmt: skip
def test_bad_parameters(params, match):
    X, y = _classification(50, 3)
    with pytest.raises(ValueError, match=match):
        HistGradientBoostingClassifier(**params).fit(X, y)


def test_bad_inputs():
    X, y = _classification(50, 3)
    with pytest.raises(ValueError, match="2 classes"):
        HistGradientBoostingClassifier().fit(X, np.zeros(50))
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        HistGradientBoostingRegressor().fit(X_inf, y.astype(float))
    with pytest.raises(ValueError, match="custom objective"):
        HistGradientBoostingRegressor(loss=lambda y, r: (y[:3], y[:3])).fit(X, y.astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HistGradientBoostingRegressor(max_iter=2, reg_lambda=0.0).fit(X, y.astype(float))


@pytest.mark.parametrize("m", [1, 3])
def test_grower_histograms_equal_brute_force_sums(m):
    """The per-feature bincount histograms of m nodes (a subset of rows) and the root's (all
    rows: bincounts in the first round, then a sparse product with cached counts) against
    np.add.at sums of (g, h, 1) over (node, feature, bin)."""
    from glassml.ensemble._hist_grower import GrowParams, TreeGrower

    rng = np.random.default_rng(m)
    n, d, max_bins = 400, 5, 15
    binned = rng.integers(0, max_bins + 1, size=(n, d)).astype(np.uint8)  # incl. missing bin
    edges = [np.arange(max_bins - 1, dtype=float) for _ in range(d)]
    params = GrowParams(6, None, 1, 0.0, 1.0, 0.0, 0.0, 0.1)
    grower = TreeGrower(binned, edges, max_bins, params)

    def brute_force(rows, node, m, g, h):
        expected = np.zeros((3, m, d, max_bins + 1))
        for j in range(d):
            for k, w in enumerate((g, h, np.ones(n))):
                np.add.at(expected[k, :, j], (node, binned[rows, j]), w[rows])
        return expected

    g, h = rng.standard_normal(n), rng.random(n)
    rows = np.sort(rng.choice(n, 250, replace=False))
    local = rng.integers(0, m, rows.size) if m > 1 else None
    gh, counts = grower._histograms(rows, local, m, g, h)
    assert counts.dtype.kind == "i"
    node = np.zeros(rows.size, int) if local is None else local
    expected = brute_force(rows, node, m, g, h)
    np.testing.assert_allclose(gh, expected[:2], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(counts, expected[2])
    all_rows = np.arange(n)
    for _ in range(2):  # round 1 computes and caches the counts, round 2 reuses them
        g, h = rng.standard_normal(n), rng.random(n)
        gh, counts = grower._root_histograms(g, h, None)
        expected = brute_force(all_rows, np.zeros(n, int), 1, g, h)
        np.testing.assert_allclose(gh, expected[:2], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(counts, expected[2])


def test_training_leaves_from_bins_equal_tree_apply_on_raw_values():
    """The booster adds leaf values through the leaf index the grower routed each training
    row to (on bins); it must be the leaf that tree.apply finds on the raw values, NaN too,
    in every round (the root count histogram is cached after the first round)."""
    from glassml.ensemble._binning import BinMapper
    from glassml.ensemble._hist_grower import GrowParams, TreeGrower

    X, y = _classification(600, 4, seed=3)
    X[::9, 2] = np.nan
    mapper = BinMapper(max_bins=31, random_state=0).fit(X)
    params = GrowParams(4, None, 5, 1e-3, 1.0, 0.0, 0.0, 0.3)
    grower = TreeGrower(mapper.transform(X), mapper.bin_thresholds_, 31, params)
    raw = np.zeros(len(y))
    for _ in range(3):
        p = 1.0 / (1.0 + np.exp(-raw))
        tree, leaf_of_row = grower.grow(p - y, p * (1 - p), None, np.ones(4, bool))
        np.testing.assert_array_equal(leaf_of_row, tree.apply(X))
        assert (tree.feature[leaf_of_row] == -1).all()
        raw += tree.value[leaf_of_row]


def test_deep_trees_with_missing_values_match_sklearn():
    """Depth 6 with 9% NaN in one feature: 64-leaf trees where missing values reach deep
    nodes (the grower before this test chose a different split in such a node; 0.13 apart)."""
    from sklearn.ensemble import HistGradientBoostingClassifier as Ref

    X, y = _classification(5000, 20, seed=0)
    X[::11, 3] = np.nan
    ours = HistGradientBoostingClassifier(max_iter=20, max_depth=6, reg_lambda=1.0).fit(X, y)
    ref = Ref(max_iter=20, max_depth=6, max_leaf_nodes=None, early_stopping=False,
              l2_regularization=1.0).fit(X, y)  # fmt: skip
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
