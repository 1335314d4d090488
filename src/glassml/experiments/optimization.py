"""Optimization claims (inventory §3.9): learning rates, momentum, saddles, batch noise,
adaptive methods, weight decay, schedules and gradient clipping — measured with glassml.optim.

Inventory: CL-079, CL-080, CL-081, CL-082, CL-086, CL-087, CL-088, CL-089, CL-090, CL-091,
CL-092, CL-094.
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Parameter
from glassml.experiments import Outcome, experiment
from glassml.nn.utils import clip_grad_norm_
from glassml.optim import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop
from glassml.optim import lr_scheduler as sched

TOPIC = "optimization"


def _run(opt_factory, grad_fn, theta0, n_steps, loss_fn=None, stop_tol=None):
    """Iterate ``opt.apply_gradients`` on an explicit gradient; returns the path (and the step
    at which loss_fn < stop_tol, or None)."""
    p = Parameter(np.array(theta0, dtype=np.float64))
    opt = opt_factory([p])
    path = [p.data.copy()]
    hit = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            opt.apply_gradients([(grad_fn(p.data), p)])
            path.append(p.data.copy())
            if stop_tol is not None and loss_fn(p.data) < stop_tol:
                hit = t + 1
                break
            if not np.all(np.isfinite(p.data)):
                break
    return np.array(path), hit


@experiment(
    "lr_too_large_or_small",
    claims=["CL-079"],
    title="Learning rate: divergence above 2/λ_max, iterations ∝ 1/LR below",
    topic=TOPIC,
)
def lr_too_large_or_small(ctx):
    A = np.diag([1.0, 4.0, 10.0])  # λ_max = 10 → critical LR 0.2
    loss = lambda th: 0.5 * th @ A @ th  # noqa: E731
    grad = lambda th: A @ th  # noqa: E731
    theta0 = np.ones(3)
    crit = 2.0 / 10.0
    finals = {}
    fig, ax = ctx.figure()
    for c in (0.5, 0.95, 1.05):
        path, _ = _run(lambda p, lr=c * crit: SGD(p, lr=lr), grad, theta0, 200)
        losses = [loss(th) for th in path]
        finals[c] = losses[-1]
        ax.semilogy(losses, label=f"lr = {c:.2f}·2/λ_max")
    iters = {}
    for lr in (0.01, 0.02, 0.04):
        _, hit = _run(lambda p, lr=lr: SGD(p, lr=lr), grad, theta0, 20_000, loss, 1e-6)
        iters[lr] = hit
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    r1, r2 = iters[0.01] / iters[0.02], iters[0.02] / iters[0.04]
    return Outcome(
        metrics={
            "final_loss_below": finals[0.95],
            "final_loss_above": finals[1.05],
            "iters_lr_0.01": iters[0.01],
            "iters_lr_0.02": iters[0.02],
            "iters_lr_0.04": iters[0.04],
        },
        checks={
            "lr < 2/λ_max converges": finals[0.95] < 1e-3,
            "lr > 2/λ_max diverges": finals[1.05] > 1e3 or not math.isfinite(finals[1.05]),
            "halving the lr doubles the iterations (±15%)": abs(r1 - 2) < 0.3 and abs(r2 - 2) < 0.3,
        },
        figure=fig,
        summary=f"Above 2/λ_max the loss grows to {finals[1.05]:.3g}; below it converges; "
        f"iterations to 1e-6: {iters[0.01]}, {iters[0.02]}, {iters[0.04]} for lr 0.01/0.02/0.04.",
    )


@experiment(
    "momentum_ravine",
    claims=["CL-080"],
    title="Momentum on an ill-conditioned quadratic (κ = 100)",
    topic=TOPIC,
)
def momentum_ravine(ctx):
    A = np.diag([1.0, 100.0])
    loss = lambda th: 0.5 * th @ A @ th  # noqa: E731
    grad = lambda th: A @ th  # noqa: E731
    theta0 = np.array([1.0, 1.0])
    lr = 1.0 / 100.0
    gd_path, gd_hit = _run(lambda p: SGD(p, lr=lr), grad, theta0, 20_000, loss, 1e-8)
    mo_path, mo_hit = _run(lambda p: SGD(p, lr=lr, momentum=0.9), grad, theta0, 20_000, loss, 1e-8)
    fig, ax = ctx.figure()
    ax.plot(gd_path[:300, 0], gd_path[:300, 1], ".-", ms=2, label=f"GD ({gd_hit} steps)")
    ax.plot(mo_path[:300, 0], mo_path[:300, 1], ".-", ms=2, label=f"momentum 0.9 ({mo_hit} steps)")
    ax.set_xlabel("θ₁ (flat direction)")
    ax.set_ylabel("θ₂ (steep direction)")
    ax.legend()
    return Outcome(
        metrics={"gd_iterations": gd_hit, "momentum_iterations": mo_hit},
        checks={"momentum reaches tolerance ≥ 5x faster than GD": mo_hit * 5 <= gd_hit},
        figure=fig,
        summary=f"To loss 1e-8 on κ=100: GD {gd_hit} steps, momentum 0.9 {mo_hit} steps.",
    )


@experiment(
    "saddle_escape",
    claims=["CL-081"],
    title="GD stalls on a saddle; gradient noise escapes",
    topic=TOPIC,
)
def saddle_escape(ctx):
    f = lambda th: th[0] ** 2 - th[1] ** 2 + th[1] ** 4  # noqa: E731
    grad = lambda th: np.array([2 * th[0], -2 * th[1] + 4 * th[1] ** 3])  # noqa: E731
    rng = ctx.rng()
    n = 300 if ctx.quick else 2000
    gd, _ = _run(lambda p: SGD(p, lr=0.05), grad, [1.0, 0.0], n)
    noisy, _ = _run(
        lambda p: SGD(p, lr=0.05), lambda th: grad(th) + 0.1 * rng.normal(size=2), [1.0, 0.0], n
    )
    fig, ax = ctx.figure()
    ax.plot([f(t) for t in gd], label="GD")
    ax.plot([f(t) for t in noisy], label="noisy GD (σ = 0.1)")
    ax.axhline(-0.25, ls=":", c="k", label="minimum −1/4")
    ax.set_xlabel("step")
    ax.set_ylabel("f(x, y) = x² − y² + y⁴")
    ax.legend()
    return Outcome(
        metrics={
            "gd_final_f": float(f(gd[-1])),
            "noisy_final_f": float(f(noisy[-1])),
            "noisy_final_y": float(noisy[-1, 1]),
        },
        checks={
            "GD stays on the saddle (y = 0)": abs(gd[-1, 1]) < 1e-12,
            "noise escapes to a minimum (|y| ≈ 0.71)": abs(abs(noisy[-1, 1]) - 1 / math.sqrt(2))
            < 0.15,
        },
        figure=fig,
        summary=f"GD ends at f = {f(gd[-1]):.3g} on the saddle; noisy GD reaches f = {f(noisy[-1]):.3f}.",
    )


@experiment(
    "minibatch_gradient_variance",
    claims=["CL-082"],
    title="Mini-batch gradient variance ∝ 1/B",
    topic=TOPIC,
)
def minibatch_gradient_variance(ctx):
    rng = ctx.rng()
    n, d = 2000, 5
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    theta = np.zeros(d)
    per_sample = (X @ theta - y)[:, None] * X  # (n, d) gradients of ½(xθ − y)²
    full = per_sample.mean(axis=0)
    sizes = np.array([1, 4, 16, 64, 256])
    reps = 400 if ctx.quick else 4000
    var = []
    for B in sizes:
        idx = rng.integers(0, n, size=(reps, B))
        g = per_sample[idx].mean(axis=1)  # (reps, d)
        var.append(float(((g - full) ** 2).sum(axis=1).mean()))
    slope = float(np.polyfit(np.log(sizes), np.log(var), 1)[0])
    fig, ax = ctx.figure()
    ax.loglog(sizes, var, "o-", label="measured")
    ax.loglog(sizes, var[0] / sizes, "--", label="∝ 1/B")
    ax.set_xlabel("batch size B")
    ax.set_ylabel("E‖g_B − ∇L‖²")
    ax.legend()
    return Outcome(
        metrics={"slope": slope, "variances": var},
        checks={"log-log slope ≈ −1 (±0.15)": abs(slope + 1) < 0.15},
        figure=fig,
        summary=f"Gradient variance falls with slope {slope:.2f} in log B (theory −1).",
    )


@experiment(
    "adagrad_rare_features",
    claims=["CL-086"],
    title="Adagrad learns rare informative features",
    topic=TOPIC,
)
def adagrad_rare_features(ctx):
    rng = ctx.rng()
    n, d_common, d_rare = 2000, 10, 10
    common = (rng.random((n, d_common)) < 0.5).astype(float)
    rare = (rng.random((n, d_rare)) < 0.02).astype(float)
    X = np.hstack([common, rare])
    w_true = np.concatenate([rng.normal(scale=0.3, size=d_common), np.full(d_rare, 3.0)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w_true - 1.0)))).astype(float)

    def nll(w):
        z = X @ w
        return float(np.mean(np.logaddexp(0, z) - y * z))

    def grad(w):
        return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / n

    steps = 300 if ctx.quick else 1000
    res = {}
    for name, factory in (
        ("SGD", lambda p: SGD(p, lr=0.5)),
        ("Adagrad", lambda p: Adagrad(p, lr=0.5)),
    ):
        path, _ = _run(factory, grad, np.zeros(d_common + d_rare), steps)
        res[name] = (nll(path[-1]), float(path[-1][d_common:].mean()), [nll(w) for w in path[::10]])
    fig, ax = ctx.figure()
    for name, (_, _, curve) in res.items():
        ax.plot(np.arange(len(curve)) * 10, curve, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training NLL")
    ax.legend()
    return Outcome(
        metrics={f"{k}_loss": v[0] for k, v in res.items()}
        | {f"{k}_rare_weight": v[1] for k, v in res.items()},
        checks={
            "Adagrad reaches a lower loss at the same budget": res["Adagrad"][0] < res["SGD"][0],
            "Adagrad learns larger rare-feature weights": res["Adagrad"][1] > 1.5 * res["SGD"][1],
        },
        figure=fig,
        summary=f"After {steps} steps: NLL SGD {res['SGD'][0]:.3f} vs Adagrad {res['Adagrad'][0]:.3f}; "
        f"mean rare weight {res['SGD'][1]:.2f} vs {res['Adagrad'][1]:.2f}.",
    )


@experiment(
    "adagrad_lr_shrinks",
    claims=["CL-087"],
    title="Adagrad's effective LR shrinks as 1/√t",
    topic=TOPIC,
)
def adagrad_lr_shrinks(ctx):
    n = 400
    eff = {}
    for name, factory in (
        ("Adagrad", lambda p: Adagrad(p, lr=0.1)),
        ("RMSprop", lambda p: RMSprop(p, lr=0.1)),
    ):
        p = Parameter(np.zeros(1))
        opt = factory([p])
        prev, steps = 0.0, []
        for _ in range(n):
            opt.apply_gradients([(np.ones(1), p)])  # constant gradient g = 1
            steps.append(prev - float(p.data[0]))
            prev = float(p.data[0])
        eff[name] = np.array(steps)  # effective lr = |Δθ| / |g|
    ratio_ada = eff["Adagrad"][399] / eff["Adagrad"][99]  # theory √(100/400) = 0.5
    ratio_rms = eff["RMSprop"][399] / eff["RMSprop"][99]
    fig, ax = ctx.figure()
    t = np.arange(1, n + 1)
    for k, v in eff.items():
        ax.loglog(t, v, label=k)
    ax.loglog(t, 0.1 / np.sqrt(t), "--", label="0.1/√t")
    ax.set_xlabel("step t")
    ax.set_ylabel("effective LR")
    ax.legend()
    return Outcome(
        metrics={
            "adagrad_ratio_t400_t100": ratio_ada,
            "rmsprop_ratio_t400_t100": ratio_rms,
            "rmsprop_final_step": float(eff["RMSprop"][-1]),
        },
        checks={
            "Adagrad's step at t=400 is half its step at t=100": abs(ratio_ada - 0.5) < 0.01,
            "RMSprop's step settles at ≈ η (within 5%)": abs(eff["RMSprop"][-1] - 0.1) < 0.005,
        },
        figure=fig,
        summary=f"Step ratio t=400/t=100: Adagrad {ratio_ada:.3f} (1/√t), RMSprop {ratio_rms:.3f}.",
    )


@experiment(
    "adadelta_no_lr",
    claims=["CL-088"],
    title="Adadelta converges with its defaults, no LR",
    topic=TOPIC,
)
def adadelta_no_lr(ctx):
    rng = ctx.rng()
    problems = {}
    c = rng.normal(size=5)
    problems["quadratic"] = (lambda th: 0.5 * np.sum((th - c) ** 2), lambda th: th - c, np.zeros(5))
    A = np.diag([1.0, 10.0])
    problems["ill-conditioned"] = (
        lambda th: 0.5 * th @ A @ th,
        lambda th: A @ th,
        np.array([2.0, 2.0]),
    )
    X = rng.normal(size=(200, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(float)
    problems["logistic"] = (
        lambda w: float(np.mean(np.logaddexp(0, X @ w) - y * (X @ w))),
        lambda w: X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / len(y),
        np.zeros(3),
    )
    steps = 3000
    fig, ax = ctx.figure()
    reductions = {}
    for name, (f, g, th0) in problems.items():
        path, _ = _run(lambda p: Adadelta(p), g, th0, steps)
        curve = np.array([f(th) for th in path[::20]])
        reductions[name] = float(curve[-1] / curve[0])
        ax.semilogy(np.arange(len(curve)) * 20, curve, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (Adadelta, defaults)")
    ax.legend()
    return Outcome(
        metrics={f"{k}_final_over_initial": v for k, v in reductions.items()},
        checks={
            f"{k}: loss reduced ≥ 60% with no LR given": v < 0.4 for k, v in reductions.items()
        },
        figure=fig,
        summary="Adadelta with defaults: final/initial loss "
        + ", ".join(f"{k} {v:.3f}" for k, v in reductions.items())
        + ".",
    )


@experiment(
    "adamw_vs_adam_l2", claims=["CL-089"], title="AdamW's decoupled decay vs Adam + L2", topic=TOPIC
)
def adamw_vs_adam_l2(ctx):
    eta, T = 0.01, 100
    traces = {}
    for lam in (0.1, 10.0):
        for name, cls in (("AdamW", AdamW), ("Adam+L2", Adam)):
            p = Parameter(np.array([1.0]))
            opt = cls([p], lr=eta, weight_decay=lam)
            tr = [1.0]
            for _ in range(T):
                opt.apply_gradients([(np.zeros(1), p)])  # zero data gradient
                tr.append(float(p.data[0]))
            traces[(name, lam)] = np.array(tr)
    fig, ax = ctx.figure()
    for (name, lam), tr in traces.items():
        ax.plot(tr, label=f"{name}, λ = {lam}")
    ax.set_xlabel("step")
    ax.set_ylabel("weight (zero data gradient)")
    ax.legend()
    adamw_exact = all(
        np.allclose(traces[("AdamW", lam)], (1 - eta * lam) ** np.arange(T + 1), rtol=1e-12)
        for lam in (0.1, 10.0)
    )
    step_small = 1 - traces[("Adam+L2", 0.1)][1]
    step_large = 1 - traces[("Adam+L2", 10.0)][1]
    return Outcome(
        metrics={
            "adam_l2_first_step_lambda_0.1": step_small,
            "adam_l2_first_step_lambda_10": step_large,
        },
        checks={
            "AdamW shrinks the weight by (1 − ηλ)^t": adamw_exact,
            "Adam + L2 steps ≈ η whatever λ is": abs(step_small - eta) < 1e-4
            and abs(step_large - eta) < 1e-4,
        },
        figure=fig,
        summary=f"With zero data gradient AdamW decays as (1−ηλ)^t; Adam+L2's first step is "
        f"{step_small:.4f} (λ=0.1) and {step_large:.4f} (λ=10) — the adaptive normalisation cancels λ.",
    )


@experiment(
    "lr_decay_beats_constant",
    claims=["CL-090"],
    title="LR decay beats a constant LR on noisy SGD",
    topic=TOPIC,
)
def lr_decay_beats_constant(ctx):
    rng = ctx.rng()
    n, d = 1000, 5
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    y = X @ w_true + 0.5 * rng.normal(size=n)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    excess = lambda w: float(np.sum((X @ (w - w_ls)) ** 2) / n)  # noqa: E731
    steps = 2000
    idx = rng.integers(0, n, size=steps)
    schedules = {
        "constant": lambda o: None,
        "step": lambda o: sched.StepLR(o, step_size=500, gamma=0.3),
        "exponential": lambda o: sched.ExponentialLR(o, gamma=0.998),
        "cosine": lambda o: sched.CosineAnnealingLR(o, T_max=steps),
    }
    finals, fig = {}, None
    fig, ax = ctx.figure()
    for name, make in schedules.items():
        p = Parameter(np.zeros(d))
        opt = SGD([p], lr=0.05)
        s = make(opt)
        curve = []
        for t in range(steps):
            i = idx[t]
            g = (X[i] @ p.data - y[i]) * X[i]  # single-sample gradient
            opt.apply_gradients([(g, p)])
            if s is not None:
                s.step()
            if t % 20 == 0:
                curve.append(excess(p.data))
        finals[name] = excess(p.data)
        ax.semilogy(np.arange(len(curve)) * 20, curve, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("excess loss over least squares")
    ax.legend()
    return Outcome(
        metrics=finals,
        checks={
            f"{k} ends below half the constant-LR noise floor": finals[k] < 0.5 * finals["constant"]
            for k in ("step", "exponential", "cosine")
        },
        figure=fig,
        summary="Final excess loss: " + ", ".join(f"{k} {v:.2e}" for k, v in finals.items()) + ".",
    )


@experiment(
    "reduce_on_plateau_trace",
    claims=["CL-091"],
    title="ReduceLROnPlateau halves the LR on stalls",
    topic=TOPIC,
)
def reduce_on_plateau_trace(ctx):
    val = [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69999, 0.7, 0.7, 0.7, 0.7, 0.6] + [0.6] * 30
    opt = SGD([Parameter(np.zeros(1))], lr=0.1)
    s = sched.ReduceLROnPlateau(opt, factor=0.5, patience=3, min_lr=1e-2)
    lrs = []
    for v in val:
        opt.step()
        s.step(v)
        lrs.append(s.get_last_lr()[0])
    lrs = np.array(lrs)
    cuts = np.flatnonzero(np.diff(lrs) < 0) + 1
    fig, ax = ctx.figure()
    ax.plot(val, label="monitored val loss")
    ax2 = ax.twinx()
    ax2.step(range(len(lrs)), lrs, "r", where="post", label="lr")
    ax.set_xlabel("epoch")
    ax2.set_ylabel("lr")
    return Outcome(
        metrics={"lr_trace": lrs.tolist(), "cut_epochs": cuts.tolist()},
        checks={
            "first cut after patience=3 non-improving epochs (epoch 6)": len(cuts) > 0
            and cuts[0] == 6,
            "every cut halves the lr or hits the floor": all(
                math.isclose(lrs[c], max(lrs[c - 1] * 0.5, 1e-2)) for c in cuts
            ),
            "floored at min_lr": math.isclose(lrs[-1], 1e-2),
        },
        figure=fig,
        summary=f"LR cut at epochs {cuts.tolist()} down to min_lr {lrs[-1]:.3g}.",
    )


@experiment(
    "cosine_schedule_trace",
    claims=["CL-092"],
    title="Cosine annealing follows its formula; SGDR restarts",
    topic=TOPIC,
)
def cosine_schedule_trace(ctx):
    eta0, eta_min, T = 0.1, 1e-6, 10
    opt = SGD([Parameter(np.zeros(1))], lr=eta0)
    s = sched.CosineAnnealingLR(opt, T_max=T, eta_min=eta_min)
    opt2 = SGD([Parameter(np.zeros(1))], lr=eta0)
    s2 = sched.CosineAnnealingWarmRestarts(opt2, T_0=5, T_mult=2, eta_min=eta_min)
    lrs, lrs2 = [], []
    for _ in range(3 * T):
        opt.step()
        opt2.step()
        lrs.append(s.get_last_lr()[0])
        lrs2.append(s2.get_last_lr()[0])
        s.step()
        s2.step()
    formula = [
        eta_min + 0.5 * (eta0 - eta_min) * (1 + math.cos(math.pi * t / T)) for t in range(T + 1)
    ]
    fig, ax = ctx.figure()
    ax.plot(lrs, label="CosineAnnealingLR (T_max = 10)")
    ax.plot(lrs2, label="warm restarts (T_0 = 5, T_mult = 2)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("lr")
    ax.legend()
    err = float(np.max(np.abs(np.array(lrs[: T + 1]) - formula)))
    restarts = [t for t in range(1, len(lrs2)) if lrs2[t] > lrs2[t - 1]]
    return Outcome(
        metrics={"max_abs_error_vs_formula": err, "restart_epochs": restarts},
        checks={
            "trace equals η_min + ½(η₀−η_min)(1+cos(πt/T))": err < 1e-15,
            "SGDR restarts at 5 and 15 (T_mult = 2)": restarts == [5, 15],
        },
        figure=fig,
        summary=f"Cosine trace matches the formula to {err:.1e}; SGDR restarts at epochs {restarts}.",
    )


@experiment(
    "gradient_clipping_prevents_nan",
    claims=["CL-094"],
    title="Gradient clipping prevents exploding updates",
    topic=TOPIC,
)
def gradient_clipping_prevents_nan(ctx):
    f = lambda th: float(np.sum(th**4))  # noqa: E731  steep quartic: gradients explode far out
    steps = 100
    curves, post_norms = {}, []
    for clip in (False, True):
        p = Parameter(np.array([5.0, -3.0]))
        opt = SGD([p], lr=0.05)
        curve = [f(p.data)]
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                opt.zero_grad()
                (p**4).sum().backward()
                if clip:
                    clip_grad_norm_([p], max_norm=1.0)
                    post_norms.append(float(np.linalg.norm(p.grad.numpy())))
                opt.step()
                curve.append(f(p.data))
        curves[clip] = np.array(curve)
    fig, ax = ctx.figure()
    ax.semilogy(np.where(np.isfinite(curves[False]), curves[False], np.nan), label="no clipping")
    ax.semilogy(curves[True], label="clip_grad_norm_(1.0)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss Σθ⁴")
    ax.legend()
    no_clip_bad = not np.all(np.isfinite(curves[False])) or curves[False][-1] > 1e30
    return Outcome(
        metrics={
            "final_loss_clipped": float(curves[True][-1]),
            "max_post_clip_norm": max(post_norms),
        },
        checks={
            "without clipping the loss overflows to inf/NaN": no_clip_bad,
            "with clipping the loss stays finite and decreases": bool(
                np.all(np.isfinite(curves[True]))
            )
            and curves[True][-1] < 0.01 * curves[True][0],
            "post-clip norm ≤ max_norm": max(post_norms) <= 1.0 + 1e-9,
        },
        figure=fig,
        summary=f"Unclipped SGD overflows; clipped SGD reaches loss {curves[True][-1]:.2e} with "
        f"post-clip norms ≤ {max(post_norms):.3f}.",
    )
