"""Losses of generative models and distillation: Gaussian KL, VAE negative ELBO, GAN / WGAN /
WGAN-GP, cycle consistency, the DDPM noise objective and knowledge distillation.
Inventory: LS-23..LS-27.

Example
-------
>>> from glassml.autograd import tensor
>>> gaussian_kl_divergence(tensor([[0.0, 0.0]]), tensor([[0.0, 0.0]])).item()
0.0
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import as_tensor
from glassml.autograd import grad as autograd_grad
from glassml.autograd.fused.activation import logsigmoid
from glassml.autograd.fused.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
)

from ._common import (
    _reduce,
    _same_shape,
    _t,
)
from .classification import kl_div
from .regression import l1_loss, mse_loss


# ----------------------------------------------------------------------------- generative
def gaussian_kl_divergence(mu, logvar, reduction="mean"):
    """KL(N(mu, diag e^logvar) || N(0, I)) = -0.5 sum_j (1 + logvar_j - mu_j^2 - e^logvar_j).

    Summed over the latent dimension (last axis); "mean" averages over samples. Inventory: LS-23.

    >>> from glassml.autograd import tensor
    >>> gaussian_kl_divergence(tensor([[0.0, 0.0]]), tensor([[0.0, 0.0]])).item()
    0.0
    """
    m, lv = _t(mu, "mu"), _t(logvar, "logvar")
    _same_shape(m, lv, "gaussian_kl_divergence", ("mu", "logvar"))
    kl = -0.5 * (1.0 + lv - m * m - lv.exp()).sum(dim=-1)
    return _reduce(kl, reduction)


def vae_loss(recon, x, mu, logvar, likelihood="bernoulli", beta=1.0, reduction="mean"):
    """Negative ELBO: -E_q[log p(x|z)] + beta KL(q(z|x) || N(0, I)), per sample.

    likelihood "bernoulli": BCE summed over features (recon holds probabilities);
    "gaussian": squared error summed over features (unit variance, up to a constant).
    Inventory: LS-23.
    """
    r, xx = _t(recon, "recon"), _t(x, "x")
    _same_shape(r, xx, "vae_loss", ("recon", "x"))
    if likelihood == "bernoulli":
        rec = binary_cross_entropy(r, xx, reduction="none")
    elif likelihood == "gaussian":
        rec = (r - xx) ** 2.0
    else:
        raise ValueError(
            f"vae_loss: likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}"
        )
    rec = rec.reshape(r.shape[0], -1).sum(dim=1)
    return _reduce(rec + float(beta) * gaussian_kl_divergence(mu, logvar, "none"), reduction)


def gan_discriminator_loss(real_logits, fake_logits):
    """Minimax discriminator loss -[log D(x) + log(1 - D(G(z)))] on logits (BCE form).

    Inventory: LS-24.
    """
    real, fake = _t(real_logits, "real_logits"), _t(fake_logits, "fake_logits")
    ones = as_tensor(np.ones(real.shape, real.dtype))
    zeros = as_tensor(np.zeros(fake.shape, fake.dtype))
    return binary_cross_entropy_with_logits(real, ones) + binary_cross_entropy_with_logits(
        fake, zeros
    )


def gan_generator_loss(fake_logits, non_saturating=True):
    """Generator loss on D's logits for fakes. Inventory: LS-24.

    non_saturating=True: -log D(G(z)) (strong gradient when D rejects fakes);
    False: the minimax form log(1 - D(G(z))) = log sigmoid(-x), whose gradient vanishes when D
    is confident.
    """
    fake = _t(fake_logits, "fake_logits")
    if non_saturating:
        return binary_cross_entropy_with_logits(fake, as_tensor(np.ones(fake.shape, fake.dtype)))
    return logsigmoid(-fake).mean()


def wgan_critic_loss(real_scores, fake_scores):
    """WGAN critic loss E[C(G(z))] - E[C(x)] (minimised by the critic). Inventory: LS-24."""
    return _t(fake_scores, "fake_scores").mean() - _t(real_scores, "real_scores").mean()


def wgan_generator_loss(fake_scores):
    """WGAN generator loss -E[C(G(z))]. Inventory: LS-24."""
    return -_t(fake_scores, "fake_scores").mean()


def gradient_penalty(critic, real, fake, epsilon=None, lambda_gp=10.0, generator=None):
    """WGAN-GP penalty lambda E[(||grad_x C(x_hat)||_2 - 1)^2], x_hat = e x + (1 - e) x_fake.

    ``epsilon`` has shape (N, 1, ...) (drawn uniformly from ``generator`` when None). The input
    gradient is taken with ``create_graph=True`` so the penalty trains the critic.
    Inventory: LS-24.
    """
    real, fake = _t(real, "real"), _t(fake, "fake")
    _same_shape(real, fake, "gradient_penalty", ("real", "fake"))
    if epsilon is None:
        rng = generator if generator is not None else np.random.default_rng()
        shape = (real.shape[0],) + (1,) * (real.ndim - 1)
        epsilon = rng.random(shape).astype(real.dtype)
    e = _t(epsilon, "epsilon")
    x_hat = (e * real.detach() + (1.0 - e) * fake.detach()).requires_grad_()
    scores = critic(x_hat)
    (g,) = autograd_grad(scores.sum(), x_hat, create_graph=True)
    g_norm = (g.reshape(g.shape[0], -1) ** 2.0).sum(dim=1).sqrt()  # (N,)
    return float(lambda_gp) * ((g_norm - 1.0) ** 2.0).mean()


def cycle_consistency_loss(reconstructed, original, reduction="mean"):
    """CycleGAN cycle loss ||F(G(x)) - x||_1 (mean absolute error). Inventory: LS-25."""
    return l1_loss(reconstructed, original, reduction=reduction)


def ddpm_noise_loss(noise_pred, noise, reduction="mean"):
    """DDPM simple objective ||eps - eps_theta(x_t, t)||^2 (mean squared error). Inventory: LS-26."""
    return mse_loss(noise_pred, noise, reduction=reduction)


def distillation_loss(student_logits, teacher_logits, target=None, temperature=2.0, alpha=0.5):
    """Knowledge distillation (Hinton et al. 2015).

    L = alpha T^2 KL(softmax(z_t / T) || softmax(z_s / T)) + (1 - alpha) CE(z_s, y),
    KL averaged per sample ("batchmean"); the T^2 keeps the soft-target gradients' scale
    independent of T. target=None gives the soft term only. Inventory: LS-27.
    """
    zs, zt = _t(student_logits, "student_logits"), _t(teacher_logits, "teacher_logits")
    _same_shape(zs, zt, "distillation_loss", ("student_logits", "teacher_logits"))
    T = float(temperature)
    if not T > 0:
        raise ValueError(f"distillation_loss: temperature must be > 0, got {temperature}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"distillation_loss: alpha must be in [0, 1], got {alpha}")
    log_q = (zs / T).log_softmax(dim=-1)
    log_p = (zt.detach() / T).log_softmax(dim=-1)
    soft = kl_div(log_q, log_p, reduction="batchmean", log_target=True) * (T * T)
    if target is None:
        return soft
    return alpha * soft + (1.0 - alpha) * cross_entropy(zs, _t(target, "target"))
