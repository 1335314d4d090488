"""The small base class behind every glassml distribution (Inventory: ST-02..ST-09)."""

from __future__ import annotations

import numpy as np

from .._core import check_random_state
from ._checks import as_array


class Distribution:
    """Common interface: ``pdf``/``pmf``, ``logpdf``/``logpmf``, ``cdf``, ``sf``, ``ppf``,
    ``sample``, ``mean``, ``var``, ``std``, ``entropy`` and the classmethod ``fit`` (MLE).

    Subclasses store their parameters as plain floats and implement ``_logdensity``,
    ``_cdf``, ``_sample`` and the moments. Entropy is in nats.
    """

    discrete = False
    _params: tuple = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._params)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and all(
            np.array_equal(getattr(self, k), getattr(other, k)) for k in self._params
        )

    __hash__ = None

    # density -------------------------------------------------------------------------------
    def logpdf(self, x):
        """Log density log f(x) (continuous) or log P(X = x) (discrete)."""
        return self._logdensity(as_array(x))

    def pdf(self, x):
        """Density f(x) (continuous) or probability mass P(X = x) (discrete)."""
        return np.exp(self.logpdf(x))

    logpmf = logpdf
    pmf = pdf

    def cdf(self, x):
        """F(x) = P(X <= x)."""
        return self._cdf(as_array(x))

    def sf(self, x):
        """Survival function 1 - F(x) = P(X > x)."""
        return 1.0 - self.cdf(x)

    def ppf(self, q):
        """Quantile function F^{-1}(q) for q in [0, 1]."""
        q = as_array(q, "q")
        if ((q < 0) | (q > 1)).any():
            raise ValueError("q: quantile levels must lie in [0, 1].")
        return self._ppf(q)

    # moments -------------------------------------------------------------------------------
    def std(self) -> float:
        """Standard deviation sqrt(Var X)."""
        return float(np.sqrt(self.var()))

    def sample(self, size=None, random_state=None):
        """Draw ``size`` samples with a seeded ``numpy.random.Generator``."""
        rng = check_random_state(random_state)
        return self._sample(size, rng)

    def _ppf(self, q):  # pragma: no cover - overridden where cheap
        raise NotImplementedError(f"{type(self).__name__} has no ppf")
