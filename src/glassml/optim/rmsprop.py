"""RMSprop: divide the gradient by a running RMS of its recent magnitudes.

PyTorch's form (OP-08), α the smoothing constant::

    g ← ∇L(θ) + λθ
    E[g²] ← αE[g²] + (1−α)g²
    centered:  ḡ ← αḡ + (1−α)g;  d = √(E[g²] − ḡ²) + ε     else  d = √E[g²] + ε
    momentum μ > 0:  b ← μb + g/d;  θ ← θ − ηb         else  θ ← θ − η·g/d

Inventory: OP-08.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = RMSprop([w], lr=0.01)
>>> (w * w).sum().backward(); opt.step()
>>> round(float(w.data[0]), 4)        # 1 - 0.01 * 2 / sqrt(0.01 * 4) = 0.9
0.9
"""

from __future__ import annotations

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (see the module docstring).

    Parameters
    ----------
    lr : float, default 1e-2
    alpha : float, default 0.99
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
    maximize : bool, default False
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters(
            "RMSprop", lr=lr, eps=eps, weight_decay=weight_decay, momentum=momentum, alpha=alpha
        )
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, mu, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            buffers = ("square_avg",) + (("momentum_buffer",) if mu > 0 else ())
            buffers += ("grad_avg",) if centered else ()
            state = init_state(self._param_state(p), theta, *buffers)
            state["step"] += 1.0
            g = apply_weight_decay(g, theta, lr, wd)  # coupled L2: g + λθ
            square_avg = state["square_avg"]
            square_avg *= alpha
            square_avg += (1.0 - alpha) * (g * g)
            if centered:
                grad_avg = state["grad_avg"]
                grad_avg += (1.0 - alpha) * (g - grad_avg)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += eps
            if mu > 0:
                buf = state["momentum_buffer"]
                buf *= mu
                buf += g / avg
                theta -= lr * buf
            else:
                np.divide(g, avg, out=avg)
                avg *= lr
                theta -= avg
