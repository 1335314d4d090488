"""Inverted dropout: y = x * m / (1 - p), m ~ Bernoulli(1 - p); dx = g * m / (1 - p).

The rescaling in training keeps E[y] = x, so evaluation uses the identity (inventory E-56).
dropout1d/2d/3d drop whole channels; alpha_dropout keeps SELU's mean and variance.

Inventory: RG-04 (dropout), AG-09 (train/eval flag).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..random import get_generator
from ._util import check_float, constant

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "Dropout"]


class Dropout(Function):
    """Multiply by a saved scaled keep-mask (shape ``mask_shape``, broadcast over the input)."""

    @staticmethod
    def forward(ctx, x, p, mask_shape, generator, alpha):
        check_float("input", x, "dropout")
        rng = get_generator(generator)
        keep = rng.random(mask_shape, dtype=x.dtype if x.dtype == np.float32 else np.float64) >= p
        if alpha:
            # alpha dropout (SELU): dropped units -> a' = -lambda alpha, then affine a y + b
            alpha_p = -1.7580993408473766
            a = ((1.0 - p) * (1.0 + p * alpha_p**2)) ** -0.5
            b = -a * alpha_p * p
            scale = (keep * a).astype(x.dtype)
            ctx.save_for_backward(scale)
            return x * scale + ((~keep) * (a * alpha_p) + b).astype(x.dtype)
        scale = keep.astype(x.dtype)
        scale *= 1.0 / (1.0 - p) if p < 1.0 else 0.0
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, grad_output):
        (scale,) = ctx.saved_tensors
        return grad_output * scale, None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        (scale,) = ctx.saved_tensors  # the same mask: dx = g * scale is linear in g
        return grad_output * constant(scale), None, None, None, None


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Inverted dropout (``F.dropout``): zero each element with probability p, scale by 1/(1-p).

    Identity when ``training`` is False or p == 0. ``generator`` (a numpy Generator) makes the
    mask reproducible; by default glassml's seeded generator is used. Inventory: RG-04.

    Example
    -------
    >>> from glassml.autograd import ones, manual_seed
    >>> _ = manual_seed(0)
    >>> y = dropout(ones(1000), 0.5)
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return Dropout.apply(input, float(p), input.shape, generator, False)


def _feature_dropout(input, p, training, nd, name, generator):
    _check_p(p)
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name}: expected {nd + 1}-D or {nd + 2}-D input, got {input.ndim}-D")
    if not training or p == 0.0:
        return input
    mask_shape = (*input.shape[: input.ndim - nd], *(1,) * nd)
    return Dropout.apply(input, float(p), mask_shape, generator, False)


def dropout1d(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Channel dropout on (N, C, L) (``F.dropout1d``): whole channels zeroed. Inventory: RG-04."""
    return _feature_dropout(input, p, training, 1, "dropout1d", generator)


def dropout2d(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Channel dropout on (N, C, H, W) (``F.dropout2d``). Inventory: RG-04."""
    return _feature_dropout(input, p, training, 2, "dropout2d", generator)


def dropout3d(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Channel dropout on (N, C, D, H, W) (``F.dropout3d``). Inventory: RG-04."""
    return _feature_dropout(input, p, training, 3, "dropout3d", generator)


def alpha_dropout(input, p=0.5, training=False, inplace=False, *, generator=None):
    """Alpha dropout for SELU networks (``F.alpha_dropout``): keeps zero mean, unit variance.

    Dropped units are set to -lambda*alpha, then an affine map a*y + b restores the moments.
    Inventory: RG-04, AC-06.
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return Dropout.apply(input, float(p), input.shape, generator, True)
