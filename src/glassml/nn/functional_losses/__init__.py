"""Every loss of the curriculum as a function, with PyTorch's names, arguments and reductions.

Each loss is written as the formula on autograd Tensor ops (so its gradient, and its gradient of
the gradient, come from the engine), or wraps a fused op of ``glassml.autograd.fused.loss``
(cross-entropy, NLL, BCE, BCE-with-logits, MSE) whose backward is the closed-form derivative.
``reduction`` is ``"none"`` (element-wise / per-sample losses), ``"mean"`` or ``"sum"``.
``glassml.nn.functional`` re-exports everything listed in ``__all__`` (``F.huber_loss`` ...).

Corrections of the seed notes (inventory section 5): the binary focal loss has both the positive
and the negative term (E-13); hinge losses take targets in {-1, +1} and raw scores (E-14,
validated); label smoothing is y' = (1 - eps) y + eps / K (E-23); the weighted-CE gradient is
scaled by the *true-class* weight (E-22, in the fused op); the triplet loss is complete (E-12);
with "mean" the CE gradient is (softmax - onehot) / N (E-21); and minimising -log p_t (NLL) is
not equivalent to minimising -p_t: they share only the optimum p_t = 1, not the gradients or
the maximum-likelihood meaning (E-28).

Inventory: LS-01..LS-28.

One module per family: ``regression`` (LS-01..LS-08), ``classification`` (binary and
multi-class, LS-09..LS-19), ``ranking`` (metric learning and ranking, LS-20..LS-22) and
``generative`` (VAE, GAN, diffusion, distillation, LS-23..LS-27); input checks and the
reduction live in ``_common``.

Example
-------
>>> from glassml.autograd import tensor
>>> huber_loss(tensor([0.0, 3.0]), tensor([0.5, 0.0])).item()  # (0.125 + 2.5) / 2
1.3125
"""

from __future__ import annotations

from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    focal_loss,
    hinge_embedding_loss,
    hinge_loss,
    kl_div,
    label_smoothing_targets,
    multi_margin_loss,
    nll_loss,
    sigmoid_focal_loss,
    squared_hinge_loss,
)
from .generative import (
    cycle_consistency_loss,
    ddpm_noise_loss,
    distillation_loss,
    gan_discriminator_loss,
    gan_generator_loss,
    gaussian_kl_divergence,
    gradient_penalty,
    vae_loss,
    wgan_critic_loss,
    wgan_generator_loss,
)
from .ranking import (
    contrastive_loss,
    cosine_embedding_loss,
    margin_ranking_loss,
    pairwise_distance,
    ranknet_loss,
    triplet_margin_loss,
)
from .regression import (
    gaussian_nll_loss,
    huber_loss,
    l1_loss,
    log_cosh_loss,
    mape_loss,
    mse_loss,
    poisson_nll_loss,
    quantile_loss,
    smooth_l1_loss,
    tweedie_deviance_loss,
)

__all__ = [
    # regression (LS-01..LS-08)
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "log_cosh_loss",
    "quantile_loss",
    "poisson_nll_loss",
    "tweedie_deviance_loss",
    "mape_loss",
    "gaussian_nll_loss",
    # binary classification (LS-09..LS-12)
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_embedding_loss",
    "hinge_loss",
    "squared_hinge_loss",
    "sigmoid_focal_loss",
    # multi-class (LS-12..LS-19)
    "cross_entropy",
    "nll_loss",
    "focal_loss",
    "multi_margin_loss",
    "kl_div",
    "label_smoothing_targets",
    # metric learning and ranking (LS-20..LS-22)
    "pairwise_distance",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss",
    "contrastive_loss",
    "ranknet_loss",
    # generative and other (LS-23..LS-27)
    "gaussian_kl_divergence",
    "vae_loss",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "wgan_critic_loss",
    "wgan_generator_loss",
    "gradient_penalty",
    "cycle_consistency_loss",
    "ddpm_noise_loss",
    "distillation_loss",
]
