"""Bayesian updating with conjugate priors (Inventory: ST-25, ST-10).

Each model keeps the posterior hyperparameters; ``update(data)`` folds in more data (so
updating in batches equals updating once with everything), ``posterior()`` returns the
posterior as a glassml distribution, ``credible_interval`` the equal-tailed interval.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._checks import as_sample, confidence, positive, real
from .continuous import Beta, Gamma, Normal

__all__ = ["BetaBernoulli", "GammaPoisson", "NormalNormal"]


class _Conjugate:
    def credible_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed posterior credible interval with mass ``level``."""
        level = confidence(level, "level")
        lo, hi = self.posterior().ppf([(1 - level) / 2, (1 + level) / 2])
        return float(lo), float(hi)

    def posterior_mean(self) -> float:
        """Mean of the posterior distribution."""
        return float(self.posterior().mean())


class BetaBernoulli(_Conjugate):
    """Beta prior on a Bernoulli success probability.

    Prior θ ~ Beta(α, β); after s successes in n trials, θ | data ~ Beta(α + s, β + n − s).
    Posterior predictive P(x_new = 1 | data) = (α + s) / (α + β + n).

    Example
    -------
    >>> m = BetaBernoulli(alpha=1, beta=1).update([1, 1, 0, 1])
    >>> m.posterior()
    Beta(a=4.0, b=2.0)
    >>> round(m.posterior_predictive(), 4)
    0.6667
    """

    def __init__(self, alpha: float = 1.0, beta: float = 1.0):
        self.alpha = positive(alpha, "alpha")
        self.beta = positive(beta, "beta")

    def update(self, data) -> BetaBernoulli:
        """Add Bernoulli observations (0/1)."""
        x = as_sample(data, "data", min_size=0)
        if not np.isin(x, (0.0, 1.0)).all():
            raise ValueError("data: Bernoulli observations must be 0 or 1.")
        successes = float(x.sum())
        self.alpha += successes
        self.beta += x.size - successes
        return self

    def posterior(self) -> Beta:
        return Beta(self.alpha, self.beta)

    def posterior_predictive(self) -> float:
        """P(next observation = 1 | data)."""
        return self.alpha / (self.alpha + self.beta)


class GammaPoisson(_Conjugate):
    """Gamma(shape, rate) prior on a Poisson rate λ.

    After counts x₁..xₙ: λ | data ~ Gamma(shape + Σxᵢ, rate + n). The posterior predictive of a
    new count is negative binomial: P(k) = Γ(k+a)/(Γ(a) k!) · (b/(b+1))^a · (1/(b+1))^k with
    (a, b) the posterior shape and rate.

    Example
    -------
    >>> GammaPoisson(shape=2, rate=1).update([3, 5]).posterior()
    Gamma(shape=10.0, rate=3.0)
    """

    def __init__(self, shape: float = 1.0, rate: float = 1.0):
        self.shape = positive(shape, "shape")
        self.rate = positive(rate, "rate")

    def update(self, data) -> GammaPoisson:
        """Add Poisson counts."""
        x = as_sample(data, "data", min_size=0)
        if ((x < 0) | (x != np.floor(x))).any():
            raise ValueError("data: Poisson counts must be non-negative integers.")
        self.shape += float(x.sum())
        self.rate += x.size
        return self

    def posterior(self) -> Gamma:
        return Gamma(self.shape, self.rate)

    def posterior_predictive(self, k) -> np.ndarray:
        """Negative-binomial probability of a new count ``k``."""
        k = np.asarray(k, dtype=float)
        a, b = self.shape, self.rate
        log_p = (
            special.gammaln(k + a)
            - special.gammaln(a)
            - special.gammaln(k + 1.0)
            + a * np.log(b / (b + 1.0))
            - k * np.log1p(b)
        )
        return np.where((k >= 0) & (k == np.floor(k)), np.exp(log_p), 0.0)


class NormalNormal(_Conjugate):
    """Normal prior on the mean of a Normal with known noise standard deviation σ.

    Prior μ ~ N(μ₀, τ₀²). After x₁..xₙ: precision τₙ⁻² = τ₀⁻² + n/σ² and
    μₙ = τₙ² (μ₀/τ₀² + Σxᵢ/σ²). Posterior predictive N(μₙ, σ² + τₙ²).

    Example
    -------
    >>> NormalNormal(mu0=0.0, tau0=1.0, sigma=1.0).update([2.0]).posterior()
    Normal(mu=1.0, sigma=0.7071067811865476)
    """

    def __init__(self, mu0: float = 0.0, tau0: float = 1.0, sigma: float = 1.0):
        self.mu = real(mu0, "mu0")
        self.tau = positive(tau0, "tau0")
        self.sigma = positive(sigma, "sigma")

    def update(self, data) -> NormalNormal:
        """Add observations with known noise sd ``sigma``."""
        x = as_sample(data, "data", min_size=0)
        prior_precision = 1.0 / self.tau**2
        post_precision = prior_precision + x.size / self.sigma**2
        self.mu = (self.mu * prior_precision + x.sum() / self.sigma**2) / post_precision
        self.tau = float(np.sqrt(1.0 / post_precision))
        return self

    def posterior(self) -> Normal:
        return Normal(float(self.mu), self.tau)

    def posterior_predictive(self) -> Normal:
        """Distribution of a new observation: N(μₙ, σ² + τₙ²)."""
        return Normal(float(self.mu), float(np.sqrt(self.sigma**2 + self.tau**2)))
