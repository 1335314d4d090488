"""Adagrad: per-parameter learning rates that shrink with the accumulated squared gradients.

PyTorch's form (OP-06)::

    g ← ∇L(θ) + λθ
    η_t = η / (1 + (t − 1)·lr_decay)
    G ← G + g²
    θ ← θ − η_t · g / (√G + ε)

ε sits *outside* the square root as in PyTorch and Keras; the seed writes √(G + ε)
(inventory §5 E-09). G is a per-parameter (diagonal) accumulator.

Inventory: OP-06.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = Adagrad([w], lr=0.5)
>>> (w * w).sum().backward(); opt.step()
>>> w.data                          # g = 2, G = 4: 1 - 0.5 * 2 / 2
array([0.5])
"""

from __future__ import annotations

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters
from .optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (see the module docstring).

    Parameters
    ----------
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10
    maximize : bool, default False
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters(
            "Adagrad",
            lr=lr,
            eps=eps,
            weight_decay=weight_decay,
            lr_decay=lr_decay,
            initial_accumulator_value=initial_accumulator_value,
        )
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates the state eagerly
            for p in group["params"]:
                self.state[p] = {
                    "step": 0.0,
                    "sum": np.full_like(p.data, group["initial_accumulator_value"]),
                }

    def _update_group(self, group: dict) -> None:
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            state = self.state[p]
            state["step"] += 1.0
            g = apply_weight_decay(g, theta, lr, wd)  # coupled L2: g + λθ
            clr = lr / (1.0 + (state["step"] - 1.0) * group["lr_decay"])
            G = state["sum"]
            G += g * g  # G ← G + g²
            std = np.sqrt(G)
            std += eps
            np.divide(g, std, out=std)
            std *= clr
            theta -= std
