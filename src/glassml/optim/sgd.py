"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

PyTorch's form (OP-01..OP-05)::

    g ← ∇L(θ) (negated if maximize) + λθ                      (weight decay, coupled)
    b ← μ·b + (1 − τ)·g     (b₁ = g on the first step)         (momentum buffer, dampening τ)
    g ← g + μ·b if nesterov else b
    θ ← θ − η·g

Inventory: OP-01, OP-02, OP-03, OP-04, OP-05.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> w = Parameter(np.array([1.0]))
>>> opt = SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
>>> round(float(w.data[0]), 4)        # 1 - 0.2 = 0.8; 0.8 - 0.1*(0.9*2 + 1.6) = 0.46
0.46
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _axpy, _check_nonneg

__all__ = ["SGD", "momentum_form_a", "momentum_form_b"]


class SGD(Optimizer):
    """SGD (see the module docstring for the update).

    Parameters
    ----------
    params : iterable of Parameter or param-group dicts
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0 (L2 added to the gradient)
    nesterov : bool, default False (needs momentum > 0 and dampening = 0)
    maximize : bool, default False
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        _check_nonneg("learning rate", lr, "SGD")
        _check_nonneg("momentum", momentum, "SGD")
        _check_nonneg("weight_decay", weight_decay, "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update_group(self, group: dict) -> None:
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        wd, nesterov = group["weight_decay"], group["nesterov"]
        for p in group["params"]:
            g = self._grad(p, group["maximize"])
            if g is None:
                continue
            theta = p.data
            if wd != 0:
                g = g + wd * theta
            if mu != 0:
                state = self._param_state(p)
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = np.array(g, copy=True)
                else:
                    buf *= mu
                    _axpy(1.0 - tau, g, buf)  # b ← μb + (1 − τ)g
                g = g + mu * buf if nesterov else buf
            _axpy(-lr, g, theta)  # θ ← θ − ηg


def momentum_form_a(grad_fn, theta0, lr: float, gamma: float, n_steps: int) -> np.ndarray:
    """Textbook momentum, form (A) (OP-04): ``v ← γv + η∇J(θ); θ ← θ − v``.

    ``grad_fn(theta) -> gradient``. Returns the iterates, shape (n_steps + 1, *theta0.shape).
    Form (A) with (η, γ) equals PyTorch's ``v ← γv + g; θ ← θ − ηv`` exactly, and equals the
    EMA form (B) with β = γ and step η_B = η / (1 − γ) (see :func:`momentum_form_b`).

    Example
    -------
    >>> a = momentum_form_a(lambda t: 2 * t, np.array([1.0]), 0.1, 0.9, 3)
    >>> b = momentum_form_b(lambda t: 2 * t, np.array([1.0]), 0.1 / (1 - 0.9), 0.9, 3)
    >>> bool(np.allclose(a, b))
    True
    """
    theta = np.array(theta0, dtype=float)
    v = np.zeros_like(theta)
    path = [theta.copy()]
    for _ in range(n_steps):
        v = gamma * v + lr * grad_fn(theta)
        theta = theta - v
        path.append(theta.copy())
    return np.stack(path)


def momentum_form_b(grad_fn, theta0, lr: float, beta: float, n_steps: int) -> np.ndarray:
    """Textbook momentum, form (B, EMA) (OP-04): ``v ← βv + (1−β)∇L(θ); θ ← θ − ηv``.

    Equivalent to form (A) with γ = β and η_A = η(1 − β): unroll both to
    θ_{t+1} = θ_t − η_A Σ_k γ^k g_{t−k}.
    """
    theta = np.array(theta0, dtype=float)
    v = np.zeros_like(theta)
    path = [theta.copy()]
    for _ in range(n_steps):
        v = beta * v + (1.0 - beta) * grad_fn(theta)
        theta = theta - lr * v
        path.append(theta.copy())
    return np.stack(path)
