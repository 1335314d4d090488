"""Statistical inference, measured: Bayes' rule, entropy and KL, type-I error and power,
confidence-interval coverage, correlation, and the problems of small samples (inventory §3.3
CL-029..CL-033 and CL-010), with glassml.stats."""

from __future__ import annotations

import numpy as np
from scipy import special

from glassml import stats as gs
from glassml.experiments import Outcome, experiment

from .statistics import TOPIC
from .statistics import mc_standard_error as _se


@experiment(
    "diagnostic_test_paradox",
    claims=["CL-029"],
    title="Bayes' rule: a positive test for a rare disease",
    topic=TOPIC,
)
def diagnostic_test_paradox(ctx):
    n = 1_000_000 if ctx.quick else 10_000_000
    rng = ctx.rng()
    prevalence, sens, spec = 0.01, 0.95, 0.95
    sick = rng.random(n) < prevalence
    positive = np.where(sick, rng.random(n) < sens, rng.random(n) > spec)
    empirical = float(sick[positive].mean())
    bayes = gs.diagnostic_posterior(prevalence, sens, spec)
    se = _se(bayes, int(positive.sum()))
    prevs = np.logspace(-4, -0.3, 100)
    fig, ax = ctx.figure()
    ax.semilogx(
        prevs, [gs.diagnostic_posterior(p, sens, spec) for p in prevs], label="Bayes: P(D | +)"
    )
    ax.plot([prevalence], [empirical], "ro", label=f"simulated {empirical:.3f}")
    ax.set(
        xlabel="prevalence",
        ylabel="P(disease | positive)",
        title="95% sensitive, 95% specific test",
    )
    ax.legend(fontsize=8)
    checks = {
        "Bayes gives P(D|+) = 0.161": abs(bayes - 0.161) < 5e-4,
        "simulated P(D|+) within 4 s.e. of Bayes": abs(empirical - bayes) < 4 * se,
        "total probability: P(+) = 0.059": abs(positive.mean() - 0.059) < 4 * _se(0.059, n),
    }
    return Outcome(
        metrics={
            "empirical": empirical,
            "bayes": bayes,
            "p_positive": float(positive.mean()),
            "n": n,
        },
        checks=checks,
        figure=fig,
        summary=f"With 1% prevalence a positive 95%/95% test means disease with probability {empirical:.3f} "
        f"simulated vs {bayes:.3f} by Bayes' rule.",
    )


@experiment(
    "entropy_and_kl_properties",
    claims=["CL-030"],
    title="Entropy peaks at uniform; KL is non-negative and asymmetric",
    topic=TOPIC,
)
def entropy_and_kl_properties(ctx):
    rng = ctx.rng()
    trials = 2700 if ctx.quick else 90000
    max_excess, min_kl, self_kl, asym = -np.inf, np.inf, 0.0, 0
    per_k = trials // 9
    for k in range(2, 11):  # the measures act along the last axis: one call per k
        p, q = rng.dirichlet(np.ones(k), per_k), rng.dirichlet(np.ones(k), per_k)  # (per_k, k)
        kl_pq, kl_qp = gs.kl_divergence(p, q), gs.kl_divergence(q, p)  # (per_k,)
        max_excess = max(max_excess, float(np.max(gs.entropy(p) - np.log(k))))
        min_kl = min(min_kl, float(kl_pq.min()))
        self_kl = max(self_kl, float(np.abs(gs.kl_divergence(p, p)).max()))
        asym += int(np.sum(np.abs(kl_pq - kl_qp) > 1e-6))
    trials = per_k * 9
    coin = float(gs.entropy([0.5, 0.5], base=2))
    uniform_gap = max(abs(float(gs.entropy(np.full(k, 1 / k))) - np.log(k)) for k in range(2, 11))
    ps = np.linspace(0.001, 0.999, 999)
    H = gs.entropy(np.stack([ps, 1 - ps], axis=1), base=2)
    kl_pq = float(gs.kl_divergence([0.9, 0.1], [0.5, 0.5]))
    kl_qp = float(gs.kl_divergence([0.5, 0.5], [0.9, 0.1]))
    fig, ax = ctx.figure()
    ax.plot(ps, H, label="H(p) of a coin, bits")
    ax.axvline(0.5, ls=":", c="k")
    ax.set(
        xlabel="p(heads)",
        ylabel="bits",
        title=f"entropy max 1 bit at p=0.5; KL(.9,.1‖.5,.5)={kl_pq:.3f} ≠ {kl_qp:.3f}",
    )
    ax.legend(fontsize=8)
    checks = {
        "fair coin has 1 bit": abs(coin - 1.0) < 1e-12,
        "H(p) <= log k for every random p, with equality at uniform": max_excess <= 1e-12
        and uniform_gap < 1e-12,
        "binary entropy peaks at p = 0.5": abs(ps[np.argmax(H)] - 0.5) < 1e-3,
        "KL(p‖q) >= 0 for all random pairs": min_kl >= 0,
        "KL(p‖p) = 0": self_kl < 1e-14,
        "KL is asymmetric (KL(p‖q) ≠ KL(q‖p)) for almost all pairs": asym > 0.95 * trials,
    }
    return Outcome(
        metrics={
            "fair_coin_bits": coin,
            "max_entropy_excess": max_excess,
            "min_kl": min_kl,
            "asymmetric_share": asym / trials,
            "kl_pq": kl_pq,
            "kl_qp": kl_qp,
        },
        checks=checks,
        figure=fig,
        summary=f"Over {trials} random distributions H(p) <= log k (uniform attains it; a fair coin has {coin:.0f} bit), "
        f"KL >= 0 (min {min_kl:.2e}), KL(p‖p) = 0, and KL(.9,.1‖.5,.5) = {kl_pq:.3f} vs {kl_qp:.3f} reversed.",
    )


def _welch_free_ttest_pvalues(x, y):
    """Student two-sample t-test p-values, vectorised over rows of x, y (n per group)."""
    n = x.shape[1]
    pooled = (x.var(axis=1, ddof=1) + y.var(axis=1, ddof=1)) / 2
    t = (x.mean(axis=1) - y.mean(axis=1)) / np.sqrt(pooled * 2 / n)
    return 2 * special.stdtr(2 * n - 2, -np.abs(t))


@experiment(
    "type_one_error_and_power",
    claims=["CL-031"],
    title="Type-I error equals alpha; small samples lack power",
    topic=TOPIC,
)
def type_one_error_and_power(ctx):
    rng = ctx.rng()
    reps = 10_000 if not ctx.quick else 4_000
    n0 = 20
    x, y = rng.normal(size=(reps, n0)), rng.normal(size=(reps, n0))
    p0 = _welch_free_ttest_pvalues(x, y)
    # our ttest_ind on a subset gives the same p-values
    same = max(abs(gs.ttest_ind(x[i], y[i]).pvalue - p0[i]) for i in range(50))
    type1 = float(np.mean(p0 < 0.05))
    d = 0.2
    grid = np.unique(np.geomspace(20, 1000, 30).astype(int))
    power_curve = gs.ttest_power(d, grid)
    sim_ns = [20, 100, 300] if ctx.quick else [20, 50, 100, 200, 500, 1000]
    sim_reps = 1500 if ctx.quick else 5000
    sim_power = []
    for n in sim_ns:
        a, b = rng.normal(0, 1, (sim_reps, n)), rng.normal(d, 1, (sim_reps, n))
        sim_power.append(float(np.mean(_welch_free_ttest_pvalues(a, b) < 0.05)))
    p100 = float(gs.ttest_power(d, 100))
    sim100 = sim_power[sim_ns.index(100)]
    n80 = gs.ttest_sample_size(d, 0.8)
    fig, ax = ctx.figure()
    ax.semilogx(grid, power_curve, label="power (noncentral t), d = 0.2")
    ax.semilogx(sim_ns, sim_power, "o", label="simulated")
    ax.axhline(0.8, ls=":", c="k")
    ax.axvline(100, ls=":", c="tab:red")
    ax.set(
        xlabel="n per group",
        ylabel="power",
        title=f"type-I rate {type1:.3f}; power at n=100: {p100:.3f}",
    )
    ax.legend(fontsize=8)
    checks = {
        "type-I rate within 4 s.e. of 0.05": abs(type1 - 0.05) < 4 * _se(0.05, reps),
        "glassml ttest_ind gives the same p-values": same < 1e-12,
        "power at n=100 per group, d=0.2 ≈ 0.29": abs(p100 - 0.29) < 0.01,
        "simulated power at n=100 within 4 s.e.": abs(sim100 - p100) < 4 * _se(p100, sim_reps),
        "power rises with n": bool(np.all(np.diff(power_curve) > 0)),
    }
    return Outcome(
        metrics={
            "type1_rate": type1,
            "power_n100": p100,
            "simulated_power": dict(zip(map(str, sim_ns), sim_power, strict=True)),
            "n_for_80pct": n80,
        },
        checks=checks,
        figure=fig,
        summary=f"Under H0 {type1:.3f} of {reps} t-tests reject at α=0.05; with d=0.2 the power at n=100 per group "
        f"is {p100:.3f} (simulated {sim100:.3f}) and 80% power needs n={n80} per group.",
    )


@experiment(
    "confidence_interval_coverage",
    claims=["CL-032"],
    title="95% intervals cover 95% of the time (t, not z, at small n)",
    topic=TOPIC,
)
def confidence_interval_coverage(ctx):
    rng = ctx.rng()
    reps = 10_000 if ctx.quick else 100_000
    ns = [3, 5, 10, 30, 100]
    mu, sigma = 2.0, 3.0
    t_cov, z_cov, max_gap = [], [], 0.0
    for n in ns:
        X = rng.normal(mu, sigma, (reps, n))
        centre, sem = X.mean(axis=1), X.std(axis=1, ddof=1) / np.sqrt(n)  # (reps,)
        t_half = special.stdtrit(n - 1, 0.975) * sem
        z_half = special.ndtri(0.975) * sem  # sample sd plugged into a normal quantile
        # the vectorised intervals are glassml's t_interval / z_interval, row by row
        for i in range(20):
            max_gap = max(
                max_gap,
                abs(gs.t_interval(X[i]).high - (centre[i] + t_half[i])),
                abs(gs.z_interval(X[i]).low - (centre[i] - z_half[i])),
            )
        t_cov.append(float(np.mean(np.abs(centre - mu) <= t_half)))
        z_cov.append(float(np.mean(np.abs(centre - mu) <= z_half)))
    fig, ax = ctx.figure()
    ax.plot(ns, t_cov, "o-", label="t-interval")
    ax.plot(ns, z_cov, "s-", label="z-interval with sample sd")
    ax.axhline(0.95, ls=":", c="k")
    ax.set_xscale("log")
    ax.set(xlabel="n", ylabel="coverage", title=f"coverage of 95% intervals ({reps} samples each)")
    ax.legend(fontsize=8)
    se = _se(0.95, reps)
    checks = {
        "t-interval covers 95% within 4.5 s.e. at every n": all(
            abs(c - 0.95) < 4.5 * se for c in t_cov
        ),
        "z-interval under-covers at n = 5 (< 0.92)": z_cov[1] < 0.92,
        "z-interval is near 95% at n = 100": abs(z_cov[-1] - 0.95) < 4 * se + 0.005,
        "vectorised intervals equal glassml's t_interval / z_interval": max_gap < 1e-12,
    }
    return Outcome(
        metrics={"n": ns, "t_coverage": t_cov, "z_coverage": z_cov},
        checks=checks,
        figure=fig,
        summary=f"t-intervals cover {min(t_cov):.3f}–{max(t_cov):.3f}; z-intervals with the sample sd cover only "
        f"{z_cov[1]:.3f} at n=5 and {z_cov[-1]:.3f} at n=100.",
    )


@experiment(
    "correlation_properties",
    claims=["CL-033"],
    title="Correlation is standardised covariance",
    topic=TOPIC,
)
def correlation_properties(ctx):
    rng = ctx.rng()
    trials = 200 if ctx.quick else 5000
    max_abs_r, max_affine, max_formula, max_flip = 0.0, 0.0, 0.0, 0.0
    for _ in range(trials):
        n = int(rng.integers(5, 200))
        x = rng.standard_t(3, n)
        y = rng.normal() * x + rng.standard_t(3, n) * rng.uniform(0.1, 3)
        r = gs.pearsonr(x, y).statistic
        a, b = np.exp(rng.uniform(-3, 3)), rng.normal(0, 10)
        max_abs_r = max(max_abs_r, abs(r))
        max_affine = max(max_affine, abs(gs.pearsonr(a * x + b, y).statistic - r))
        max_flip = max(max_flip, abs(gs.pearsonr(-a * x + b, y).statistic + r))
        c = gs.covariance(np.stack([x, y], axis=1))
        max_formula = max(max_formula, abs(c[0, 1] / np.sqrt(c[0, 0] * c[1, 1]) - r))
    x = rng.normal(size=200)
    line = gs.pearsonr(x, 3 * x - 2).statistic
    fig, axes = ctx.figure(1, 3, width=3.3)
    for ax, (label, yy) in zip(
        axes,
        [
            ("y = x + noise", x + rng.normal(size=200)),
            ("y = 100x + 5 + 100·noise", 100 * x + 5 + 100 * rng.normal(size=200)),
            ("y = −x + noise", -x + rng.normal(size=200)),
        ],
        strict=True,
    ):
        ax.scatter(x, yy, s=6)
        ax.set(title=f"{label}\nr = {gs.pearsonr(x, yy).statistic:.3f}")
    checks = {
        "|r| <= 1 always": max_abs_r <= 1.0,
        "r unchanged by positive affine maps (1e-12)": max_affine < 1e-12,
        "a negative scale flips the sign of r": max_flip < 1e-12,
        "r = cov(x,y) / (σx σy)": max_formula < 1e-12,
        "r = 1 for an exact increasing line": abs(line - 1) < 1e-14,
    }
    return Outcome(
        metrics={
            "max_abs_r": max_abs_r,
            "max_affine_change": max_affine,
            "max_formula_gap": max_formula,
        },
        checks=checks,
        figure=fig,
        summary=f"Over {trials} random heavy-tailed pairs |r| <= {max_abs_r:.3f}, positive affine maps change r by at "
        f"most {max_affine:.1e}, and r equals the standardised covariance.",
    )


def _poly_features(X, degree=6):
    """All monomials x₁^i x₂^j with i + j <= degree (28 columns for degree 6)."""
    cols = [X[:, 0] ** i * X[:, 1] ** j for i in range(degree + 1) for j in range(degree + 1 - i)]
    return np.stack(cols, axis=1)  # (n, n_monomials)


def _poly_classifier_correct(X_train, y_train, X_eval, y_eval):
    """Correctness (0/1) of a degree-6 polynomial least-squares classifier (a flexible model)."""
    w, *_ = np.linalg.lstsq(_poly_features(X_train), 2.0 * y_train - 1.0, rcond=None)
    return ((_poly_features(X_eval) @ w > 0) == (y_eval == 1)).astype(float)


def _two_moons_like(rng, n):
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, np.pi, n)
    X = np.stack([np.cos(angle) + y * 1.0, np.sin(angle) * (1 - 2 * y) + 0.3 * y], axis=1)
    return X + rng.normal(0, 0.35, X.shape), y


@experiment(
    "small_sample_problems",
    claims=["CL-010"],
    title="Small samples: overfitting, wide intervals, bias, imbalance",
    topic=TOPIC,
)
def small_sample_problems(ctx):
    rng = ctx.rng()
    big = 3_000 if ctx.quick else 10_000
    # (a) a degree-6 polynomial classifier trained on n = 100 (30 repetitions) vs n = big; 30% held out
    res = {}
    for n, repeats in ((100, 30), (big, 1)):
        gaps, widths, tests, trains = [], [], [], []
        for _ in range(repeats):
            X, y = _two_moons_like(rng, n)
            cut = int(0.7 * n)
            train_acc = _poly_classifier_correct(X[:cut], y[:cut], X[:cut], y[:cut]).mean()
            correct = _poly_classifier_correct(X[:cut], y[:cut], X[cut:], y[cut:])
            ci = gs.bootstrap(
                correct, np.mean, n_resamples=1000, method="percentile", random_state=rng
            ).confidence_interval
            gaps.append(train_acc - correct.mean())
            widths.append(ci.high - ci.low)
            tests.append(correct.mean())
            trains.append(train_acc)
        res[n] = {
            "train_acc": float(np.mean(trains)),
            "test_acc": float(np.mean(tests)),
            "gap": float(np.mean(gaps)),
            "ci_width": float(np.mean(widths)),
        }
    # (b) sampling only one subgroup biases predictions for the whole population
    N = 100_000
    xpop = rng.uniform(-2, 2, N)
    ypop = xpop**2 + rng.normal(0, 0.3, N)
    random_idx = gs.simple_random_sample(xpop, 100, random_state=rng)
    sub_idx = rng.choice(np.flatnonzero(xpop > 0.5), 100, replace=False)
    bias = {}
    for name, idx in (("random", random_idx), ("subgroup x>0.5", sub_idx)):
        coef = np.polyfit(xpop[idx], ypop[idx], 1)  # a straight line, the usual simple model
        bias[name] = float(np.mean(np.polyval(coef, xpop) - ypop))
    # (c) minority share across samples of 100 drawn from a population with 10% minority
    shares = (rng.random((5000, 100)) < 0.10).mean(axis=1)
    share_sd = float(shares.std())
    low_share = float(np.mean(shares <= 0.05))
    fig, axes = ctx.figure(1, 3, width=3.4)
    axes[0].bar(["n=100", f"n={big}"], [res[100]["ci_width"], res[big]["ci_width"]])
    axes[0].set(title="95% bootstrap CI width\nof test accuracy")
    axes[1].scatter(xpop[::200], ypop[::200], s=3, c="0.7")
    grid = np.linspace(-2, 2, 100)
    for name, idx in (("random", random_idx), ("subgroup x>0.5", sub_idx)):
        axes[1].plot(
            grid,
            np.polyval(np.polyfit(xpop[idx], ypop[idx], 1), grid),
            label=f"{name}: bias {bias[name]:.2f}",
        )
    axes[1].set(ylim=(-1, 6), title="fit on 100 samples")
    axes[1].legend(fontsize=6)
    axes[2].hist(shares, bins=np.arange(0, 0.26, 0.01), density=True)
    axes[2].set(title=f"minority share, samples of 100\n(sd {share_sd:.3f})")
    checks = {
        "mean train-test gap larger at n=100 (by > 0.03)": res[100]["gap"] > res[big]["gap"] + 0.03,
        "bootstrap CI of accuracy > 3x wider at n=100": res[100]["ci_width"]
        > 3 * res[big]["ci_width"],
        "subgroup-only sample biases population predictions (|bias| > 5x random)": abs(
            bias["subgroup x>0.5"]
        )
        > 5 * abs(bias["random"]) + 0.05,
        "minority share sd ≈ sqrt(0.1·0.9/100) = 0.03": abs(share_sd - 0.03) < 0.003,
        "over 5% of samples of 100 hold at most half the true minority share": low_share > 0.05,
    }
    return Outcome(
        metrics={
            "accuracy": {str(k): v for k, v in res.items()},
            "bias": bias,
            "minority_share_sd": share_sd,
            "share_at_most_5pct": low_share,
        },
        checks=checks,
        figure=fig,
        summary=f"At n=100 the train-test gap is {res[100]['gap']:.3f} (vs {res[big]['gap']:.3f}) and the accuracy CI is {res[100]['ci_width']:.2f} wide vs {res[big]['ci_width']:.3f} at n={big}; "
        f"a subgroup-only sample biases predictions by {bias['subgroup x>0.5']:.2f}; the 10% minority share varies with "
        f"sd {share_sd:.3f} and falls to <=5% in {low_share:.1%} of samples.",
    )
