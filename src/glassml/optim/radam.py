"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate.

PyTorch's form::

    m ← β₁m + (1−β₁)g    v ← β₂v + (1−β₂)g²    m̂ = m/(1−β₁ᵗ)
    ρ_∞ = 2/(1−β₂) − 1     ρ_t = ρ_∞ − 2tβ₂ᵗ/(1−β₂ᵗ)
    ρ_t > 5:  r = √((ρ_t−4)(ρ_t−2)ρ_∞ / ((ρ_∞−4)(ρ_∞−2)ρ_t));  θ ← θ − η m̂ r √(1−β₂ᵗ)/(√v + ε)
    else:     θ ← θ − η m̂                                   (plain momentum while v is noisy)

Inventory: OP-09 (Adam family; RAdam variant).

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = RAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> round(float(w.data[0]), 6)        # first steps: momentum SGD, 1 - 0.1 * 2
0.8
"""

from __future__ import annotations

import math

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (see the module docstring). Defaults lr=1e-3, betas=(0.9, 0.999), eps=1e-8."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters("RAdam", lr=lr, eps=eps, weight_decay=weight_decay, betas=betas)
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            state = init_state(self._param_state(p), theta, "exp_avg", "exp_avg_sq")
            state["step"] += 1.0
            t = state["step"]
            g = apply_weight_decay(g, theta, lr, wd, group["decoupled_weight_decay"])
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (1.0 - beta1) * (g - m)
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            bias_correction1 = 1.0 - beta1**t
            bias_correction2 = 1.0 - beta2**t
            m_hat = m / bias_correction1
            rho_inf = 2.0 / (1.0 - beta2) - 1.0
            rho_t = rho_inf - 2.0 * t * beta2**t / bias_correction2
            if rho_t > 5.0:
                rect = math.sqrt(
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                )
                adaptive = math.sqrt(bias_correction2) / (np.sqrt(v) + eps)
                theta -= m_hat * lr * adaptive * rect
            else:
                theta -= m_hat * lr
