"""Experiments for the metrics claims of the curriculum (inventory section 3.13).

CL-145 accuracy misleads under imbalance; CL-146 PR-AUC reacts to prevalence, ROC-AUC does
not; CL-147 the threshold trades precision for recall; CL-148 macro and micro F1 diverge under
imbalance. (CL-149, parity with the reference implementations, is the test-suite in
``tests/metrics``.)
"""

from __future__ import annotations

import numpy as np

from glassml.experiments import Outcome, experiment
from glassml.metrics import (
    accuracy_score,
    average_precision_score,
    cohen_kappa_score,
    f1_score,
    matthews_corrcoef,
    precision_recall_curve,
    roc_auc_score,
)

TOPIC = "metrics"


@experiment(
    "accuracy_misleads_under_imbalance",
    claims=["CL-145"],
    title="Accuracy misleads under class imbalance; F1, MCC and kappa expose it",
    topic=TOPIC,
)
def accuracy_misleads(ctx):
    """A majority-class predictor on 95:5 data: accuracy 0.95, F1 = MCC = κ = 0."""
    rng = ctx.rng()
    n = 2_000 if ctx.quick else 100_000
    y = (rng.random(n) < 0.05).astype(int)  # 5% positives
    majority = np.zeros(n, dtype=int)  # always predicts the majority class
    rng_skill = ctx.rng(1)
    skilled = np.where(rng_skill.random(n) < 0.85, y, 1 - y)  # an 85%-accurate real model
    rows = {}
    for name, pred in (("majority", majority), ("noisy 85% model", skilled)):
        rows[name] = {
            "accuracy": accuracy_score(y, pred),
            "f1": f1_score(y, pred, zero_division=0.0),
            "mcc": matthews_corrcoef(y, pred),
            "kappa": cohen_kappa_score(y, pred),
        }
    m = rows["majority"]
    fig, ax = ctx.figure(width=6.5)
    names = list(m)
    x = np.arange(len(names))
    for i, (label, vals) in enumerate(rows.items()):
        ax.bar(x + 0.4 * i - 0.2, [vals[k] for k in names], width=0.4, label=label)
    ax.set_xticks(x, names)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_title(f"prevalence {y.mean():.3f}: the do-nothing model looks 95% accurate")
    ax.legend()
    return Outcome(
        metrics={
            "prevalence": float(y.mean()),
            **{
                f"{k}_{s}": float(v)
                for k, r in (("majority", m), ("model", rows["noisy 85% model"]))
                for s, v in r.items()
            },
        },
        checks={
            "majority accuracy ≈ 0.95 (within 0.02)": abs(m["accuracy"] - 0.95) < 0.02,
            "majority F1 = 0": m["f1"] == 0.0,
            "majority MCC = 0": m["mcc"] == 0.0,
            "majority kappa = 0": abs(m["kappa"]) < 1e-12,
            "the real model has lower accuracy but higher F1/MCC": (
                rows["noisy 85% model"]["accuracy"] < m["accuracy"]
                and rows["noisy 85% model"]["mcc"] > 0.2
            ),
        },  # fmt: skip
        figure=fig,
        summary=(
            f"A majority-class predictor scores accuracy {m['accuracy']:.3f} but F1 = "
            f"{m['f1']:.1f}, MCC = {m['mcc']:.1f}, kappa = {m['kappa']:.1f}; a genuinely useful "
            f"model has lower accuracy ({rows['noisy 85% model']['accuracy']:.3f}) and MCC "
            f"{rows['noisy 85% model']['mcc']:.2f}."
        ),
    )


@experiment(
    "pr_auc_vs_roc_auc_under_imbalance",
    claims=["CL-146"],
    title="PR-AUC falls with prevalence while ROC-AUC stays constant",
    topic=TOPIC,
)
def pr_vs_roc(ctx):
    """Scores N(1.5, 1) for positives and N(0, 1) for negatives at prevalence 50% → 1%."""
    rng = ctx.rng()
    n_neg = 50_000 if ctx.quick else 1_000_000
    prevalences = [0.5, 0.2, 0.1, 0.05, 0.01]
    roc, ap = [], []
    neg = rng.normal(0.0, 1.0, n_neg)
    for p in prevalences:
        n_pos = int(round(n_neg * p / (1 - p)))
        pos = rng.normal(1.5, 1.0, n_pos)
        y = np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]
        s = np.r_[pos, neg]
        roc.append(roc_auc_score(y, s))
        ap.append(average_precision_score(y, s))
    # sampling noise of an AUC estimate ~ sqrt(A(1 − A)/n_pos) at the smallest positive count
    n_pos_min = int(round(n_neg * prevalences[-1] / (1 - prevalences[-1])))
    tol = 3.0 * float(np.sqrt(np.mean(roc) * (1 - np.mean(roc)) / n_pos_min))
    fig, ax = ctx.figure()
    ax.plot(prevalences, roc, "o-", label="ROC-AUC")
    ax.plot(prevalences, ap, "s-", label="PR-AUC (average precision)")
    ax.set_xscale("log")
    ax.set_xlabel("prevalence of the positive class")
    ax.set_ylabel("area")
    ax.legend()
    return Outcome(
        metrics={"prevalence": prevalences, "roc_auc": roc, "pr_auc": ap, "roc_tolerance": tol},
        checks={
            "ROC-AUC varies by less than 3 standard errors": max(roc) - min(roc) < tol,
            "PR-AUC falls monotonically with prevalence": bool(np.all(np.diff(ap) < 0)),
            "PR-AUC at 1% is at least 0.4 below PR-AUC at 50%": ap[0] - ap[-1] > 0.4,
        },
        figure=fig,
        summary=(
            f"With the same score distributions ROC-AUC stays at {np.mean(roc):.3f} ± "
            f"{(max(roc) - min(roc)) / 2:.3f} while PR-AUC falls from {ap[0]:.3f} (50%) to "
            f"{ap[-1]:.3f} (1%)."
        ),
    )


@experiment(
    "threshold_trades_precision_for_recall",
    claims=["CL-147"],
    title="Raising the threshold raises precision and lowers recall",
    topic=TOPIC,
)
def threshold_tradeoff(ctx):
    """Precision and recall of a score model over all thresholds (the PR curve)."""
    rng = ctx.rng()
    n = 4_000 if ctx.quick else 100_000
    y = (rng.random(n) < 0.3).astype(int)
    s = rng.normal(1.2 * y, 1.0)
    precision, recall, thresholds = precision_recall_curve(y, s)
    precision, recall = precision[:-1], recall[:-1]  # drop the final (1, 0) point
    grid = np.quantile(thresholds, np.linspace(0.02, 0.98, 25))
    idx = np.searchsorted(thresholds, grid)
    p_grid, r_grid = precision[idx], recall[idx]
    corr_p = float(np.corrcoef(grid, p_grid)[0, 1])
    fig, ax = ctx.figure()
    ax.plot(thresholds, precision, label="precision")
    ax.plot(thresholds, recall, label="recall")
    ax.set_xlabel("decision threshold")
    ax.legend()
    return Outcome(
        metrics={
            "threshold_grid": grid.tolist(),
            "precision": p_grid.tolist(),
            "recall": r_grid.tolist(),
            "corr_threshold_precision": corr_p,
        },  # fmt: skip
        checks={
            "recall never increases with the threshold": bool(np.all(np.diff(recall) <= 0)),
            "precision rises with the threshold (correlation > 0.9)": corr_p > 0.9,
            "precision at the highest grid threshold > at the lowest": p_grid[-1] > p_grid[0],
        },
        figure=fig,
        summary=(
            f"From the 2% to the 98% score quantile, precision rises {p_grid[0]:.2f} → "
            f"{p_grid[-1]:.2f} while recall falls {r_grid[0]:.2f} → {r_grid[-1]:.2f}."
        ),
    )


@experiment(
    "macro_vs_micro_f1",
    claims=["CL-148"],
    title="Macro and micro F1 diverge under class imbalance",
    topic=TOPIC,
)
def macro_vs_micro(ctx):
    """A classifier good on the majority class and poor on two rare classes."""
    rng = ctx.rng()
    n = 3_000 if ctx.quick else 100_000
    results = {}
    for name, probs in (("balanced", [1 / 3, 1 / 3, 1 / 3]), ("imbalanced", [0.9, 0.05, 0.05])):
        y = rng.choice(3, size=n, p=probs)
        # per-class hit rates: the majority class 95%, the others 40%; errors go to class 0
        hit_rate = np.array([0.95, 0.4, 0.4])[y]
        pred = np.where(rng.random(n) < hit_rate, y, np.where(y == 0, rng.integers(1, 3, n), 0))
        results[name] = {
            "micro": f1_score(y, pred, average="micro"),
            "macro": f1_score(y, pred, average="macro"),
            "weighted": f1_score(y, pred, average="weighted"),
        }
    fig, ax = ctx.figure()
    x = np.arange(3)
    for i, (name, r) in enumerate(results.items()):
        ax.bar(x + 0.4 * i - 0.2, list(r.values()), width=0.4, label=name)
    ax.set_xticks(x, ["micro F1", "macro F1", "weighted F1"])
    ax.legend()
    gap_imb = results["imbalanced"]["micro"] - results["imbalanced"]["macro"]
    gap_bal = abs(results["balanced"]["micro"] - results["balanced"]["macro"])
    return Outcome(
        metrics={f"{k}_{a}": float(v) for k, r in results.items() for a, v in r.items()},
        checks={
            "imbalanced: micro F1 exceeds macro F1 by more than 0.2": gap_imb > 0.2,
            "imbalanced gap is larger than the balanced gap": gap_imb > gap_bal,
        },
        figure=fig,
        summary=(
            f"On 90/5/5 data micro F1 = {results['imbalanced']['micro']:.2f} but macro F1 = "
            f"{results['imbalanced']['macro']:.2f}; the same per-class skill on balanced data "
            f"gives a gap of only {gap_bal:.2f}."
        ),
    )
