"""Multi-task claims (inventory 3.14): a shared trunk helps related tasks and hurts with an
unrelated one, and loss weights move the per-task errors — measured with small glassml MLPs.

Inventory: CL-150, CL-151; NL-04, NL-05.
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import mse_loss
from glassml.experiments import Outcome, experiment
from glassml.optim import Adam

TOPIC = "multi-task learning"


def _task_data(rng, n, B, a, noise=0.1):
    x = rng.standard_normal((n, B.shape[1]))
    return x, np.tanh(x @ B.T) @ a + noise * rng.standard_normal(n)


class _Trunk(nn.Module):
    def __init__(self, d_in, width, n_heads, generator):
        super().__init__()
        kw = {"generator": generator, "dtype": np.float64}
        self.trunk = nn.Linear(d_in, width, **kw)
        self.heads = nn.ModuleList([nn.Linear(width, 1, **kw) for _ in range(n_heads)])

    def forward(self, x):
        h = self.trunk(x).tanh()
        return [head(h)[:, 0] for head in self.heads]


def _fit_tasks(model, xs, ys, weights, steps):
    opt = Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    xts, yts = [Tensor(x) for x in xs], [Tensor(y) for y in ys]
    for _ in range(steps):
        opt.zero_grad()
        total = None
        for k, (xt, yt, w) in enumerate(zip(xts, yts, weights, strict=True)):
            term = mse_loss(model(xt)[k], yt) * w
            total = term if total is None else total + term
        total.backward()
        opt.step()


def _test_mse(model, k, x, y):
    with no_grad():
        return float(np.mean((model(Tensor(x))[k].numpy() - y) ** 2))


def _mtl_problem(rng, d=20, rank=4):
    B = rng.standard_normal((rank, d)) / np.sqrt(d) * 2
    a1 = rng.standard_normal(rank)
    a2 = a1 + 0.3 * rng.standard_normal(rank)  # related: same features, similar read-out
    D = rng.standard_normal((rank, d)) / np.sqrt(d) * 2  # unrelated: its own features
    a3 = rng.standard_normal(rank)
    return B, a1, a2, D, a3


@experiment(
    "shared_trunk_related_tasks",
    claims=["CL-150"],
    title="A shared trunk on two related regressions (100 samples each) beats separate models",
    topic=TOPIC,
)
def shared_trunk_related_tasks(ctx):
    seeds = range(3) if ctx.quick else range(10)
    steps = 300 if ctx.quick else 800
    shared_mse, separate_mse = [], []
    for seed in seeds:
        rng = np.random.default_rng(ctx.seed + seed)
        B, a1, a2, _, _ = _mtl_problem(rng)
        train = [_task_data(rng, 100, B, a) for a in (a1, a2)]
        test = [_task_data(rng, 2000, B, a) for a in (a1, a2)]
        shared = _Trunk(20, 8, 2, np.random.default_rng(seed))
        _fit_tasks(shared, [t[0] for t in train], [t[1] for t in train], [1.0, 1.0], steps)
        shared_mse.append(np.mean([_test_mse(shared, k, *test[k]) for k in range(2)]))
        sep = []
        for k in range(2):
            single = _Trunk(20, 8, 1, np.random.default_rng(seed))
            _fit_tasks(single, [train[k][0]], [train[k][1]], [1.0], steps)
            sep.append(_test_mse(single, 0, *test[k]))
        separate_mse.append(np.mean(sep))
    s, p = float(np.mean(shared_mse)), float(np.mean(separate_mse))
    wins = int(np.sum(np.array(shared_mse) < np.array(separate_mse)))
    fig, ax = ctx.figure()
    ax.bar(["shared trunk", "separate models"], [s, p])
    ax.set_ylabel("test MSE (mean of the two tasks)")
    return Outcome(
        metrics={
            "shared_test_mse": s,
            "separate_test_mse": p,
            "shared_wins": wins,
            "runs": len(shared_mse),
        },
        checks={
            "shared-trunk test MSE < separate models": s < p,
            "the shared trunk wins in most runs": wins > len(shared_mse) / 2,
        },
        figure=fig,
        summary=f"Related tasks with 100 samples each: shared trunk test MSE {s:.3f} vs separate "
        f"{p:.3f} (shared better in {wins}/{len(shared_mse)} runs).",
    )


@experiment(
    "negative_transfer_loss_weights",
    claims=["CL-151"],
    title="An unrelated task hurts a shared model; loss weights trade the task errors",
    topic=TOPIC,
)
def negative_transfer_loss_weights(ctx):
    seeds = range(3) if ctx.quick else range(8)
    steps = 200 if ctx.quick else 800
    weight_grid = [(1.0, 0.05), (1.0, 1.0), (0.05, 1.0)]
    shared1, separate1 = [], []
    sweep = {w: ([], []) for w in weight_grid}
    for seed in seeds:
        rng = np.random.default_rng(ctx.seed + 100 + seed)
        B, a1, _, D, a3 = _mtl_problem(rng)
        # the unrelated task B has 3x larger targets, so it dominates an equally weighted loss
        train = [_task_data(rng, 100, B, a1), _task_data(rng, 100, D, 3 * a3)]
        test = [_task_data(rng, 2000, B, a1), _task_data(rng, 2000, D, 3 * a3)]
        xs, ys = [t[0] for t in train], [t[1] for t in train]
        for w in weight_grid:
            model = _Trunk(20, 4, 2, np.random.default_rng(seed))
            _fit_tasks(model, xs, ys, list(w), steps)
            sweep[w][0].append(_test_mse(model, 0, *test[0]))
            sweep[w][1].append(_test_mse(model, 1, *test[1]))
        shared1.append(sweep[(1.0, 1.0)][0][-1])
        single = _Trunk(20, 4, 1, np.random.default_rng(seed))
        _fit_tasks(single, [xs[0]], [ys[0]], [1.0], steps)
        separate1.append(_test_mse(single, 0, *test[0]))
    s1, p1 = float(np.mean(shared1)), float(np.mean(separate1))
    task_a = {w: float(np.mean(v[0])) for w, v in sweep.items()}
    task_b = {w: float(np.mean(v[1])) for w, v in sweep.items()}
    fig, ax = ctx.figure()
    labels = [f"w=({a:g}, {b:g})" for a, b in weight_grid]
    ax.plot(labels, [task_a[w] for w in weight_grid], "o-", label="task A test MSE")
    ax.plot(labels, [task_b[w] for w in weight_grid], "s-", label="task B (unrelated) test MSE")
    ax.axhline(p1, color="gray", ls="--", label="task A alone")
    ax.legend(fontsize=7)
    first, last = weight_grid[0], weight_grid[-1]
    return Outcome(
        metrics={
            "task_a_shared_mse": s1,
            "task_a_separate_mse": p1,
            "sweep_task_a": {str(k): v for k, v in task_a.items()},
            "sweep_task_b": {str(k): v for k, v in task_b.items()},
        },
        checks={
            "with an unrelated task the shared model is worse on task A": s1 > p1,
            "raising task A's weight lowers its error": task_a[first] < task_a[last],
            "raising task B's weight lowers its error": task_b[last] < task_b[first],
        },
        figure=fig,
        summary=f"Task A test MSE alone {p1:.3f} vs shared with an unrelated task {s1:.3f}; loss "
        f"weights (1, 0.05) -> (0.05, 1) move A from {task_a[first]:.3f} to {task_a[last]:.3f} "
        f"and B from {task_b[first]:.3f} to {task_b[last]:.3f}.",
    )
