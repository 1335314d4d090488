"""Tiny autograd helpers shared by the loss experiments (``losses_softmax``,
``losses_regression_ranking``): float64 tensors and plain gradient descent."""

from __future__ import annotations

import numpy as np

import glassml.autograd as ag


def _t(a, grad=False, dtype=np.float64):
    return ag.tensor(np.asarray(a, dtype=dtype), requires_grad=grad)


def _gd(params, loss_fn, lr, steps, record=None):
    """Plain gradient descent: p <- p - lr dL/dp; returns the loss history."""
    history = []
    for step in range(steps):
        loss = loss_fn()
        grads = ag.grad(loss, params)
        for p, g in zip(params, grads, strict=True):
            p.data -= lr * g.data
        history.append(loss.item())
        if record is not None:
            record(step)
    return history
