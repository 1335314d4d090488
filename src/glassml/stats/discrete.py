"""Discrete distributions: Bernoulli, Binomial, Poisson, Categorical, Multinomial
(Inventory: ST-03, ST-04, ST-05, ST-08, ST-09, ST-21).

``pmf``/``logpmf`` are exact (log-gamma based) and zero off the support; ``cdf`` uses the
incomplete beta/gamma functions (scipy.special ``bdtr``/``pdtr``); entropies are in nats.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._checks import as_array, as_sample, integer, positive, prob_vector, probability
from ._distribution import Distribution

__all__ = ["Bernoulli", "Binomial", "Poisson", "Categorical", "Multinomial"]


def _on_support(k, high=None):
    """Mask of the integers in [0, high] (high=None: unbounded)."""
    ok = (k >= 0) & (k == np.floor(k))
    if high is not None:
        ok &= k <= high
    return ok


def _ppf_by_search(dist, q, high):
    """Smallest k in 0..high with F(k) >= q (vectorised search over the support)."""
    support = np.arange(high + 1, dtype=float)
    cdf = dist.cdf(support)  # (high+1,)
    idx = np.searchsorted(cdf, q * (1 - 1e-14), side="left")  # tolerate round-off
    return np.minimum(idx, high).astype(float)


class Bernoulli(Distribution):
    """Bernoulli(p): P(X = x) = p^x (1−p)^(1−x) for x ∈ {0, 1}.

    Mean p; Var p(1−p); H = −p log p − (1−p) log(1−p). MLE: p̂ = x̄ (the sample mean).

    Inventory: ST-03, ST-21.

    Example
    -------
    >>> float(Bernoulli(0.3).pmf(1))
    0.3
    """

    discrete = True
    _params = ("p",)

    def __init__(self, p: float = 0.5):
        self.p = probability(p, "p")

    def _logdensity(self, x):
        ok = (x == 0) | (x == 1)
        xc = np.where(ok, x, 0.0)
        logp = special.xlogy(xc, self.p) + special.xlog1py(1.0 - xc, -self.p)
        return np.where(ok, logp, -np.inf)

    def _cdf(self, x):
        return np.where(x < 0, 0.0, np.where(x < 1, 1.0 - self.p, 1.0))

    def _ppf(self, q):
        return np.where(q <= 1.0 - self.p, 0.0, 1.0)

    def _sample(self, size, rng):
        return (rng.random(size) < self.p).astype(np.int64)

    def mean(self) -> float:
        return self.p

    def var(self) -> float:
        return self.p * (1.0 - self.p)

    def entropy(self) -> float:
        return float(-special.xlogy(self.p, self.p) - special.xlog1py(1 - self.p, -self.p))

    @classmethod
    def fit(cls, data) -> Bernoulli:
        """MLE: the share of ones."""
        x = as_sample(data, "data", what="a Bernoulli fit")
        if not np.isin(x, (0.0, 1.0)).all():
            raise ValueError("data: Bernoulli data must be 0 or 1.")
        return cls(float(x.mean()))


class Binomial(Distribution):
    """Binomial(n, p): P(X = k) = C(n, k) p^k (1−p)^(n−k), k = 0..n.

    Mean np; Var np(1−p); F(k) = I_{1−p}(n−k, k+1). MLE with known n: p̂ = x̄ / n.

    Inventory: ST-04.

    Example
    -------
    >>> round(float(Binomial(10, 0.5).pmf(5)), 6)
    0.246094
    """

    discrete = True
    _params = ("n", "p")

    def __init__(self, n: int = 1, p: float = 0.5):
        self.n = integer(n, "n", low=0)
        self.p = probability(p, "p")

    def _logdensity(self, x):
        ok = _on_support(x, self.n)
        k = np.where(ok, x, 0.0)
        n = self.n
        log_choose = (
            special.gammaln(n + 1.0) - special.gammaln(k + 1.0) - special.gammaln(n - k + 1.0)
        )
        logp = log_choose + special.xlogy(k, self.p) + special.xlog1py(n - k, -self.p)
        return np.where(ok, logp, -np.inf)

    def _cdf(self, x):
        k = np.floor(x)
        return np.where(
            k < 0,
            0.0,
            np.where(k >= self.n, 1.0, special.bdtr(np.clip(k, 0, self.n), self.n, self.p)),
        )

    def _ppf(self, q):
        return _ppf_by_search(self, q, self.n)

    def _sample(self, size, rng):
        return rng.binomial(self.n, self.p, size=size)

    def mean(self) -> float:
        return self.n * self.p

    def var(self) -> float:
        return self.n * self.p * (1.0 - self.p)

    def entropy(self) -> float:
        pmf = self.pmf(np.arange(self.n + 1))
        return float(-special.xlogy(pmf, pmf).sum())

    @classmethod
    def fit(cls, data, n: int) -> Binomial:
        """MLE of p for a known number of trials ``n``: p̂ = x̄ / n."""
        n = integer(n, "n", low=1)
        x = as_sample(data, "data", what="a Binomial fit")
        if not _on_support(x, n).all():
            raise ValueError(f"data: Binomial counts must be integers in [0, {n}].")
        return cls(n, float(x.mean() / n))


class Poisson(Distribution):
    """Poisson(λ): P(X = k) = λ^k e^(−λ) / k!, k = 0, 1, ...

    Mean = Var = λ; F(k) = Q(k+1, λ) (regularised upper incomplete gamma). MLE: λ̂ = x̄.

    Inventory: ST-05, ST-25 (the Gamma prior is conjugate).

    Example
    -------
    >>> round(float(Poisson(2.0).pmf(0)), 6)
    0.135335
    """

    discrete = True
    _params = ("rate",)

    def __init__(self, rate: float = 1.0):
        self.rate = positive(rate, "rate")

    def _logdensity(self, x):
        ok = _on_support(x)
        k = np.where(ok, x, 0.0)
        return np.where(
            ok, special.xlogy(k, self.rate) - self.rate - special.gammaln(k + 1.0), -np.inf
        )

    def _cdf(self, x):
        k = np.floor(x)
        return np.where(k < 0, 0.0, special.pdtr(np.maximum(k, 0), self.rate))

    def _upper(self) -> int:
        return int(self.rate + 40.0 * np.sqrt(self.rate) + 40)

    def _ppf(self, q):
        return _ppf_by_search(self, q, self._upper())

    def _sample(self, size, rng):
        return rng.poisson(self.rate, size=size)

    def mean(self) -> float:
        return self.rate

    def var(self) -> float:
        return self.rate

    def entropy(self) -> float:
        pmf = self.pmf(np.arange(self._upper() + 1))  # the tail beyond is < 1e-300
        return float(-special.xlogy(pmf, pmf).sum())

    @classmethod
    def fit(cls, data) -> Poisson:
        """MLE: λ̂ = x̄."""
        x = as_sample(data, "data", what="a Poisson fit")
        if not _on_support(x).all() or x.mean() == 0:
            raise ValueError("data: Poisson counts must be non-negative integers, not all 0.")
        return cls(float(x.mean()))


class Categorical(Distribution):
    """Categorical(p₀..p_{K−1}): P(X = k) = p_k for k = 0..K−1.

    Mean Σ k p_k; Var Σ k² p_k − (Σ k p_k)²; H = −Σ p_k log p_k. MLE: p̂_k = count_k / n.

    Inventory: ST-08, ST-09.

    Example
    -------
    >>> float(Categorical([0.2, 0.8]).pmf(1))
    0.8
    """

    discrete = True
    _params = ("probs",)

    def __init__(self, probs=(0.5, 0.5)):
        self.probs = prob_vector(probs, "probs")

    def _logdensity(self, x):
        K = self.probs.size
        ok = _on_support(x, K - 1)
        idx = np.where(ok, x, 0).astype(np.int64)
        with np.errstate(divide="ignore"):
            return np.where(ok, np.log(self.probs[idx]), -np.inf)

    def _cdf(self, x):
        cum = np.cumsum(self.probs)  # (K,)
        k = np.floor(x).astype(np.int64)
        return np.where(k < 0, 0.0, cum[np.clip(k, 0, cum.size - 1)])

    def _ppf(self, q):
        return _ppf_by_search(self, q, self.probs.size - 1)

    def _sample(self, size, rng):
        return rng.choice(self.probs.size, size=size, p=self.probs)

    def mean(self) -> float:
        return float(np.arange(self.probs.size) @ self.probs)

    def var(self) -> float:
        k = np.arange(self.probs.size)
        return float((k * k) @ self.probs - self.mean() ** 2)

    def entropy(self) -> float:
        return float(-special.xlogy(self.probs, self.probs).sum())

    @classmethod
    def fit(cls, data, n_categories: int | None = None) -> Categorical:
        """MLE: relative frequencies of the labels 0..K−1."""
        x = as_sample(data, "data", what="a Categorical fit")
        if not _on_support(x).all():
            raise ValueError("data: Categorical labels must be integers 0..K-1.")
        K = (
            int(x.max()) + 1
            if n_categories is None
            else integer(n_categories, "n_categories", low=1)
        )
        if x.max() >= K:
            raise ValueError(f"data: label {int(x.max())} >= n_categories = {K}.")
        counts = np.bincount(x.astype(np.int64), minlength=K)
        return cls(counts / counts.sum())


class Multinomial(Distribution):
    """Multinomial(n, p): P(X = x) = n! / Π xᵢ! · Π pᵢ^{xᵢ} for count vectors with Σxᵢ = n.

    Mean n p; covariance n(diag p − p pᵀ); the entropy uses
    H = −log n! − n Σ pᵢ log pᵢ + Σᵢ E[log Xᵢ!] with Xᵢ ~ Binomial(n, pᵢ).
    MLE: p̂ = Σ counts / (number of rows · n). ``pmf`` takes count vectors along the last axis.

    Inventory: ST-08, ST-09.

    Example
    -------
    >>> float(Multinomial(2, [0.5, 0.5]).pmf([1, 1]))
    0.5
    """

    discrete = True
    _params = ("n", "probs")

    def __init__(self, n: int = 1, probs=(0.5, 0.5)):
        self.n = integer(n, "n", low=0)
        self.probs = prob_vector(probs, "probs")

    def _logdensity(self, x):
        if x.shape[-1:] != self.probs.shape:
            raise ValueError(
                f"x: expected count vectors of length {self.probs.size}, got shape {x.shape}."
            )
        ok = _on_support(x).all(axis=-1) & (x.sum(axis=-1) == self.n)
        xc = np.where(_on_support(x), x, 0.0)
        logp = (
            special.gammaln(self.n + 1.0)
            - special.gammaln(xc + 1.0).sum(axis=-1)
            + special.xlogy(xc, self.probs).sum(axis=-1)
        )
        return np.where(ok, logp, -np.inf)

    def cdf(self, x):
        raise NotImplementedError("Multinomial has no scalar cdf.")

    def _sample(self, size, rng):
        return rng.multinomial(self.n, self.probs, size=size)

    def mean(self):
        return self.n * self.probs

    def var(self):
        return self.n * self.probs * (1.0 - self.probs)

    def cov(self):
        """Covariance matrix n (diag p − p pᵀ)."""
        return self.n * (np.diag(self.probs) - np.outer(self.probs, self.probs))

    def std(self):
        return np.sqrt(self.var())

    def entropy(self) -> float:
        n, p = self.n, self.probs
        k = np.arange(n + 1.0)  # (n+1,)
        log_fact = special.gammaln(k + 1.0)
        binom_pmf = np.exp(
            special.gammaln(n + 1.0)
            - special.gammaln(k + 1.0)[None, :]
            - special.gammaln(n - k + 1.0)[None, :]
            + special.xlogy(k[None, :], p[:, None])
            + special.xlog1py(n - k[None, :], -p[:, None])
        )  # (K, n+1)
        return float(
            -special.gammaln(n + 1.0) - n * special.xlogy(p, p).sum() + (binom_pmf @ log_fact).sum()
        )

    @classmethod
    def fit(cls, data) -> Multinomial:
        """MLE from rows of counts that all sum to the same n."""
        x = as_array(data, "data")
        if x.ndim != 2 or x.shape[0] < 1:
            raise ValueError(f"data: expected a 2-D array of count rows, got shape {x.shape}.")
        totals = x.sum(axis=1)
        if not _on_support(x).all() or not (totals == totals[0]).all() or totals[0] == 0:
            raise ValueError(
                "data: rows must be non-negative integer counts with the same positive total."
            )
        return cls(int(totals[0]), x.sum(axis=0) / totals.sum())
