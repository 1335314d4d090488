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


def _boosting_case(quick, fit_ref):
    from glassml.ensemble import HistGradientBoostingClassifier as OurHGB

    X, y = _data(2_000 if quick else 50_000)
    rounds = 5 if quick else 100
    # XGBoost-style booster, level-wise to depth 6 (up to 64 leaves), single-threaded NumPy
    return Case(
        ours=lambda: OurHGB(max_iter=rounds, max_depth=6, learning_rate=0.1).fit(X, y),
        ref=lambda: fit_ref(X, y, rounds),
    )


@workload("W8_boosting_50k_lightgbm", reference="LightGBM", group="classical", target=2.0)
def boosting_lightgbm(quick):
    import lightgbm

    return _boosting_case(
        quick,
        lambda X, y, r: lightgbm.LGBMClassifier(
            n_estimators=r, max_depth=6, num_leaves=63, verbose=-1, n_jobs=1
        ).fit(X, y),
    )


@workload("W8_boosting_50k_xgboost", reference="XGBoost", group="classical")
def boosting_xgboost(quick):
    import xgboost

    return _boosting_case(
        quick,
        lambda X, y, r: xgboost.XGBClassifier(
            n_estimators=r, max_depth=6, tree_method="hist", n_jobs=1
        ).fit(X, y),
    )


@workload(
    "W8_boosting_50k_sklearn_hist", reference="scikit-learn HGB", group="classical", target=1.0
)
def boosting_sklearn(quick):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return _boosting_case(
        quick,
        lambda X, y, r: HistGradientBoostingClassifier(
            max_iter=r, max_depth=6, early_stopping=False
        ).fit(X, y),
    )


@workload("W10_svc_rbf_2000x20", reference="scikit-learn", group="classical", target=3.0)
def svc_rbf(quick):
    from sklearn.svm import SVC

    from glassml.svm import SVC as OurSVC

    X, y = _data(300 if quick else 2_000)
    return Case(
        ours=lambda: OurSVC(kernel="rbf", C=1.0, gamma="scale").fit(X, y),
        ref=lambda: SVC(kernel="rbf", C=1.0, gamma="scale").fit(X, y),
    )
