"""Grid and randomized search against scikit-learn, on a Dask cluster, and the estimator
contract (MS-33)."""

import warnings

import joblib
import numpy as np
import pytest
import sklearn.model_selection as skms
from scipy.stats import loguniform, randint
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import glassml.model_selection as gms
from glassml._core.testing import sklearn_contract


def _regression(seed=0, n=80):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    return X, X @ rng.normal(size=6) + rng.normal(0, 1.0, n)


def _classification(seed=0, n=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + rng.normal(0, 0.7, n), [-0.6, 0.6])
    return X, y


def _assert_results_equal(ours, ref):
    assert set(ours.cv_results_) == set(ref.cv_results_)
    for key, value in ref.cv_results_.items():
        if "time" in key:
            assert np.asarray(ours.cv_results_[key]).shape == np.asarray(value).shape
        elif key == "params":
            assert ours.cv_results_[key] == value
        elif key.startswith("param_"):
            assert list(ours.cv_results_[key]) == list(value)
        elif key.startswith("rank_"):
            np.testing.assert_array_equal(ours.cv_results_[key], value)
        else:
            np.testing.assert_allclose(ours.cv_results_[key], value, rtol=1e-10, atol=1e-14)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_index_ == ref.best_index_


def test_grid_search_regression_equals_sklearn():
    X, y = _regression()
    grid = {"alpha": [0.01, 0.3, 3.0, 30.0], "fit_intercept": [True, False]}
    ours = gms.GridSearchCV(Ridge(), grid, cv=4, return_train_score=True).fit(X, y)
    ref = skms.GridSearchCV(Ridge(), grid, cv=4, return_train_score=True).fit(X, y)
    _assert_results_equal(ours, ref)
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-12)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-12)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-12)
    assert ours.n_splits_ == 4 and ours.refit_time_ >= 0


def test_grid_search_multimetric_pipeline_classifier_equals_sklearn():
    X, y = _classification()
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = [
        {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]},
        {"logisticregression__C": [1.0], "logisticregression__fit_intercept": [False]},
    ]
    scoring = {"acc": "accuracy", "f1": "f1_macro", "nll": "neg_log_loss"}
    ours = gms.GridSearchCV(pipe, grid, scoring=scoring, refit="f1", cv=3).fit(X, y)
    ref = skms.GridSearchCV(pipe, grid, scoring=scoring, refit="f1", cv=3).fit(X, y)
    _assert_results_equal(ours, ref)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-12)


def test_refit_false_and_callable():
    X, y = _regression(1)
    s = gms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3, refit=False).fit(X, y)
    assert not hasattr(s, "best_estimator_")
    with pytest.raises(AttributeError, match="refit=False"):
        s.predict(X)
    pick_last = gms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=3,
                                 refit=lambda res: len(res["params"]) - 1).fit(X, y)  # fmt: skip
    assert pick_last.best_params_ == {"alpha": 10.0}


def test_randomized_search_with_lists_covers_the_grid():
    X, y = _regression(2)
    grid = {"alpha": [0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    rs = gms.RandomizedSearchCV(Ridge(), grid, n_iter=6, cv=3, random_state=0).fit(X, y)
    gs = skms.GridSearchCV(Ridge(), grid, cv=3).fit(X, y)
    assert sorted(map(str, rs.cv_results_["params"])) == sorted(map(str, gs.cv_results_["params"]))
    assert rs.best_params_ == gs.best_params_
    assert rs.best_score_ == pytest.approx(gs.best_score_, rel=1e-12)


def test_randomized_search_distributions():
    X, y = _classification(3)
    dists = {"C": loguniform(1e-3, 1e2), "max_iter": randint(50, 200)}
    rs = gms.RandomizedSearchCV(LogisticRegression(), dists, n_iter=5, cv=3, random_state=1)
    rs.fit(X, y)
    cs = np.array([p["C"] for p in rs.cv_results_["params"]])
    assert len(cs) == 5 and np.all((cs >= 1e-3) & (cs <= 1e2))
    again = gms.RandomizedSearchCV(LogisticRegression(), dists, n_iter=5, cv=3, random_state=1)
    assert again.fit(X, y).cv_results_["params"] == rs.cv_results_["params"]  # reproducible
    # each candidate scores exactly what sklearn's CV gives for those parameters
    best = rs.best_params_
    ref = skms.cross_val_score(LogisticRegression(**best), X, y, cv=3).mean()
    assert rs.best_score_ == pytest.approx(ref, rel=1e-12)


def test_parameter_grid_and_sampler():
    grid = [{"a": [1, 2], "b": ["x", "y", "z"]}, {"c": [0.5]}, {}]
    assert list(gms.ParameterGrid(grid)) == list(skms.ParameterGrid(grid))
    assert len(gms.ParameterGrid(grid)) == len(skms.ParameterGrid(grid)) == 8
    assert gms.ParameterGrid(grid)[6] == skms.ParameterGrid(grid)[6]
    with pytest.warns(UserWarning, match="smaller than n_iter"):
        sampled = list(gms.ParameterSampler({"a": [1, 2, 3]}, n_iter=5, random_state=0))
    assert sorted(p["a"] for p in sampled) == [1, 2, 3]  # without replacement
    mixed = list(gms.ParameterSampler({"a": [1, 2], "b": loguniform(1, 10)}, n_iter=20,
                                      random_state=0))  # fmt: skip
    assert all(p["a"] in (1, 2) and 1 <= p["b"] <= 10 for p in mixed)


def test_grid_search_on_dask_cluster_equals_sequential():
    import distributed

    X, y = _classification(4)
    grid = {"C": [0.05, 0.5, 5.0]}
    sequential = gms.GridSearchCV(LogisticRegression(), grid, cv=3, scoring="accuracy").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                     dashboard_address=None) as cluster,
            distributed.Client(cluster),
            joblib.parallel_config(backend="dask"),
        ):  # fmt: skip
            on_dask = gms.GridSearchCV(LogisticRegression(), grid, cv=3, scoring="accuracy",
                                       n_jobs=-1).fit(X, y)  # fmt: skip
    for key in ("mean_test_score", "split0_test_score", "split2_test_score", "rank_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert on_dask.best_params_ == sequential.best_params_


_CONTRACT = sklearn_contract([
    gms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2),
    gms.RandomizedSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, n_iter=2, cv=2,
                           random_state=0),
])  # fmt: skip
# the opt-in array-API checks only skip themselves without SCIPY_ARRAY_API (see _core/testing)
_PARAMS = [p for p in _CONTRACT.args[1] if "array_api" not in p.id]


@pytest.mark.parametrize("estimator, check", _PARAMS)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_inputs():
    X, y = _regression()
    with pytest.raises(TypeError, match="param_grid"):
        gms.GridSearchCV(Ridge(), {"alpha": 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="is empty"):
        gms.GridSearchCV(Ridge(), {"alpha": []}).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter 'lam'"):
        gms.GridSearchCV(Ridge(), {"lam": [1.0]}, error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="refit"):
        gms.GridSearchCV(Ridge(), {"alpha": [1.0]}, scoring=["r2", "neg_mean_squared_error"]
                         ).fit(X, y)  # fmt: skip
    with pytest.raises(ValueError, match="not a valid scoring value"):
        gms.GridSearchCV(Ridge(), {"alpha": [1.0]}, scoring="r3").fit(X, y)
    with pytest.raises(ValueError, match="n_iter"):
        gms.RandomizedSearchCV(Ridge(), {"alpha": [1.0]}, n_iter=0).fit(X, y)
    with pytest.raises(TypeError, match="rvs"):
        gms.RandomizedSearchCV(Ridge(), {"alpha": 3.0}).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gms.GridSearchCV(Ridge(), {"alpha": [1.0]}).fit(X, y[:-1])
    with pytest.raises(ValueError, match="greater than the number of samples"):
        gms.GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=10).fit(X[:4], y[:4])
