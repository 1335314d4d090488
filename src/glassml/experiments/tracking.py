"""Tooling: experiment tracking records runs so they can be compared (inventory section 3.20)."""

from __future__ import annotations

import json
import tempfile

import numpy as np

from ..tracking import Tracker
from ._registry import Outcome, experiment


@experiment(
    "tracking_finds_best_run",
    claims=["CL-218"],
    topic="Tooling: experiment tracking",
    title="A logged sweep keeps params, metrics and artifacts; the best run is retrievable",
)
def tracking_sweep(ctx):
    rng = ctx.rng()
    # A ridge-regression sweep over the penalty λ on a noisy linear problem (closed form).
    n, p = 60, 30
    X = rng.normal(size=(n, p))
    w_true = np.r_[rng.normal(size=5), np.zeros(p - 5)]
    y = X @ w_true + rng.normal(scale=1.0, size=n)
    Xv = rng.normal(size=(400, p))
    yv = Xv @ w_true + rng.normal(scale=1.0, size=400)
    lambdas = np.logspace(-3, 3, 7 if ctx.quick else 25)
    with tempfile.TemporaryDirectory() as root:
        tracker = Tracker(root, experiment="ridge_sweep")
        val_mse = []
        for lam in lambdas:
            with tracker.start_run(run_name=f"lambda={lam:.3g}") as run:
                w = np.linalg.solve(X.T @ X + lam * np.eye(p), X.T @ y)
                mse = float(np.mean((Xv @ w - yv) ** 2))
                run.log_params({"lambda": lam, "n_features": p})
                run.log_metric("val_mse", mse)
                val_mse.append(mse)
        best = tracker.best_run("val_mse", mode="min")
        parsed = all(
            json.loads((r.artifact_dir.parent / "meta.json").read_text())["status"] == "FINISHED"
            for r in tracker.search_runs()
        )
        n_runs = len(tracker.search_runs())
    best_lambda = float(best.params["lambda"])
    fig, ax = ctx.figure()
    ax.semilogx(lambdas, val_mse, marker="o")
    ax.axvline(best_lambda, color="tab:red", label=f"best run: λ={best_lambda:.3g}")
    ax.set_xlabel("λ (logged param)")
    ax.set_ylabel("validation MSE (logged metric)")
    ax.legend()
    return Outcome(
        metrics={
            "lambdas": lambdas.tolist(),
            "val_mse": val_mse,
            "best_lambda": best_lambda,
            "n_runs": n_runs,
        },
        checks={
            "every run was stored and its files parse": parsed and n_runs == len(lambdas),
            "the best run by metric is the sweep's minimum": np.isclose(
                best.metrics["val_mse"], min(val_mse)
            ),
        },
        figure=fig,
        summary=f"{n_runs} runs logged; the store returns λ={best_lambda:.3g} as best "
        f"(val MSE {min(val_mse):.3f}).",
    )
