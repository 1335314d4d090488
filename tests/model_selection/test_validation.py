"""cross_validate / cross_val_score / cross_val_predict and the curves against scikit-learn
(MS-32, MS-36)."""

import warnings

import joblib
import numpy as np
import pytest
import sklearn.model_selection as skms
from sklearn.linear_model import LogisticRegression, Ridge

import glassml.model_selection as gms
from glassml._core import BaseEstimator, ClassifierMixin


def _regression(seed=0, n=90):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, X @ rng.normal(size=5) + rng.normal(0, 0.5, n)


def _classification(seed=0, n=120, k=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + rng.normal(0, 0.5, n), [-0.6, 0.6][: k - 1])
    return X, y


@pytest.mark.parametrize("scoring", [None, "r2", "neg_mean_squared_error",
                                     "neg_mean_absolute_error"])  # fmt: skip
def test_cross_val_score_regression_equals_sklearn(scoring):
    X, y = _regression()
    for cv in (5, gms.KFold(4)):
        ref_cv = cv if isinstance(cv, int) else skms.KFold(4)
        np.testing.assert_allclose(
            gms.cross_val_score(Ridge(alpha=0.3), X, y, cv=cv, scoring=scoring),
            skms.cross_val_score(Ridge(alpha=0.3), X, y, cv=ref_cv, scoring=scoring),
            rtol=1e-12,
        )


def test_cross_validate_multimetric_classifier_equals_sklearn():
    X, y = _classification()
    scoring = ["accuracy", "f1_macro", "neg_log_loss", "roc_auc_ovr"]
    ours = gms.cross_validate(LogisticRegression(), X, y, cv=4, scoring=scoring,
                              return_train_score=True, return_indices=True)  # fmt: skip
    ref = skms.cross_validate(LogisticRegression(), X, y, cv=4, scoring=scoring,
                              return_train_score=True, return_indices=True)  # fmt: skip
    assert set(ours) == set(ref)
    for key in ref:
        if key.startswith(("test_", "train_")):
            np.testing.assert_allclose(ours[key], ref[key], rtol=1e-10)
    for a, b in zip(ours["indices"]["test"], ref["indices"]["test"], strict=True):
        np.testing.assert_array_equal(a, b)  # int cv on a classifier = StratifiedKFold


def test_cross_validate_with_dict_scoring_and_callable():
    X, y = _regression(1)
    ours = gms.cross_validate(Ridge(), X, y, cv=3, scoring={
        "mse": "neg_mean_squared_error", "custom": lambda est, X, y: float(est.score(X, y))
    })  # fmt: skip
    ref = skms.cross_validate(Ridge(), X, y, cv=3, scoring="r2")
    np.testing.assert_allclose(ours["test_custom"], ref["test_score"], rtol=1e-12)
    assert ours["fit_time"].shape == (3,) and (ours["test_mse"] <= 0).all()


class _RecordingCentroid(ClassifierMixin, BaseEstimator):
    """Nearest centroid that remembers the rows it was fitted on (to prove fold isolation)."""

    def __init__(self, *, shrink=0.0):
        self.shrink = shrink

    def fit(self, X, y):
        X, y = self._validate_data(X, y)
        self.classes_ = np.unique(y)
        self.seen_ = X.copy()
        self.centroids_ = np.stack([X[y == c].mean(axis=0) for c in self.classes_])
        self.centroids_ *= 1.0 - self.shrink
        return self

    def predict(self, X):
        X = self._validate_data(X, reset=False)
        d = ((X[:, None, :] - self.centroids_[None]) ** 2).sum(axis=2)
        return self.classes_[d.argmin(axis=1)]


def test_fit_on_training_fold_only_and_clone_per_fold():
    X, y = _classification(2)
    est = _RecordingCentroid()
    out = gms.cross_validate(est, X, y, cv=gms.KFold(3), return_estimator=True,
                             return_indices=True)  # fmt: skip
    assert not hasattr(est, "seen_")  # the original is never fitted
    fitted = out["estimator"]
    assert len({id(e) for e in fitted}) == 3
    for e, train in zip(fitted, out["indices"]["train"], strict=True):
        np.testing.assert_array_equal(e.seen_, X[train])


def test_cross_val_predict_equals_sklearn():
    X, y = _classification(3)
    for method in ("predict", "predict_proba", "decision_function", "predict_log_proba"):
        np.testing.assert_allclose(
            gms.cross_val_predict(LogisticRegression(), X, y, cv=4, method=method),
            skms.cross_val_predict(LogisticRegression(), X, y, cv=4, method=method),
            rtol=1e-10,
        )
    Xr, yr = _regression(3)
    np.testing.assert_allclose(gms.cross_val_predict(Ridge(), Xr, yr, cv=5),
                               skms.cross_val_predict(Ridge(), Xr, yr, cv=5), rtol=1e-12)  # fmt: skip


def test_cross_val_predict_missing_class_in_a_fold():
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.array([0] * 14 + [1] * 14 + [2] * 2)  # KFold(3): class 2 absent from one training set
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gms.cross_val_predict(LogisticRegression(), X, y, cv=gms.KFold(3),
                                     method="predict_proba")  # fmt: skip
        ref = skms.cross_val_predict(LogisticRegression(), X, y, cv=skms.KFold(3),
                                     method="predict_proba")  # fmt: skip
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-15)


def test_parallel_backends_agree():
    X, y = _regression(4)
    sequential = gms.cross_val_score(Ridge(), X, y, cv=5)
    with joblib.parallel_config(backend="threading"):
        threaded = gms.cross_val_score(Ridge(), X, y, cv=5, n_jobs=2)
    np.testing.assert_allclose(threaded, sequential, rtol=1e-14)


class _FailsOnNegative(BaseEstimator):
    def __init__(self, *, fail=True):
        self.fail = fail

    def fit(self, X, y):
        if self.fail and np.min(X) < -5.0:
            raise RuntimeError("synthetic failure")
        self.mean_ = float(np.mean(y))
        return self

    def score(self, X, y):
        return -float(np.mean((np.asarray(y) - self.mean_) ** 2))


def test_error_score_nan_raise_and_all_failed():
    X, y = _regression(5)
    X[0, 0] = -10.0  # only the folds that train on sample 0 fail
    with pytest.warns(gms.FitFailedWarning, match="fits failed out of a total of 5"):
        scores = gms.cross_val_score(_FailsOnNegative(), X, y, cv=5)
    assert np.isnan(scores).sum() == 4
    with pytest.raises(RuntimeError, match="synthetic failure"):
        gms.cross_val_score(_FailsOnNegative(), X, y, cv=5, error_score="raise")
    with pytest.raises(ValueError, match="All the 2 fits failed"):
        gms.cross_val_score(_FailsOnNegative(), X - 20.0, y, cv=2)


def test_learning_and_validation_curves_equal_sklearn():
    X, y = _regression(6, n=120)
    sizes = [0.2, 0.5, 1.0]
    ours = gms.learning_curve(Ridge(), X, y, train_sizes=sizes, cv=4)
    ref = skms.learning_curve(Ridge(), X, y, train_sizes=sizes, cv=4)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    alphas = [0.01, 1.0, 100.0]
    ours = gms.validation_curve(Ridge(), X, y, param_name="alpha", param_range=alphas, cv=3)
    ref = skms.validation_curve(Ridge(), X, y, param_name="alpha", param_range=alphas, cv=3)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    out = gms.learning_curve(Ridge(), X, y, train_sizes=[10, 40], cv=3, shuffle=True,
                             random_state=0, return_times=True)  # fmt: skip
    assert out[0].tolist() == [10, 40] and out[3].shape == (2, 3)


def test_bad_inputs():
    X, y = _regression()
    with pytest.raises(ValueError, match="not a valid scoring value"):
        gms.cross_val_score(Ridge(), X, y, scoring="accuracy_top3")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gms.cross_validate(Ridge(), X, y[:-1])
    with pytest.raises(ValueError, match="greater than the number of samples"):
        gms.cross_val_score(Ridge(), X[:3], y[:3], cv=5)
    with pytest.raises(ValueError, match="cv: expected an int"):
        gms.cross_val_score(Ridge(), X, y, cv="five")
    with pytest.raises(ValueError, match="only works for partitions"):
        gms.cross_val_predict(Ridge(), X, y, cv=gms.ShuffleSplit(2, random_state=0))
    with pytest.raises(ValueError, match="method"):
        gms.cross_val_predict(Ridge(), X, y, method="transform")
    with pytest.raises(ValueError, match="single scorer"):
        gms.cross_val_score(Ridge(), X, y, scoring=["r2", "neg_mean_squared_error"])
    with pytest.raises(ValueError, match="train_sizes"):
        gms.learning_curve(Ridge(), X, y, train_sizes=[0.0, 1.0])
    with pytest.raises(ValueError, match="param_name"):
        gms.validation_curve(Ridge(), X, y, param_name="lambda", param_range=[1.0])
