"""Bias-variance decomposition (MS-35) and early stopping (MS-34)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier

import glassml.model_selection as gms


def _sine(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 6, (n, 1))
    return X, np.sin(X[:, 0]) + rng.normal(0, 0.3, n)


def test_mse_decomposition_identity_and_predictions():
    X, y = _sine()
    Xt, yt = _sine(1, 30)
    out = gms.bias_variance_decomposition(LinearRegression(), X, y, Xt, yt, n_rounds=40,
                                          random_state=0)  # fmt: skip
    P = out["predictions"]
    assert P.shape == (40, 30)
    # recompute every quantity from the stored predictions, straight from the definitions
    assert out["expected_loss"] == pytest.approx(np.mean((P - yt) ** 2), rel=1e-12)
    assert out["bias_squared"] == pytest.approx(np.mean((P.mean(axis=0) - yt) ** 2), rel=1e-12)
    assert out["variance"] == pytest.approx(np.mean(P.var(axis=0)), rel=1e-12)
    assert out["expected_loss"] == pytest.approx(out["bias_squared"] + out["variance"], rel=1e-12)
    # the first round is an ordinary fit on the first bootstrap draw of the same generator
    idx = np.random.default_rng(0).integers(0, 60, size=60)
    np.testing.assert_allclose(P[0], LinearRegression().fit(X[idx], y[idx]).predict(Xt),
                               rtol=1e-12)  # fmt: skip


def test_variance_grows_and_bias_falls_with_complexity():
    X, y = _sine(2, 80)
    Xt = np.linspace(0.2, 5.8, 40)[:, None]
    f = np.sin(Xt[:, 0])  # noise-free targets: bias² is the pure model bias
    smooth = gms.bias_variance_decomposition(KNeighborsRegressor(n_neighbors=60), X, y, Xt, f,
                                             n_rounds=30, random_state=0)  # fmt: skip
    wiggly = gms.bias_variance_decomposition(KNeighborsRegressor(n_neighbors=1), X, y, Xt, f,
                                             n_rounds=30, random_state=0)  # fmt: skip
    assert wiggly["variance"] > smooth["variance"]
    assert wiggly["bias_squared"] < smooth["bias_squared"]


def test_zero_one_decomposition():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    out = gms.bias_variance_decomposition(DecisionTreeClassifier(random_state=0), X, y, X[:20],
                                          y[:20], n_rounds=15, loss="0-1", random_state=0)  # fmt: skip
    P = out["predictions"]
    main = (P.mean(axis=0) > 0.5).astype(int)  # the mode of binary predictions (no ties: 15)
    assert out["bias"] == pytest.approx(np.mean(main != y[:20]))
    assert out["variance"] == pytest.approx(np.mean(P != main))
    assert out["expected_loss"] == pytest.approx(np.mean(P != y[:20]))


def test_early_stopping_patience_and_modes():
    stopper = gms.EarlyStopping(patience=3, min_delta=0.01)
    losses = [1.0, 0.7, 0.5, 0.495, 0.52, 0.49, 0.6]
    decisions = [stopper.step(v) for v in losses]
    # 0.495 and 0.49 improve by less than min_delta: three bad steps after 0.5 → stop at 0.49
    assert decisions == [False, False, False, False, False, True, True]
    assert stopper.best == 0.5 and stopper.best_step == 2
    acc = gms.EarlyStopping(patience=1, mode="max")
    assert [acc.step(v) for v in [0.5, 0.6, 0.55]] == [False, False, True]
    acc.reset()
    assert acc.best == -np.inf and not acc.should_stop


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=1, max_size=40), st.integers(0, 5))
def test_early_stopping_stops_exactly_after_patience_bad_steps(values, patience):
    stopper = gms.EarlyStopping(patience=patience)
    stopped_at = None
    for i, v in enumerate(values):
        if stopper.step(v):
            stopped_at = i
            break
    best_so_far = np.minimum.accumulate(values)
    if stopped_at is not None:
        assert stopped_at - stopper.best_step == max(patience, 1)
        assert stopper.best == best_so_far[stopped_at]


def test_bad_inputs():
    X, y = _sine()
    with pytest.raises(ValueError, match="n_rounds"):
        gms.bias_variance_decomposition(LinearRegression(), X, y, X, y, n_rounds=1)
    with pytest.raises(ValueError, match="loss"):
        gms.bias_variance_decomposition(LinearRegression(), X, y, X, y, loss="hinge")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gms.bias_variance_decomposition(LinearRegression(), X, y[:-1], X, y)
    with pytest.raises(ValueError, match="patience"):
        gms.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode"):
        gms.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="NaN"):
        gms.EarlyStopping().step(float("nan"))
