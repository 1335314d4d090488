"""Distributions (ST-02..ST-09, ST-21) against scipy.stats: densities, cdf, ppf, moments,
entropy, maximum-likelihood fits and samplers."""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst
from numpy.testing import assert_allclose
from scipy import integrate

from glassml.stats import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Exponential,
    Gamma,
    Multinomial,
    Normal,
    Poisson,
    Uniform,
)

RTOL = 1e-10

CONTINUOUS = [
    (Normal(1.5, 2.0), st.norm(1.5, 2.0), np.linspace(-6, 9, 41)),
    (Normal(-0.3, 0.1), st.norm(-0.3, 0.1), np.linspace(-0.8, 0.2, 41)),
    (Exponential(2.5), st.expon(scale=1 / 2.5), np.linspace(0.01, 4, 41)),
    (Uniform(-1.0, 3.0), st.uniform(-1.0, 4.0), np.linspace(-0.99, 2.99, 41)),
    (Beta(2.5, 0.7), st.beta(2.5, 0.7), np.linspace(0.01, 0.99, 41)),
    (Beta(0.5, 0.5), st.beta(0.5, 0.5), np.linspace(0.01, 0.99, 41)),
    (Gamma(3.2, 1.7), st.gamma(3.2, scale=1 / 1.7), np.linspace(0.01, 8, 41)),
    (Gamma(0.6, 0.2), st.gamma(0.6, scale=1 / 0.2), np.linspace(0.01, 30, 41)),
]
CONT_IDS = [repr(d) for d, _, _ in CONTINUOUS]

DISCRETE = [
    (Bernoulli(0.3), st.bernoulli(0.3), np.arange(-1, 3)),
    (Binomial(12, 0.35), st.binom(12, 0.35), np.arange(-1, 14)),
    (Binomial(40, 0.9), st.binom(40, 0.9), np.arange(0, 41)),
    (Poisson(3.7), st.poisson(3.7), np.arange(-1, 25)),
    (Poisson(0.2), st.poisson(0.2), np.arange(0, 10)),
]
DISC_IDS = [repr(d) for d, _, _ in DISCRETE]


@pytest.mark.parametrize(("ours", "ref", "x"), CONTINUOUS, ids=CONT_IDS)
def test_continuous_functions_match_scipy(ours, ref, x):
    assert_allclose(ours.logpdf(x), ref.logpdf(x), rtol=RTOL, atol=1e-12)
    assert_allclose(ours.pdf(x), ref.pdf(x), rtol=RTOL)
    assert_allclose(ours.cdf(x), ref.cdf(x), rtol=RTOL, atol=1e-15)
    assert_allclose(ours.sf(x), ref.sf(x), rtol=RTOL, atol=1e-15)
    q = np.linspace(0.001, 0.999, 31)
    assert_allclose(ours.ppf(q), ref.ppf(q), rtol=1e-9)
    assert_allclose(ours.mean(), ref.mean(), rtol=RTOL)
    assert_allclose(ours.var(), ref.var(), rtol=RTOL)
    assert_allclose(ours.std(), ref.std(), rtol=RTOL)
    assert_allclose(ours.entropy(), ref.entropy(), rtol=1e-9)


@pytest.mark.parametrize(("ours", "ref", "x"), CONTINUOUS, ids=CONT_IDS)
def test_density_is_zero_outside_support(ours, ref, x):
    outside = np.array([-50.0, 1e6]) if not isinstance(ours, Normal) else np.array([])
    if isinstance(ours, Uniform | Beta):
        outside = np.array([-0.5 + min(ref.support()), max(ref.support()) + 0.5])
    elif isinstance(ours, Exponential | Gamma):
        outside = np.array([-1.0, -1e-3])
    assert_allclose(ours.pdf(outside), ref.pdf(outside), atol=0)
    assert_allclose(ours.cdf(outside), ref.cdf(outside), atol=1e-15)


@pytest.mark.parametrize(("ours", "ref", "k"), DISCRETE, ids=DISC_IDS)
def test_discrete_functions_match_scipy(ours, ref, k):
    assert_allclose(ours.pmf(k), ref.pmf(k), rtol=RTOL, atol=1e-300)
    assert_allclose(ours.logpmf(k), ref.logpmf(k), rtol=RTOL)
    half = k + 0.5
    assert_allclose(ours.cdf(half), ref.cdf(half), rtol=RTOL, atol=1e-15)
    assert_allclose(ours.cdf(k), ref.cdf(k), rtol=RTOL, atol=1e-15)
    assert_allclose(ours.pmf(half), 0.0)  # not on the support
    q = np.array([0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0])
    assert_allclose(ours.ppf(q[1:-1]), ref.ppf(q[1:-1]))
    assert_allclose(ours.mean(), ref.mean(), rtol=RTOL)
    assert_allclose(ours.var(), ref.var(), rtol=RTOL)
    assert_allclose(ours.entropy(), ref.entropy(), rtol=1e-9)


def test_categorical_matches_scipy_rv_discrete():
    p = np.array([0.1, 0.25, 0.05, 0.6])
    ours = Categorical(p)
    ref = st.rv_discrete(values=(np.arange(4), p))
    k = np.arange(-1, 5)
    assert_allclose(ours.pmf(k), ref.pmf(k), rtol=RTOL)
    assert_allclose(ours.cdf(k + 0.5), ref.cdf(k + 0.5), rtol=RTOL)
    assert_allclose(ours.ppf([0.05, 0.2, 0.36, 0.5, 0.99]), ref.ppf([0.05, 0.2, 0.36, 0.5, 0.99]))
    assert_allclose(
        [ours.mean(), ours.var(), ours.entropy()], [ref.mean(), ref.var(), ref.entropy()], rtol=RTOL
    )


def test_multinomial_matches_scipy():
    p = np.array([0.2, 0.5, 0.3])
    ours, ref = Multinomial(6, p), st.multinomial(6, p)
    rng = np.random.default_rng(0)
    counts = rng.multinomial(6, p, size=20)
    assert_allclose(ours.pmf(counts), ref.pmf(counts), rtol=RTOL)
    assert_allclose(ours.logpmf(counts), ref.logpmf(counts), rtol=RTOL)
    assert ours.pmf([1, 1, 1]) == 0.0  # wrong total
    assert_allclose(ours.mean(), ref.mean(), rtol=RTOL)
    assert_allclose(ours.cov(), ref.cov(), rtol=RTOL, atol=1e-15)
    assert_allclose(ours.entropy(), ref.entropy(), rtol=1e-10)


# ---------------------------------------------------------------- maximum likelihood
def _data(rng):
    return {
        "normal": rng.normal(2.0, 3.0, 400),
        "expon": rng.exponential(0.5, 400),
        "uniform": rng.uniform(-2, 5, 400),
        "gamma": rng.gamma(2.3, 1.5, 400),
        "beta": rng.beta(2.0, 5.0, 400),
        "poisson": rng.poisson(4.2, 400),
        "binom": rng.binomial(10, 0.3, 400),
        "bern": rng.binomial(1, 0.3, 400),
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_mle_matches_scipy_fit(seed):
    d = _data(np.random.default_rng(seed))
    mu, sigma = st.norm.fit(d["normal"])
    fit = Normal.fit(d["normal"])
    assert_allclose([fit.mu, fit.sigma], [mu, sigma], rtol=RTOL)
    _, scale = st.expon.fit(d["expon"], floc=0)
    assert_allclose(Exponential.fit(d["expon"]).rate, 1 / scale, rtol=RTOL)
    loc, scale = st.uniform.fit(d["uniform"])
    u = Uniform.fit(d["uniform"])
    assert_allclose([u.low, u.high], [loc, loc + scale], rtol=RTOL)
    assert_allclose(Poisson.fit(d["poisson"]).rate, d["poisson"].mean(), rtol=RTOL)
    assert_allclose(Binomial.fit(d["binom"], n=10).p, d["binom"].mean() / 10, rtol=RTOL)
    assert_allclose(Bernoulli.fit(d["bern"]).p, d["bern"].mean(), rtol=RTOL)
    cat = Categorical.fit(d["binom"], n_categories=11)
    assert_allclose(cat.probs, np.bincount(d["binom"], minlength=11) / 400, rtol=RTOL)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gamma_and_beta_mle_solve_the_score_equations_and_beat_scipy(seed):
    from scipy.special import digamma

    d = _data(np.random.default_rng(seed))
    x = d["gamma"]
    g = Gamma.fit(x)
    k_ref, _, scale_ref = st.gamma.fit(x, floc=0)
    assert_allclose([g.shape, g.scale], [k_ref, scale_ref], rtol=1e-5)  # scipy's optimiser
    # the score equations hold to machine precision
    assert_allclose(
        np.log(g.shape) - digamma(g.shape), np.log(x.mean()) - np.log(x).mean(), rtol=1e-12
    )
    assert_allclose(g.mean(), x.mean(), rtol=1e-12)
    assert g.logpdf(x).sum() >= st.gamma(k_ref, scale=scale_ref).logpdf(x).sum() - 1e-9
    y = d["beta"]
    b = Beta.fit(y)
    a_ref, b_ref, _, _ = st.beta.fit(y, floc=0, fscale=1)
    assert_allclose([b.a, b.b], [a_ref, b_ref], rtol=1e-5)
    psi_ab = digamma(b.a + b.b)
    assert_allclose(digamma(b.a) - psi_ab, np.log(y).mean(), rtol=1e-12)
    assert_allclose(digamma(b.b) - psi_ab, np.log1p(-y).mean(), rtol=1e-12)
    assert b.logpdf(y).sum() >= st.beta(a_ref, b_ref).logpdf(y).sum() - 1e-9


def test_multinomial_fit():
    rng = np.random.default_rng(3)
    counts = rng.multinomial(8, [0.1, 0.6, 0.3], size=300)
    fit = Multinomial.fit(counts)
    assert fit.n == 8
    assert_allclose(fit.probs, counts.sum(axis=0) / counts.sum(), rtol=RTOL)


# ---------------------------------------------------------------- samplers
@pytest.mark.parametrize(("ours", "ref", "x"), CONTINUOUS, ids=CONT_IDS)
def test_continuous_samples_follow_the_distribution(ours, ref, x):
    s = ours.sample(4000, random_state=0)
    assert s.shape == (4000,)
    assert st.kstest(s, ref.cdf).pvalue > 1e-3
    assert_allclose(ours.sample(5, random_state=7), ours.sample(5, random_state=7))  # seeded


@pytest.mark.parametrize(("ours", "ref", "k"), DISCRETE, ids=DISC_IDS)
def test_discrete_samples_have_the_right_moments(ours, ref, k):
    s = ours.sample(20000, random_state=1)
    se = np.sqrt(ref.var() / s.size)
    assert abs(s.mean() - ref.mean()) < 5 * se


def test_categorical_and_multinomial_samples():
    p = [0.1, 0.2, 0.7]
    s = Categorical(p).sample(20000, random_state=0)
    assert_allclose(np.bincount(s, minlength=3) / s.size, p, atol=0.015)
    m = Multinomial(10, p).sample(5000, random_state=0)
    assert m.shape == (5000, 3) and (m.sum(axis=1) == 10).all()
    assert_allclose(m.mean(axis=0), 10 * np.array(p), atol=0.1)


# ---------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(
    mu=hst.floats(-5, 5),
    sigma=hst.floats(0.2, 5),
    rate=hst.floats(0.2, 5),
    a=hst.floats(1.0, 6),
    b=hst.floats(1.0, 6),
)
def test_densities_integrate_to_one(mu, sigma, rate, a, b):
    for dist, lo, hi in [
        (Normal(mu, sigma), -np.inf, np.inf),
        (Exponential(rate), 0, np.inf),
        (Gamma(a, rate), 0, np.inf),
        (Beta(a, b), 0, 1),
        (Uniform(mu, mu + sigma), mu, mu + sigma),
    ]:
        total, _ = integrate.quad(lambda t, d=dist: float(d.pdf(t)), lo, hi, limit=200)
        assert abs(total - 1.0) < 1e-6, dist


@settings(max_examples=25, deadline=None)
@given(n=hst.integers(1, 60), p=hst.floats(0.01, 0.99), lam=hst.floats(0.1, 30))
def test_pmfs_sum_to_one_and_cdf_is_monotone(n, p, lam):
    k = np.arange(0, n + 1)
    assert abs(Binomial(n, p).pmf(k).sum() - 1) < 1e-12
    kk = np.arange(0, 400)
    assert abs(Poisson(lam).pmf(kk).sum() - 1) < 1e-10
    grid = np.linspace(-2, n + 2, 200)
    for dist in (Binomial(n, p), Poisson(lam), Gamma(1 + p, lam), Normal(0, lam)):
        c = dist.cdf(grid)
        assert (np.diff(c) >= -1e-15).all() and (c >= 0).all() and (c <= 1).all()


@settings(max_examples=25, deadline=None)
@given(a=hst.floats(0.3, 20), b=hst.floats(0.3, 20), q=hst.floats(0.001, 0.999))
def test_ppf_inverts_cdf(a, b, q):
    for dist in (Beta(a, b), Gamma(a, b), Normal(a, b), Exponential(b)):
        assert abs(float(dist.cdf(dist.ppf(q))) - q) < 1e-8


def test_memoryless_exponential():
    d = Exponential(1.3)
    s, t = np.array([0.5, 1.0, 2.0]), np.array([0.3, 1.1, 0.7])
    assert_allclose(d.sf(s + t) / d.sf(s), d.sf(t), rtol=1e-12)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Normal(0, -1), "sigma"),
        (lambda: Normal(0, 0), "sigma"),
        (lambda: Exponential(0), "rate"),
        (lambda: Uniform(2, 1), "high"),
        (lambda: Beta(-1, 1), "a"),
        (lambda: Gamma(1, -2), "rate"),
        (lambda: Bernoulli(1.5), "p"),
        (lambda: Binomial(-1, 0.5), "n"),
        (lambda: Poisson(-3), "rate"),
        (lambda: Categorical([0.5, 0.6]), "sum to 1"),
        (lambda: Categorical([1.2, -0.2]), "probs"),
        (lambda: Multinomial(3, [0.2, 0.2]), "sum to 1"),
        (lambda: Normal(float("nan"), 1), "mu"),
    ],
)
def test_bad_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_parameter_types_and_data():
    with pytest.raises(TypeError, match="sigma"):
        Normal(0, "1")
    with pytest.raises(TypeError, match="n"):
        Binomial(2.5, 0.5)
    with pytest.raises(ValueError, match="data"):
        Normal.fit([1.0])
    with pytest.raises(ValueError, match="NaN"):
        Normal.fit([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="strictly positive"):
        Gamma.fit([1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        Beta.fit([0.2, 1.0])
    with pytest.raises(ValueError, match="0 or 1"):
        Bernoulli.fit([0, 2])
    with pytest.raises(ValueError, match="q"):
        Normal().ppf(1.5)
    with pytest.raises(ValueError, match="x"):
        Normal().pdf(np.nan)
    with pytest.raises(ValueError, match="length 3"):
        Multinomial(3, [0.2, 0.3, 0.5]).pmf([1, 2])
    with pytest.raises(ValueError, match="random_state"):
        Normal().sample(3, random_state="seed")
