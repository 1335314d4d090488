"""SVC against scikit-learn's SVC (LIBSVM): support vectors, dual coefficients, intercepts and
decision values on small problems, all kernels, binary and multi-class, class weights.

Inventory: SV-01, SV-03, SV-04; claim CL-073 (support vectors).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import svm as sk

from glassml.metrics.pairwise import rbf_kernel
from glassml.svm import SVC

TIGHT = dict(tol=1e-10)


def _assert_same_model(ours, ref, X):
    assert_array_equal(ours.classes_, ref.classes_)
    assert_array_equal(ours.support_, ref.support_)
    assert_array_equal(ours.n_support_, ref.n_support_)
    assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-4)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        dict(kernel="linear", C=1.0),
        dict(kernel="poly", degree=2, coef0=1.0, C=0.5),
        dict(kernel="rbf", gamma="scale", C=3.0),
        dict(kernel="rbf", gamma="auto", C=0.3),
        dict(kernel="sigmoid", gamma=0.2, coef0=-0.5, C=1.0),
    ],
    ids=lambda p: p["kernel"] + "-" + str(p.get("gamma", "")),
)
def test_matches_sklearn(classification, params):
    X, y = classification
    ours = SVC(**params, **TIGHT).fit(X, y)
    ref = sk.SVC(**params, **TIGHT).fit(X, y)
    _assert_same_model(ours, ref, X)
    assert_allclose(ours.support_vectors_, ref.support_vectors_, rtol=0, atol=0)


@pytest.mark.parametrize("class_weight", ["balanced", "dict"])
def test_class_weight_matches_sklearn(classification, class_weight):
    X, y = classification
    classes = np.unique(y)
    cw = class_weight if class_weight == "balanced" else {classes[0]: 3.0, classes[-1]: 0.5}
    ours = SVC(kernel="rbf", class_weight=cw, **TIGHT).fit(X, y)
    ref = sk.SVC(kernel="rbf", class_weight=cw, **TIGHT).fit(X, y)
    _assert_same_model(ours, ref, X)


def test_sample_weight_matches_sklearn():
    X, y = DATASETS_BINARY()
    w = np.random.default_rng(3).uniform(0.0, 2.0, size=y.size)
    w[:5] = 0.0
    ours = SVC(kernel="rbf", C=2.0, **TIGHT).fit(X, y, sample_weight=w)
    ref = sk.SVC(kernel="rbf", C=2.0, **TIGHT).fit(X, y, sample_weight=w)
    # scikit-learn's support_ indexes the samples left after dropping zero weights; ours indexes
    # the X that was passed to fit
    assert_array_equal(ours.support_, np.flatnonzero(w > 0)[ref.support_])
    assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-4)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)


def DATASETS_BINARY():
    from .conftest import DATASETS

    return DATASETS["binary"]


def test_ovo_shape_and_coef_match_sklearn():
    from .conftest import DATASETS

    X, y = DATASETS["four_strings"]
    ours = SVC(kernel="linear", decision_function_shape="ovo", **TIGHT).fit(X, y)
    ref = sk.SVC(kernel="linear", decision_function_shape="ovo", **TIGHT).fit(X, y)
    assert ours.decision_function(X).shape == (X.shape[0], 6)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    binary = SVC(kernel="linear", **TIGHT).fit(X[:60], y[:60])
    binary_ref = sk.SVC(kernel="linear", **TIGHT).fit(X[:60], y[:60])
    assert_allclose(binary.coef_, binary_ref.coef_, atol=1e-5)


def test_break_ties_matches_sklearn():
    from .conftest import DATASETS

    X, y = DATASETS["three"]
    ours = SVC(break_ties=True, **TIGHT).fit(X, y)
    ref = sk.SVC(break_ties=True, **TIGHT).fit(X, y)
    grid = np.random.default_rng(5).standard_normal((200, X.shape[1]))
    assert_array_equal(ours.predict(grid), ref.predict(grid))


def test_precomputed_kernel_matches_sklearn(classification):
    X, y = classification
    gram = rbf_kernel(X, gamma=0.4)
    ours = SVC(kernel="precomputed", **TIGHT).fit(gram, y)
    ref = sk.SVC(kernel="precomputed", **TIGHT).fit(gram, y)
    _assert_same_model(ours, ref, gram)
    direct = SVC(kernel="rbf", gamma=0.4, **TIGHT).fit(X, y)
    assert_allclose(ours.decision_function(gram), direct.decision_function(X), atol=1e-6)


def test_default_tol_and_small_cache_agree_with_sklearn():
    """At LIBSVM's default tol=1e-3 the solutions agree to the tolerance's order; a cache too
    small for the Gram matrix (LRU of columns) gives the identical model."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 5))
    y = (X[:, 0] * X[:, 1] + 0.3 * rng.standard_normal(300) > 0).astype(int)
    ref = sk.SVC(shrinking=False).fit(X, y)
    full = SVC().fit(X, y)
    tight = SVC(**TIGHT).fit(X, y)
    lru = SVC(cache_size=0.2, **TIGHT).fit(X, y)  # 0.2 MB < 300² · 8 bytes: LRU of columns
    assert_allclose(full.decision_function(X), ref.decision_function(X), atol=5e-3)
    assert abs(int(full.n_iter_[0]) - int(ref.n_iter_[0])) <= 0.2 * ref.n_iter_[0]
    assert_allclose(lru.dual_coef_, tight.dual_coef_, atol=1e-8)
    assert_array_equal(lru.support_, tight.support_)


def test_only_support_vectors_matter():
    """CL-073: refitting on the support vectors alone gives the same decision function."""
    from .conftest import DATASETS

    X, y = DATASETS["binary"]
    clf = SVC(kernel="rbf", C=2.0, **TIGHT).fit(X, y)
    refit = SVC(kernel="rbf", C=2.0, gamma=clf._gamma, **TIGHT).fit(
        X[clf.support_], y[clf.support_]
    )
    assert_allclose(refit.decision_function(X), clf.decision_function(X), atol=1e-6)


def test_hard_margin_separable_and_infeasible():
    """SV-01: C = inf on separable data puts every point on or outside the margin; on
    overlapping data it raises."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.standard_normal((20, 2)) + 4, rng.standard_normal((20, 2)) - 4])
    y = np.repeat([1, 0], 20)
    hard = SVC(kernel="linear", C=np.inf, **TIGHT).fit(X, y)
    ref = sk.SVC(kernel="linear", C=1e8, **TIGHT).fit(X, y)
    signed = np.where(y == 1, 1.0, -1.0) * hard.decision_function(X)
    assert signed.min() > 1 - 1e-6
    assert_allclose(hard.coef_, ref.coef_, atol=1e-5)
    X_overlap = np.vstack([X, [[4.0, 4.0], [-4.0, -4.0]]])
    y_overlap = np.concatenate([y, [0, 1]])
    with pytest.raises(ValueError, match="hard margin"):
        SVC(kernel="linear", C=np.inf).fit(X_overlap, y_overlap)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # sklearn 1.9 deprecates probability=True
def test_probability_close_to_sklearn_and_consistent():
    """Platt probabilities: CV folds are shuffled by our own generator, so parity with
    LIBSVM's is approximate (documented tolerance 0.15); rows sum to 1."""
    from .conftest import DATASETS

    for name in ("binary", "three"):
        X, y = DATASETS[name]
        ours = SVC(probability=True, random_state=0).fit(X, y)
        ref = sk.SVC(probability=True, random_state=0).fit(X, y)
        P = ours.predict_proba(X)
        assert_allclose(P.sum(axis=1), 1.0, atol=1e-10)
        assert np.abs(P - ref.predict_proba(X)).max() < 0.15
        assert_allclose(ours.predict_log_proba(X), np.log(P))
        # the decision values do not depend on probability=True
        assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-3)
    assert not hasattr(SVC().fit(X, y), "predict_proba")


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    C=st.floats(0.05, 20.0),
    kernel=st.sampled_from(["linear", "rbf", "poly"]),
)
def test_dual_feasibility_and_kkt(seed, C, kernel):
    """At the SMO solution: 0 ≤ α ≤ C, Σ y α = 0, and the KKT conditions hold to ~tol:
    α = 0 ⇒ y f ≥ 1, 0 < α < C ⇒ y f = 1, α = C ⇒ y f ≤ 1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] + 0.7 * rng.standard_normal(40) > 0).astype(int)
    if np.unique(y).size < 2:
        y[:2] = [0, 1]
    model = SVC(kernel=kernel, C=C, degree=2, tol=1e-8).fit(X, y)
    coef = model.dual_coef_[0]  # (n_SV,) = y α with y = +1 for classes_[1]
    alpha = np.abs(coef)
    assert (alpha <= C * (1 + 1e-12)).all()
    assert abs(coef.sum()) < 1e-8 * max(1.0, C)
    signed = np.where(y == 1, 1.0, -1.0) * model.decision_function(X)  # y f(x)
    non_sv = np.setdiff1d(np.arange(y.size), model.support_)
    assert (signed[non_sv] >= 1 - 1e-6).all()
    free = model.support_[alpha < C * (1 - 1e-9)]
    assert_allclose(signed[free], 1.0, atol=1e-6)
    bounded = model.support_[alpha >= C * (1 - 1e-9)]
    assert (signed[bounded] <= 1 + 1e-6).all()
