"""Histogram density and Gaussian KDE (ST-22) against NumPy and scipy.stats.gaussian_kde."""

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose

from glassml import stats as gs


@pytest.mark.parametrize("bins", [5, 20, "auto"])
def test_histogram_density_matches_numpy(bins):
    x = np.random.default_rng(0).gamma(2.0, size=300)
    dens, edges = gs.histogram_density(x, bins=bins)
    ref, ref_edges = np.histogram(x, bins=bins, density=True)
    assert_allclose(dens, ref, rtol=1e-12)
    assert_allclose(edges, ref_edges)
    assert_allclose((dens * np.diff(edges)).sum(), 1.0, rtol=1e-12)


@pytest.mark.parametrize("bw", ["scott", "silverman", 0.3])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_kde_matches_scipy(bw, d):
    rng = np.random.default_rng(d)
    X = rng.normal(size=(150, d)) @ np.triu(np.ones((d, d)))
    P = rng.normal(size=(40, d))
    ours = gs.GaussianKDE(X if d > 1 else X[:, 0], bw_method=bw)
    ref = st.gaussian_kde(X.T, bw_method=bw)
    pts = P if d > 1 else P[:, 0]
    assert_allclose(ours.evaluate(pts), ref(P.T), rtol=1e-10)
    assert_allclose(ours.logpdf(pts), ref.logpdf(P.T), rtol=1e-10)
    assert_allclose(ours.factor, ref.factor, rtol=1e-14)
    assert_allclose(ours.covariance, ref.covariance, rtol=1e-12)


def test_kde_integrates_to_one_and_resamples():
    kde = gs.GaussianKDE(np.random.default_rng(0).normal(size=100))
    grid = np.linspace(-8, 8, 4001)
    assert_allclose(np.trapezoid(kde(grid), grid), 1.0, rtol=1e-6)
    s = kde.resample(20000, random_state=0)
    assert s.shape == (20000, 1)
    assert_allclose(s.var(), kde.dataset.var() + kde.covariance[0, 0], rtol=0.05)


def test_bad_input():
    with pytest.raises(ValueError, match="bw_method"):
        gs.GaussianKDE([1.0, 2.0, 3.0], bw_method="wide")
    with pytest.raises(ValueError, match="data"):
        gs.GaussianKDE([1.0])
    with pytest.raises(ValueError, match="points"):
        gs.GaussianKDE(np.random.default_rng(0).normal(size=(10, 2))).evaluate(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="x"):
        gs.histogram_density([])
