"""Adadelta: Adagrad's successor with running averages and no global learning rate.

PyTorch's form (OP-07), ρ the decay, lr = 1.0 by default (the "no learning rate" method)::

    g ← ∇L(θ) + λθ
    E[g²] ← ρE[g²] + (1−ρ)g²
    Δθ = √(E[Δθ²] + ε) / √(E[g²] + ε) · g          (the RMS ratio rescales the step's units)
    E[Δθ²] ← ρE[Δθ²] + (1−ρ)Δθ²
    θ ← θ − lr·Δθ

Inventory: OP-07.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = Adadelta([w])
>>> (w * w).sum().backward(); opt.step()
>>> float(w.data[0]) < 1.0
True
"""

from __future__ import annotations

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (see the module docstring).

    Parameters
    ----------
    lr : float, default 1.0
    rho : float, default 0.9 (in [0, 1])
    eps : float, default 1e-6
    weight_decay : float, default 0
    maximize : bool, default False
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho} (Adadelta expects 0 <= rho <= 1)")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            state = init_state(self._param_state(p), theta, "square_avg", "acc_delta")
            state["step"] += 1.0
            g = apply_weight_decay(g, theta, lr, wd)  # coupled L2: g + λθ
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            square_avg *= rho
            square_avg += (1.0 - rho) * (g * g)  # E[g²]
            std = np.sqrt(square_avg + eps)  # RMS[g]
            delta = np.sqrt(acc_delta + eps)  # RMS[Δθ]_{t-1}
            delta /= std
            delta *= g  # Δθ
            acc_delta *= rho
            acc_delta += (1.0 - rho) * (delta * delta)  # E[Δθ²]
            delta *= lr
            theta -= delta
