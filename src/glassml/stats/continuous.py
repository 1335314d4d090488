"""Continuous distributions: Normal, Exponential, Uniform, Beta, Gamma (Inventory: ST-02,
ST-06, ST-07, ST-08, ST-09, ST-21).

scipy.special supplies the special functions (erf/ndtr, gammaln, betainc, digamma, ...);
everything else — densities, moments, entropies, maximum-likelihood fits — is written here.
Conventions (stated, because libraries differ):

* ``Normal(mu, sigma)``: sigma is the standard deviation (scipy: loc=mu, scale=sigma).
* ``Exponential(rate)``: f(x) = rate·exp(−rate·x) (scipy: scale = 1/rate).
* ``Uniform(low, high)`` on [low, high] (scipy: loc=low, scale=high−low).
* ``Gamma(shape, rate)``: f(x) = rate^k x^(k−1) e^(−rate·x) / Γ(k) — the **shape/rate**
  convention of the seeds' Gamma(α, β) (scipy uses scale = 1/rate; ``.scale`` gives it).
* ``Beta(a, b)`` on [0, 1].
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._checks import as_sample, positive, real
from ._distribution import Distribution

__all__ = ["Normal", "Exponential", "Uniform", "Beta", "Gamma"]

_LOG_2PI = float(np.log(2.0 * np.pi))


class Normal(Distribution):
    """Normal distribution N(mu, sigma²).

    f(x) = (2πσ²)^(−1/2) · exp(−(x−μ)²/(2σ²)); F(x) = Φ((x−μ)/σ); mean = median = mode = μ;
    H = ½ log(2πeσ²). MLE: μ̂ = x̄, σ̂² = (1/n)Σ(xᵢ−x̄)² (the biased, ddof=0 variance).

    Inventory: ST-02, ST-09, ST-21.

    Example
    -------
    >>> Normal(0.0, 1.0).cdf(1.96).round(3)
    np.float64(0.975)
    """

    _params = ("mu", "sigma")

    def __init__(self, mu: float = 0.0, sigma: float = 1.0):
        self.mu = real(mu, "mu")
        self.sigma = positive(sigma, "sigma")

    def _logdensity(self, x):
        z = (x - self.mu) / self.sigma
        return -0.5 * z * z - np.log(self.sigma) - 0.5 * _LOG_2PI

    def _cdf(self, x):
        return special.ndtr((x - self.mu) / self.sigma)

    def sf(self, x):
        return special.ndtr((self.mu - np.asarray(x, dtype=float)) / self.sigma)

    def _ppf(self, q):
        return self.mu + self.sigma * special.ndtri(q)

    def _sample(self, size, rng):
        return rng.normal(self.mu, self.sigma, size=size)

    def mean(self) -> float:
        return self.mu

    def var(self) -> float:
        return self.sigma**2

    def entropy(self) -> float:
        return 0.5 * (_LOG_2PI + 1.0) + np.log(self.sigma)

    @classmethod
    def fit(cls, data) -> Normal:
        """Maximum-likelihood fit: sample mean and the ddof=0 standard deviation."""
        x = as_sample(data, "data", min_size=2, what="a Normal fit")
        sigma = x.std()
        if sigma == 0:
            raise ValueError("data: all values are equal; the Normal MLE needs sigma > 0.")
        return cls(float(x.mean()), float(sigma))


class Exponential(Distribution):
    """Exponential distribution with rate λ.

    f(x) = λ e^(−λx) for x ≥ 0; F(x) = 1 − e^(−λx); mean 1/λ; Var 1/λ²; H = 1 − log λ.
    Memoryless: P(X > s+t | X > s) = P(X > t). MLE: λ̂ = 1/x̄.

    Inventory: ST-06, ST-09.

    Example
    -------
    >>> float(Exponential(2.0).mean())
    0.5
    """

    _params = ("rate",)

    def __init__(self, rate: float = 1.0):
        self.rate = positive(rate, "rate")

    def _logdensity(self, x):
        with np.errstate(invalid="ignore"):
            return np.where(x >= 0, np.log(self.rate) - self.rate * x, -np.inf)

    def _cdf(self, x):
        return np.where(x > 0, -np.expm1(-self.rate * np.maximum(x, 0)), 0.0)

    def sf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(x > 0, np.exp(-self.rate * np.maximum(x, 0)), 1.0)

    def _ppf(self, q):
        with np.errstate(divide="ignore"):
            return -np.log1p(-q) / self.rate

    def _sample(self, size, rng):
        return rng.exponential(1.0 / self.rate, size=size)

    def mean(self) -> float:
        return 1.0 / self.rate

    def var(self) -> float:
        return 1.0 / self.rate**2

    def entropy(self) -> float:
        return 1.0 - np.log(self.rate)

    @classmethod
    def fit(cls, data) -> Exponential:
        """MLE: rate = 1 / mean (data must be non-negative, mean > 0)."""
        x = as_sample(data, "data", min_size=1, what="an Exponential fit")
        if (x < 0).any() or x.mean() == 0:
            raise ValueError("data: Exponential data must be >= 0 with a positive mean.")
        return cls(1.0 / float(x.mean()))


class Uniform(Distribution):
    """Continuous uniform distribution on [low, high].

    f(x) = 1/(b−a) on [a, b]; F(x) = (x−a)/(b−a) clipped to [0, 1]; mean (a+b)/2;
    Var (b−a)²/12; H = log(b−a). MLE: â = min x, b̂ = max x.

    Inventory: ST-07, ST-09.

    Example
    -------
    >>> float(Uniform(0.0, 4.0).var())
    1.3333333333333333
    """

    _params = ("low", "high")

    def __init__(self, low: float = 0.0, high: float = 1.0):
        self.low = real(low, "low")
        self.high = real(high, "high")
        if not self.high > self.low:
            raise ValueError(f"high: expected high > low = {self.low!r}, got {self.high!r}.")

    def _logdensity(self, x):
        inside = (x >= self.low) & (x <= self.high)
        return np.where(inside, -np.log(self.high - self.low), -np.inf)

    def _cdf(self, x):
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    def _ppf(self, q):
        return self.low + q * (self.high - self.low)

    def _sample(self, size, rng):
        return rng.uniform(self.low, self.high, size=size)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def var(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def entropy(self) -> float:
        return float(np.log(self.high - self.low))

    @classmethod
    def fit(cls, data) -> Uniform:
        """MLE: the sample minimum and maximum."""
        x = as_sample(data, "data", min_size=2, what="a Uniform fit")
        if x.min() == x.max():
            raise ValueError("data: all values are equal; a Uniform fit needs high > low.")
        return cls(float(x.min()), float(x.max()))


class Beta(Distribution):
    """Beta(a, b) distribution on [0, 1].

    f(x) = x^(a−1) (1−x)^(b−1) / B(a, b); F(x) = I_x(a, b) (regularised incomplete beta);
    mean a/(a+b); Var ab/((a+b)²(a+b+1));
    H = log B(a,b) − (a−1)ψ(a) − (b−1)ψ(b) + (a+b−2)ψ(a+b).
    MLE (no closed form): Newton's method on the score equations
    ψ(a) − ψ(a+b) = mean(log x), ψ(b) − ψ(a+b) = mean(log(1−x)), from moment estimates.

    Inventory: ST-08, ST-09, ST-25 (conjugate prior of the Bernoulli).

    Example
    -------
    >>> float(Beta(2.0, 2.0).mean())
    0.5
    """

    _params = ("a", "b")

    def __init__(self, a: float = 1.0, b: float = 1.0):
        self.a = positive(a, "a")
        self.b = positive(b, "b")

    def _logdensity(self, x):
        inside = (x >= 0) & (x <= 1)
        xc = np.clip(x, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            logf = (
                special.xlogy(self.a - 1.0, xc)
                + special.xlog1py(self.b - 1.0, -xc)
                - special.betaln(self.a, self.b)
            )
        return np.where(inside, logf, -np.inf)

    def _cdf(self, x):
        return special.betainc(self.a, self.b, np.clip(x, 0.0, 1.0))

    def sf(self, x):
        return special.betaincc(self.a, self.b, np.clip(np.asarray(x, dtype=float), 0.0, 1.0))

    def _ppf(self, q):
        return special.betaincinv(self.a, self.b, q)

    def _sample(self, size, rng):
        return rng.beta(self.a, self.b, size=size)

    def mean(self) -> float:
        return self.a / (self.a + self.b)

    def var(self) -> float:
        s = self.a + self.b
        return self.a * self.b / (s * s * (s + 1.0))

    def entropy(self) -> float:
        a, b = self.a, self.b
        return float(
            special.betaln(a, b)
            - (a - 1.0) * special.digamma(a)
            - (b - 1.0) * special.digamma(b)
            + (a + b - 2.0) * special.digamma(a + b)
        )

    @classmethod
    def fit(cls, data, *, tol: float = 1e-12, max_iter: int = 100) -> Beta:
        """MLE by Newton's method on (log a, log b) from the method-of-moments start."""
        x = as_sample(data, "data", min_size=2, what="a Beta fit")
        if (x <= 0).any() or (x >= 1).any():
            raise ValueError("data: Beta data must lie strictly inside (0, 1).")
        mean_log_x = np.mean(np.log(x))
        mean_log_1mx = np.mean(np.log1p(-x))
        m, v = x.mean(), x.var()
        if v == 0:
            raise ValueError("data: all values are equal; the Beta MLE does not exist.")
        common = max(m * (1 - m) / v - 1.0, 1e-3)
        theta = np.log([m * common, (1 - m) * common])  # log a, log b
        for _ in range(max_iter):
            a, b = np.exp(theta)
            psi_ab, tri_ab = special.digamma(a + b), special.polygamma(1, a + b)
            score = np.array(
                [
                    special.digamma(a) - psi_ab - mean_log_x,
                    special.digamma(b) - psi_ab - mean_log_1mx,
                ]
            )
            jac = np.array(
                [
                    [special.polygamma(1, a) - tri_ab, -tri_ab],
                    [-tri_ab, special.polygamma(1, b) - tri_ab],
                ]
            ) * np.array([a, b])  # chain rule for the log parameters
            step = np.linalg.solve(jac, score)
            theta = theta - np.clip(step, -2.0, 2.0)
            if np.max(np.abs(step)) < tol:
                break
        a, b = np.exp(theta)
        return cls(float(a), float(b))


class Gamma(Distribution):
    """Gamma distribution in the shape/rate convention, Gamma(k, β).

    f(x) = β^k x^(k−1) e^(−βx) / Γ(k) for x > 0; F(x) = P(k, βx) (regularised lower incomplete
    gamma); mean k/β; Var k/β²; H = k − log β + log Γ(k) + (1−k)ψ(k).
    ``scale`` = 1/β is scipy's parameter. MLE: β̂ = k̂/x̄ with k̂ solving
    log k − ψ(k) = log x̄ − mean(log x) (Newton on log k from Minka's closed-form start).

    Inventory: ST-08, ST-09, ST-25 (conjugate prior of the Poisson rate).

    Example
    -------
    >>> float(Gamma(shape=2.0, rate=4.0).mean())
    0.5
    """

    _params = ("shape", "rate")

    def __init__(self, shape: float = 1.0, rate: float = 1.0):
        self.shape = positive(shape, "shape")
        self.rate = positive(rate, "rate")

    @property
    def scale(self) -> float:
        """1 / rate (the scale parameter scipy.stats.gamma uses)."""
        return 1.0 / self.rate

    def _logdensity(self, x):
        k, beta = self.shape, self.rate
        xc = np.maximum(x, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            logf = k * np.log(beta) + special.xlogy(k - 1.0, xc) - beta * xc - special.gammaln(k)
        return np.where(x >= 0, logf, -np.inf)

    def _cdf(self, x):
        return special.gammainc(self.shape, self.rate * np.maximum(x, 0.0))

    def sf(self, x):
        return special.gammaincc(self.shape, self.rate * np.maximum(np.asarray(x, float), 0.0))

    def _ppf(self, q):
        return special.gammaincinv(self.shape, q) / self.rate

    def _sample(self, size, rng):
        return rng.gamma(self.shape, 1.0 / self.rate, size=size)

    def mean(self) -> float:
        return self.shape / self.rate

    def var(self) -> float:
        return self.shape / self.rate**2

    def entropy(self) -> float:
        k = self.shape
        return float(k - np.log(self.rate) + special.gammaln(k) + (1.0 - k) * special.digamma(k))

    @classmethod
    def fit(cls, data, *, tol: float = 1e-12, max_iter: int = 100) -> Gamma:
        """MLE of (shape, rate) by Newton's method on log shape."""
        x = as_sample(data, "data", min_size=2, what="a Gamma fit")
        if (x <= 0).any():
            raise ValueError("data: Gamma data must be strictly positive.")
        s = np.log(x.mean()) - np.mean(np.log(x))  # >= 0 by Jensen; 0 iff all equal
        if s <= 0:
            raise ValueError("data: all values are equal; the Gamma MLE does not exist.")
        k = (3.0 - s + np.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)  # Minka's start
        log_k = np.log(k)
        for _ in range(max_iter):
            k = np.exp(log_k)
            g = np.log(k) - special.digamma(k) - s  # root of g(k) = 0
            dg = (1.0 / k - special.polygamma(1, k)) * k  # d g / d log k
            step = g / dg
            log_k -= np.clip(step, -2.0, 2.0)
            if abs(step) < tol:
                break
        k = float(np.exp(log_k))
        return cls(k, k / float(x.mean()))
