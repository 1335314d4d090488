"""W7, W8, W10: random forest, gradient boosting and RBF-SVM against scikit-learn, LightGBM and
XGBoost. The glassml sides arrive with the trees/ensembles/SVM issue ("not implemented" until
then)."""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _data(n, d=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * rng.standard_normal(n) > 0).astype(int)
    return X, y


@workload(
    "W7_random_forest_20k_100trees",
    reference="scikit-learn",
    group="classical",
    unit="fits",
    target=1.5,
)
def random_forest(quick):
    return _random_forest_case(quick, n_jobs=1)


@workload(
    "W7_random_forest_20k_100trees_2jobs",
    reference="scikit-learn",
    group="classical",
    unit="fits",
    target=1.5,
)
def random_forest_2jobs(quick):
    return _random_forest_case(quick, n_jobs=2)


def _random_forest_case(quick, n_jobs):
    from sklearn.ensemble import RandomForestClassifier

    from glassml.ensemble import RandomForestClassifier as GlassRandomForest

    X, y = _data(1_000 if quick else 20_000)
    n_trees = 5 if quick else 100
    return Case(
        ours=lambda: GlassRandomForest(n_estimators=n_trees, n_jobs=n_jobs, random_state=0).fit(
            X, y
        ),
        ref=lambda: RandomForestClassifier(n_estimators=n_trees, n_jobs=n_jobs, random_state=0).fit(
            X, y
        ),
    )


# W8: every side grows the same trees, so the timings compare equal work --
#   shape:   depth-wise to depth 6, up to 2^6 = 64 leaves (scikit-learn max_leaf_nodes=None; its
#            default of 31 leaves would do half the work; LightGBM num_leaves=64 with max_depth=6)
#   bins:    255 non-missing bins (+ the missing-value bin) everywhere (XGBoost max_bin=255)
#   rounds:  100 at learning rate 0.1, no early stopping, no row/column subsampling
#   leaves:  >= 20 samples per leaf (XGBoost has no such limit) and hessian sum >= 1e-3
#            (scikit-learn's fixed min_hessian_to_split; min_child_weight elsewhere)
#   L2:      lambda = 1 on the leaf weights (XGBoost's default) on every side
# One thread on each side (glassml.bench pins BLAS/OpenMP; n_jobs=1 for LightGBM/XGBoost).
_ROUNDS, _DEPTH, _LEAVES, _BINS, _MIN_LEAF, _MIN_HESS, _L2 = 100, 6, 64, 255, 20, 1e-3, 1.0


def _boosting_case(quick, fit_ref):
    from glassml.ensemble import HistGradientBoostingClassifier as OurHGB

    X, y = _data(2_000 if quick else 50_000)
    rounds = 5 if quick else _ROUNDS
    return Case(
        ours=lambda: OurHGB(
            max_iter=rounds,
            learning_rate=0.1,
            max_depth=_DEPTH,
            max_leaf_nodes=None,
            max_bins=_BINS,
            min_samples_leaf=_MIN_LEAF,
            min_child_weight=_MIN_HESS,
            reg_lambda=_L2,
            early_stopping=False,
        ).fit(X, y),
        ref=lambda: fit_ref(X, y, rounds),
        note="depth 6 / 64 leaves, 255 bins, lr 0.1, lambda 1, min leaf 20 on all sides",
    )


def lightgbm_model(rounds):
    """LightGBM with the W8 settings (leaf-wise, but depth 6 and 64 leaves = a full tree)."""
    import lightgbm

    return lightgbm.LGBMClassifier(
        n_estimators=rounds,
        learning_rate=0.1,
        max_depth=_DEPTH,
        num_leaves=_LEAVES,
        max_bin=_BINS,
        min_child_samples=_MIN_LEAF,
        min_child_weight=_MIN_HESS,
        reg_lambda=_L2,
        verbose=-1,
        n_jobs=1,
    )


def xgboost_model(rounds):
    """XGBoost ``hist`` with the W8 settings (depth-wise, the XGBoost default policy)."""
    import xgboost

    return xgboost.XGBClassifier(
        n_estimators=rounds,
        learning_rate=0.1,
        max_depth=_DEPTH,
        grow_policy="depthwise",
        tree_method="hist",
        max_bin=_BINS,
        min_child_weight=_MIN_HESS,
        reg_lambda=_L2,
        n_jobs=1,
    )


def sklearn_hgb_model(rounds):
    """scikit-learn HistGradientBoostingClassifier with the W8 settings."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=rounds,
        learning_rate=0.1,
        max_depth=_DEPTH,
        max_leaf_nodes=None,
        max_bins=_BINS,
        min_samples_leaf=_MIN_LEAF,
        l2_regularization=_L2,
        early_stopping=False,
    )


@workload("W8_boosting_50k_lightgbm", reference="LightGBM", group="classical", target=2.0)
def boosting_lightgbm(quick):
    """W8 against LightGBM: 50,000 x 20, 100 rounds, depth 6 / 64 leaves (settings above)."""
    return _boosting_case(quick, lambda X, y, r: lightgbm_model(r).fit(X, y))


@workload("W8_boosting_50k_xgboost", reference="XGBoost", group="classical")
def boosting_xgboost(quick):
    """W8 against XGBoost ``hist``: 50,000 x 20, 100 rounds, depth 6 (settings above)."""
    return _boosting_case(quick, lambda X, y, r: xgboost_model(r).fit(X, y))


@workload(
    "W8_boosting_50k_sklearn_hist", reference="scikit-learn HGB", group="classical", target=1.0
)
def boosting_sklearn(quick):
    """W8 against scikit-learn HGB: 50,000 x 20, 100 rounds, depth 6 / no leaf cap."""
    return _boosting_case(quick, lambda X, y, r: sklearn_hgb_model(r).fit(X, y))


@workload("W10_svc_rbf_2000x20", reference="scikit-learn", group="classical", target=3.0)
def svc_rbf(quick):
    from sklearn.svm import SVC

    from glassml.svm import SVC as OurSVC

    X, y = _data(300 if quick else 2_000)
    return Case(
        ours=lambda: OurSVC(kernel="rbf", C=1.0, gamma="scale").fit(X, y),
        ref=lambda: SVC(kernel="rbf", C=1.0, gamma="scale").fit(X, y),
    )
