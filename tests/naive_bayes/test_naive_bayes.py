"""Naive Bayes classifiers against scikit-learn (NB-01..NB-05)."""

import numpy as np
import pytest
import sklearn.naive_bayes as sknb
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_iris, load_wine

from glassml.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB

RNG = np.random.default_rng(0)
COUNTS = RNG.poisson(RNG.uniform(0.2, 4, size=12), size=(150, 12)).astype(float)
Y_COUNTS = RNG.integers(0, 3, size=150)
CODES = RNG.integers(0, 4, size=(150, 6))
SW = RNG.uniform(0.2, 3, size=150)
TABULAR = {
    "iris": load_iris(return_X_y=True),
    "wine": load_wine(return_X_y=True),
    "breast_cancer": load_breast_cancer(return_X_y=True),
}


def _assert_same(ours, ref, X):
    np.testing.assert_allclose(
        ours.predict_log_proba(X), ref.predict_log_proba(X), rtol=1e-10, atol=1e-10
    )
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("name", list(TABULAR))
@pytest.mark.parametrize("params", [{}, {"var_smoothing": 1e-3}, {"priors": None}])
def test_gaussian_matches_sklearn(name, params):
    X, y = TABULAR[name]
    ours, ref = GaussianNB(**params).fit(X, y), sknb.GaussianNB(**params).fit(X, y)
    np.testing.assert_allclose(ours.theta_, ref.theta_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-12)
    assert ours.epsilon_ == pytest.approx(ref.epsilon_, rel=1e-12)
    _assert_same(ours, ref, X)


def test_gaussian_priors_weights_and_partial_fit():
    X, y = TABULAR["iris"]
    sw = RNG.uniform(0.2, 3, size=y.shape[0])
    priors = [0.5, 0.3, 0.2]
    _assert_same(
        GaussianNB(priors=priors).fit(X, y, sw),
        sknb.GaussianNB(priors=priors).fit(X, y, sample_weight=sw),
        X,
    )
    ours, ref = GaussianNB(var_smoothing=0.0), sknb.GaussianNB(var_smoothing=0.0)
    order = RNG.permutation(len(y))
    for batch in np.array_split(order, 4):
        ours.partial_fit(X[batch], y[batch], classes=[0, 1, 2])
        ref.partial_fit(X[batch], y[batch], classes=[0, 1, 2])
    _assert_same(ours, ref, X)
    full = GaussianNB(var_smoothing=0.0).fit(X, y)  # pooled updates equal one fit on all data
    np.testing.assert_allclose(ours.var_, full.var_, rtol=1e-10)
    np.testing.assert_allclose(ours.theta_, full.theta_, rtol=1e-12)


DISCRETE = [
    (MultinomialNB, sknb.MultinomialNB, COUNTS),
    (ComplementNB, sknb.ComplementNB, COUNTS),
    (BernoulliNB, sknb.BernoulliNB, COUNTS - 1.0),
    (CategoricalNB, sknb.CategoricalNB, CODES),
]


@pytest.mark.parametrize("ours_cls, ref_cls, X", DISCRETE)
@pytest.mark.parametrize(
    "params",
    [{}, {"alpha": 0.3}, {"alpha": 2.0, "fit_prior": False}, {"class_prior": [0.2, 0.5, 0.3]}],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_discrete_models_match_sklearn(ours_cls, ref_cls, X, params, weighted):
    sw = SW if weighted else None
    ours = ours_cls(**params).fit(X, Y_COUNTS, sw)
    ref = ref_cls(**params).fit(X, Y_COUNTS, sample_weight=sw)
    _assert_same(ours, ref, X)
    np.testing.assert_allclose(ours.class_count_, ref.class_count_, rtol=1e-12)
    if ours_cls is not CategoricalNB:
        np.testing.assert_allclose(ours.feature_log_prob_, ref.feature_log_prob_, rtol=1e-12)


def test_variants_specific_options():
    X = COUNTS
    _assert_same(
        ComplementNB(norm=True).fit(X, Y_COUNTS), sknb.ComplementNB(norm=True).fit(X, Y_COUNTS), X
    )
    _assert_same(
        BernoulliNB(binarize=2.0).fit(X, Y_COUNTS),
        sknb.BernoulliNB(binarize=2.0).fit(X, Y_COUNTS),
        X,
    )
    alpha = np.linspace(0.1, 2, X.shape[1])
    _assert_same(
        MultinomialNB(alpha=alpha).fit(X, Y_COUNTS),
        sknb.MultinomialNB(alpha=alpha).fit(X, Y_COUNTS),
        X,
    )
    ours = CategoricalNB(min_categories=6).fit(CODES, Y_COUNTS)
    ref = sknb.CategoricalNB(min_categories=6).fit(CODES, Y_COUNTS)
    _assert_same(ours, ref, CODES)
    assert (ours.n_categories_ == 6).all()
    for ours_k, ref_k in zip(ours.feature_log_prob_, ref.feature_log_prob_, strict=True):
        np.testing.assert_allclose(ours_k, ref_k, rtol=1e-12)
    with pytest.warns(UserWarning, match="alpha too small"):
        small = MultinomialNB(alpha=0.0, force_alpha=False).fit(X, Y_COUNTS)
    ref = sknb.MultinomialNB(alpha=0.0, force_alpha=False)
    with pytest.warns(UserWarning):
        ref.fit(X, Y_COUNTS)
    _assert_same(small, ref, X)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.integers(1, 50))
def test_property_multinomial_posteriors(seed, scale):
    """Posteriors sum to one; scaling a document's counts sharpens but keeps the argmax."""
    rng = np.random.default_rng(seed)
    X = rng.poisson(1.0, size=(30, 5)).astype(float)
    y = np.arange(30) % 3
    model = MultinomialNB().fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    doc = rng.poisson(2.0, size=(1, 5)).astype(float) + 1
    jll_1 = model.predict_joint_log_proba(doc) - model.class_log_prior_
    jll_s = model.predict_joint_log_proba(scale * doc) - model.class_log_prior_
    np.testing.assert_allclose(jll_s, scale * jll_1, rtol=1e-10)


def test_bad_inputs():
    with pytest.raises(ValueError, match="Negative values"):
        MultinomialNB().fit(-COUNTS, Y_COUNTS)
    model = MultinomialNB().fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="Negative values"):
        model.predict(-COUNTS)
    with pytest.raises(ValueError, match="at least 2 classes"):
        GaussianNB().fit(COUNTS, np.zeros(150))
    with pytest.raises(ValueError, match="NaN"):
        GaussianNB().fit(np.full((4, 2), np.nan), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="priors"):
        GaussianNB(priors=[0.5, 0.6, 0.1]).fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="class_prior"):
        MultinomialNB(class_prior=[0.5, 0.5]).fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="alpha"):
        MultinomialNB(alpha=-1.0).fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="var_smoothing"):
        GaussianNB(var_smoothing=-1.0).fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="category"):
        CategoricalNB().fit(CODES, Y_COUNTS).predict(CODES + 10)
    with pytest.raises(ValueError, match="min_categories"):
        CategoricalNB(min_categories=[2, 3]).fit(CODES, Y_COUNTS)
