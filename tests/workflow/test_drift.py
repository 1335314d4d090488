"""Drift: KS against scipy.stats.ks_2samp, PSI against a hand computation, the verdict."""

import numpy as np
import pytest
from scipy import stats

from glassml.workflow.drift import drift_report, population_stability_index
from glassml.workflow.table import Table


@pytest.mark.parametrize("n, m, shift", [(40, 55, 0.0), (300, 250, 0.3), (1000, 800, 1.0)])
def test_ks_matches_scipy(n, m, shift):
    rng = np.random.default_rng(n)
    ref, new = rng.normal(size=n), rng.normal(loc=shift, size=m)
    rep = drift_report(Table({"x": ref}), Table({"x": new}))
    expected = stats.ks_2samp(ref, new)
    assert rep.features[0].ks_statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert rep.features[0].ks_pvalue == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-12)


def test_psi_hand_computation():
    ref = np.arange(1.0, 11.0)  # quartile edges of the reference: 1, 3.25, 5.5, 7.75, 10
    new = np.array([1.0, 2.0, 3.0, 4.0, 9.0, 9.5, 10.0, 11.0, 12.0, 13.0])
    # bins (-inf,3.25], (3.25,5.5], (5.5,7.75], (7.75,inf): ref 3,2,2,3 ; new 3,1,0,6
    p_ref = np.array([3, 2, 2, 3]) / 10
    p_new = np.maximum(np.array([3, 1, 0, 6]) / 10, 1e-4)
    expected = np.sum((p_new - p_ref) * np.log(p_new / p_ref))
    assert population_stability_index(ref, new, n_bins=4) == pytest.approx(expected, rel=1e-12)


def test_psi_zero_for_identical_and_bad_bins():
    x = np.random.default_rng(0).normal(size=200)
    assert population_stability_index(x, x) == 0.0
    with pytest.raises(ValueError, match="n_bins"):
        population_stability_index(x, x, n_bins=1)


def test_verdict_and_categorical():
    rng = np.random.default_rng(1)
    ref = Table({"a": rng.normal(size=400), "c": np.array(["u", "v"] * 200, dtype=object)})
    same = Table({"a": rng.normal(size=400), "c": np.array(["u", "v"] * 200, dtype=object)})
    moved = Table({"a": rng.normal(loc=1.5, size=400), "c": np.array(["u"] * 400, dtype=object)})
    assert not drift_report(ref, same).retraining_advised
    rep = drift_report(ref, moved)
    assert rep.drifted == ["a", "c"] and "retraining advised" in rep.verdict
    with pytest.raises(ValueError, match="share no column"):
        drift_report(ref, Table({"zz": np.ones(3)}))
