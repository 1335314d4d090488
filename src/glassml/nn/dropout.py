"""Dropout layers (RG-04, RG-05): ``Dropout``, ``Dropout1d``, ``Dropout2d``, ``AlphaDropout``.

Inverted dropout: in training y = x * m / (1 - p), m ~ Bernoulli(1 - p), so E[y] = x; in
eval y = x (deterministic). The notes describe dropout without the rescaling (E-56): without
the 1/(1 - p) factor train and test activations would not match. Channel variants zero whole
feature maps (one mask value per (n, c)). AlphaDropout keeps SELU's zero mean / unit variance.

Example
-------
>>> from glassml.autograd import ones
>>> drop = Dropout(0.5).eval()
>>> drop(ones(3)).numpy()
array([1., 1., 1.], dtype=float32)
"""

from __future__ import annotations

from glassml.autograd.fused import alpha_dropout, dropout, dropout1d, dropout2d

from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]


class _DropoutNd(Module):
    _fn = None

    def __init__(self, p: float = 0.5, inplace: bool = False, *, generator=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        self.p = float(p)
        self.inplace = inplace
        self.generator = generator

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p and scale the rest by 1/(1 - p) in training.

    Parameters
    ----------
    p : float in [0, 1], default 0.5
    generator : numpy.random.Generator, optional — reproducible masks

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import ones
    >>> y = Dropout(0.5, generator=np.random.default_rng(0))(ones(1000))
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """

    _fn = staticmethod(dropout)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) inputs (spatial dropout)."""

    _fn = staticmethod(dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) inputs (spatial dropout for CNNs)."""

    _fn = staticmethod(dropout2d)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped units go to -lambda*alpha, then an affine map restores
    zero mean and unit variance."""

    _fn = staticmethod(alpha_dropout)
