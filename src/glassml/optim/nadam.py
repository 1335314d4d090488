"""NAdam: Adam with Nesterov momentum (Dozat), with PyTorch's momentum-decay schedule.

PyTorch's form (OP-12)::

    μ_t = β₁(1 − ½·0.96^(t·ψ))            (ψ = momentum_decay; μ-product Π_t = Π μ_1..μ_t)
    m ← β₁m + (1−β₁)g         v ← β₂v + (1−β₂)g²         d = √(v / (1−β₂ᵗ)) + ε
    θ ← θ − η(1−μ_t)/(1−Π_t) · g/d − η μ_{t+1}/(1−Π_t μ_{t+1}) · m/d

Inventory: OP-12 (OP-05 Nesterov look-ahead applied to Adam).

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = NAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> float(w.data[0]) < 1.0
True
"""

from __future__ import annotations

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (see the module docstring).

    Parameters
    ----------
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum_decay : float, default 4e-3
    decoupled_weight_decay : bool, default False (AdamW-style decay when True)
    maximize : bool, default False
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters(
            "NAdam",
            lr=lr,
            eps=eps,
            weight_decay=weight_decay,
            betas=betas,
            momentum_decay=momentum_decay,
        )
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, psi = group["weight_decay"], group["momentum_decay"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            state = init_state(self._param_state(p), theta, "exp_avg", "exp_avg_sq", mu_product=1.0)
            state["step"] += 1.0
            t = state["step"]
            g = apply_weight_decay(g, theta, lr, wd, group["decoupled_weight_decay"])
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1.0) * psi))
            state["mu_product"] *= mu
            mu_product = state["mu_product"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (1.0 - beta1) * (g - m)
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            denom = np.sqrt(v / (1.0 - beta2**t))
            denom += eps
            theta -= (lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            theta -= (lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)
