"""Descriptive statistics (ST-01) against NumPy/scipy.stats."""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from glassml import stats as gs

DATASETS = {
    "normal": np.random.default_rng(0).normal(3, 2, size=(200, 3)),
    "skewed": np.random.default_rng(1).lognormal(size=(150, 2)),
    "ties": np.random.default_rng(2).integers(0, 5, size=(60, 4)).astype(float),
}


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("axis", [0, None])
def test_descriptive_statistics_match_scipy(name, axis):
    X = DATASETS[name]
    assert_allclose(gs.mean(X, axis=axis), np.mean(X, axis=axis), rtol=1e-12)
    assert_allclose(gs.median(X, axis=axis), np.median(X, axis=axis), rtol=1e-12)
    ref_mode = st.mode(X, axis=axis)
    ours_mode = gs.mode(X, axis=axis)
    assert_allclose(ours_mode.mode, ref_mode.mode)
    assert_allclose(ours_mode.count, ref_mode.count)
    for ddof in (0, 1):
        assert_allclose(
            gs.variance(X, ddof=ddof, axis=axis), np.var(X, ddof=ddof, axis=axis), rtol=1e-12
        )
        assert_allclose(
            gs.std(X, ddof=ddof, axis=axis), np.std(X, ddof=ddof, axis=axis), rtol=1e-12
        )
    assert_allclose(gs.data_range(X, axis=axis), np.ptp(X, axis=axis), rtol=1e-12)
    assert_allclose(
        gs.quantile(X, [0.1, 0.5, 0.9], axis=axis),
        np.quantile(X, [0.1, 0.5, 0.9], axis=axis),
        rtol=1e-12,
    )
    assert_allclose(gs.iqr(X, axis=axis), st.iqr(X, axis=axis), rtol=1e-12)
    for bias in (True, False):
        assert_allclose(
            gs.skewness(X, axis=axis, bias=bias), st.skew(X, axis=axis, bias=bias), rtol=1e-10
        )
        assert_allclose(
            gs.kurtosis(X, axis=axis, bias=bias), st.kurtosis(X, axis=axis, bias=bias), rtol=1e-10
        )
        assert_allclose(
            gs.kurtosis(X, axis=axis, fisher=False, bias=bias),
            st.kurtosis(X, axis=axis, fisher=False, bias=bias),
            rtol=1e-10,
        )


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_describe_matches_scipy(name):
    X = DATASETS[name]
    ours, ref = gs.describe(X), st.describe(X)
    assert ours.nobs == ref.nobs
    for a, b in zip(ours[1:], ref[1:], strict=True):
        assert_allclose(a, b, rtol=1e-10)
    ours, ref = gs.describe(X, ddof=0, bias=False), st.describe(X, ddof=0, bias=False)
    assert_allclose(ours.variance, ref.variance, rtol=1e-12)
    assert_allclose(ours.kurtosis, ref.kurtosis, rtol=1e-10)


def test_mode_smallest_on_ties_and_1d():
    assert gs.mode([3, 1, 3, 1, 2]).mode == 1.0
    assert gs.mode([3, 1, 3, 1, 2]).count == 2


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, hst.integers(2, 40), elements=hst.floats(-1e3, 1e3)),
    hst.floats(0.1, 10),
    hst.floats(-50, 50),
)
def test_location_scale_properties(x, a, b):
    y = a * x + b
    assert_allclose(gs.mean(y), a * gs.mean(x) + b, rtol=1e-9, atol=1e-6)
    assert_allclose(gs.median(y), a * gs.median(x) + b, rtol=1e-9, atol=1e-6)
    assert_allclose(gs.std(y), a * gs.std(x), rtol=1e-7, atol=1e-6)
    assert gs.variance(x) >= 0 and gs.iqr(x) >= 0
    assert x.min() <= gs.median(x) <= x.max()


def test_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        gs.mean([1.0, np.nan])
    with pytest.raises(ValueError, match="at least 2"):
        gs.variance([1.0], ddof=1)
    with pytest.raises(ValueError, match="q"):
        gs.quantile([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match="at least 3"):
        gs.skewness([1.0, 2.0], bias=False)
