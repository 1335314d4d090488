"""Residual-network claims (inventory 3.15), measured with glassml.models.resnet and deep MLPs on
the 8x8 digits, and the meaning of a regression residual's sign.

* CL-158: plain deep nets degrade with depth; residual nets keep training (gradients reach
  the first layer).
* CL-159: a residual block whose last BatchNorm starts at gamma = 0 is the identity.
* CL-160: a residual y - y_hat > 0 means the model under-predicts.

The convolution claims of 3.15 are in ``experiments/cnn.py`` (same topic, "cnn").

Inventory: CL-158, CL-159, CL-160.
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.datasets import load_digits
from glassml.experiments import Outcome, experiment
from glassml.models.resnet import BasicBlock
from glassml.optim import Adam

TOPIC = "cnn"


# ----------------------------------------------------------------------------- CL-158
class _DeepMLP(nn.Module):
    """depth Linear layers of width w between an input and an output layer; residual=True adds
    the identity around every pair of hidden layers: h <- h + W2 ReLU(W1 h)."""

    def __init__(self, d_in, width, depth, residual, generator):
        super().__init__()
        kw = {"generator": generator, "dtype": np.float64}
        self.inp = nn.Linear(d_in, width, **kw)
        self.hidden = nn.ModuleList([nn.Linear(width, width, **kw) for _ in range(depth)])
        self.out = nn.Linear(width, 10, **kw)
        self.residual = residual

    def forward(self, x):
        h = self.inp(x).relu()
        if self.residual:
            for i in range(0, len(self.hidden), 2):
                h = h + self.hidden[i + 1](self.hidden[i](h).relu())
        else:
            for layer in self.hidden:
                h = layer(h).relu()
        return self.out(h)


@experiment(
    "residual_vs_plain_depth",
    claims=["CL-158"],
    title="Plain deep nets degrade with depth; residual nets keep training",
    topic=TOPIC,
)
def residual_vs_plain_depth(ctx):
    d = load_digits()
    X = (d.data / 16.0)[:300] if ctx.quick else d.data / 16.0
    y = d.target[: len(X)]
    depths = [8, 20, 50]
    steps = 60 if ctx.quick else 600
    loss, grad_norm = {}, {}
    xt, yt = Tensor(X), Tensor(y)
    for residual in (False, True):
        kind = "residual" if residual else "plain"
        for depth in depths:
            model = _DeepMLP(64, 32, depth, residual, np.random.default_rng(ctx.seed))
            opt = Adam(model.parameters(), lr=3e-3)
            for step in range(steps):
                opt.zero_grad()
                ce = cross_entropy(model(xt), yt)
                ce.backward()
                if step == 0:
                    grad_norm[(kind, depth)] = float(np.linalg.norm(model.inp.weight.grad.numpy()))
                opt.step()
            with no_grad():
                loss[(kind, depth)] = float(cross_entropy(model(xt), yt).item())
    fig, axes = ctx.figure(1, 2)
    for kind in ("plain", "residual"):
        axes[0].plot(depths, [loss[(kind, k)] for k in depths], "o-", label=kind)
        axes[1].semilogy(depths, [grad_norm[(kind, k)] for k in depths], "o-", label=kind)
    axes[0].set_xlabel("hidden layers")
    axes[0].set_ylabel(f"training loss after {steps} steps")
    axes[1].set_xlabel("hidden layers")
    axes[1].set_ylabel("first-layer gradient norm at init")
    axes[0].legend()
    return Outcome(
        metrics={
            "train_loss": {f"{k}_{d}": v for (k, d), v in loss.items()},
            "first_layer_grad_norm": {f"{k}_{d}": v for (k, d), v in grad_norm.items()},
        },
        checks={
            "plain training loss worsens with depth (50 vs 8 layers)": loss[("plain", 50)]
            > loss[("plain", 8)] + 0.2,
            "residual training loss does not worsen (50 within 0.1 of 8)": loss[("residual", 50)]
            <= loss[("residual", 8)] + 0.1,
            "at 50 layers residual trains far better than plain": loss[("residual", 50)]
            < loss[("plain", 50)] / 2,
            "plain first-layer gradient vanishes with depth (>100x smaller at 50)": grad_norm[
                ("plain", 50)
            ]
            < grad_norm[("plain", 8)] / 100,
            "residual first-layer gradient does not vanish": grad_norm[("residual", 50)]
            > grad_norm[("residual", 8)] / 10,
        },
        figure=fig,
        summary="Training loss after "
        f"{steps} steps, plain 8/20/50: "
        + "/".join(f"{loss[('plain', k)]:.2f}" for k in depths)
        + ", residual: "
        + "/".join(f"{loss[('residual', k)]:.2f}" for k in depths)
        + f"; first-layer gradient norm plain-50 {grad_norm[('plain', 50)]:.1e} vs residual-50 "
        f"{grad_norm[('residual', 50)]:.1e}.",
    )


# ----------------------------------------------------------------------------- CL-159
@experiment(
    "residual_block_identity",
    claims=["CL-159"],
    title="A residual block with a zero-initialised last BN is the identity; deep stacks too",
    topic=TOPIC,
)
def residual_block_identity(ctx):
    rng = ctx.rng()
    x = np.abs(rng.standard_normal((4, 16, 8, 8))).astype(np.float32)  # post-ReLU activations
    depths = [1, 4, 16] if ctx.quick else [1, 4, 16, 64]
    dev_zero, dev_default = {}, {}
    for depth in depths:
        for zero, store in ((True, dev_zero), (False, dev_default)):
            stack = nn.Sequential(
                *[
                    BasicBlock(16, 16, zero_init_residual=zero, generator=np.random.default_rng(i))
                    for i in range(depth)
                ]
            ).eval()
            with no_grad():
                out = stack(Tensor(x)).numpy()
            store[depth] = float(np.linalg.norm(out - x) / np.linalg.norm(x))
    fig, ax = ctx.figure()
    ax.plot(depths, [dev_default[k] for k in depths], "o-", label="default init")
    ax.plot(depths, [max(dev_zero[k], 1e-12) for k in depths], "s-", label="last BN gamma = 0")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("residual blocks")
    ax.set_ylabel("||stack(x) - x|| / ||x||")
    ax.legend()
    return Outcome(
        metrics={"deviation_zero_init": dev_zero, "deviation_default_init": dev_default},
        checks={
            "zero-init block output = input exactly": dev_zero[1] == 0.0,
            "a deep zero-init residual stack is the identity": max(dev_zero.values()) == 0.0,
            "a default-init block is not the identity": dev_default[1] > 0.05,
        },
        figure=fig,
        summary=f"With the last BN gamma at zero, stacks of {depths} blocks return their input "
        f"exactly; with the default init the relative deviation is "
        + ", ".join(f"{dev_default[k]:.2f}" for k in depths)
        + ".",
    )


# ----------------------------------------------------------------------------- CL-160
@experiment(
    "residual_sign_meaning",
    claims=["CL-160"],
    title="Residual y - y_hat > 0 means the model under-predicts",
    topic=TOPIC,
)
def residual_sign_meaning(ctx):
    rng = ctx.rng()
    x = rng.uniform(0, 10, 200)
    y = 3.0 * x + 2.0 + rng.normal(0, 2.0, 200)
    slope, intercept = np.polyfit(x[:100], y[:100], 1)
    y_hat = slope * x[100:] + intercept
    residual = y[100:] - y_hat
    agree = float(np.mean((residual > 0) == (y_hat < y[100:])))
    fig, ax = ctx.figure()
    ax.scatter(x[100:], y[100:], c=np.where(residual > 0, "C2", "C3"), s=10)
    ax.plot(np.sort(x), slope * np.sort(x) + intercept, "k")
    ax.set_title("green: residual > 0 (under-predicted), red: < 0")
    return Outcome(
        metrics={"fraction_consistent": agree, "n_under": int((residual > 0).sum())},
        checks={
            "residual > 0 exactly when y_hat < y": agree == 1.0,
            "the unit case: y=5, y_hat=3 gives residual +2 (under-prediction)": 5 - 3 > 0,
        },
        figure=fig,
        summary=f"On 100 held-out points every positive residual ({int((residual > 0).sum())}) is "
        "an under-prediction and every negative one an over-prediction.",
    )
