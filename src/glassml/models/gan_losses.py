"""GAN losses (LS-24, GN-02, GN-05, GN-06): what the discriminator / critic and the generator
minimise, and the WGAN-GP gradient penalty.

The game (GN-01, with the minus signs the source notes drop, E-16)::

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

A D step ascends V (BCE with real label 1, fake label 0); a G step either descends
log(1 - D(G(z))) ("minimax") or ascends log D(G(z)) ("non_saturating": its gradient w.r.t. the
logit is sigmoid(l) - 1 -> -1 instead of -sigmoid(l) -> 0 when D rejects the fakes, CL-205).
WGAN (GN-05) minimises E[C(G(z))] - E[C(x)] (critic) and -E[C(G(z))] (generator); WGAN-GP
(GN-06) adds lambda E[(||grad_x C(x_hat)||_2 - 1)^2] on random interpolates (lambda = 10).
All losses take discriminator *logits*: BCE-with-logits never takes log(0).

Re-exported by :mod:`glassml.models.gan`. Inventory: GN-02, GN-05, GN-06, LS-24, CL-205,
CL-207.

Example
-------
>>> from glassml.autograd import tensor
>>> round(generator_loss(tensor([0.0]), "non_saturating").item(), 4)   # -log(1/2)
0.6931
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Tensor
from glassml.autograd import grad as autograd_grad
from glassml.autograd.fused import binary_cross_entropy_with_logits, logsigmoid
from glassml.autograd.random import get_generator

from .gan_utils import _as_tensor

__all__ = ["LOSSES", "discriminator_loss", "generator_loss", "gradient_penalty"]

LOSSES = ("minimax", "non_saturating", "hinge", "wasserstein")


def discriminator_loss(real_logits, fake_logits, kind="non_saturating", *, real_label=1.0):
    """Loss the discriminator / critic minimises (LS-24, GN-02, GN-05, GN-09).

    * "minimax" / "non_saturating" (same D loss):
      -[mean log sigmoid(l_real) * r + log(1 - sigmoid(l_real)) (1 - r)] - mean log(1 - sigmoid(l_fake)),
      i.e. BCE with target r = ``real_label`` on reals (r = 0.9: one-sided label smoothing) and
      0 on fakes (fakes are never smoothed);
    * "hinge": mean relu(1 - l_real) + mean relu(1 + l_fake);
    * "wasserstein": mean C(fake) - mean C(real).

    >>> from glassml.autograd import tensor
    >>> round(discriminator_loss(tensor([0.0]), tensor([0.0])).item(), 4)   # 2 log 2
    1.3863
    """
    real, fake = _as_tensor(real_logits), _as_tensor(fake_logits)
    if kind in ("minimax", "non_saturating"):
        if not 0.0 < real_label <= 1.0:
            raise ValueError(f"real_label must be in (0, 1], got {real_label!r}")
        target = Tensor(np.full(real.shape, real_label, dtype=real.dtype))
        zeros = Tensor(np.zeros(fake.shape, dtype=fake.dtype))
        return binary_cross_entropy_with_logits(real, target) + binary_cross_entropy_with_logits(
            fake, zeros
        )
    if kind == "hinge":
        return (1.0 - real).relu().mean() + (1.0 + fake).relu().mean()
    if kind == "wasserstein":
        return fake.mean() - real.mean()
    raise ValueError(f"kind must be one of {LOSSES}, got {kind!r}")


def generator_loss(fake_logits, kind="non_saturating"):
    """Loss the generator minimises (LS-24, GN-02, CL-205).

    * "minimax": mean log(1 - D(G(z))) = mean log sigmoid(-l); d/dl = -sigmoid(l) -> 0 when D
      rejects the fakes (saturates);
    * "non_saturating": -mean log D(G(z)) = -mean log sigmoid(l); d/dl = sigmoid(l) - 1 -> -1;
    * "hinge" and "wasserstein": -mean l.

    >>> from glassml.autograd import tensor
    >>> round(generator_loss(tensor([0.0]), "minimax").item(), 4)   # log(1/2)
    -0.6931
    """
    fake = _as_tensor(fake_logits)
    if kind == "minimax":
        return logsigmoid(-fake).mean()
    if kind == "non_saturating":
        return -logsigmoid(fake).mean()
    if kind in ("hinge", "wasserstein"):
        return -fake.mean()
    raise ValueError(f"kind must be one of {LOSSES}, got {kind!r}")


def gradient_penalty(critic, real, fake, generator=None, *, lambda_gp=10.0, epsilon=None):
    """WGAN-GP penalty (GN-06): lambda E[(||grad_x C(x_hat)||_2 - 1)^2],
    x_hat = e x_real + (1 - e) x_fake, e ~ U(0, 1) per sample (shape (N, 1, ...)).

    The input gradient is taken with ``create_graph=True`` (a gradient of a gradient, AG-08) so
    that the penalty itself trains the critic. ``critic`` must treat samples independently (no
    BatchNorm). ``epsilon`` fixes e (tests); otherwise it is drawn from ``generator``.

    >>> from glassml.autograd import randn
    >>> from glassml.models.gan import MLPDiscriminator
    >>> critic = MLPDiscriminator(2, hidden=8)
    >>> float(gradient_penalty(critic, randn(4, 2), randn(4, 2)).item()) >= 0
    True
    """
    if not callable(critic):
        raise TypeError(f"critic must be callable, got {type(critic).__name__}")
    if not lambda_gp >= 0:
        raise ValueError(f"lambda_gp must be >= 0, got {lambda_gp!r}")
    real, fake = _as_tensor(real), _as_tensor(fake)
    if real.shape != fake.shape:
        raise ValueError(
            f"gradient_penalty: real and fake must have the same shape, got {real.shape} and "
            f"{fake.shape}"
        )
    if epsilon is None:
        rng = get_generator(generator)
        shape = (real.shape[0],) + (1,) * (real.ndim - 1)
        epsilon = rng.random(shape).astype(real.dtype)
    e = _as_tensor(epsilon, real.dtype)
    x_hat = (e * real.detach() + (1.0 - e) * fake.detach()).requires_grad_()  # (N, ...)
    (g,) = autograd_grad(critic(x_hat).sum(), x_hat, create_graph=True)  # d C / d x_hat
    g_norm = (g.reshape(g.shape[0], -1) ** 2.0).sum(dim=1).sqrt()  # (N,)
    return float(lambda_gp) * ((g_norm - 1.0) ** 2.0).mean()
