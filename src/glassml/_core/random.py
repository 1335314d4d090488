"""Random-state handling: every stochastic estimator takes ``random_state``.

We never touch NumPy's global seed. ``check_random_state`` turns whatever the user passed into a
``numpy.random.Generator`` (PCG64), the modern NumPy generator.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_random_state", "spawn_seeds"]


def check_random_state(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``.

    Parameters
    ----------
    seed : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` gives fresh OS entropy; an int gives a reproducible generator; a Generator is
        returned as is (shared state, like scikit-learn does with a RandomState); a legacy
        RandomState is used to draw a seed for a new Generator.

    Examples
    --------
    >>> rng = check_random_state(0)
    >>> rng.integers(10, size=3).shape
    (3,)
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"random_state: expected a non-negative integer, got {seed}.")
        return np.random.default_rng(int(seed))
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    raise ValueError(
        "random_state: expected None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {type(seed).__name__} ({seed!r})."
    )


def spawn_seeds(random_state, n: int) -> list[int]:
    """Draw ``n`` independent integer seeds from ``random_state`` (for parallel workers)."""
    rng = check_random_state(random_state)
    return [int(s) for s in rng.integers(0, 2**31 - 1, size=n)]
