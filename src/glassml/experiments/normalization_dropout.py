"""Normalisation and dropout claims (CL-121..CL-123, CL-144), measured with glassml.nn.

BatchNorm / GroupNorm / LayerNorm and dropout in small MLPs on synthetic data, trained with plain
SGD / Adam written inline, so each experiment isolates the effect it claims.
"""

from __future__ import annotations

import numpy as np

import glassml.nn.functional as F
from glassml import nn
from glassml.autograd import no_grad, tensor
from glassml.experiments import Outcome, experiment

from ._mlp_helpers import _accuracy, _Adam, _blobs, _mlp, _sgd_step

TOPIC = "normalisation and dropout"


# --------------------------------------------------------------------------- CL-121
@experiment(
    "batchnorm_higher_learning_rates",
    claims=["CL-121"],
    title="BatchNorm trains at learning rates where the plain net fails",
    topic=TOPIC,
)
def batchnorm_lr(ctx):
    x, y = _blobs(ctx.rng(), 128 if ctx.quick else 512, sep=1.5)
    lrs = [0.01, 0.1, 1.0, 3.0]
    steps = 40 if ctx.quick else 200
    final = {}
    for norm in (None, "bn"):
        for lr in lrs:
            model = _mlp([10] + [32] * 9 + [3], "relu", ctx.rng(1), init="he", norm=norm)
            with np.errstate(over="ignore", invalid="ignore"):  # the plain net may diverge
                for _ in range(steps):
                    loss = F.cross_entropy(model(tensor(x)), tensor(y))
                    loss.backward()
                    _sgd_step(model, lr)
            value = loss.item()
            final[(norm, lr)] = value if np.isfinite(value) else float("inf")
    fig, ax = ctx.figure()
    for norm, label in ((None, "plain"), ("bn", "BatchNorm")):
        ax.plot(lrs, [min(final[(norm, lr)], 10.0) for lr in lrs], "o-", label=label)
    ax.set(
        xscale="log",
        xlabel="learning rate",
        ylabel=f"loss after {steps} steps (capped 10)",
        title="10-layer MLP, SGD",
    )
    ax.legend()
    trains = {k: v < 0.25 for k, v in final.items()}  # "trains": loss below 0.25 (log 3 = 1.1)
    metrics = {f"{'bn' if n else 'plain'}_lr{lr}_loss": v for (n, lr), v in final.items()}
    checks = {
        "BatchNorm trains at a larger learning rate than any the plain net trains at": max(
            lr for lr in lrs if trains[("bn", lr)]
        )
        > max([lr for lr in lrs if trains[(None, lr)]], default=0.0),
        "BatchNorm trains at more learning rates of the grid": sum(trains[("bn", lr)] for lr in lrs)
        > sum(trains[(None, lr)] for lr in lrs),
    }
    summary = (
        "final loss plain / BN: "
        + ", ".join(f"lr {lr}: {final[(None, lr)]:.2f} / {final[('bn', lr)]:.2f}" for lr in lrs)
        + "."
    )
    return Outcome(metrics=metrics, checks=checks, figure=fig, summary=summary)


# --------------------------------------------------------------------------- CL-122, CL-123
@experiment(
    "groupnorm_small_batches",
    claims=["CL-122"],
    title="GroupNorm beats BatchNorm at batch size 2",
    topic=TOPIC,
)
def groupnorm_small_batch(ctx):
    rng = ctx.rng()
    x, y = _blobs(rng, 1400, sep=0.9)
    xtr, ytr, xte, yte = x[:400], y[:400], x[400:], y[400:]
    epochs = 2 if ctx.quick else 5
    acc = {}
    for norm in ("bn", "gn"):
        for batch in (2, 32):
            model = _mlp([10, 32, 32, 3], "relu", ctx.rng(1), norm=norm)
            opt = _Adam(model.parameters(), lr=0.003 if batch == 2 else 0.01)
            order_rng = ctx.rng(2)
            for _ in range(epochs):
                order = order_rng.permutation(len(xtr))
                for start in range(0, len(order), batch):
                    idx = order[start : start + batch]
                    F.cross_entropy(model(tensor(xtr[idx])), tensor(ytr[idx])).backward()
                    opt.step()
            acc[(norm, batch)] = _accuracy(model, xte, yte)
    fig, ax = ctx.figure()
    for norm, label in (("bn", "BatchNorm"), ("gn", "GroupNorm")):
        ax.plot([2, 32], [acc[(norm, 2)], acc[(norm, 32)]], "o-", label=label)
    ax.set(xscale="log", xlabel="batch size", ylabel="test accuracy", title="norm vs batch size")
    ax.legend()
    metrics = {f"{n}_batch{b}_accuracy": v for (n, b), v in acc.items()}
    checks = {
        "GroupNorm beats BatchNorm at batch 2": acc[("gn", 2)] > acc[("bn", 2)],
        "BatchNorm loses more accuracy going from batch 32 to 2": acc[("bn", 32)] - acc[("bn", 2)]
        > acc[("gn", 32)] - acc[("gn", 2)],
    }
    summary = (
        f"test accuracy batch 2 / 32: BN {acc[('bn', 2)]:.3f} / {acc[('bn', 32)]:.3f}, "
        f"GN {acc[('gn', 2)]:.3f} / {acc[('gn', 32)]:.3f}."
    )
    return Outcome(metrics=metrics, checks=checks, figure=fig, summary=summary)


@experiment(
    "layernorm_batch_independence",
    claims=["CL-123"],
    title="LayerNorm is per sample; BatchNorm's output depends on the rest of the batch",
    topic=TOPIC,
)
def layernorm_independence(ctx):
    rng = ctx.rng()
    sample = rng.normal(size=(1, 16))
    ln, bn = nn.LayerNorm(16).double(), nn.BatchNorm1d(16).double()
    ln_diffs, bn_diffs = [], []
    ref_ln = ln(tensor(np.vstack([sample, rng.normal(size=(7, 16))]))).numpy()[0]
    ref_bn = bn(tensor(np.vstack([sample, rng.normal(size=(7, 16))]))).numpy()[0]
    scales = [0.5, 1, 2, 4, 8]
    for scale in scales:
        batch = np.vstack([sample, rng.normal(scale=scale, size=(7, 16))])
        ln_diffs.append(float(np.abs(ln(tensor(batch)).numpy()[0] - ref_ln).max()))
        bn_diffs.append(float(np.abs(bn(tensor(batch)).numpy()[0] - ref_bn).max()))
    fig, ax = ctx.figure()
    ax.plot(scales, np.maximum(ln_diffs, 1e-17), "o-", label="LayerNorm")
    ax.plot(scales, bn_diffs, "s-", label="BatchNorm (train)")
    ax.set(
        xlabel="scale of the other 7 samples",
        ylabel="max change of sample 0's output",
        yscale="log",
    )
    ax.legend()
    checks = {
        "LayerNorm output of a sample is unchanged (< 1e-12)": max(ln_diffs) < 1e-12,
        "BatchNorm output changes (> 0.1)": min(bn_diffs) > 0.1,
    }
    return Outcome(
        metrics={"ln_max_change": max(ln_diffs), "bn_min_change": min(bn_diffs)},
        checks=checks,
        figure=fig,
        summary=f"changing the batch moves sample 0's output by {max(ln_diffs):.1e} "
        f"under LayerNorm and >= {min(bn_diffs):.2f} under BatchNorm.",
    )


# --------------------------------------------------------------------------- CL-144
@experiment(
    "dropout_overfitting",
    claims=["CL-144"],
    title="Dropout reduces overfitting; eval is deterministic; inverted scaling keeps E[a]",
    topic=TOPIC,
)
def dropout_overfitting(ctx):
    rng = ctx.rng()
    d = 5
    w_true = rng.normal(size=(d, 1))
    x = rng.normal(size=(1025, d))
    y = x @ w_true / 2 + np.sin(2 * x[:, :1]) + 0.5 * rng.normal(size=(1025, 1))  # (n, 1)
    xtr, ytr, xte, yte = x[:25], y[:25], x[25:], y[25:]
    steps = 300 if ctx.quick else 1000
    metrics, curves = {}, {}
    for p in (0.0, 0.3, 0.5):
        model = _mlp([d, 128, 128, 1], "relu", ctx.rng(1), init="default", p_drop=p)
        opt = _Adam(model.parameters(), lr=3e-3)
        test_curve = []
        for step in range(steps):
            F.mse_loss(model(tensor(xtr)), tensor(ytr)).backward()
            opt.step()
            if step % 20 == 19:
                model.eval()
                with no_grad():
                    test_curve.append(F.mse_loss(model(tensor(xte)), tensor(yte)).item())
                model.train()
        model.eval()
        with no_grad():
            train_loss = F.mse_loss(model(tensor(xtr)), tensor(ytr)).item()
            out1, out2 = model(tensor(xte)).numpy(), model(tensor(xte)).numpy()
        metrics[f"p{p}_train_loss"], metrics[f"p{p}_test_loss"] = train_loss, test_curve[-1]
        metrics[f"p{p}_gap"] = test_curve[-1] - train_loss
        metrics[f"p{p}_eval_deterministic"] = bool(np.array_equal(out1, out2))
        curves[p] = test_curve
    ones = nn.Dropout(0.5, generator=ctx.rng(5))(tensor(np.ones(200_000)))
    metrics["dropout_mean_of_ones"] = float(ones.numpy().mean())
    fig, ax = ctx.figure()
    for p, c in curves.items():
        ax.plot(np.arange(1, len(c) + 1) * 20, c, label=f"p = {p}")
    ax.set(xlabel="Adam step", ylabel="test MSE", title="128-128 MLP on 25 samples")
    ax.legend()
    checks = {
        "train-test gap smaller with dropout (p=0.5 < p=0)": metrics["p0.5_gap"]
        < metrics["p0.0_gap"],
        "test loss lower with dropout (min over p>0 < p=0)": min(
            metrics["p0.3_test_loss"], metrics["p0.5_test_loss"]
        )
        < metrics["p0.0_test_loss"],
        "eval mode is deterministic": all(
            metrics[f"p{p}_eval_deterministic"] for p in (0.0, 0.3, 0.5)
        ),
        "inverted scaling keeps the expected activation (|mean - 1| < 0.01)": abs(
            metrics["dropout_mean_of_ones"] - 1
        )
        < 0.01,
    }
    summary = (
        f"train-test gap p=0: {metrics['p0.0_gap']:.3f}, p=0.3: {metrics['p0.3_gap']:.3f},"
        f" p=0.5: {metrics['p0.5_gap']:.3f}; test MSE {metrics['p0.0_test_loss']:.3f} -> "
        f"{metrics['p0.5_test_loss']:.3f}."
    )
    return Outcome(metrics=metrics, checks=checks, figure=fig, summary=summary)
