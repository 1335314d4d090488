"""Experiments on the regression, ranking and metric-learning losses (inventory section 3.12).

Models are fitted with SciPy's optimizers fed by glassml autograd gradients, or trained with
plain gradient steps. Softmax and cross-entropy are in ``losses_softmax``; the hinge + L2 = SVM
claim (CL-141) is measured in ``svm``.

Claims: CL-139, CL-140, CL-142.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar

import glassml.autograd as ag
from glassml.nn import functional_losses as F

from ._loss_helpers import _gd, _t
from ._registry import Outcome, experiment

TOPIC = "Regression, ranking and metric-learning losses"


# ----------------------------------------------------------------------------- CL-139, CL-140
def _fit_linear(loss_fn, X, y, method="L-BFGS-B"):
    """Minimise loss_fn(pred, target) over (slope, intercept) with SciPy, autograd gradients."""
    Xt, yt = _t(X), _t(y)

    def f(theta):
        th = _t(theta, True)
        loss = loss_fn(Xt * th[0] + th[1], yt)
        (g,) = ag.grad(loss, [th])
        return loss.item(), g.data

    if method == "Nelder-Mead":
        return minimize(lambda t: f(t)[0], np.zeros(2), method=method,
                        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}).x  # fmt: skip
    return minimize(f, np.zeros(2), jac=True, method=method).x


@experiment(
    "losses_robust_regression_outliers",
    claims=["CL-139"],
    title="MSE is pulled by outliers; MAE and Huber are robust",
    topic=TOPIC,
)
def robust_regression(ctx):
    rng = ctx.rng()
    n = 200 if ctx.quick else 2000
    x = rng.uniform(0, 10, n)
    y = 2.0 * x + 1.0 + rng.standard_normal(n) * 0.5
    out = rng.random(n) < 0.1
    y[out] += rng.uniform(30, 60, out.sum())  # 10% gross outliers
    fits = {
        "MSE": _fit_linear(F.mse_loss, x, y),
        "Huber": _fit_linear(lambda a, b: F.huber_loss(a, b, delta=1.0), x, y),
        "MAE": _fit_linear(F.l1_loss, x, y, method="Nelder-Mead"),
    }
    err = {k: abs(v[0] - 2.0) for k, v in fits.items()}
    fig, ax = ctx.figure()
    ax.scatter(x, y, s=6, c=np.where(out, "red", "gray"))
    grid = np.linspace(0, 10, 2)
    for k, (s, c) in fits.items():
        ax.plot(grid, s * grid + c, label=f"{k}: slope {s:.2f}")
    ax.legend()
    return Outcome(
        metrics={f"slope_err_{k}": v for k, v in err.items()},
        checks={
            "MSE slope error >> Huber's (5x)": err["MSE"] > 5 * err["Huber"],
            "MSE slope error >> MAE's (5x)": err["MSE"] > 5 * err["MAE"],
            "Huber and MAE slopes within 0.1 of the truth": max(err["Huber"], err["MAE"]) < 0.1,
        },
        figure=fig,
        summary="Slope error with 10% outliers: "
        + ", ".join(f"{k} {v:.3f}" for k, v in err.items())
        + ".",
    )


@experiment(
    "losses_quantile_poisson_minimisers",
    claims=["CL-140"],
    title="Pinball loss is minimised at the q-quantile; Poisson loss recovers the mean rate",
    topic=TOPIC,
)
def quantile_poisson(ctx):
    rng = ctx.rng()
    y = rng.lognormal(0.0, 1.0, 300 if ctx.quick else 3000)
    yt = _t(y)
    qs = (0.1, 0.5, 0.9)
    best, errs = {}, {}
    for q in qs:
        res = minimize_scalar(
            lambda c, q=q: F.quantile_loss(_t(np.full_like(y, c)), yt, quantile=q).item(),
            bounds=(y.min(), y.max()), method="bounded", options={"xatol": 1e-10},
        )  # fmt: skip
        best[q] = float(res.x)
        lo, hi = np.quantile(y, q, method="lower"), np.quantile(y, q, method="higher")
        errs[q] = float(max(lo - res.x, res.x - hi, 0.0))
    # Poisson regression: counts ~ Poisson(exp(0.5 + 0.8 x))
    n = 2000 if ctx.quick else 20000
    x = rng.uniform(-1, 2, n)
    counts = rng.poisson(np.exp(0.5 + 0.8 * x)).astype(float)
    beta = _fit_linear(lambda a, b: F.poisson_nll_loss(a, b, log_input=True), x, counts)
    fig, ax = ctx.figure(1, 2, width=4)
    grid = np.linspace(np.quantile(y, 0.01), np.quantile(y, 0.99), 200)
    for q in qs:
        curve = [F.quantile_loss(_t(np.full_like(y, c)), yt, quantile=q).item() for c in grid]
        ax[0].plot(grid, curve, label=f"q = {q}")
        ax[0].axvline(np.quantile(y, q), ls=":", lw=0.8)
    ax[0].set_xlabel("constant prediction")
    ax[0].legend()
    ax[1].scatter(x, counts, s=3, alpha=0.3)
    xs = np.linspace(-1, 2, 50)
    ax[1].plot(xs, np.exp(beta[1] + beta[0] * xs), "r", label="fitted rate")
    ax[1].legend()
    return Outcome(
        metrics={f"argmin_q{q}": v for q, v in best.items()}
        | {"poisson_slope": float(beta[0]), "poisson_intercept": float(beta[1])},
        checks={
            "pinball argmin lies at np.quantile(y, q) for q = 0.1, 0.5, 0.9": max(errs.values())
            < 1e-6,
            "Poisson regression recovers (0.5, 0.8) within 0.1": abs(beta[1] - 0.5) < 0.1
            and abs(beta[0] - 0.8) < 0.1,
        },
        figure=fig,
        summary=(
            "Pinball minimisers "
            + ", ".join(
                f"q={q}: {v:.3f} (np.quantile {np.quantile(y, q):.3f})" for q, v in best.items()
            )
            + f"; Poisson fit log-rate = {beta[1]:.3f} + {beta[0]:.3f} x (true 0.5 + 0.8 x)."
        ),
    )


# ----------------------------------------------------------------------------- CL-142
@experiment(
    "losses_metric_learning_embeddings",
    claims=["CL-142"],
    title="Triplet and contrastive losses put same-class items close: 1-NN accuracy rises",
    topic=TOPIC,
)
def metric_learning(ctx):
    rng = ctx.rng()
    n_classes, d, n = 4, 20, 200 if ctx.quick else 800
    centers = np.zeros((n_classes, d))
    centers[:, :2] = rng.standard_normal((n_classes, 2)) * 2.0  # signal in 2 of 20 dims
    scales = np.r_[np.full(2, 0.5), np.full(d - 2, 3.0)]  # loud noise elsewhere

    def sample(k, r):
        y = r.integers(0, n_classes, k)
        return centers[y] + r.standard_normal((k, d)) * scales, y

    X, y = sample(n, ctx.rng(1))
    Xte, yte = sample(n, ctx.rng(2))

    def knn_acc(W):
        E, Ete = X @ W, Xte @ W
        d2 = ((Ete[:, None, :] - E[None, :, :]) ** 2).sum(-1)  # (n_te, n)
        return float((y[d2.argmin(1)] == yte).mean())

    W0 = rng.standard_normal((d, 4)) * 0.3
    members = [np.nonzero(y == c)[0] for c in range(n_classes)]
    steps = 150 if ctx.quick else 600
    curves = {}
    for name in ("triplet", "contrastive"):
        W = _t(W0.copy(), True)
        acc = [knn_acc(W.data)]
        r = ctx.rng(5)

        def loss_fn(W=W, name=name, r=r):
            a = r.integers(0, n, 128)
            same = np.empty_like(a)
            for c in range(n_classes):  # a random partner of the anchor's class
                m = y[a] == c
                same[m] = members[c][r.integers(0, len(members[c]), m.sum())]
            diff = r.integers(0, n, len(a))
            while (clash := y[diff] == y[a]).any():  # resample until of another class
                diff[clash] = r.integers(0, n, clash.sum())
            ea, ep, en = _t(X[a]) @ W, _t(X[same]) @ W, _t(X[diff]) @ W
            if name == "triplet":
                return F.triplet_margin_loss(ea, ep, en, margin=1.0)
            half = len(a) // 2  # half similar pairs, half dissimilar
            other = ag.cat([ep[:half], en[half:]], 0)
            target = _t(np.r_[np.ones(half), np.zeros(len(a) - half)])
            return F.contrastive_loss(ea, other, target, margin=2.0)

        _gd([W], loss_fn, 0.05 if name == "triplet" else 0.01, steps,
            record=lambda s, W=W, acc=acc: acc.append(knn_acc(W.data)) if (s + 1) % 25 == 0 else None)  # fmt: skip
        curves[name] = acc
    fig, ax = ctx.figure()
    for name, acc in curves.items():
        ax.plot(np.arange(len(acc)) * 25, acc, marker="o", label=name)
    ax.set_xlabel("gradient step")
    ax.set_ylabel("test 1-NN accuracy in the embedding")
    ax.legend()
    return Outcome(
        metrics={f"{k}_acc_start": v[0] for k, v in curves.items()}
        | {f"{k}_acc_end": v[-1] for k, v in curves.items()},
        checks={
            "triplet training raises 1-NN accuracy by > 0.15": curves["triplet"][-1]
            > curves["triplet"][0] + 0.15,
            "contrastive training raises 1-NN accuracy by > 0.15": curves["contrastive"][-1]
            > curves["contrastive"][0] + 0.15,
        },
        figure=fig,
        summary="1-NN accuracy in the embedding: "
        + ", ".join(f"{k} {v[0]:.2f} -> {v[-1]:.2f}" for k, v in curves.items())
        + ".",
    )
