"""Training dynamics: forward vs reverse mode, optimizer defaults, batch size, depth.

Inventory: CL-083 (weak), CL-084, CL-103, CL-111; AG-05.
"""

from __future__ import annotations

import time

import numpy as np

from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd import forward_ad as fad
from glassml.autograd.fused import cross_entropy
from glassml.datasets import load_digits
from glassml.experiments import Outcome, experiment
from glassml.models import MLP
from glassml.optim import SGD, Adagrad, Adam, RMSprop

TOPIC = "optimization"


def _best_time(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@experiment(
    "forward_vs_reverse_mode",
    claims=["CL-103"],
    title="Jacobians: forward mode needs n passes, reverse mode m passes",
    topic=TOPIC,
)
def forward_vs_reverse_mode(ctx):
    rng = ctx.rng()
    sizes = [2, 64] if ctx.quick else [2, 8, 32, 128]
    hidden = 32
    times, passes = {}, {}
    max_diff = 0.0
    for n in sizes:
        for m in sizes:
            W1 = rng.normal(size=(hidden, n)) / np.sqrt(n)
            W2 = rng.normal(size=(m, hidden)) / np.sqrt(hidden)
            calls = {"count": 0}

            def f(x, W1=W1, W2=W2, calls=calls):
                calls["count"] += 1
                return fad.tanh(fad.matmul(W2, fad.tanh(fad.matmul(W1, x))))

            x = rng.normal(size=n)
            J_fwd, J_rev = fad.jacfwd(f, x), fad.jacrev(f, x)
            max_diff = max(max_diff, float(np.abs(J_fwd - J_rev).max()))
            calls["count"] = 0
            fad.jacfwd(f, x)
            passes[("forward", n, m)] = calls["count"]
            reps = 2 if ctx.quick else 7
            times[("forward", n, m)] = _best_time(lambda f=f, x=x: fad.jacfwd(f, x), reps)
            times[("reverse", n, m)] = _best_time(lambda f=f, x=x: fad.jacrev(f, x), reps)
    lo, hi = sizes[0], sizes[-1]
    fig, ax = ctx.figure()
    for mode, style in (("forward", "o-"), ("reverse", "s--")):
        for n in (lo, hi):
            ax.plot(
                sizes,
                [times[(mode, n, m)] * 1e3 for m in sizes],
                style,
                label=f"{mode}, n = {n}",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("outputs m")
    ax.set_ylabel("Jacobian time (ms)")
    ax.legend(fontsize=7)
    few_in = times[("forward", lo, hi)] < times[("reverse", lo, hi)]
    few_out = times[("reverse", hi, lo)] < times[("forward", hi, lo)]
    return Outcome(
        metrics={
            "max_abs_diff_fwd_vs_rev": max_diff,
            **{f"{k[0]}_ms_n{k[1]}_m{k[2]}": v * 1e3 for k, v in times.items()},
        },
        checks={
            "forward and reverse Jacobians agree (< 1e-12)": max_diff < 1e-12,
            "forward mode makes one pass per input (n passes)": all(
                passes[("forward", n, m)] == n for n in sizes for m in sizes
            ),
            f"n={lo} inputs, m={hi} outputs: forward mode is faster": few_in,
            f"n={hi} inputs, m={lo} outputs: reverse mode is faster": few_out,
        },
        figure=fig,
        summary=(
            f"n={lo}, m={hi}: forward {times[('forward', lo, hi)] * 1e3:.1f} ms vs reverse "
            f"{times[('reverse', lo, hi)] * 1e3:.1f} ms; n={hi}, m={lo}: forward "
            f"{times[('forward', hi, lo)] * 1e3:.1f} ms vs reverse "
            f"{times[('reverse', hi, lo)] * 1e3:.1f} ms."
        ),
    )


def _digits(ctx):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    perm = ctx.rng().permutation(len(X))
    X, y = X[perm], y[perm].astype(np.int64)
    n_train = 1200
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _train_epochs(model, opt, X, y, epochs, batch, rng, target=None):
    """Mini-batch training; returns the per-epoch full-training-set losses."""
    losses = []
    xt, yt = Tensor(X), Tensor(y)
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for i in range(0, len(X), batch):
            idx = perm[i : i + batch]
            loss = cross_entropy(model(Tensor(X[idx])), Tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        with no_grad():
            losses.append(float(cross_entropy(model(xt), yt).data))
        if target is not None and losses[-1] <= target:
            break
    return losses


def _accuracy(model, X, y):
    with no_grad():
        return float((model(Tensor(X)).data.argmax(1) == y).mean())


@experiment(
    "adam_out_of_the_box",
    claims=["CL-084"],
    title="Adam with its defaults reaches a target loss quickly",
    topic=TOPIC,
)
def adam_out_of_the_box(ctx):
    X, y, _, _ = _digits(ctx)
    if ctx.quick:
        X, y = X[:600], y[:600]
    target = 0.1
    max_epochs = 40 if ctx.quick else 100
    optimizers = {  # library (PyTorch) defaults; SGD has no default lr, 0.01 is customary
        "Adam": lambda p: Adam(p),
        "RMSprop": lambda p: RMSprop(p),
        "Adagrad": lambda p: Adagrad(p),
        "SGD": lambda p: SGD(p, lr=0.01),
    }
    curves, epochs = {}, {}
    for name, make in optimizers.items():
        manual_seed(ctx.seed)
        model = MLP(64, [64, 64], 10)
        curves[name] = _train_epochs(
            model, make(model.parameters()), X, y, max_epochs, 32, ctx.rng(1), target
        )
        reached = [i + 1 for i, v in enumerate(curves[name]) if v <= target]
        epochs[name] = reached[0] if reached else max_epochs + 1
    fig, ax = ctx.figure()
    for name, c in curves.items():
        ax.semilogy(range(1, len(c) + 1), c, label=f"{name}: {epochs[name]} epochs")
    ax.axhline(target, color="k", ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=7)
    beaten_by = [n for n in ("RMSprop", "Adagrad") if epochs[n] < epochs["Adam"]]
    return Outcome(
        metrics={f"epochs_to_{target}_{n}": e for n, e in epochs.items()},
        checks={
            "Adam with default settings reaches the target loss": epochs["Adam"] <= max_epochs,
            "Adam needs fewer epochs than plain SGD": epochs["Adam"] < epochs["SGD"],
        },
        figure=fig,
        summary=(
            "Epochs to training loss 0.1: "
            + ", ".join(f"{n} {e}" for n, e in epochs.items())
            + (
                f". Not every adaptive method is slower: {', '.join(beaten_by)} (default lr "
                "1e-2, ten times Adam's) got there first here — 'fast out of the box' holds "
                "against SGD, not universally."
                if beaten_by
                else "."
            )
        ),
    )


@experiment(
    "batch_size_generalization",
    claims=["CL-083"],
    title="Small vs large batches at tuned learning rates",
    topic=TOPIC,
    weak=True,
)
def batch_size_generalization(ctx):
    X, y, Xte, yte = _digits(ctx)
    n_val = 200
    Xval, yval, Xtr, ytr = X[:n_val], y[:n_val], X[n_val:], y[n_val:]
    budget_epochs = 15 if ctx.quick else 60
    lrs = [0.03, 0.1, 0.3] if ctx.quick else [0.01, 0.03, 0.1, 0.3, 1.0]
    results = {}
    fig, ax = ctx.figure()
    for batch in (16, 512):
        best = (-1.0, None, None)
        accs = []
        for lr in lrs:
            manual_seed(ctx.seed)
            model = MLP(64, [64], 10)
            _train_epochs(
                model, SGD(model.parameters(), lr=lr), Xtr, ytr, budget_epochs, batch, ctx.rng(2)
            )
            val = _accuracy(model, Xval, yval)
            accs.append(val)
            if val > best[0]:
                best = (val, lr, _accuracy(model, Xte, yte))
        results[batch] = best
        ax.semilogx(lrs, accs, "o-", label=f"batch {batch}")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=7)
    gap = results[16][2] - results[512][2]
    return Outcome(
        metrics={
            "test_acc_batch16": results[16][2],
            "test_acc_batch512": results[512][2],
            "best_lr_batch16": results[16][1],
            "best_lr_batch512": results[512][1],
            "test_acc_gap_small_minus_large": gap,
        },
        checks={"small batches generalise at least as well (test accuracy)": gap >= 0},
        figure=fig,
        summary=(
            f"Same epoch budget, tuned lr: batch 16 → {results[16][2]:.3f}, batch 512 → "
            f"{results[512][2]:.3f} test accuracy (gap {gap:+.3f}; the large batch also takes "
            "32x fewer steps)."
        ),
    )


@experiment(
    "depth_sweep_plain_mlp",
    claims=["CL-111"],
    title="Deeper plain MLPs are harder to train on a fixed budget",
    topic=TOPIC,
)
def depth_sweep_plain_mlp(ctx):
    X, y, _, _ = _digits(ctx)
    depths = [1, 3, 12] if ctx.quick else [1, 2, 3, 6, 12, 24]
    epochs = 4 if ctx.quick else 10
    final = {}
    for depth in depths:
        manual_seed(ctx.seed)
        model = MLP(64, [32] * depth, 10, activation="tanh")
        losses = _train_epochs(
            model, SGD(model.parameters(), lr=0.05), X, y, epochs, 32, ctx.rng(3)
        )
        final[depth] = losses[-1]
    fig, ax = ctx.figure()
    ax.plot(depths, [final[d] for d in depths], "o-")
    ax.set_xscale("log")
    ax.set_xlabel("hidden layers")
    ax.set_ylabel(f"training loss after {epochs} epochs")
    best = min(final, key=final.get)
    return Outcome(
        metrics={f"train_loss_depth_{d}": v for d, v in final.items()},
        checks={
            "the deepest net is not the best after the same budget": best != depths[-1],
            "the deepest net's loss is ≥ 1.5x the best": final[depths[-1]] >= 1.5 * final[best],
        },
        figure=fig,
        summary="Training loss after a fixed budget by depth: "
        + ", ".join(f"{d}: {v:.3f}" for d, v in final.items())
        + f" (best at depth {best}).",
    )
