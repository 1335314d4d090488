"""Probability rules, Bayes (ST-10, ST-11), conjugate updates (ST-25), information theory
(ST-12..ST-14)."""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst
from numpy.testing import assert_allclose
from scipy.spatial.distance import jensenshannon

from glassml import stats as gs


def test_diagnostic_test_paradox():
    # prevalence 1%, sensitivity 95%, specificity 95%: P(D|+) = 0.0095 / 0.059
    assert_allclose(
        gs.diagnostic_posterior(0.01, 0.95, 0.95), 0.0095 / (0.0095 + 0.0495), rtol=1e-14
    )
    assert round(gs.diagnostic_posterior(0.01, 0.95, 0.95), 3) == 0.161


def test_bayes_total_probability_and_posterior():
    prior = np.array([0.2, 0.5, 0.3])
    like = np.array([0.9, 0.1, 0.4])
    evidence = gs.total_probability(like, prior)
    assert_allclose(evidence, 0.18 + 0.05 + 0.12, rtol=1e-14)
    post = gs.posterior(prior, like)
    assert_allclose(post, like * prior / evidence, rtol=1e-14)
    assert_allclose(post[0], gs.bayes_rule(0.9, 0.2, evidence), rtol=1e-14)
    assert_allclose(gs.conditional_probability(0.12, 0.3), 0.4)
    joint = np.array([[0.1, 0.2], [0.3, 0.4]])
    assert_allclose(gs.marginal(joint, axis=1), [0.3, 0.7])
    assert_allclose(gs.marginal(joint, axis=0), [0.4, 0.6])


def test_discrete_expectation_and_variance_match_scipy():
    x, p = np.array([0.0, 1.0, 5.0, 10.0]), np.array([0.1, 0.4, 0.3, 0.2])
    ref = st.rv_discrete(values=(x, p))
    assert_allclose(gs.expectation(x, p), ref.mean(), rtol=1e-14)
    assert_allclose(gs.discrete_variance(x, p), ref.var(), rtol=1e-14)
    # Var = E[X²] − E[X]² (the identity the seed garbled, E-02)
    assert_allclose(
        gs.discrete_variance(x, p), gs.expectation(x**2, p) - gs.expectation(x, p) ** 2, rtol=1e-12
    )


def test_probability_bad_input():
    with pytest.raises(ValueError, match="p_b"):
        gs.conditional_probability(0.1, 0.0)
    with pytest.raises(ValueError, match="sum to 1"):
        gs.total_probability([0.5, 0.5], [0.3, 0.3])
    with pytest.raises(ValueError, match="p_a"):
        gs.bayes_rule(0.5, 1.5, 0.5)
    with pytest.raises(ValueError, match="values"):
        gs.expectation([1, 2, 3], [0.5, 0.5])
    with pytest.raises(ValueError, match="inconsistent"):
        gs.bayes_rule(0.9, 0.9, 0.1)


# ---------------------------------------------------------------- conjugate updates
def test_beta_bernoulli_matches_closed_form_and_scipy():
    data = np.random.default_rng(0).binomial(1, 0.3, 50)
    m = gs.BetaBernoulli(alpha=2.0, beta=3.0).update(data[:20]).update(data[20:])
    s = data.sum()
    ref = st.beta(2 + s, 3 + 50 - s)
    assert (m.alpha, m.beta) == (2.0 + s, 3.0 + 50 - s)
    assert_allclose(m.posterior_mean(), ref.mean(), rtol=1e-14)
    assert_allclose(m.credible_interval(0.9), ref.interval(0.9), rtol=1e-10)
    assert_allclose(m.posterior_predictive(), (2 + s) / 55, rtol=1e-14)


def test_gamma_poisson_matches_scipy():
    data = np.random.default_rng(1).poisson(3.0, 40)
    m = gs.GammaPoisson(shape=2.0, rate=0.5).update(data)
    ref = st.gamma(2.0 + data.sum(), scale=1 / (0.5 + 40))
    assert_allclose(m.posterior_mean(), ref.mean(), rtol=1e-14)
    assert_allclose(m.credible_interval(), ref.interval(0.95), rtol=1e-10)
    a, b = 2.0 + data.sum(), 40.5
    k = np.arange(12)
    assert_allclose(m.posterior_predictive(k), st.nbinom(a, b / (b + 1)).pmf(k), rtol=1e-10)


def test_normal_normal_matches_closed_form():
    data = np.random.default_rng(2).normal(1.5, 2.0, 25)
    m = gs.NormalNormal(mu0=0.0, tau0=3.0, sigma=2.0).update(data)
    prec = 1 / 9 + 25 / 4
    assert_allclose(m.posterior().var(), 1 / prec, rtol=1e-12)
    assert_allclose(m.posterior_mean(), (data.sum() / 4) / prec, rtol=1e-12)
    assert_allclose(m.posterior_predictive().var(), 4 + 1 / prec, rtol=1e-12)
    lo, hi = m.credible_interval()
    assert_allclose(
        [lo, hi], st.norm(m.posterior_mean(), np.sqrt(1 / prec)).interval(0.95), rtol=1e-10
    )


def test_conjugate_bad_input():
    with pytest.raises(ValueError, match="0 or 1"):
        gs.BetaBernoulli().update([0, 2])
    with pytest.raises(ValueError, match="alpha"):
        gs.BetaBernoulli(alpha=0)
    with pytest.raises(ValueError, match="non-negative integers"):
        gs.GammaPoisson().update([1.5])
    with pytest.raises(ValueError, match="level"):
        gs.BetaBernoulli().credible_interval(1.2)


# ---------------------------------------------------------------- information theory
def _random_pmfs(seed, k=6, n=20):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k), size=n)
    q = rng.dirichlet(np.ones(k), size=n)
    return p, q


@pytest.mark.parametrize("base", [None, 2])
def test_information_measures_match_scipy(base):
    p, q = _random_pmfs(0)
    for pi, qi in zip(p, q, strict=True):
        assert_allclose(gs.entropy(pi, base=base), st.entropy(pi, base=base), rtol=1e-12)
        assert_allclose(
            gs.kl_divergence(pi, qi, base=base), st.entropy(pi, qi, base=base), rtol=1e-12
        )
        assert_allclose(
            gs.js_divergence(pi, qi, base=base), jensenshannon(pi, qi, base=base) ** 2, rtol=1e-10
        )
    assert_allclose(gs.entropy(p, base=base), st.entropy(p, base=base, axis=1), rtol=1e-12)


def test_mutual_information_identity_and_sklearn():
    from sklearn.metrics import mutual_info_score

    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 3, 500), rng.integers(0, 4, 500)
    b = np.where(rng.random(500) < 0.5, a, b)
    table = np.zeros((3, 4))
    np.add.at(table, (a, b), 1)
    mi = gs.mutual_information(table)
    assert_allclose(mi, mutual_info_score(a, b), rtol=1e-12)
    pxy = table / table.sum()
    hx, hy, hxy = gs.entropy(pxy.sum(1)), gs.entropy(pxy.sum(0)), gs.entropy(pxy.ravel())
    assert_allclose(mi, hx + hy - hxy, rtol=1e-10)


@settings(max_examples=50, deadline=None)
@given(hst.integers(0, 10_000), hst.integers(2, 8))
def test_information_properties(seed, k):
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
    # H(p, q) = H(p) + KL(p‖q); KL >= 0 and KL(p‖p) = 0; H(p) <= log k (uniform is max)
    assert_allclose(gs.cross_entropy(p, q), gs.entropy(p) + gs.kl_divergence(p, q), rtol=1e-10)
    assert gs.kl_divergence(p, q) >= 0
    assert abs(gs.kl_divergence(p, p)) < 1e-15
    assert gs.entropy(p) <= np.log(k) + 1e-12
    assert 0 <= gs.js_divergence(p, q) <= np.log(2) + 1e-12
    assert_allclose(gs.js_divergence(p, q), gs.js_divergence(q, p), rtol=1e-12)


def test_information_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        gs.entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="q"):
        gs.kl_divergence([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match=">= 0"):
        gs.entropy([1.5, -0.5])
    with pytest.raises(ValueError, match="joint"):
        gs.mutual_information([0.5, 0.5])
    assert gs.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
