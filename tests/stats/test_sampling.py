"""Sampling (DP-16), CLT simulator (ST-18) and t-test power analysis (ST-24)."""

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose

from glassml import stats as gs


def _power_ref(d, n, alpha, alt, kind):
    df, nc = (2 * n - 2, d * np.sqrt(n / 2)) if kind == "two-sample" else (n - 1, d * np.sqrt(n))
    if alt == "two-sided":
        c = st.t.ppf(1 - alpha / 2, df)
        return st.nct.sf(c, df, nc) + st.nct.cdf(-c, df, nc)
    if alt == "greater":
        return st.nct.sf(st.t.ppf(1 - alpha, df), df, nc)
    return st.nct.cdf(st.t.ppf(alpha, df), df, nc)


@pytest.mark.parametrize("kind", ["two-sample", "one-sample", "paired"])
@pytest.mark.parametrize("alt", ["two-sided", "less", "greater"])
def test_power_matches_scipy_noncentral_t(kind, alt):
    n = np.array([5, 20, 100, 400])
    for d in (0.2, -0.5, 0.8):
        ours = gs.ttest_power(d, n, alpha=0.05, alternative=alt, kind=kind)
        assert_allclose(ours, _power_ref(d, n, 0.05, alt, kind), rtol=1e-9)


def test_power_claim_and_sample_size():
    assert abs(gs.ttest_power(0.2, 100) - 0.29) < 0.005  # CL-031
    n = gs.ttest_sample_size(0.5, 0.8)
    assert gs.ttest_power(0.5, n) >= 0.8 > gs.ttest_power(0.5, n - 1)
    assert n == 64  # the textbook value for d = 0.5, 80% power
    assert gs.ttest_sample_size(0.3, 0.9, kind="one-sample") == 119


def test_power_by_simulation():
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 1.0, (3000, 30))
    y = rng.normal(0.5, 1.0, (3000, 30))
    p = st.ttest_ind(x, y, axis=1).pvalue
    assert abs((p < 0.05).mean() - gs.ttest_power(0.5, 30)) < 0.03


def test_samplers():
    X = np.arange(100)
    idx = gs.simple_random_sample(X, 30, random_state=0)
    assert idx.size == 30 and np.unique(idx).size == 30
    assert_allclose(idx, gs.simple_random_sample(X, 30, random_state=0))
    b = gs.bootstrap_sample(X, random_state=0)
    assert b.size == 100 and np.unique(b).size < 100
    strata = np.r_[np.zeros(95), np.ones(5)]
    for seed in range(5):
        s = gs.stratified_sample(strata, 40, random_state=seed)
        assert s.size == 40 and (strata[s] == 1).sum() == 2 and np.unique(s).size == 40


def test_reservoir_sample_is_uniform():
    counts = np.zeros(20)
    rng = np.random.default_rng(0)
    for _ in range(2000):
        counts[gs.reservoir_sample(range(20), 5, random_state=rng)] += 1
    # each item is kept with probability 5/20
    assert st.chisquare(counts).pvalue > 1e-3
    assert_allclose(counts.sum(), 2000 * 5)


def test_clt_simulation_standardized_means_are_normal():
    z = gs.clt_simulation(
        lambda rng, size: rng.exponential(size=size),
        200,
        4000,
        random_state=0,
        standardize=(1.0, 1.0),
    )
    assert abs(z.mean()) < 0.06 and abs(z.std() - 1) < 0.05
    assert abs(st.skew(z)) < 0.3  # exponential skewness 2 shrinks by 1/√n to ≈ 0.14


def test_bad_input():
    with pytest.raises(ValueError, match="n"):
        gs.simple_random_sample(np.arange(5), 10)
    with pytest.raises(ValueError, match="kind"):
        gs.ttest_power(0.3, 20, kind="three-sample")
    with pytest.raises(ValueError, match="alpha"):
        gs.ttest_power(0.3, 20, alpha=1.5)
    with pytest.raises(ValueError, match="n"):
        gs.ttest_power(0.3, 1)
    with pytest.raises(ValueError, match="k"):
        gs.reservoir_sample(range(3), 5)
    with pytest.raises(ValueError, match="effect_size"):
        gs.ttest_sample_size(0.0, 0.8)
    with pytest.raises(ValueError, match="sampler"):
        gs.clt_simulation(lambda rng, size: rng.normal(size=3), 5, 10)
