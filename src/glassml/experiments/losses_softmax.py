"""Experiments on softmax and cross-entropy (inventory section 3.12, classification half).

Every model here is trained inline with plain gradient steps on glassml's autograd (or with
SciPy's optimizers fed by autograd gradients), using the losses of ``glassml.nn``. The
regression, ranking and metric-learning losses are in ``losses_regression_ranking``.

Claims: CL-128, CL-130..CL-138.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from glassml.nn import functional_losses as F

from ._loss_helpers import _gd, _t
from ._registry import Outcome, experiment

TOPIC = "Softmax, cross-entropy and the classification losses"


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (N, C)
    return e / e.sum(axis=1, keepdims=True)


def _ece(probs, y, n_bins=10):
    """Expected calibration error of the top-class confidence (equal-width bins)."""
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - (pred[m] == y[m]).mean())
    return float(ece)


def _average_precision(y, score):
    """Area under the precision-recall curve (step interpolation, as sklearn)."""
    order = np.argsort(-score, kind="stable")
    y_sorted = y[order]
    tp = np.cumsum(y_sorted)
    precision = tp / np.arange(1, len(y) + 1)
    return float(np.sum(precision * y_sorted) / max(y.sum(), 1))


# ----------------------------------------------------------------------------- CL-128
@experiment(
    "losses_fused_log_softmax_stability",
    claims=["CL-128"],
    title="Fused log-softmax + NLL stays finite where log(softmax) gives inf",
    topic=TOPIC,
)
def fused_stability(ctx):
    gaps = np.arange(0, 161, 2 if ctx.quick else 1, dtype=np.float32)
    naive, fused = [], []
    for gap in gaps:
        z = np.array([[0.0, -gap]], dtype=np.float32)  # true class 1 trails by `gap`
        with np.errstate(divide="ignore"):
            s = _softmax(z)
            naive.append(float(-np.log(s[0, 1])))
        fused.append(F.cross_entropy(_t(z, dtype=np.float32), _t([1], dtype=np.int64)).item())
    naive, fused = np.array(naive), np.array(fused)
    exact = gaps.astype(np.float64) + np.log1p(np.exp(-gaps.astype(np.float64)))
    first_inf = float(gaps[np.argmax(~np.isfinite(naive))]) if (~np.isfinite(naive)).any() else -1
    rel_err = float(np.max(np.abs(fused - exact) / np.maximum(exact, 1.0)))
    fig, ax = ctx.figure()
    ax.plot(gaps, np.where(np.isfinite(naive), naive, np.nan), label="-log(softmax) (float32)")
    ax.plot(gaps, fused, "--", label="fused cross_entropy")
    if first_inf > 0:
        ax.axvline(first_inf, color="red", lw=0.8, label=f"naive = inf from gap {first_inf:.0f}")
    ax.set_xlabel("logit gap")
    ax.set_ylabel("loss")
    ax.legend()
    return Outcome(
        metrics={"first_inf_gap": first_inf, "fused_max_rel_err": rel_err},
        figure=fig,
        checks={
            "log(softmax) overflows to inf for a float32 gap of ~104": 100 <= first_inf <= 110,
            "fused loss is finite for every gap": bool(np.isfinite(fused).all()),
            "fused loss is exact (rel err < 1e-6)": rel_err < 1e-6,
        },
        summary=(
            f"In float32, -log(softmax) becomes inf from a logit gap of {first_inf:.0f}; the "
            f"fused loss stays finite and exact (max rel. error {rel_err:.1e}) up to gap 160."
        ),
    )


# ----------------------------------------------------------------------------- CL-130
@experiment(
    "losses_gradient_shortcuts",
    claims=["CL-130"],
    title="Softmax+CE gradient is (p - y)/N and sigmoid+BCE gradient is yhat - y",
    topic=TOPIC,
)
def gradient_shortcuts(ctx):
    rng = ctx.rng()
    n, c = (8, 5) if ctx.quick else (64, 10)
    z = _t(rng.standard_normal((n, c)) * 2, True)
    y = rng.integers(0, c, n)
    F.cross_entropy(z, _t(y, dtype=np.int64)).backward()
    onehot = np.eye(c)[y]
    analytic = (_softmax(z.data) - onehot) / n  # mean reduction divides by N (E-21)
    err_ce = float(np.abs(z.grad.data - analytic).max())
    zb = _t([0.2], True)
    F.binary_cross_entropy_with_logits(zb, _t([1.0])).backward()
    sig = 1 / (1 + np.exp(-0.2))
    # weighted CE: the true-class weight multiplies every component (E-22)
    w = rng.uniform(0.5, 3.0, c)
    zw = _t(z.data, True)
    F.cross_entropy(zw, _t(y, dtype=np.int64), weight=_t(w), reduction="sum").backward()
    analytic_w = w[y][:, None] * (_softmax(z.data) - onehot)
    err_w = float(np.abs(zw.grad.data - analytic_w).max())
    fig, ax = ctx.figure()
    ax.scatter(analytic.ravel(), z.grad.data.ravel(), s=10)
    ax.set_xlabel("(softmax(z) - onehot) / N")
    ax.set_ylabel("autograd dL/dz")
    return Outcome(
        metrics={
            "sigmoid_0.2": sig,
            "bce_grad": zb.grad.item(),
            "max_err_ce": err_ce,
            "max_err_weighted": err_w,
        },  # fmt: skip
        checks={
            "dCE/dz = (softmax - onehot)/N to 1e-12": err_ce < 1e-12,
            "sigma(0.2) = 0.5498": abs(sig - 0.5498) < 5e-5,
            "dBCE/dz = yhat - y = -0.4502": abs(zb.grad.item() + 0.4502) < 5e-5,
            "weighted CE gradient = w_t (p - y) to 1e-12": err_w < 1e-12,
        },
        figure=fig,
        summary=(
            f"Autograd matches (p - y)/N to {err_ce:.0e} and w_t(p - y) to {err_w:.0e}; "
            f"sigma(0.2) = {sig:.4f} and the BCE gradient is {zb.grad.item():.4f}."
        ),
    )


# ----------------------------------------------------------------------------- CL-131
@experiment(
    "losses_ce_vs_mse_on_probabilities",
    claims=["CL-131"],
    title="Cross-entropy keeps gradients alive where MSE on probabilities vanishes",
    topic=TOPIC,
)
def ce_vs_mse(ctx):
    z0 = np.log(0.001 / 0.999)  # yhat = 0.001 for y = 1
    zc = _t([z0], True)
    F.binary_cross_entropy_with_logits(zc, _t([1.0])).backward()
    zm = _t([z0], True)
    F.mse_loss(zm.sigmoid(), _t([1.0])).backward()
    g_ce, g_mse = zc.grad.item(), zm.grad.item()
    # logistic regression from a bad initialisation: BCE vs MSE on sigmoid outputs
    rng = ctx.rng()
    n = 200
    X = rng.standard_normal((n, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.3 * rng.standard_normal(n) > 0).astype(float)
    Xt, yt = _t(X), _t(y)
    steps = 300 if ctx.quick else 1000
    curves = {}
    for name in ("bce", "mse"):
        w, b = _t([-6.0, 3.0], True), _t([0.0], True)  # confidently wrong start

        def loss_fn(name=name, w=w, b=b):
            logits = Xt @ w + b
            if name == "bce":
                return F.binary_cross_entropy_with_logits(logits, yt)
            return F.mse_loss(logits.sigmoid(), yt)

        acc = []
        _gd([w, b], loss_fn, 0.5, steps,
            record=lambda s, w=w, b=b, acc=acc: acc.append(float((((X @ w.data + b.data) > 0) == y).mean())))  # fmt: skip
        curves[name] = np.array(acc)

    def steps_to(a, level=0.95):
        hit = np.nonzero(a >= level)[0]
        return int(hit[0]) if hit.size else steps

    s_bce, s_mse = steps_to(curves["bce"]), steps_to(curves["mse"])
    fig, ax = ctx.figure()
    ax.plot(curves["bce"], label="BCE")
    ax.plot(curves["mse"], label="MSE on sigmoid")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("train accuracy")
    ax.legend()
    return Outcome(
        metrics={"grad_ce": g_ce, "grad_mse": g_mse, "steps_bce": s_bce, "steps_mse": s_mse},
        checks={
            "dCE/dz ~ -1 at yhat = 0.001": abs(g_ce + 0.999) < 1e-6,
            "d(MSE o sigma)/dz ~ -0.002 at yhat = 0.001": abs(g_mse + 0.002) < 1e-4,
            "BCE reaches 95% accuracy in far fewer steps than MSE (>= 3x)": s_mse >= 3 * s_bce,
        },
        figure=fig,
        summary=(
            f"At yhat = 0.001 the CE gradient is {g_ce:.3f} vs {g_mse:.4f} for MSE on the "
            f"probability; from a bad start BCE hits 95% accuracy in {s_bce} steps, MSE in {s_mse}."
        ),
    )


# ----------------------------------------------------------------------------- CL-132, CL-133
@experiment(
    "losses_true_class_term_and_sparse_labels",
    claims=["CL-132", "CL-133"],
    title="Only the true-class term counts; sparse CE equals one-hot CE with far less memory",
    topic=TOPIC,
)
def true_class_and_sparse(ctx):
    p_t = 0.4
    mixes = np.linspace(0.0, 1.0, 11)
    losses = []
    for m in mixes:  # the 0.6 of wrong-class mass moved between classes 1 and 2
        q = np.array([[p_t, 0.6 * m, 0.6 * (1 - m)]]).clip(1e-300)
        losses.append(F.nll_loss(_t(np.log(q)), _t([0], dtype=np.int64)).item())
    spread = float(np.ptp(losses))
    rng = ctx.rng()
    n, k = (16, 50_000)
    z = rng.standard_normal((n, k)).astype(np.float32)
    labels = rng.integers(0, k, n)
    onehot = np.zeros((n, k), np.float32)
    onehot[np.arange(n), labels] = 1.0
    sparse = F.cross_entropy(_t(z, dtype=np.float32), _t(labels, dtype=np.int64)).item()
    dense = F.cross_entropy(_t(z, dtype=np.float32), _t(onehot, dtype=np.float32)).item()
    ratio = onehot.nbytes / labels.astype(np.int64).nbytes
    fig, ax = ctx.figure(1, 2, width=4)
    ax[0].plot(mixes, losses, marker="o")
    ax[0].set_xlabel("share of wrong mass on class 1")
    ax[0].set_ylabel(f"CE (p_t = {p_t})")
    ax[1].bar(["int64 labels", "one-hot float32"], [labels.nbytes, onehot.nbytes])
    ax[1].set_yscale("log")
    ax[1].set_ylabel(f"bytes, K = {k}")
    return Outcome(
        metrics={
            "ce_spread": spread,
            "ce": losses[0],
            "sparse_ce": sparse,
            "onehot_ce": dense,
            "memory_ratio": ratio,
        },  # fmt: skip
        checks={
            "CE = -log p_t whatever the wrong-class split": spread < 1e-12
            and abs(losses[0] + np.log(p_t)) < 1e-12,
            "sparse CE equals one-hot CE": abs(sparse - dense) < 1e-5 * abs(dense),
            "one-hot labels take >= 10000x the memory for K = 50k": ratio >= 10_000,
        },
        figure=fig,
        summary=(
            f"CE stays at -log {p_t} = {losses[0]:.4f} (spread {spread:.0e}) as wrong-class mass "
            f"moves; sparse and one-hot CE agree ({sparse:.5f}) while one-hot labels use "
            f"{ratio:.0f}x the memory."
        ),
    )


# ----------------------------------------------------------------------------- CL-134
@experiment(
    "losses_cross_entropy_decomposition",
    claims=["CL-134"],
    title="H(p, q) = H(p) + KL(p || q); CE is asymmetric and not zero at q = p",
    topic=TOPIC,
)
def ce_decomposition(ctx):
    rng = ctx.rng()
    n_pairs = 50 if ctx.quick else 500
    p = rng.dirichlet(np.ones(5), n_pairs)  # (P, 5)
    q = rng.dirichlet(np.ones(5), n_pairs)
    H_pq = F.cross_entropy(_t(np.log(q)), _t(p), reduction="none").data  # -sum p log q
    H_qp = F.cross_entropy(_t(np.log(p)), _t(q), reduction="none").data
    H_p = -(p * np.log(p)).sum(1)
    kl = F.kl_div(_t(np.log(q)), _t(p), reduction="none").data.sum(1)
    err = float(np.abs(H_pq - (H_p + kl)).max())
    asym = float(np.abs(H_pq - H_qp).max())
    H_pp = F.cross_entropy(_t(np.log(p)), _t(p), reduction="none").data  # q = p
    kl_pp = F.kl_div(_t(np.log(p)), _t(p), reduction="none").data.sum(1)
    fig, ax = ctx.figure()
    ax.scatter(H_p + kl, H_pq, s=8, label="H(p,q) vs H(p)+KL")
    ax.scatter(H_p, H_pp, s=8, label="q = p: H(p,p) = H(p) > 0")
    ax.set_xlabel("H(p) + KL(p||q)")
    ax.set_ylabel("H(p, q)")
    ax.legend()
    return Outcome(
        metrics={
            "max_identity_err": err,
            "max_asymmetry": asym,
            "min_H_pp": float(H_pp.min()),
            "max_kl_pp": float(np.abs(kl_pp).max()),
        },  # fmt: skip
        checks={
            "H(p,q) = H(p) + KL(p||q) to 1e-12": err < 1e-12,
            "CE is asymmetric (H(p,q) != H(q,p))": asym > 0.1,
            "refuted (E-19): H(p,p) > 0 for non-one-hot p": bool(H_pp.min() > 0.1),
            "KL(p||p) = 0": float(np.abs(kl_pp).max()) < 1e-12,
        },
        figure=fig,
        summary=(
            f"H(p,q) = H(p) + KL holds to {err:.0e}; H(p,q) and H(q,p) differ by up to {asym:.2f}; "
            f"at q = p the CE equals H(p) >= {H_pp.min():.2f}, not 0 (the seed's 'iff' is KL's)."
        ),
    )


# ----------------------------------------------------------------------------- CL-135, CL-136
def _imbalanced(rng, n, pos_rate=0.01):
    y = (rng.random(n) < pos_rate).astype(float)
    X = rng.standard_normal((n, 2)) + y[:, None] * np.array([2.0, 2.0])
    return X, y


@experiment(
    "losses_rare_class_focal_weighted",
    claims=["CL-135"],
    title="Focal loss and weighted CE help the rare class (1:99)",
    topic=TOPIC,
)
def rare_class(ctx):
    rng = ctx.rng()
    n = 4000 if ctx.quick else 20000
    X, y = _imbalanced(rng, n)
    Xte, yte = _imbalanced(ctx.rng(1), n)
    Xt, yt = _t(X), _t(y)
    pos_w = (1 - y.mean()) / y.mean()
    losses = {
        "CE": lambda s: F.binary_cross_entropy_with_logits(s, yt),
        "weighted CE": lambda s: F.binary_cross_entropy_with_logits(s, yt, pos_weight=_t([pos_w])),
        "focal (g=2, a=0.25)": lambda s: F.sigmoid_focal_loss(s, yt, 0.25, 2.0, "mean"),
        "focal (g=2, a=0.99)": lambda s: F.sigmoid_focal_loss(s, yt, 0.99, 2.0, "mean"),
    }
    results = {}
    steps = 300 if ctx.quick else 1000
    for name, fn in losses.items():
        w, b = _t([0.0, 0.0], True), _t([0.0], True)
        _gd([w, b], lambda fn=fn, w=w, b=b: fn(Xt @ w + b), 1.0, steps)
        score = Xte @ w.data + b.data
        pred = score > 0
        tp = float((pred & (yte == 1)).sum())
        recall = tp / max(yte.sum(), 1)
        precision = tp / max(pred.sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        results[name] = {"recall": recall, "f1": f1, "pr_auc": _average_precision(yte, score)}
    fig, ax = ctx.figure()
    names = list(results)
    xs = np.arange(len(names))
    for i, metric in enumerate(("recall", "f1", "pr_auc")):
        ax.bar(xs + 0.27 * (i - 1), [results[k][metric] for k in names], 0.27, label=metric)
    ax.set_xticks(xs, names)
    ax.legend()
    r = {k: v["recall"] for k, v in results.items()}
    best_f1 = max(results, key=lambda k: results[k]["f1"])
    return Outcome(
        metrics={f"{k}:{m}": v[m] for k, v in results.items() for m in v} | {"best_f1": best_f1},
        checks={
            "weighted CE raises minority recall over CE": r["weighted CE"] > r["CE"] + 0.1,
            "focal loss with a rare-class alpha (0.99) raises minority recall over CE": r[
                "focal (g=2, a=0.99)"
            ]
            > r["CE"] + 0.1,
            "PR-AUC (threshold-free) is similar for all losses (within 0.1)": np.ptp(
                [v["pr_auc"] for v in results.values()]
            )
            < 0.1,
        },
        figure=fig,
        summary=(
            "Minority recall: "
            + ", ".join(f"{k} {v['recall']:.2f}" for k, v in results.items())
            + f"; best F1: {best_f1}. alpha = 0.25 down-weights the positives, so that focal "
            "setting lowers recall at threshold 0.5; PR-AUC barely moves (the ranking is the same)."
        ),
    )


@experiment(
    "losses_focal_downweights_easy",
    claims=["CL-136"],
    title="Focal loss down-weights easy examples by (1 - p_t)^gamma",
    topic=TOPIC,
)
def focal_easy(ctx):
    p_t = np.linspace(0.01, 0.99, 99)
    logit = np.log(p_t / (1 - p_t))  # y = 1, p = p_t
    ones = _t(np.ones_like(p_t))
    fig, ax = ctx.figure()
    for gamma in (0.0, 0.5, 1.0, 2.0, 5.0):
        fl = F.sigmoid_focal_loss(_t(logit), ones, alpha=-1, gamma=gamma).data
        ax.plot(p_t, fl, label=f"gamma = {gamma}")
    ax.set_xlabel("p_t")
    ax.set_ylabel("loss")
    ax.legend()
    at = np.array([np.log(9.0)])
    ratio = F.sigmoid_focal_loss(_t(at), _t([1.0]), alpha=-1).item() / F.binary_cross_entropy_with_logits(
        _t(at), _t([1.0])
    ).item()  # fmt: skip
    # share of the total loss coming from easy examples (p_t > 0.9) on imbalanced data
    X, y = _imbalanced(ctx.rng(), 4000 if ctx.quick else 20000)
    w, b = _t([0.0, 0.0], True), _t([0.0], True)
    Xt, yt = _t(X), _t(y)
    _gd([w, b], lambda: F.binary_cross_entropy_with_logits(Xt @ w + b, yt), 1.0, 200)
    s = _t(X @ w.data + b.data)
    pt = np.where(y == 1, 1 / (1 + np.exp(-s.data)), 1 / (1 + np.exp(s.data)))
    easy = pt > 0.9
    l_ce = F.binary_cross_entropy_with_logits(s, yt, reduction="none").data
    l_fl = F.sigmoid_focal_loss(s, yt, alpha=-1, gamma=2.0).data
    share_ce, share_fl = l_ce[easy].sum() / l_ce.sum(), l_fl[easy].sum() / l_fl.sum()
    return Outcome(
        metrics={
            "fl_over_ce_at_0.9": ratio,
            "easy_share_ce": float(share_ce),
            "easy_share_focal": float(share_fl),
            "easy_fraction": float(easy.mean()),
        },  # fmt: skip
        checks={
            "FL/CE = 0.01 at p_t = 0.9, gamma = 2": abs(ratio - 0.01) < 1e-12,
            "easy examples' share of the loss drops under focal loss (< half of CE's)": share_fl
            < 0.5 * share_ce,
        },
        figure=fig,
        summary=(
            f"FL/CE = {ratio:.4f} at p_t = 0.9; the {easy.mean():.0%} easy examples carry "
            f"{share_ce:.0%} of the CE loss but {share_fl:.0%} of the focal loss."
        ),
    )


# ----------------------------------------------------------------------------- CL-137, CL-138
def _overfit_softmax(ctx, smoothing, steps):
    """Softmax regression on few, high-dimensional, noisy samples: it overfits."""
    rng = ctx.rng()
    n_classes, d = 3, 40
    means = rng.standard_normal((n_classes, d)) * 0.35

    def sample(n, r):
        y = r.integers(0, n_classes, n)
        return means[y] + r.standard_normal((n, d)), y

    Xtr, ytr = sample(90, ctx.rng(1))
    Xva, yva = sample(600, ctx.rng(2))
    Xte, yte = sample(600, ctx.rng(3))
    W, b = _t(np.zeros((d, n_classes)), True), _t(np.zeros(n_classes), True)
    Xt, yt = _t(Xtr), _t(ytr, dtype=np.int64)
    _gd([W, b], lambda: F.cross_entropy(Xt @ W + b, yt, label_smoothing=smoothing), 0.5, steps)
    return (Xva @ W.data + b.data, yva), (Xte @ W.data + b.data, yte)


@experiment(
    "losses_label_smoothing_confidence",
    claims=["CL-137"],
    title="Label smoothing lowers over-confidence and calibration error",
    topic=TOPIC,
)
def label_smoothing(ctx):
    steps = 400 if ctx.quick else 1500
    res = {}
    for eps in (0.0, 0.1):
        _, (z, y) = _overfit_softmax(ctx, eps, steps)
        p = _softmax(z)
        res[eps] = {"max_prob": float(p.max(1).mean()), "ece": _ece(p, y),
                    "acc": float((p.argmax(1) == y).mean())}  # fmt: skip
    fig, ax = ctx.figure()
    xs = np.arange(3)
    for i, eps in enumerate(res):
        ax.bar(xs + 0.4 * i, [res[eps][k] for k in ("max_prob", "ece", "acc")], 0.4,
               label=f"eps = {eps}")  # fmt: skip
    ax.set_xticks(xs + 0.2, ["mean max-prob", "ECE", "accuracy"])
    ax.legend()
    return Outcome(
        metrics={f"eps{e}:{k}": v for e, r in res.items() for k, v in r.items()},
        checks={
            "smoothing lowers mean max-probability": res[0.1]["max_prob"] < res[0.0]["max_prob"],
            "smoothing lowers test ECE": res[0.1]["ece"] < res[0.0]["ece"],
        },
        figure=fig,
        summary=(
            f"eps = 0 -> 0.1: mean max-prob {res[0.0]['max_prob']:.2f} -> "
            f"{res[0.1]['max_prob']:.2f}, test ECE {res[0.0]['ece']:.3f} -> {res[0.1]['ece']:.3f}."
        ),
    )


@experiment(
    "losses_temperature_scaling",
    claims=["CL-138"],
    title="Temperature scaling fitted on validation NLL calibrates confidence",
    topic=TOPIC,
)
def temperature_scaling(ctx):
    (zva, yva), (zte, yte) = _overfit_softmax(ctx, 0.0, 400 if ctx.quick else 1500)
    yv = _t(yva, dtype=np.int64)

    def val_nll(log_t):
        return F.cross_entropy(_t(zva / np.exp(log_t)), yv).item()

    T = float(np.exp(minimize_scalar(val_nll, bounds=(-3, 4), method="bounded").x))
    p0, pT = _softmax(zte), _softmax(zte / T)
    ece0, eceT = _ece(p0, yte), _ece(pT, yte)
    acc0, accT = (p0.argmax(1) == yte).mean(), (pT.argmax(1) == yte).mean()
    fig, ax = ctx.figure()
    for probs, name in ((p0, "T = 1"), (pT, f"T = {T:.2f}")):
        conf, correct = probs.max(1), probs.argmax(1) == yte
        edges = np.linspace(0, 1, 11)
        idx = np.clip(np.digitize(conf, edges) - 1, 0, 9)
        acc_bins = [correct[idx == b].mean() if (idx == b).any() else np.nan for b in range(10)]
        ax.plot(edges[:-1] + 0.05, acc_bins, marker="o", label=name)
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.legend()
    return Outcome(
        metrics={
            "T": T,
            "ece_before": ece0,
            "ece_after": eceT,
            "acc_before": float(acc0),
            "acc_after": float(accT),
        },  # fmt: skip
        checks={
            "fitted T > 1 for an over-confident model": T > 1.0,
            "test ECE goes down": eceT < ece0,
            "accuracy unchanged (argmax invariant)": acc0 == accT,
        },
        figure=fig,
        summary=f"T = {T:.2f} lowers test ECE {ece0:.3f} -> {eceT:.3f}; accuracy {acc0:.3f} unchanged.",
    )
