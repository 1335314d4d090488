"""Adam and AdamW: adaptive moment estimation, with coupled L2 or decoupled weight decay.

Adam (OP-09, OP-10 with weight_decay = λ as coupled L2)::

    g ← ∇L(θ) + λθ
    m ← β₁m + (1−β₁)g            v ← β₂v + (1−β₂)g²        (v_max ← max(v_max, v) if amsgrad)
    θ ← θ − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)

AdamW (OP-11, decoupled, Loshchilov & Hutter): the decay is applied to the weights, not to the
gradient, *before* the Adam step: ``θ ← θ(1 − ηλ)`` then the Adam update with g = ∇L(θ).
The seed's AdamW formula drops Adam's adaptive term (inventory §5 E-26, E-72); this is the
corrected, PyTorch-identical version.

Inventory: OP-09, OP-10, OP-11.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0, -1.0]))
>>> opt = Adam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> w.data                              # the first Adam step moves each weight by ~lr
array([ 0.9, -0.9])
"""

from __future__ import annotations

import math

import numpy as np

from ._adaptive import apply_weight_decay, check_hyperparameters, init_state
from .optimizer import Optimizer, _axpy

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (see the module docstring).

    Parameters
    ----------
    params : iterable of Parameter or param-group dicts
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8 (added outside the square root)
    weight_decay : float, default 0 (coupled L2; see AdamW for decoupled)
    amsgrad : bool, default False (use the running maximum of v)
    maximize : bool, default False
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        check_hyperparameters(
            type(self).__name__, lr=lr, eps=eps, weight_decay=weight_decay, betas=betas
        )
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad = group["weight_decay"], group["amsgrad"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            buffers = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
            state = init_state(self._param_state(p), theta, *buffers)
            # Adam: coupled L2 g ← g + λθ;  AdamW: θ ← θ(1 − ηλ)
            g = apply_weight_decay(g, theta, lr, wd, decoupled=self._decoupled)
            state["step"] += 1.0
            t = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            work = self._scratch(p)
            m *= beta1
            _axpy(1.0 - beta1, g, m)  # m ← β₁m + (1−β₁)g
            np.multiply(g, g, out=work)
            v *= beta2
            _axpy(1.0 - beta2, work, v)  # v ← β₂v + (1−β₂)g²
            step_size = lr / (1.0 - beta1**t)
            bias_correction2_sqrt = math.sqrt(1.0 - beta2**t)
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                np.sqrt(state["max_exp_avg_sq"], out=work)
            else:
                np.sqrt(v, out=work)
            work /= bias_correction2_sqrt
            work += eps  # √v̂ + ε
            np.divide(m, work, out=work)
            _axpy(-step_size, work, theta)  # θ ← θ − η/(1−β₁ᵗ) · m/(√v̂+ε)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay θ ← θ(1 − ηλ) before the step (default λ = 0.01).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import Parameter
    >>> w = Parameter(np.array([1.0]))
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = None; (w * 0).sum().backward(); opt.step()
    >>> w.data                           # zero gradient: only the decay acts, 1 * (1 - 0.05)
    array([0.95])
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
