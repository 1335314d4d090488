"""Kernels and the kernel trick (SV-07), Platt scaling / pairwise coupling, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from glassml.svm import SVC, SVR, LinearSVC, poly2_feature_map, resolve_gamma
from glassml.svm._platt import pairwise_coupling, sigmoid_train

finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (4, 3), elements=finite), arrays(np.float64, (5, 3), elements=finite))
def test_poly2_feature_map_is_the_kernel_trick(X, Z):
    """CL-074: φ(x)·φ(z) = (x·z + 1)² for every pair."""
    assert_allclose(
        poly2_feature_map(X) @ poly2_feature_map(Z).T, (X @ Z.T + 1.0) ** 2, rtol=1e-10, atol=1e-9
    )
    assert poly2_feature_map(X).shape == (4, 1 + 3 + 3 + 3)


def test_gamma_scale_and_auto_match_sklearn_definition():
    X = np.random.default_rng(0).standard_normal((30, 4)) * 3
    assert resolve_gamma("scale", X) == pytest.approx(1.0 / (4 * X.var()), rel=1e-14)
    assert resolve_gamma("auto", X) == 0.25
    assert resolve_gamma(0.7, X) == 0.7
    assert resolve_gamma("scale", np.ones((3, 2))) == 1.0


def test_sigmoid_train_minimises_platt_cross_entropy():
    """LIBSVM's Newton method reaches the minimum of the smoothed-target cross-entropy."""
    rng = np.random.default_rng(0)
    f = rng.standard_normal(200) * 2
    labels = np.where(rng.uniform(size=200) < 1 / (1 + np.exp(-1.5 * f)), 1, -1)
    A, B = sigmoid_train(f, labels)
    n_pos, n_neg = (labels > 0).sum(), (labels < 0).sum()
    t = np.where(labels > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def nll(ab):
        p = 1 / (1 + np.exp(ab[0] * f + ab[1]))
        return -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p))

    ref = minimize(nll, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10}).x
    assert_allclose([A, B], ref, atol=1e-4)
    assert A < 0  # larger decision values mean the positive class


def test_pairwise_coupling_solves_the_wu_lin_weng_problem():
    """p minimises Σ_{i<j} (r_ji p_i − r_ij p_j)² on the simplex (method 2 of Wu et al.)."""
    rng = np.random.default_rng(1)
    k = 4
    r = np.zeros((3, k, k))
    upper = rng.uniform(0.05, 0.95, size=(3, k, k))
    iu = np.triu_indices(k, 1)
    r[:, iu[0], iu[1]] = upper[:, iu[0], iu[1]]
    r[:, iu[1], iu[0]] = 1 - upper[:, iu[0], iu[1]]
    P = pairwise_coupling(r)
    assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    for s in range(3):

        def objective(p, s=s):
            return sum(
                (r[s, j, i] * p[i] - r[s, i, j] * p[j]) ** 2 for i, j in zip(*iu, strict=True)
            )

        cons = {"type": "eq", "fun": lambda p: p.sum() - 1}
        ref = minimize(
            objective, np.full(k, 1 / k), constraints=cons, method="SLSQP", options={"ftol": 1e-14}
        ).x
        assert_allclose(P[s], ref, atol=5e-3)  # LIBSVM stops at max error 0.005/k


X_OK = np.random.default_rng(0).standard_normal((20, 3))
Y_OK = np.repeat([0, 1], 10)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SVC(C=0.0), "C: expected a number > 0"),
        (lambda: SVC(C=-1.0), "C: expected a number > 0"),
        (lambda: SVC(kernel="cubic"), "kernel: expected one of"),
        (lambda: SVC(gamma=0.0), "gamma: expected 'scale', 'auto' or a number > 0"),
        (lambda: SVC(gamma="wide"), "gamma: expected"),
        (lambda: SVC(tol=0.0), "tol"),
        (lambda: SVC(decision_function_shape="ovx"), "decision_function_shape"),
        (lambda: SVC(class_weight={7: 2.0}), "class_weight: label 7"),
        (lambda: SVR(epsilon=-0.1), "epsilon"),
        (lambda: SVR(C=0), "C: expected a number > 0"),
        (lambda: LinearSVC(C=0.0), "C"),
        (lambda: LinearSVC(loss="log"), "loss: expected one of"),
        (lambda: LinearSVC(loss="hinge", dual=False), "dual: loss='hinge'"),
        (lambda: LinearSVC(penalty="l1"), "penalty: expected one of"),
    ],
)
def test_bad_hyperparameters(make, match):
    y = Y_OK.astype(float) if isinstance(make(), SVR) else Y_OK
    with pytest.raises(ValueError, match=match):
        make().fit(X_OK, y)


@pytest.mark.parametrize("Est", [SVC, LinearSVC])
def test_single_class_is_rejected(Est):
    with pytest.raises(ValueError, match="number of classes has to be greater than one"):
        Est().fit(X_OK, np.zeros(20, dtype=int))


@pytest.mark.parametrize("Est", [SVC, SVR, LinearSVC])
def test_nan_is_rejected(Est):
    X = X_OK.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Est().fit(X, Y_OK)


def test_precomputed_kernel_of_wrong_shape():
    with pytest.raises(ValueError, match="precomputed kernel must be a square"):
        SVC(kernel="precomputed").fit(X_OK, Y_OK)
    gram = X_OK @ X_OK.T
    model = SVC(kernel="precomputed").fit(gram, Y_OK)
    with pytest.raises(ValueError, match=r"must have shape \(n_test, 20\)"):
        model.predict(gram[:, :5])


def test_continuous_target_is_rejected_by_classifiers():
    with pytest.raises(ValueError, match="Unknown label type"):
        SVC().fit(X_OK, np.linspace(0, 1, 20))
