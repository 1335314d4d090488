"""Regression metrics against scikit-learn and torch (MS-12 … MS-18)."""

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import glassml.metrics as gm


def _cases():
    rng = np.random.default_rng(0)
    n = 250
    y = rng.normal(size=n)
    yield "1d", y, y + rng.normal(0, 0.5, n), None
    Y = rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1]
    yield "multioutput", Y, Y + rng.normal(0, 0.5, (n, 3)), rng.random(n)
    yp = np.abs(rng.normal(size=n)) + 0.1
    yield "positive_outliers", yp, yp * np.where(rng.random(n) < 0.05, 20.0, 1.1), rng.random(n)


CASES = list(_cases())
IDS = [c[0] for c in CASES]
PAIRS = [
    (gm.mean_squared_error, skm.mean_squared_error),
    (gm.root_mean_squared_error, skm.root_mean_squared_error),
    (gm.mean_absolute_error, skm.mean_absolute_error),
    (gm.mean_absolute_percentage_error, skm.mean_absolute_percentage_error),
    (gm.r2_score, skm.r2_score),
    (gm.explained_variance_score, skm.explained_variance_score),
]


@pytest.mark.parametrize("name, yt, yp, w", CASES, ids=IDS)
@pytest.mark.parametrize("ours, ref", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_against_sklearn(name, yt, yp, w, ours, ref):
    outs = ["raw_values", "uniform_average"]
    if yt.ndim == 2:
        outs.append(np.array([0.2, 0.3, 0.5]))
    if ours in (gm.r2_score, gm.explained_variance_score):
        outs.append("variance_weighted")
    for mo in outs:
        np.testing.assert_allclose(
            ours(yt, yp, sample_weight=w, multioutput=mo),
            ref(yt, yp, sample_weight=w, multioutput=mo),
            rtol=1e-10,
            atol=1e-13,
        )


@pytest.mark.parametrize("name, yt, yp, w", CASES, ids=IDS)
def test_other_regression_metrics(name, yt, yp, w):
    np.testing.assert_allclose(
        gm.median_absolute_error(yt, yp, multioutput="raw_values"),
        skm.median_absolute_error(yt, yp, multioutput="raw_values"),
        rtol=1e-12,
    )
    for alpha in (0.1, 0.5, 0.9):
        assert gm.mean_pinball_loss(yt, yp, alpha=alpha, sample_weight=w) == pytest.approx(
            skm.mean_pinball_loss(yt, yp, alpha=alpha, sample_weight=w), rel=1e-12
        )
    if yt.ndim == 1:
        assert gm.max_error(yt, yp) == pytest.approx(skm.max_error(yt, yp), rel=1e-14)
    if (yt > 0).all() and (yp > 0).all():
        for fn, ref in [
            (gm.mean_squared_log_error, skm.mean_squared_log_error),
            (gm.root_mean_squared_log_error, skm.root_mean_squared_log_error),
            (gm.mean_poisson_deviance, skm.mean_poisson_deviance),
            (gm.mean_gamma_deviance, skm.mean_gamma_deviance),
        ]:
            assert fn(yt, yp, sample_weight=w) == pytest.approx(
                ref(yt, yp, sample_weight=w), rel=1e-11
            )
        for power in (-1.0, 0.0, 1.0, 1.5, 2.0, 3.0):
            assert gm.mean_tweedie_deviance(yt, yp, power=power, sample_weight=w) == (
                pytest.approx(skm.mean_tweedie_deviance(yt, yp, power=power, sample_weight=w),
                              rel=1e-11)
            )  # fmt: skip


def test_r2_constant_target_and_force_finite():
    y = np.ones(5)
    for pred in (np.ones(5), np.arange(5.0)):
        for ff in (True, False):
            with np.errstate(all="ignore"):
                np.testing.assert_equal(
                    gm.r2_score(y, pred, force_finite=ff), skm.r2_score(y, pred, force_finite=ff)
                )


def test_adjusted_r2_formula():
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    yp = y + rng.normal(0, 0.3, 40)
    r2 = skm.r2_score(y, yp)
    n, p = 40, 5
    assert gm.adjusted_r2_score(y, yp, n_features=p) == pytest.approx(
        1 - (1 - r2) * (n - 1) / (n - p - 1), rel=1e-12
    )
    assert gm.adjusted_r2_score(y, yp, n_features=p) < r2  # the penalty for extra features


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_matches_torch(delta):
    rng = np.random.default_rng(2)
    y, yp = rng.normal(size=300) * 3, rng.normal(size=300) * 3
    ref = torch.nn.functional.huber_loss(torch.tensor(yp), torch.tensor(y), delta=delta).item()
    assert gm.huber_loss(y, yp, delta=delta) == pytest.approx(ref, rel=1e-12)


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(2, 30), elements=finite),
       arrays(np.float64, 30, elements=finite))  # fmt: skip
def test_regression_properties(y, noise):
    yp = y + noise[: y.size]
    assert gm.mean_squared_error(y, yp) >= 0
    assert gm.mean_squared_error(y, yp) == pytest.approx(gm.mean_squared_error(yp, y))  # symmetric
    assert gm.root_mean_squared_error(y, yp) == pytest.approx(
        np.sqrt(gm.mean_squared_error(y, yp)), rel=1e-12, abs=1e-12
    )
    assert gm.mean_absolute_error(y, yp) <= gm.root_mean_squared_error(y, yp) + 1e-9
    assert gm.r2_score(y, yp) <= 1.0
    assert gm.r2_score(y, y) == 1.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.mean_squared_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        gm.mean_absolute_error([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="multioutput"):
        gm.r2_score([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]], multioutput="mean")
    with pytest.raises(ValueError, match="different number of output"):
        gm.mean_squared_error(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n_samples > n_features"):
        gm.adjusted_r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.5], n_features=2)
    with pytest.raises(ValueError, match="power"):
        gm.mean_tweedie_deviance([1.0], [1.0], power=0.5)
    with pytest.raises(ValueError, match="strictly positive|y_pred > 0"):
        gm.mean_poisson_deviance([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="delta"):
        gm.huber_loss([1.0], [1.0], delta=0)
    with pytest.raises(ValueError, match="less than or equal to -1"):
        gm.mean_squared_log_error([-2.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="empty"):
        gm.mean_squared_error([], [])
