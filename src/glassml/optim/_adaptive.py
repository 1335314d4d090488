"""What the adaptive optimizers share besides their update formulas: argument checks, the lazily
created per-parameter state, and L2 / decoupled weight decay.

Used by Adam, AdamW, NAdam, RAdam, Adamax (OP-09..OP-12), Adagrad (OP-06), RMSprop (OP-08) and
Adadelta (OP-07); each update formula stays in its optimizer's own module.

Example
-------
>>> import numpy as np
>>> state = init_state({}, np.zeros(2), "exp_avg", "exp_avg_sq")
>>> sorted(state)
['exp_avg', 'exp_avg_sq', 'step']
>>> apply_weight_decay(np.zeros(2), np.ones(2), lr=0.1, weight_decay=0.5)  # g + λθ
array([0.5, 0.5])
"""

from __future__ import annotations

import numpy as np

from .optimizer import _check_betas, _check_nonneg

__all__ = ["check_hyperparameters", "init_state", "apply_weight_decay"]


def check_hyperparameters(
    opt: str, *, lr, eps, weight_decay, betas=None, **other_nonnegative
) -> None:
    """Raise unless lr, eps, weight_decay (and every ``other_nonnegative``) are finite and >= 0
    and, when given, betas is a pair in [0, 1). ``opt`` names the optimizer in the messages.

    >>> check_hyperparameters("Adam", lr=-1.0, eps=1e-8, weight_decay=0.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid learning rate value: -1.0 (Adam expects a finite learning rate >= 0)
    """
    _check_nonneg("learning rate", lr, opt)
    _check_nonneg("epsilon value", eps, opt)
    _check_nonneg("weight_decay", weight_decay, opt)
    for name, value in other_nonnegative.items():
        _check_nonneg(name, value, opt)
    if betas is not None:
        _check_betas(betas, opt)


def init_state(state: dict, like: np.ndarray, *buffers: str, **scalars) -> dict:
    """On a parameter's first step fill ``state`` with step = 0, the given scalars and one
    zero buffer shaped like the parameter per name in ``buffers`` (PyTorch's state keys);
    later steps return it unchanged."""
    if not state:
        state["step"] = 0.0
        state.update(scalars)
        for name in buffers:
            state[name] = np.zeros_like(like)
    return state


def apply_weight_decay(
    g: np.ndarray, theta: np.ndarray, lr: float, weight_decay: float, decoupled: bool = False
) -> np.ndarray:
    """Weight decay λ: coupled L2 returns g + λθ (a new array, the gradient is not modified);
    decoupled (AdamW) shrinks the weights in place, θ ← θ(1 − ηλ), and returns g unchanged."""
    if weight_decay == 0:
        return g
    if decoupled:
        theta *= 1.0 - lr * weight_decay
        return g
    return g + weight_decay * theta
