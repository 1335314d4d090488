"""Small-MLP helpers shared by ``activations_init`` and ``normalization_dropout``: a Linear-act
stack with a chosen initialisation / normalisation / dropout, plain SGD and Adam written inline
(p <- p - lr * grad), Gaussian blobs and accuracy."""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import no_grad, tensor

_GAIN_NAME = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}


def _mlp(sizes, act: str, rng, *, init="recommended", scale=1.0, norm=None, p_drop=0.0):
    """Linear-act stacks; init 'recommended' = kaiming_normal with the activation's gain."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        lin = nn.Linear(fan_in, fan_out, generator=rng).double()
        if init == "recommended":
            gain = nn.init.calculate_gain(_GAIN_NAME.get(act, "linear"))
            nn.init.normal_(lin.weight, 0.0, scale * gain / np.sqrt(fan_in), generator=rng)
        elif init == "xavier":
            nn.init.xavier_normal_(lin.weight, gain=scale, generator=rng)
        elif init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=rng)
            lin.weight.data *= scale
        if init != "default":
            nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            if norm == "bn":
                layers.append(nn.BatchNorm1d(fan_out).double())
            elif norm == "gn":
                layers.append(nn.GroupNorm(4, fan_out).double())
            elif norm == "ln":
                layers.append(nn.LayerNorm(fan_out).double())
            layers.append(nn.get_activation(act))
            if p_drop:
                layers.append(nn.Dropout(p_drop, generator=rng))
    return nn.Sequential(*layers)


def _sgd_step(model, lr: float) -> None:
    with no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p.data -= lr * p.grad.data
    model.zero_grad()


class _Adam:
    """Adam written inline (the optimiser package is a separate concern)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            g = p.grad.data
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
            p.grad = None


def _blobs(rng, n, d=10, k=3, sep=2.0):
    centres = rng.normal(0, sep, size=(k, d))
    y = rng.integers(0, k, size=n)
    x = centres[y] + rng.normal(size=(n, d))
    return x, y


def _accuracy(model, x, y) -> float:
    model.eval()
    with no_grad():
        pred = model(tensor(x)).numpy().argmax(1)
    model.train()
    return float((pred == y).mean())
