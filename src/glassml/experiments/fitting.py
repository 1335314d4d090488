"""Foundations: learning a rule from data, under- and overfitting, bias-variance, R², drift,
vectorisation (inventory section 3.1, CL-020 and CL-095).

These experiments need only NumPy: the models are fitted inline by least squares or exhaustive
threshold search, so the report is real from the first day of the project.
"""

from __future__ import annotations

import time

import numpy as np

from ._registry import Outcome, experiment

TOPIC = "Foundations: fitting, bias and variance"


def _poly_design(x, degree):
    """Vandermonde matrix in Legendre polynomials of x scaled to [-1, 1] (well conditioned)."""
    return np.polynomial.legendre.legvander(2 * x - 1, degree)  # (n, degree+1)


def _poly_fit_predict(x_train, y_train, x_eval, degree):
    w, *_ = np.linalg.lstsq(_poly_design(x_train, degree), y_train, rcond=None)
    return _poly_design(x_eval, degree) @ w


@experiment(
    "rule_learned_from_examples",
    claims=["CL-001"],
    topic=TOPIC,
    title="A decision stump recovers the hand-coded rule 'allow if age > 18'",
)
def rule_learned(ctx):
    rng = ctx.rng()
    n = 2_000 if ctx.quick else 20_000
    age = rng.integers(0, 80, size=n).astype(float)
    rule = (age > 18).astype(int)
    noisy = np.where(rng.random(n) < 0.05, 1 - rule, rule)  # 5% label noise
    # Exhaustive search over thresholds (midpoints between distinct ages): the CART stump.
    values = np.unique(age)
    thresholds = (values[:-1] + values[1:]) / 2
    predictions = age[None, :] > thresholds[:, None]  # (n_thr, n)
    accuracy = (predictions == noisy[None, :]).mean(axis=1)
    best = thresholds[np.argmax(accuracy)]
    learned_acc = accuracy.max()
    rule_acc = (rule == noisy).mean()
    fig, ax = ctx.figure()
    ax.plot(thresholds, accuracy, marker=".")
    ax.axvline(18, color="k", ls="--", label="hand-coded rule: 18")
    ax.axvline(best, color="tab:red", label=f"learned: {best:.1f}")
    ax.set_xlabel("threshold on age")
    ax.set_ylabel("training accuracy")
    ax.legend()
    return Outcome(
        metrics={
            "learned_threshold": best,
            "learned_accuracy": learned_acc,
            "rule_accuracy": rule_acc,
            "n": n,
        },
        checks={
            "learned threshold within ±1 of 18": abs(best - 18) <= 1,
            "learned accuracy within 1 point of the rule's": abs(learned_acc - rule_acc) < 0.01,
        },
        figure=fig,
        summary=f"From {n} noisy examples the stump learned 'age > {best:.1f}' "
        f"(accuracy {learned_acc:.3f} vs the rule's {rule_acc:.3f}).",
    )


@experiment(
    "polynomial_under_overfit",
    claims=["CL-002"],
    topic=TOPIC,
    title="Too simple underfits, too complex overfits: test error is U-shaped in degree",
)
def polynomial_fit(ctx):
    rng = ctx.rng()
    n_train, n_test, noise = 30, 2_000, 0.3
    degrees = np.arange(1, 16)
    n_rep = 20 if ctx.quick else 200
    train_mse = np.zeros((n_rep, len(degrees)))
    test_mse = np.zeros((n_rep, len(degrees)))
    for r in range(n_rep):
        x = rng.random(n_train)
        y = np.sin(2 * np.pi * x) + rng.normal(0, noise, n_train)
        xt = rng.random(n_test)
        yt = np.sin(2 * np.pi * xt) + rng.normal(0, noise, n_test)
        for j, d in enumerate(degrees):
            train_mse[r, j] = np.mean((_poly_fit_predict(x, y, x, d) - y) ** 2)
            test_mse[r, j] = np.mean((_poly_fit_predict(x, y, xt, d) - yt) ** 2)
    tr, te = np.median(train_mse, 0), np.median(test_mse, 0)
    best = int(degrees[np.argmin(te)])
    fig, ax = ctx.figure()
    ax.semilogy(degrees, tr, marker="o", label="train MSE")
    ax.semilogy(degrees, te, marker="o", label="test MSE")
    ax.axhline(noise**2, color="k", ls=":", label="noise floor σ²")
    ax.set_xlabel("polynomial degree")
    ax.set_ylabel(f"median MSE over {n_rep} datasets")
    ax.legend()
    return Outcome(
        metrics={
            "degrees": degrees.tolist(),
            "train_mse": tr.tolist(),
            "test_mse": te.tolist(),
            "best_degree": best,
        },
        checks={
            "degree 1 underfits: train and test MSE both > 2x the noise variance": tr[0]
            > 2 * noise**2
            and te[0] > 2 * noise**2,
            "training MSE never increases with degree": bool(np.all(np.diff(tr) <= 1e-12)),
            "test MSE is U-shaped: its minimum is at an intermediate degree": 2 <= best <= 10,
            "degree 15 overfits: test MSE > 2x the best test MSE": te[-1] > 2 * te.min(),
        },
        figure=fig,
        summary=f"Train MSE falls monotonically with degree while test MSE is smallest at degree "
        f"{best} ({te.min():.3f}) and {te[-1] / te.min():.0f}x larger at degree 15.",
    )


@experiment(
    "bias_variance_tradeoff",
    claims=["CL-004"],
    topic=TOPIC,
    title="Bias² falls and variance rises with model complexity",
)
def bias_variance(ctx):
    rng = ctx.rng()
    n_train, noise = 40, 0.3
    degrees = np.arange(0, 10)
    n_sets = 50 if ctx.quick else 200
    x_eval = np.linspace(0.02, 0.98, 200)
    f_eval = np.sin(2 * np.pi * x_eval)
    preds = np.empty((n_sets, len(degrees), x_eval.size))  # (sets, degrees, x)
    for s in range(n_sets):
        x = rng.random(n_train)
        y = np.sin(2 * np.pi * x) + rng.normal(0, noise, n_train)
        for j, d in enumerate(degrees):
            preds[s, j] = _poly_fit_predict(x, y, x_eval, d)
    mean_pred = preds.mean(axis=0)  # (degrees, x)
    bias2 = ((mean_pred - f_eval) ** 2).mean(axis=1)
    variance = preds.var(axis=0).mean(axis=1)
    expected_test = bias2 + variance + noise**2
    fig, ax = ctx.figure()
    ax.semilogy(degrees, bias2, marker="o", label="bias²")
    ax.semilogy(degrees, variance, marker="o", label="variance")
    ax.semilogy(degrees, expected_test, marker="o", label="bias² + variance + σ²")
    ax.set_xlabel("polynomial degree (complexity)")
    ax.legend()
    lo, mid, hi = 1, 5, 9
    rank_corr = np.corrcoef(np.argsort(np.argsort(variance)), degrees)[0, 1]
    return Outcome(
        metrics={
            "degrees": degrees.tolist(),
            "bias2": bias2.tolist(),
            "variance": variance.tolist(),
            "n_training_sets": n_sets,
            "variance_rank_correlation_with_degree": rank_corr,
        },
        checks={
            f"bias² at degree {mid} < 1/10 of bias² at degree {lo}": bias2[mid] < 0.1 * bias2[lo],
            f"variance at degree {hi} > 5x variance at degree {lo}": variance[hi]
            > 5 * variance[lo],
            "variance rises overall with degree (Spearman ρ > 0.8)": rank_corr > 0.8,
        },
        figure=fig,
        summary=f"Over {n_sets} training sets, bias² drops from {bias2[lo]:.3f} (degree {lo}) to "
        f"{bias2[mid]:.4f} (degree {mid}) while variance grows from {variance[lo]:.4f} to "
        f"{variance[hi]:.3f} (degree {hi}).",
    )


@experiment(
    "r2_reference_points",
    claims=["CL-020"],
    topic=TOPIC,
    title="R² is 1 for a perfect fit, 0 for the mean, negative when worse than the mean",
)
def r2_points(ctx):
    rng = ctx.rng()
    y = rng.normal(3.0, 2.0, size=500)

    def r2(pred):
        return 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)

    values = {
        "perfect": r2(y),
        "mean": r2(np.full_like(y, y.mean())),
        "shuffled": r2(rng.permutation(y)),
        "constant 0": r2(np.zeros_like(y)),
    }
    fig, ax = ctx.figure()
    ax.bar(
        list(values), list(values.values()), color=["tab:green", "tab:gray", "tab:red", "tab:red"]
    )
    ax.axhline(0, color="k", lw=1)
    ax.set_ylabel("R²")
    return Outcome(
        metrics=values,
        checks={
            "R² = 1 for a perfect prediction": np.isclose(values["perfect"], 1.0),
            "R² = 0 for predicting the mean": np.isclose(values["mean"], 0.0, atol=1e-12),
            "R² < 0 for predictions worse than the mean": values["shuffled"] < 0
            and values["constant 0"] < 0,
        },
        figure=fig,
        summary=f"R² = {values['perfect']:.3f} (perfect), {values['mean']:.1e} (mean), "
        f"{values['shuffled']:.2f} (shuffled predictions).",
    )


@experiment(
    "retraining_beats_drift",
    claims=["CL-011"],
    topic=TOPIC,
    title="Under concept drift a static model decays; periodic retraining restores it",
)
def drift(ctx):
    rng = ctx.rng()
    n_periods = 12
    n_per = 500 if ctx.quick else 5_000

    def batch(t):
        # The decision boundary rotates by 12 degrees per period (concept drift).
        angle = np.deg2rad(12 * t)
        X = rng.normal(size=(n_per, 2))
        w = np.array([np.cos(angle), np.sin(angle)])
        return X, (X @ w > 0).astype(int)

    def fit(X, y):
        # Least-squares linear classifier on ±1 targets (a fast, deterministic learner).
        A = np.c_[X, np.ones(len(X))]
        w, *_ = np.linalg.lstsq(A, 2.0 * y - 1.0, rcond=None)
        return w

    def accuracy(w, X, y):
        return float(((np.c_[X, np.ones(len(X))] @ w > 0) == y).mean())

    X0, y0 = batch(0)
    static = fit(X0, y0)
    acc_static, acc_retrained = [], []
    current = static
    for t in range(1, n_periods + 1):
        X, y = batch(t)
        acc_static.append(accuracy(static, X, y))
        acc_retrained.append(accuracy(current, X, y))
        current = fit(X, y)  # retrain on the newest labelled period
    fig, ax = ctx.figure()
    ax.plot(range(1, n_periods + 1), acc_static, marker="o", label="static model")
    ax.plot(range(1, n_periods + 1), acc_retrained, marker="o", label="retrained each period")
    ax.set_xlabel("period (boundary rotates 12° per period)")
    ax.set_ylabel("accuracy on the new period")
    ax.legend()
    return Outcome(
        metrics={"static": acc_static, "retrained": acc_retrained},
        checks={
            "static accuracy decays below 0.7 by the last period": acc_static[-1] < 0.7,
            "retrained accuracy stays above 0.9 throughout": min(acc_retrained) > 0.9,
        },
        figure=fig,
        summary=f"After {n_periods} periods the static model scores {acc_static[-1]:.2f}, the "
        f"retrained one {acc_retrained[-1]:.2f}.",
    )


@experiment(
    "vectorisation_speedup",
    claims=["CL-095"],
    topic=TOPIC,
    title="Vectorised NumPy is much faster than Python loops",
)
def vectorisation(ctx):
    rng = ctx.rng()
    sizes = [1_000, 10_000, 100_000] if ctx.quick else [1_000, 10_000, 100_000, 1_000_000]
    speedups = {"add": [], "dot": []}

    def best_time(fn, repeats=5):
        # The minimum over repeats is the least noisy estimate on a shared machine.
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return max(min(times), 1e-7)

    def loop_dot(al, bl):
        s = 0.0
        for x, y in zip(al, bl, strict=True):
            s += x * y
        return s

    from threadpoolctl import threadpool_limits

    # One BLAS thread: a fair comparison with the single-threaded Python loop, and immune to
    # thread wake-up stalls on a busy machine.
    limiter = threadpool_limits(limits=1)
    for n in sizes:
        a, b = rng.random(n), rng.random(n)
        al, bl = a.tolist(), b.tolist()
        t_loop = best_time(lambda al=al, bl=bl: [x + y for x, y in zip(al, bl, strict=True)])
        t_vec = best_time(lambda a=a, b=b: a + b)
        speedups["add"].append(t_loop / t_vec)
        t_loop = best_time(lambda al=al, bl=bl: loop_dot(al, bl))
        t_vec = best_time(lambda a=a, b=b: a @ b)
        speedups["dot"].append(t_loop / t_vec)
    limiter.restore_original_limits()
    fig, ax = ctx.figure()
    for k, v in speedups.items():
        ax.loglog(sizes, v, marker="o", label=k)
    ax.set_xlabel("n elements")
    ax.set_ylabel("speed-up (loop time / vectorised time)")
    ax.legend()
    big = {k: v[-1] for k, v in speedups.items()}
    return Outcome(
        metrics={"sizes": sizes, **{f"speedup_{k}": v for k, v in speedups.items()}},
        checks={f"{k}: ≥10x faster at n={sizes[-1]}": s >= 10 for k, s in big.items()},
        figure=fig,
        summary=f"At n={sizes[-1]:,} vectorised add is {big['add']:.0f}x and dot "
        f"{big['dot']:.0f}x faster than the Python loop.",
    )
