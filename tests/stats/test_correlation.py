"""Covariance and correlation (ST-17) against NumPy/scipy.stats, with property tests (CL-033)."""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import assume, given, settings
from hypothesis import strategies as hst
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from glassml import stats as gs


def _pairs(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=60)
    return {
        "linear": (x, 2 * x + rng.normal(size=60)),
        "ties": (rng.integers(0, 5, 60).astype(float), rng.integers(0, 4, 60).astype(float)),
        "monotone": (x, np.exp(x) + 0.1 * rng.normal(size=60)),
        "small": (x[:6], rng.normal(size=6)),
    }


@pytest.mark.parametrize("name", ["linear", "ties", "monotone", "small"])
@pytest.mark.parametrize("alt", ["two-sided", "less", "greater"])
def test_correlations_match_scipy(name, alt):
    x, y = _pairs(0)[name]
    for ours, ref in [
        (gs.pearsonr(x, y, alternative=alt), st.pearsonr(x, y, alternative=alt)),
        (gs.spearmanr(x, y, alternative=alt), st.spearmanr(x, y, alternative=alt)),
        (
            gs.kendalltau(x, y, alternative=alt),
            st.kendalltau(x, y, alternative=alt, method="asymptotic"),
        ),
    ]:
        assert_allclose(ours.statistic, ref.statistic, rtol=1e-10)
        assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-9)


def test_covariance_and_rankdata_match_numpy_scipy():
    X = np.random.default_rng(1).normal(size=(50, 4))
    assert_allclose(gs.covariance(X), np.cov(X, rowvar=False), rtol=1e-12)
    assert_allclose(gs.covariance(X, ddof=0), np.cov(X, rowvar=False, ddof=0), rtol=1e-12)
    v = np.random.default_rng(2).integers(0, 6, 40)
    assert_allclose(gs.rankdata(v), st.rankdata(v))


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64, hst.integers(4, 30), elements=hst.floats(-100, 100).map(lambda v: round(v, 4))
    ),
    hst.integers(0, 1000),
    hst.floats(0.01, 100),
    hst.floats(-100, 100),
)
def test_correlation_bounded_and_affine_invariant(x, seed, scale, shift):
    y = 0.5 * x + np.random.default_rng(seed).normal(size=x.size)
    assume(np.ptp(x) > 1e-3 and np.ptp(y) > 1e-3)
    r = gs.pearsonr(x, y).statistic
    assert -1 <= r <= 1
    assert_allclose(gs.pearsonr(scale * x + shift, y).statistic, r, atol=1e-9)
    assert_allclose(gs.pearsonr(x, y).statistic, gs.pearsonr(y, x).statistic, atol=1e-12)
    rho = gs.spearmanr(x, y).statistic
    assert -1 <= rho <= 1
    assert_allclose(gs.spearmanr(scale * x + shift, y).statistic, rho, atol=1e-9)
    assert_allclose(gs.pearsonr(-scale * x, y).statistic, -r, atol=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        gs.pearsonr([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="constant"):
        gs.pearsonr([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="at least 2"):
        gs.pearsonr([1.0], [2.0])
    with pytest.raises(ValueError, match="X"):
        gs.covariance(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="constant"):
        gs.kendalltau([1, 1, 1], [1, 2, 3])
