"""ffill/bfill (DP-09, vs pandas), MICE + Rubin pooling (DP-12), missingness simulator (DP-07)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from glassml.impute import bfill, ffill, mice, pool_mean, pool_rubin, simulate_missing


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 0.9), st.sampled_from([None, 1, 2, 3]))
def test_fill_matches_pandas(seed, rate, limit):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(15, 3))
    X[rng.random(X.shape) < rate] = np.nan
    df = pd.DataFrame(X)
    np.testing.assert_array_equal(ffill(X, limit=limit), df.ffill(limit=limit).to_numpy())
    np.testing.assert_array_equal(bfill(X, limit=limit), df.bfill(limit=limit).to_numpy())
    np.testing.assert_array_equal(
        ffill(X.T, axis=1, limit=limit), df.ffill(limit=limit).to_numpy().T
    )


def test_fill_1d_and_bad_input():
    x = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan])
    np.testing.assert_array_equal(ffill(x), [np.nan, 1, 1, 1, 4, 4])
    np.testing.assert_array_equal(bfill(x, limit=1), [1, 1, np.nan, 4, 4, np.nan])
    with pytest.raises(ValueError, match="limit"):
        ffill(x, limit=0)
    with pytest.raises(ValueError, match="axis"):
        ffill(x, axis=3)


def test_pool_rubin_by_hand():
    # Q = [1.0, 1.2, 0.8], U = 0.01: Qbar = 1, W = 0.01, B = 0.04, T = W + (4/3) B = 0.0633...
    # df = (m-1) (1 + W / ((1 + 1/m) B))^2 = 2 * (1 + 0.01 / 0.05333...)^2 = 2 * 1.1875^2
    res = pool_rubin([1.0, 1.2, 0.8], [0.01, 0.01, 0.01])
    assert res.estimate == pytest.approx(1.0)
    assert res.between_variance == pytest.approx(0.04)
    assert res.total_variance == pytest.approx(0.01 + 4 / 3 * 0.04)
    assert res.df == pytest.approx(2 * 1.1875**2)
    half = stats.t.ppf(0.975, 2 * 1.1875**2) * np.sqrt(0.01 + 4 / 3 * 0.04)
    assert (res.ci_low, res.ci_high) == pytest.approx((1 - half, 1 + half))
    with pytest.raises(ValueError, match="estimates, variances"):
        pool_rubin([1.0], [0.1])
    with pytest.raises(ValueError, match="confidence"):
        pool_rubin([1.0, 2.0], [0.1, 0.1], confidence=1.5)


def test_mice_datasets_differ_only_in_gaps_and_pool():
    rng = np.random.default_rng(0)
    truth = rng.multivariate_normal(
        [1.0, 2.0, 0.0], [[1, 0.7, 0.3], [0.7, 1, 0.2], [0.3, 0.2, 1]], size=200
    )
    X = simulate_missing(truth, 0.3, mechanism="MCAR", columns=[1], random_state=0)
    sets = mice(X, m=4, max_iter=5, random_state=0)
    assert len(sets) == 4
    gaps = np.isnan(X)
    for d in sets:
        assert not np.isnan(d).any()
        np.testing.assert_array_equal(d[~gaps], X[~gaps])
    assert not np.allclose(sets[0][gaps], sets[1][gaps])  # posterior draws differ
    pooled = pool_mean(sets, 1)
    assert pooled.between_variance > 0
    assert pooled.ci_low < truth[:, 1].mean() < pooled.ci_high
    with pytest.raises(ValueError, match="m:"):
        mice(X, m=0)


@pytest.mark.parametrize("mechanism", ["MCAR", "MAR", "MNAR"])
def test_missingness_rates(mechanism):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 3))
    Xm = simulate_missing(X, 0.25, mechanism=mechanism, random_state=0)
    rates = np.isnan(Xm).mean(axis=0)
    gapped = [1, 2] if mechanism == "MAR" else [0, 1, 2]
    np.testing.assert_allclose(rates[gapped], 0.25, atol=0.03)
    if mechanism == "MAR":
        assert rates[0] == 0  # the driver stays observed
    np.testing.assert_array_equal(Xm[~np.isnan(Xm)], X[~np.isnan(Xm)])


def test_mechanisms_differ_in_what_they_depend_on():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(5000, 1))
    X = np.hstack([z, z + 0.5 * rng.normal(size=(5000, 1))])  # correlated columns
    gaps = {
        m: np.isnan(simulate_missing(X, 0.3, mechanism=m, columns=[1], random_state=3))[:, 1]
        for m in ("MCAR", "MAR", "MNAR")
    }
    diff_driver = {m: X[g, 0].mean() - X[~g, 0].mean() for m, g in gaps.items()}
    diff_self = {m: X[g, 1].mean() - X[~g, 1].mean() for m, g in gaps.items()}
    assert abs(diff_driver["MCAR"]) < 0.1 and abs(diff_self["MCAR"]) < 0.1
    assert diff_driver["MAR"] > 0.5  # missing rows have large observed driver values
    assert diff_self["MNAR"] > 0.5  # missing rows have large values themselves


def test_missingness_bad_input():
    X = np.ones((10, 2))
    with pytest.raises(ValueError, match="mechanism"):
        simulate_missing(X, 0.1, mechanism="NMAR")
    with pytest.raises(ValueError, match="rate"):
        simulate_missing(X, 1.5)
    with pytest.raises(ValueError, match="columns"):
        simulate_missing(X, 0.1, columns=[5])
    with pytest.raises(ValueError, match="driver"):
        simulate_missing(X, 0.1, mechanism="MAR", columns=[0], driver=0)
