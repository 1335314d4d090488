"""Adamax: Adam with the infinity norm in place of the second moment.

PyTorch's form::

    m ← β₁m + (1−β₁)g          u ← max(β₂u, |g| + ε)
    θ ← θ − η/(1−β₁ᵗ) · m/u

Inventory: OP-09 (Adam family; Adamax variant).

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = Adamax([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> round(float(w.data[0]), 6)
0.9
"""

from __future__ import annotations

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (see the module docstring). Defaults lr=2e-3, betas=(0.9, 0.999), eps=1e-8."""

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters("Adamax", lr=lr, eps=eps, weight_decay=weight_decay, betas=betas)
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize
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
            state = init_state(self._param_state(p), theta, "exp_avg", "exp_inf")
            state["step"] += 1.0
            g = apply_weight_decay(g, theta, lr, wd)  # coupled L2: g + λθ
            m, u = state["exp_avg"], state["exp_inf"]
            m += (1.0 - beta1) * (g - m)
            u *= beta2
            np.maximum(u, np.abs(g) + eps, out=u)
            clr = lr / (1.0 - beta1 ** state["step"])
            theta -= clr * (m / u)
