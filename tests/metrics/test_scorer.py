"""Scorer names, signs and responses match scikit-learn's (MS-32, MS-33)."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.metrics import get_scorer as sk_get_scorer
from sklearn.metrics import get_scorer_names as sk_names
from sklearn.svm import LinearSVC

import glassml.metrics as gm


def _fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    yb = (X[:, 0] + rng.normal(0, 0.7, 120) > 0).astype(int)
    ym = np.digitize(X[:, 1] + rng.normal(0, 0.5, 120), [-0.5, 0.5])
    yr = np.exp(0.3 * X[:, 2]) + rng.random(120)
    return {
        "binary_proba": (LogisticRegression().fit(X, yb), X, yb),
        "binary_decision": (LinearSVC().fit(X, yb), X, yb),
        "binary_strings": (
            LogisticRegression().fit(X, np.array(["n", "y"])[yb]),
            X,
            np.array(["n", "y"])[yb],
        ),  # fmt: skip
        "multiclass": (LogisticRegression().fit(X, ym), X, ym),
        "regression": (PoissonRegressor().fit(X, yr), X, yr),
        "ridge": (Ridge().fit(X, yr), X, yr),
    }


FITTED = _fitted()
CLASSIFICATION = ["accuracy", "balanced_accuracy", "matthews_corrcoef", "f1_macro", "f1_micro",
                  "f1_weighted", "precision_macro", "recall_weighted", "jaccard_macro",
                  "neg_log_loss", "top_k_accuracy"]  # fmt: skip
BINARY_ONLY = ["f1", "precision", "recall", "jaccard", "roc_auc", "average_precision",
               "neg_brier_score"]  # fmt: skip
MULTICLASS_ONLY = ["roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "roc_auc_ovo_weighted",
                   "neg_brier_score"]  # fmt: skip
REGRESSION = ["r2", "explained_variance", "neg_max_error", "neg_mean_squared_error",
              "neg_root_mean_squared_error", "neg_mean_absolute_error",
              "neg_median_absolute_error", "neg_mean_squared_log_error",
              "neg_root_mean_squared_log_error", "neg_mean_absolute_percentage_error",
              "neg_mean_poisson_deviance", "neg_mean_gamma_deviance"]  # fmt: skip


def _cases():
    for case in ("binary_proba", "binary_decision", "multiclass"):
        names = CLASSIFICATION + (MULTICLASS_ONLY if case == "multiclass" else BINARY_ONLY)
        for name in names:
            if case == "binary_decision" and name in ("neg_log_loss", "neg_brier_score"):
                continue
            yield case, name
    for name in ("accuracy", "f1_macro", "neg_log_loss", "roc_auc"):
        yield "binary_strings", name
    for case in ("regression", "ridge"):
        for name in REGRESSION:
            if case == "ridge" and ("log" in name or "deviance" in name):
                continue
            yield case, name


@pytest.mark.parametrize("case, name", list(_cases()))
def test_scorer_matches_sklearn(case, name):
    est, X, y = FITTED[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gm.get_scorer(name)(est, X, y)
        ref = sk_get_scorer(name)(est, X, y)
    assert ours == pytest.approx(ref, rel=1e-10, abs=1e-12)


def test_clustering_scorers_and_names():
    for name in ("adjusted_rand_score", "rand_score", "v_measure_score",
                 "normalized_mutual_info_score", "adjusted_mutual_info_score"):  # fmt: skip
        assert name in gm.get_scorer_names()
    assert set(gm.get_scorer_names()) <= set(sk_names()) | {
        "roc_auc_ovr_weighted", "roc_auc_ovo_weighted"
    }  # fmt: skip


def test_make_scorer_and_sample_weight():
    est, X, y = FITTED["binary_proba"]
    w = np.linspace(0.1, 1.0, y.size)
    scorer = gm.make_scorer(gm.fbeta_score, beta=2.0)
    assert scorer(est, X, y, sample_weight=w) == pytest.approx(
        gm.fbeta_score(y, est.predict(X), beta=2.0, sample_weight=w)
    )
    loss = gm.make_scorer(gm.log_loss, response_method="predict_proba", greater_is_better=False)
    assert loss(est, X, y) == pytest.approx(-gm.log_loss(y, est.predict_proba(X)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="not a valid scoring value"):
        gm.get_scorer("accuracy_macro")
    with pytest.raises(ValueError, match="response_method"):
        gm.make_scorer(gm.accuracy_score, response_method="predict_log")
    with pytest.raises(TypeError, match="no score method"):
        gm.check_scoring(object(), None)
