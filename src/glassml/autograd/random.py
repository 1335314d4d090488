"""The module-level random generator of the deep-learning side (``glassml.manual_seed``).

Random ops (``randn``, ``rand``, dropout, initialisers...) draw from one NumPy ``Generator``
unless they are given ``generator=``. ``manual_seed(seed)`` replaces it with a fresh PCG64
generator, so a script that seeds once is reproducible. NumPy's global seed is never touched.

Example
-------
>>> from glassml.autograd import manual_seed, randn
>>> _ = manual_seed(0); a = randn(3)
>>> _ = manual_seed(0); b = randn(3)
>>> bool((a.numpy() == b.numpy()).all())
True
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["manual_seed", "default_generator", "get_generator"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator; returns it."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The generator random ops use when none is passed."""
    return _generator


def get_generator(generator=None) -> np.random.Generator:
    """``generator`` if given (a ``numpy.random.Generator``), else the default one."""
    if generator is None:
        return _generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator: expected a numpy.random.Generator, got {type(generator).__name__}"
        )
    return generator
