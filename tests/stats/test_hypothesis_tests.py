"""Hypothesis tests (ST-15) against scipy.stats: t, z, chi-square, ANOVA, Kolmogorov–Smirnov."""

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose

from glassml import stats as gs

ALTS = ["two-sided", "less", "greater"]
RTOL = 1e-10


def _samples(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.3, 1.0, 15 + seed), rng.normal(0.0, 2.0, 11 + 2 * seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alt", ALTS)
def test_t_tests_match_scipy(seed, alt):
    x, y = _samples(seed)
    for ours, ref in [
        (gs.ttest_1samp(x, 0.1, alternative=alt), st.ttest_1samp(x, 0.1, alternative=alt)),
        (gs.ttest_ind(x, y, alternative=alt), st.ttest_ind(x, y, alternative=alt)),
        (
            gs.ttest_ind(x, y, equal_var=False, alternative=alt),
            st.ttest_ind(x, y, equal_var=False, alternative=alt),
        ),
        (
            gs.ttest_rel(x[:10], y[:10], alternative=alt),
            st.ttest_rel(x[:10], y[:10], alternative=alt),
        ),
    ]:
        assert_allclose(ours.statistic, ref.statistic, rtol=RTOL)
        assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL)
        assert_allclose(ours.df, ref.df, rtol=RTOL)


@pytest.mark.parametrize("alt", ALTS)
def test_z_tests_match_the_normal_formulas(alt):
    x, y = _samples(3)
    tail = {
        "two-sided": lambda z: 2 * st.norm.sf(abs(z)),
        "less": st.norm.cdf,
        "greater": st.norm.sf,
    }[alt]
    z = (x.mean() - 0.2) / (1.3 / np.sqrt(x.size))
    res = gs.ztest(x, value=0.2, sigma=1.3, alternative=alt)
    assert_allclose([res.statistic, res.pvalue], [z, tail(z)], rtol=RTOL)
    z2 = (x.mean() - y.mean()) / np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
    res = gs.ztest(x, y, alternative=alt)
    assert_allclose([res.statistic, res.pvalue], [z2, tail(z2)], rtol=RTOL)
    # one-sample proportion and pooled two-sample proportion tests
    zp = (45 / 80 - 0.5) / np.sqrt(0.25 / 80)
    res = gs.proportions_ztest(45, 80, value=0.5, alternative=alt)
    assert_allclose([res.statistic, res.pvalue], [zp, tail(zp)], rtol=RTOL)
    pooled = (45 + 30) / (80 + 70)
    zp2 = (45 / 80 - 30 / 70) / np.sqrt(pooled * (1 - pooled) * (1 / 80 + 1 / 70))
    res = gs.proportions_ztest([45, 30], [80, 70], alternative=alt)
    assert_allclose([res.statistic, res.pvalue], [zp2, tail(zp2)], rtol=RTOL)


def test_ztest_with_large_sample_approximates_ttest():
    x = np.random.default_rng(4).normal(0.03, 1, 5000)
    assert_allclose(gs.ztest(x).pvalue, st.ttest_1samp(x, 0).pvalue, rtol=1e-2)


def test_chisquare_matches_scipy():
    obs = np.array([16, 18, 16, 14, 12, 12])
    for ours, ref in [
        (gs.chisquare(obs), st.chisquare(obs)),
        (gs.chisquare(obs, ddof=1), st.chisquare(obs, ddof=1)),
        (
            gs.chisquare(obs, f_exp=[10, 20, 20, 10, 18, 10]),
            st.chisquare(obs, f_exp=[10, 20, 20, 10, 18, 10]),
        ),
    ]:
        assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)


@pytest.mark.parametrize(
    "table",
    [
        [[10, 20], [30, 25]],
        [[3, 1], [1, 3]],  # Yates' cap at |O − E| matters
        [[12, 5, 9], [7, 14, 3], [6, 8, 11]],
        [[20, 15, 30, 5], [10, 25, 10, 15]],
    ],
)
@pytest.mark.parametrize("correction", [True, False])
def test_chi2_contingency_matches_scipy(table, correction):
    ours = gs.chi2_contingency(table, correction=correction)
    ref = st.chi2_contingency(table, correction=correction)
    assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)
    assert ours.dof == ref.dof
    assert_allclose(ours.expected_freq, ref.expected_freq, rtol=RTOL)


@pytest.mark.parametrize("seed", [0, 1])
def test_f_oneway_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    groups = [rng.normal(m, 1.0, n) for m, n in [(0, 10), (0.5, 14), (1.0, 8), (0.2, 20)]]
    ours, ref = gs.f_oneway(*groups), st.f_oneway(*groups)
    assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)
    assert (ours.df_between, ours.df_within) == (3, 48)


# ---------------------------------------------------------------- Kolmogorov–Smirnov
@pytest.mark.parametrize("n", [3, 10, 40, 120])
@pytest.mark.parametrize("shift", [0.0, 0.4])
def test_kstest_one_sample_matches_scipy(n, shift):
    x = np.random.default_rng(n).normal(shift, 1.0, n)
    for alt in ALTS:
        ours = gs.kstest(x, gs.Normal(), alternative=alt)
        ref = st.kstest(x, "norm", alternative=alt, method="exact")
        assert_allclose(ours.statistic, ref.statistic, rtol=1e-14)
        assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-9)
    ours = gs.kstest(x, st.norm.cdf, method="asymp")  # any callable cdf works
    ref = st.kstest(x, "norm", method="asymp")
    assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-10)


def test_kolmogorov_exact_sf_on_a_grid():
    from scipy.stats import kstwo

    for n in (1, 2, 5, 17, 60, 140):
        d = np.linspace(0.01, 0.99, 25)
        ours = np.array([gs.kolmogorov_sf(di, n, "exact") for di in d])
        assert_allclose(ours, kstwo.sf(d, n), rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize(("n", "m"), [(5, 7), (20, 20), (30, 45), (100, 80), (8, 50)])
@pytest.mark.parametrize("alt", ALTS)
def test_ks_2samp_matches_scipy(n, m, alt):
    rng = np.random.default_rng(n * m)
    x, y = rng.normal(0.4, 1, n), rng.normal(0, 1.3, m)
    ours, ref = (
        gs.ks_2samp(x, y, alternative=alt),
        st.ks_2samp(x, y, alternative=alt, method="exact"),
    )
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-14)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-9, atol=1e-300)
    ours, ref = (
        gs.ks_2samp(x, y, alternative=alt, method="asymp"),
        st.ks_2samp(x, y, alternative=alt, method="asymp"),
    )
    assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-8)


def test_ks_2samp_with_ties_and_tiny_pvalue():
    rng = np.random.default_rng(5)
    x, y = rng.integers(0, 6, 60).astype(float), rng.integers(2, 8, 70).astype(float)
    ours, ref = gs.ks_2samp(x, y), st.ks_2samp(x, y, method="exact")
    assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=1e-9)
    x, y = rng.normal(0, 1, 200), rng.normal(2.5, 1, 150)
    ours, ref = gs.ks_2samp(x, y), st.ks_2samp(x, y, method="exact")
    assert ref.pvalue < 1e-40
    assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-6)


def test_pvalues_are_uniform_under_h0():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(2000, 12))
    p = np.array([gs.ttest_1samp(row).pvalue for row in X])
    assert abs((p < 0.05).mean() - 0.05) < 0.015
    assert st.kstest(p, "uniform").pvalue > 1e-3


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        gs.ttest_1samp([1.0])
    with pytest.raises(ValueError, match="alternative"):
        gs.ttest_ind([1, 2, 3], [2, 3, 4], alternative="bigger")
    with pytest.raises(ValueError, match="equal length"):
        gs.ttest_rel([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="zero sample variance"):
        gs.ttest_1samp([2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="sum to the observed total"):
        gs.chisquare([10, 10], f_exp=[5, 5])
    with pytest.raises(ValueError, match="observed"):
        gs.chi2_contingency([1, 2, 3])
    with pytest.raises(ValueError, match="expected frequency is 0"):
        gs.chi2_contingency([[0, 0], [1, 2]])
    with pytest.raises(ValueError, match="at least 2 groups"):
        gs.f_oneway([1, 2, 3])
    with pytest.raises(ValueError, match="value"):
        gs.proportions_ztest(5, 10)
    with pytest.raises(ValueError, match="count"):
        gs.proportions_ztest(12, 10, value=0.5)
    with pytest.raises(ValueError, match="method"):
        gs.kstest([0.1, 0.2], gs.Normal(), method="fast")
    with pytest.raises(TypeError, match="cdf"):
        gs.kstest([0.1, 0.2], "norm")
    with pytest.raises(ValueError, match="NaN"):
        gs.ks_2samp([0.1, np.nan], [0.2, 0.3])


@pytest.mark.parametrize("n", [3, 4, 5, 6, 9, 11, 12, 30, 150])
@pytest.mark.parametrize("dist", ["normal", "exponential", "uniform"])
def test_shapiro_matches_scipy(n, dist):
    x = getattr(np.random.default_rng(n), dist)(size=n)
    ours, ref = gs.shapiro(x), st.shapiro(x)
    # scipy's swilk uses the 7-digit PPND7 normal quantiles; we use the exact ones
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-8)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-6)


def test_shapiro_detects_non_normality_and_rejects_bad_input():
    rng = np.random.default_rng(0)
    assert gs.shapiro(rng.exponential(size=300)).pvalue < 1e-6
    assert gs.shapiro(rng.normal(size=300)).pvalue > 0.01
    with pytest.raises(ValueError, match="at least 3"):
        gs.shapiro([1.0, 2.0])
    with pytest.raises(ValueError, match="all values are equal"):
        gs.shapiro([1.0, 1.0, 1.0, 1.0])


def _paths_reaching_boundary(n, m, h, one_sided):
    """Exact P(path leaves the band) by counting lattice paths with Python integers."""
    from fractions import Fraction
    from math import comb

    def inside(i, j):
        gap = i * m - j * n
        return gap < h if one_sided else abs(gap) < h

    row = [0] * (m + 1)
    for j in range(m + 1):
        row[j] = (1 if j == 0 else row[j - 1]) if inside(0, j) else 0
    for i in range(1, n + 1):
        new = [0] * (m + 1)
        for j in range(m + 1):
            if inside(i, j):
                new[j] = row[j] + (new[j - 1] if j else 0)
        row = new
    return float(1 - Fraction(row[m], comb(n + m, n)))


@pytest.mark.parametrize(("n", "m"), [(12, 17), (40, 45), (60, 60)])
@pytest.mark.parametrize("alt", ALTS)
def test_ks_2samp_exact_against_integer_path_counting(n, m, alt):
    rng = np.random.default_rng(n + m)
    x, y = rng.normal(0.5, 1, n), rng.normal(0, 1, m)
    res = gs.ks_2samp(x, y, alternative=alt)
    h = round(res.statistic * n * m)
    if alt == "less":
        expected = _paths_reaching_boundary(m, n, h, True)
    else:
        expected = _paths_reaching_boundary(n, m, h, alt == "greater")
    assert_allclose(res.pvalue, expected, rtol=1e-12)
