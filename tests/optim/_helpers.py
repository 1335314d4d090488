"""A small float64 MLP built twice — in glassml and in torch — with identical weights."""

from __future__ import annotations

import numpy as np
import torch

import glassml.autograd as ag
from glassml.autograd import Parameter

SHAPES = [(5, 4), (5,), (3, 5), (3,)]


def make_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=s) for s in SHAPES]


def make_data(seed: int = 1, n: int = 16) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.normal(size=(n, 3))


def ours_params(weights):
    return [Parameter(w.copy()) for w in weights]


def torch_params(weights):
    return [torch.tensor(w.copy(), requires_grad=True) for w in weights]


def ours_loss(params, X, Y):
    W1, b1, W2, b2 = params
    h = ag.relu(ag.tensor(X) @ W1.T + b1)
    d = h @ W2.T + b2 - ag.tensor(Y)
    return (d * d).mean()


def torch_loss(params, X, Y):
    W1, b1, W2, b2 = params
    h = torch.relu(torch.from_numpy(X) @ W1.T + b1)
    d = h @ W2.T + b2 - torch.from_numpy(Y)
    return (d * d).mean()


def run_ours(opt, params, n_steps, X, Y, sched=None, per_step=None):
    traj, lrs = [], []
    for _ in range(n_steps):
        opt.zero_grad()
        ours_loss(params, X, Y).backward()
        opt.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        if sched is not None:
            sched.step()
        if per_step is not None:
            per_step()
        traj.append(np.concatenate([p.data.ravel() for p in params]))
    return np.array(traj), np.array(lrs)


def run_torch(opt, params, n_steps, X, Y, sched=None, per_step=None):
    traj, lrs = [], []
    for _ in range(n_steps):
        opt.zero_grad()
        torch_loss(params, X, Y).backward()
        opt.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        if sched is not None:
            sched.step()
        if per_step is not None:
            per_step()
        traj.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(traj), np.array(lrs)


def float64_scalars():
    """torch keeps optimizer scalars (step, NAdam's mu_product) in the default dtype; make it
    float64 so torch's scalar arithmetic matches ours (float64 Python floats)."""
    import contextlib

    @contextlib.contextmanager
    def ctx():
        old = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            yield
        finally:
            torch.set_default_dtype(old)

    return ctx()
