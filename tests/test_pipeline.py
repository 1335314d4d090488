"""Pipeline, make_pipeline and FeatureUnion (DP-14): delegation, params, and scikit-learn's
model selection on top of them."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import StandardScaler as SkStandardScaler
from sklearn.svm import SVC

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.impute import SimpleImputer
from glassml.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union
from glassml.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler


def with_gaps(X, rate, seed):
    X = np.array(X, dtype=float)
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


IRIS = load_iris(return_X_y=True)
CANCER = load_breast_cancer(return_X_y=True)  # imbalanced-ish binary target (212 / 357)
DIABETES = load_diabetes(return_X_y=True)


def test_classifier_pipeline_matches_sklearn_pipeline():
    X, y = CANCER
    ours = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    ref = SkPipeline([("scale", SkStandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    ours.fit(X, y)
    ref.fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-8)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == ref.score(X, y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.n_features_in_ == X.shape[1]


def test_regression_pipeline_with_imputer_and_poly():
    X, y = DIABETES
    X = with_gaps(X[:, :4], 0.1, 0)
    pipe = make_pipeline(
        SimpleImputer(), StandardScaler(), PolynomialFeatures(degree=2), Ridge(alpha=1.0)
    )
    pipe.fit(X, y)
    Z = PolynomialFeatures(degree=2).fit_transform(
        StandardScaler().fit_transform(SimpleImputer().fit_transform(X))
    )
    np.testing.assert_allclose(pipe.predict(X), Ridge(alpha=1.0).fit(Z, y).predict(Z), rtol=1e-10)
    assert [n for n, _ in pipe.steps] == [
        "simpleimputer",
        "standardscaler",
        "polynomialfeatures",
        "ridge",
    ]


def test_cross_val_score_and_grid_search_from_sklearn():
    X, y = IRIS
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    ref = SkPipeline([("scale", SkStandardScaler()), ("svc", SVC())])
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    np.testing.assert_allclose(
        cross_val_score(pipe, X, y, cv=cv), cross_val_score(ref, X, y, cv=cv)
    )
    grid = {"svc__C": [0.1, 1.0, 10.0], "scale": [StandardScaler(), MinMaxScaler(), "passthrough"]}
    search = GridSearchCV(pipe, grid, cv=cv).fit(X, y)
    ref_grid = {
        "svc__C": [0.1, 1.0, 10.0],
        "scale": [SkStandardScaler(), MinMaxScaler(), "passthrough"],
    }
    ref_search = GridSearchCV(ref, ref_grid, cv=cv).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], ref_search.cv_results_["mean_test_score"]
    )
    assert search.best_params_["svc__C"] == ref_search.best_params_["svc__C"]


def test_params_indexing_and_passthrough():
    pipe = Pipeline([("a", StandardScaler()), ("b", "passthrough"), ("c", MinMaxScaler())])
    params = pipe.get_params()
    assert params["a"] is pipe.steps[0][1] and params["c__clip"] is False
    pipe.set_params(c__clip=True, a=MinMaxScaler(feature_range=(0, 2)))
    assert pipe.named_steps.c.clip is True and pipe["a"].feature_range == (0, 2)
    assert len(pipe) == 3 and isinstance(pipe[:2], Pipeline) and pipe[-1] is pipe.named_steps["c"]
    X = IRIS[0]
    out = pipe.fit_transform(X)
    np.testing.assert_allclose(
        out, MinMaxScaler().fit_transform(MinMaxScaler(feature_range=(0, 2)).fit_transform(X))
    )
    np.testing.assert_allclose(pipe.inverse_transform(out), X, rtol=1e-10)
    assert pipe.get_feature_names_out().tolist() == [f"x{i}" for i in range(4)]
    assert not hasattr(pipe, "predict")
    with pytest.raises(ValueError, match="step of 1"):
        pipe[::2]


def test_fit_params_routing():
    X, y = DIABETES
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    pipe = make_pipeline(StandardScaler(), Ridge()).fit(X, y, ridge__sample_weight=w)
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(pipe[-1].coef_, Ridge().fit(Z, y, sample_weight=w).coef_, rtol=1e-10)
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, y, sample_weight=w)


def test_feature_union():
    X = IRIS[0]
    union = make_union(StandardScaler(), MinMaxScaler())
    out = union.fit_transform(X)
    np.testing.assert_allclose(
        out, np.hstack([StandardScaler().fit_transform(X), MinMaxScaler().fit_transform(X)])
    )
    np.testing.assert_allclose(union.transform(X), out)
    names = union.get_feature_names_out()
    assert names[0] == "standardscaler__x0" and names[-1] == "minmaxscaler__x3"
    weighted = FeatureUnion(
        [("s", StandardScaler()), ("p", "passthrough"), ("d", "drop")],
        transformer_weights={"s": 2.0},
        n_jobs=2,
    )
    with parallel_config(backend="threading"):  # n_jobs=2 through joblib, without process startup
        out = weighted.fit_transform(X)
    np.testing.assert_allclose(out, np.hstack([2 * StandardScaler().fit_transform(X), X]))
    assert weighted.get_params()["s__with_mean"] is True


def test_bad_input():
    X, y = IRIS
    with pytest.raises(TypeError, match="intermediate steps should be transformers"):
        Pipeline([("clf", LogisticRegression()), ("s", StandardScaler())]).fit(X, y)
    with pytest.raises(ValueError, match="not unique"):
        Pipeline([("s", StandardScaler()), ("s", MinMaxScaler())]).fit(X)
    with pytest.raises(ValueError, match="__"):
        Pipeline([("a__b", StandardScaler())]).fit(X)
    with pytest.raises(ValueError, match="conflict with constructor arguments"):
        Pipeline([("steps", StandardScaler())]).fit(X)
    with pytest.raises(TypeError, match="Last step of Pipeline should implement fit"):
        Pipeline([("s", StandardScaler()), ("x", 3)]).fit(X)
    with pytest.raises(NotFittedError):
        make_pipeline(StandardScaler(), LogisticRegression()).predict(X)
    with pytest.raises(ValueError, match="is expecting 4 features"):
        make_pipeline(StandardScaler()).fit(X).transform(X[:, :2])
    with pytest.raises(TypeError, match="should implement fit and transform"):
        FeatureUnion([("clf", LogisticRegression())]).fit(X, y)
    with pytest.raises(ValueError, match="transformer_weights"):
        FeatureUnion([("s", StandardScaler())], transformer_weights={"t": 2}).fit(X)


_SAME_AS_SKLEARN = {
    "check_estimators_overwrite_params": "fits its steps in place (pipe.steps[i] is the fitted "
    "step), as scikit-learn's own Pipeline/FeatureUnion, which xfail this check too",
}


@sklearn_contract(
    [
        Pipeline([("s", StandardScaler()), ("m", MinMaxScaler())]),
        make_pipeline(StandardScaler(), Ridge()),
        make_pipeline(MinMaxScaler(), LogisticRegression()),
        FeatureUnion([("s", StandardScaler()), ("m", MinMaxScaler())]),
    ]
)
def test_sklearn_contract(estimator, check):
    # glassml._core.testing's expected_failed_checks cannot be used here yet (it unpacks the
    # pytest.param that scikit-learn yields for marked checks), so the two known failures are
    # asserted to fail instead.
    name = getattr(check, "__name__", None) or check.func.__name__
    if name in _SAME_AS_SKLEARN:
        with pytest.raises(AssertionError, match="change"):
            check(estimator)
    else:
        check(estimator)
