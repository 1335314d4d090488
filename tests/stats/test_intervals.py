"""Confidence intervals (ST-16) and the bootstrap (ST-19) against scipy.stats."""

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose

from glassml import stats as gs


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_t_and_z_intervals_match_scipy(seed, level):
    x = np.random.default_rng(seed).normal(2.0, 1.5, 12 + 5 * seed)
    ref = st.t.interval(level, x.size - 1, loc=x.mean(), scale=st.sem(x))
    assert_allclose(gs.t_interval(x, level), ref, rtol=1e-10)
    ref = st.norm.interval(level, loc=x.mean(), scale=st.sem(x))
    assert_allclose(gs.z_interval(x, level), ref, rtol=1e-10)
    ref = st.norm.interval(level, loc=x.mean(), scale=1.5 / np.sqrt(x.size))
    assert_allclose(gs.z_interval(x, level, sigma=1.5), ref, rtol=1e-10)


@pytest.mark.parametrize(("count", "nobs"), [(8, 10), (1, 50), (37, 120), (0, 20)])
def test_proportion_intervals_match_scipy(count, nobs):
    ref = st.binomtest(count, nobs).proportion_ci(0.95, method="wilson")
    assert_allclose(
        gs.proportion_interval(count, nobs), (ref.low, ref.high), rtol=1e-10, atol=1e-15
    )
    p = count / nobs
    half = st.norm.ppf(0.975) * np.sqrt(p * (1 - p) / nobs)
    assert_allclose(
        gs.proportion_interval(count, nobs, method="normal"),
        (p - half, p + half),
        rtol=1e-10,
        atol=1e-15,
    )


@pytest.mark.parametrize("method", ["percentile", "basic", "BCa"])
@pytest.mark.parametrize(("seed", "statistic"), [(0, np.mean), (1, np.median), (2, np.std)])
def test_bootstrap_matches_scipy_with_the_same_generator(method, seed, statistic):
    x = np.random.default_rng(seed).exponential(size=40)
    ours = gs.bootstrap(
        x, statistic, n_resamples=999, method=method, random_state=np.random.default_rng(seed + 10)
    )
    ref = st.bootstrap(
        (x,), statistic, n_resamples=999, method=method, rng=np.random.default_rng(seed + 10)
    )
    assert_allclose(ours.confidence_interval, tuple(ref.confidence_interval), rtol=1e-10)
    assert_allclose(ours.bootstrap_distribution, ref.bootstrap_distribution, rtol=1e-12)
    assert_allclose(ours.standard_error, ref.standard_error, rtol=1e-10)


def test_bootstrap_statistic_without_axis_and_se_of_mean():
    x = np.random.default_rng(3).normal(0, 2, 200)
    res = gs.bootstrap(
        x, lambda a: float(np.mean(a)), n_resamples=500, method="percentile", random_state=0
    )
    ref = gs.bootstrap(x, np.mean, n_resamples=500, method="percentile", random_state=0)
    assert_allclose(res.confidence_interval, ref.confidence_interval, rtol=1e-12)
    se = gs.bootstrap_se(x, n_resamples=4000, random_state=1)
    assert abs(se / (x.std() / np.sqrt(x.size)) - 1) < 0.06  # bootstrap SE ≈ σ/√n


def test_t_interval_covers_about_95_percent():
    X = np.random.default_rng(4).normal(1.0, 2.0, size=(2000, 8))
    lo, hi = np.array([gs.t_interval(row) for row in X]).T
    coverage = np.mean((lo <= 1.0) & (1.0 <= hi))
    assert abs(coverage - 0.95) < 0.015


def test_bad_input():
    with pytest.raises(ValueError, match="confidence_level"):
        gs.t_interval([1, 2, 3], 1.5)
    with pytest.raises(ValueError, match="at least 2"):
        gs.t_interval([1.0])
    with pytest.raises(ValueError, match="count"):
        gs.proportion_interval(12, 10)
    with pytest.raises(ValueError, match="method"):
        gs.proportion_interval(2, 10, method="exact")
    with pytest.raises(ValueError, match="method"):
        gs.bootstrap([1.0, 2.0, 3.0], method="studentized")
    with pytest.raises(TypeError, match="n_resamples"):
        gs.bootstrap([1.0, 2.0, 3.0], n_resamples=10.5)
    with pytest.raises(TypeError, match="statistic"):
        gs.bootstrap([1.0, 2.0, 3.0], statistic="mean")
