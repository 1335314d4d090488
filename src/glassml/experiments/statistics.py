"""Statistics and probability claims of the curriculum (inventory §3.3 CL-024..CL-033, and
CL-010 from §3.1), measured with glassml.stats, asserted and drawn."""

from __future__ import annotations

import numpy as np
from scipy import integrate, special
from scipy import stats as sps

from glassml import stats as gs
from glassml.experiments import Outcome, experiment

TOPIC = "statistics"


def _se(p: float, n: int) -> float:
    """Monte-Carlo standard error of a proportion p estimated from n draws."""
    return float(np.sqrt(max(p * (1 - p), 1e-12) / n))


@experiment(
    "normal_68_95_rule",
    claims=["CL-024"],
    title="The 68-95 rule and mean = median = mode",
    topic=TOPIC,
)
def normal_68_95_rule(ctx):
    n = 200_000 if ctx.quick else 1_000_000
    dist = gs.Normal(mu=3.0, sigma=2.0)
    x = dist.sample(n, random_state=ctx.rng())
    z = np.abs(x - dist.mu) / dist.sigma
    within = {k: float(np.mean(z <= k)) for k in (1.0, 1.96, 2.0, 3.0)}
    exact = {
        k: float(dist.cdf(dist.mu + k * dist.sigma) - dist.cdf(dist.mu - k * dist.sigma))
        for k in within
    }
    # mode: vertex of a parabola fitted to the log-histogram within ±1σ of the peak region
    counts, edges = np.histogram(x, bins=np.arange(-7.0, 13.0, 0.1))
    centres = 0.5 * (edges[1:] + edges[:-1])
    near = np.abs(centres - centres[np.argmax(counts)]) <= dist.sigma
    c2, c1, _ = np.polyfit(centres[near], np.log(counts[near]), 2)
    mode = float(-c1 / (2 * c2))
    grid = np.linspace(-3, 9, 601)
    mean, median = float(np.mean(x)), float(np.median(x))
    fig, ax = ctx.figure()
    ax.stairs(counts / (n * 0.1), edges, fill=True, alpha=0.4, label="samples")
    ax.plot(grid, dist.pdf(grid), "k", label="N(3, 2²) pdf")
    for k, colour in ((1.0, "tab:green"), (2.0, "tab:orange")):
        ax.axvspan(
            3 - 2 * k, 3 + 2 * k, alpha=0.08, color=colour, label=f"±{k:g}σ: {within[k]:.2%}"
        )
    ax.axvline(mean, ls="--", c="r", label=f"mean {mean:.3f}, median {median:.3f}, mode {mode:.2f}")
    ax.set(title="68-95 rule on 1e6 normal draws" if not ctx.quick else "68-95 rule", xlabel="x")
    ax.legend(fontsize=7)
    checks = {
        f"share within {k:g}σ matches {exact[k]:.4f} within 4 MC s.e.": abs(within[k] - exact[k])
        < 4 * _se(exact[k], n)
        for k in within
    }
    checks["68.27% within 1σ, 95.45% within 2σ (analytic)"] = (
        abs(exact[1.0] - 0.6827) < 1e-4 and abs(exact[2.0] - 0.9545) < 1e-4
    )
    checks["1.96σ holds 95%"] = abs(exact[1.96] - 0.95) < 1e-3
    checks["mean ≈ median ≈ mode ≈ μ (within 0.05σ)"] = (
        max(abs(mean - 3), abs(median - 3), abs(mode - 3)) < 0.1
    )
    return Outcome(
        metrics={
            "within": within,
            "exact": exact,
            "mean": mean,
            "median": median,
            "mode": mode,
            "n": n,
        },
        checks=checks,
        figure=fig,
        summary=f"{within[1.0]:.2%} of draws lie within 1σ and {within[2.0]:.2%} within 2σ "
        f"(exact 68.27% / 95.45%); mean {mean:.3f}, median {median:.3f}, mode {mode:.2f}.",
    )


@experiment(
    "clt_convergence",
    claims=["CL-025"],
    title="CLT: means of exponentials approach a normal",
    topic=TOPIC,
)
def clt_convergence(ctx):
    ns = np.array([1, 2, 4, 8, 16, 32, 64])
    reps = 20_000 if ctx.quick else 100_000
    rng = ctx.rng()
    ks_sim, ks_exact, skew = [], [], []
    for n in ns:
        z = gs.clt_simulation(
            lambda r, size: r.exponential(size=size),
            int(n),
            reps,
            random_state=rng,
            standardize=(1.0, 1.0),
        )
        ks_sim.append(gs.kstest(z, gs.Normal(), method="asymp").statistic)
        skew.append(float(gs.skewness(z)))
        # exact: the mean of n Exp(1) is Gamma(n, rate n); its distance to the normal on a fine grid
        grid = np.linspace(-6, 8, 20001)
        exact_cdf = gs.Gamma(float(n), float(n)).cdf(1.0 + grid / np.sqrt(n))
        ks_exact.append(float(np.max(np.abs(exact_cdf - gs.Normal().cdf(grid)))))
    ks_sim, ks_exact, skew = map(np.asarray, (ks_sim, ks_exact, skew))
    slope_ks = float(np.polyfit(np.log(ns), np.log(ks_exact), 1)[0])
    slope_skew = float(np.polyfit(np.log(ns), np.log(np.abs(skew)), 1)[0])
    noise = 1.0 / np.sqrt(reps)
    fig, ax = ctx.figure()
    ax.loglog(ns, ks_exact, "o-", label=f"KS distance, exact (slope {slope_ks:.2f})")
    ax.loglog(ns, ks_sim, "s", mfc="none", label="KS distance, simulated")
    ax.loglog(ns, skew, "^-", label=f"skewness of means (slope {slope_skew:.2f})")
    ax.loglog(ns, 2 / np.sqrt(ns), "k:", label="2/√n")
    ax.set(xlabel="n (draws averaged)", title="CLT for Exp(1) means")
    ax.legend(fontsize=7)
    checks = {
        "KS distance falls like n^-1/2 (log-log slope in [-0.6, -0.4])": -0.6 <= slope_ks <= -0.4,
        "skewness falls like n^-1/2 (slope in [-0.65, -0.35])": -0.65 <= slope_skew <= -0.35,
        "skewness ≈ 2/√n": bool(
            np.all(np.abs(skew - 2 / np.sqrt(ns)) < 0.1 + 0.1 * 2 / np.sqrt(ns))
        ),
        "simulated KS agrees with the exact distance within MC noise": bool(
            np.all(np.abs(ks_sim - ks_exact) < 2.5 * noise)
        ),
    }
    return Outcome(
        metrics={
            "n": ns.tolist(),
            "ks_exact": ks_exact.tolist(),
            "ks_simulated": ks_sim.tolist(),
            "skewness": skew.tolist(),
            "slope_ks": slope_ks,
            "slope_skew": slope_skew,
        },
        checks=checks,
        figure=fig,
        summary=f"From n=1 to 64 the KS distance to N(0,1) falls {ks_exact[0]:.3f}→{ks_exact[-1]:.4f} "
        f"(slope {slope_ks:.2f}) and skewness {skew[0]:.2f}→{skew[-1]:.3f} (slope {slope_skew:.2f}), ≈ 1/√n.",
    )


@experiment(
    "exponential_memoryless",
    claims=["CL-026"],
    title="The exponential distribution is memoryless",
    topic=TOPIC,
)
def exponential_memoryless(ctx):
    n = 400_000 if ctx.quick else 2_000_000
    x = gs.Exponential(rate=1.0).sample(n, random_state=ctx.rng())
    y = gs.Gamma(shape=3.0, rate=3.0).sample(
        n, random_state=ctx.rng(1)
    )  # same mean, not memoryless
    grid = [0.25, 0.5, 1.0, 1.5]
    rows, max_z, gamma_gap = [], 0.0, 0.0
    for s in grid:
        for t in grid:
            survived = x > s
            cond = float(np.mean(x[survived] > s + t))
            uncond = float(np.mean(x > t))
            se = np.sqrt(_se(uncond, n) ** 2 + _se(cond, int(survived.sum())) ** 2)
            max_z = max(max_z, abs(cond - uncond) / se)
            g_cond = float(np.mean(y[y > s] > s + t))
            gamma_gap = max(gamma_gap, abs(g_cond - float(np.mean(y > t))))
            rows.append((s, t, cond, uncond, g_cond))
    rows_arr = np.array(rows)
    fig, ax = ctx.figure()
    ax.plot(rows_arr[:, 3], rows_arr[:, 2], "o", label="Exponential")
    ax.plot(rows_arr[:, 3], rows_arr[:, 4], "x", label="Gamma(3) (same mean)")
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    ax.set(
        xlabel="P(X > t)", ylabel="P(X > s+t | X > s)", title="Memorylessness over a grid of (s, t)"
    )
    ax.legend(fontsize=8)
    checks = {
        "exponential: P(X>s+t | X>s) = P(X>t) within 4 MC s.e. on the whole grid": max_z < 4.0,
        "analytic identity sf(s+t)/sf(s) = sf(t)": bool(
            np.allclose(
                gs.Exponential(1.0).sf(rows_arr[:, 0] + rows_arr[:, 1])
                / gs.Exponential(1.0).sf(rows_arr[:, 0]),
                gs.Exponential(1.0).sf(rows_arr[:, 1]),
                rtol=1e-12,
            )
        ),
        "a Gamma(3) with the same mean is not memoryless (gap > 0.05)": gamma_gap > 0.05,
    }
    return Outcome(
        metrics={"max_abs_z": max_z, "gamma_max_gap": gamma_gap, "grid": rows_arr.tolist()},
        checks=checks,
        figure=fig,
        summary=f"Over 16 (s, t) pairs the exponential's conditional survival equals P(X>t) within "
        f"{max_z:.2f} s.e.; a Gamma(3) of the same mean misses by up to {gamma_gap:.2f}.",
    )


@experiment(
    "median_is_robust",
    claims=["CL-027"],
    title="The median is robust to outliers and skew; the mean is not",
    topic=TOPIC,
)
def median_is_robust(ctx):
    n = 5_000 if ctx.quick else 50_000
    rng = ctx.rng()
    clean = rng.normal(50.0, 10.0, n)
    dirty = clean.copy()
    k = n // 100
    dirty[rng.choice(n, k, replace=False)] = 1_000.0  # 1% gross outliers
    mean_shift = float(gs.mean(dirty) - gs.mean(clean))
    median_shift = float(gs.median(dirty) - gs.median(clean))
    logn = rng.lognormal(0.0, 1.0, n)
    ln_mean, ln_median = float(gs.mean(logn)), float(gs.median(logn))
    fig, axes = ctx.figure(1, 2)
    axes[0].bar(["mean", "median"], [mean_shift, median_shift], color=["tab:red", "tab:blue"])
    axes[0].set(title="shift after 1% outliers at 1000", ylabel="shift")
    axes[1].hist(logn[logn < 15], bins=100, density=True, alpha=0.5)
    axes[1].axvline(ln_mean, c="tab:red", label=f"mean {ln_mean:.2f}")
    axes[1].axvline(ln_median, c="tab:blue", label=f"median {ln_median:.2f}")
    axes[1].set(title="lognormal(0, 1)")
    axes[1].legend(fontsize=8)
    checks = {
        "1% outliers move the mean by > 5 (about 9.5)": mean_shift > 5,
        "the median moves by < 0.5": abs(median_shift) < 0.5,
        "mean shift / median shift > 20": mean_shift > 20 * abs(median_shift),
        "lognormal: mean ≈ e^0.5 = 1.65 sits far above median ≈ 1": ln_mean > 1.4
        and abs(ln_median - 1) < 0.1,
    }
    return Outcome(
        metrics={
            "mean_shift": mean_shift,
            "median_shift": median_shift,
            "lognormal_mean": ln_mean,
            "lognormal_median": ln_median,
        },
        checks=checks,
        figure=fig,
        summary=f"1% outliers shift the mean by {mean_shift:.2f} but the median by {median_shift:.3f}; "
        f"on lognormal data mean {ln_mean:.2f} vs median {ln_median:.2f}.",
    )


@experiment(
    "distribution_formulas_and_moments",
    claims=["CL-028"],
    title="pmf/pdf formulas and moment identities",
    topic=TOPIC,
)
def distribution_formulas_and_moments(ctx):
    n = 100_000 if ctx.quick else 1_000_000
    rng = ctx.rng()
    cases = [
        ("Normal(1,2)", gs.Normal(1.0, 2.0), sps.norm(1.0, 2.0), np.linspace(-6, 8, 4001)),
        (
            "Exponential(1.5)",
            gs.Exponential(1.5),
            sps.expon(scale=1 / 1.5),
            np.linspace(0, 20, 8001),
        ),
        ("Uniform(-1,3)", gs.Uniform(-1.0, 3.0), sps.uniform(-1, 4), np.linspace(-1, 3, 4001)),
        ("Beta(2,5)", gs.Beta(2.0, 5.0), sps.beta(2, 5), np.linspace(0, 1, 4001)),
        ("Gamma(3,2)", gs.Gamma(3.0, 2.0), sps.gamma(3, scale=0.5), np.linspace(0, 25, 8001)),
        ("Bernoulli(0.3)", gs.Bernoulli(0.3), sps.bernoulli(0.3), np.arange(0, 2)),
        ("Binomial(10,0.4)", gs.Binomial(10, 0.4), sps.binom(10, 0.4), np.arange(0, 11)),
        ("Poisson(4)", gs.Poisson(4.0), sps.poisson(4.0), np.arange(0, 60)),
    ]
    names, pdf_err, identity_err, z_mean, z_var = [], [], [], [], []
    for name, ours, ref, grid in cases:
        names.append(name)
        ref_f = ref.pmf(grid) if ours.discrete else ref.pdf(grid)
        pdf_err.append(float(np.max(np.abs(ours.pdf(grid) - ref_f) / np.maximum(ref_f, 1e-300))))
        f = ours.pdf(grid)
        if ours.discrete:
            ex, ex2 = float(grid @ f), float((grid**2) @ f)
        else:
            lo, hi = ref.support()
            ex = integrate.quad(lambda t, d=ours: t * float(d.pdf(t)), lo, hi, limit=200)[0]
            ex2 = integrate.quad(lambda t, d=ours: t * t * float(d.pdf(t)), lo, hi, limit=200)[0]
        identity_err.append(abs((ex2 - ex**2) - ours.var()) / ours.var())
        s = ours.sample(n, random_state=rng).astype(float)
        z_mean.append(abs(s.mean() - ours.mean()) / np.sqrt(ours.var() / n))
        fourth = float(np.mean((s - s.mean()) ** 4))
        z_var.append(abs(s.var() - ours.var()) / np.sqrt(max(fourth - s.var() ** 2, 1e-12) / n))
    fig, ax = ctx.figure()
    x = np.arange(len(names))
    ax.bar(x - 0.2, z_mean, 0.4, label="|sample mean − E[X]| / s.e.")
    ax.bar(x + 0.2, z_var, 0.4, label="|sample var − Var X| / s.e.")
    ax.axhline(4, c="k", ls=":", lw=1)
    ax.set_xticks(x, names, rotation=40, ha="right", fontsize=7)
    ax.set(title="sample vs analytic moments")
    ax.legend(fontsize=7)
    checks = {
        "pdf/pmf equal scipy.stats to 1e-10 (relative)": max(pdf_err) < 1e-10,
        "Var = E[X²] − E[X]² by integration/summation (1e-8)": max(identity_err) < 1e-8,
        "sample means within 4.5 s.e. of E[X]": max(z_mean) < 4.5,
        "sample variances within 4.5 s.e. of Var X": max(z_var) < 4.5,
    }
    return Outcome(
        metrics={
            "names": names,
            "pdf_rel_err": pdf_err,
            "identity_rel_err": identity_err,
            "z_mean": z_mean,
            "z_var": z_var,
        },
        checks=checks,
        figure=fig,
        summary=f"Across 8 distributions pdf/pmf match scipy to {max(pdf_err):.1e}, Var = E[X²]−E[X]² to "
        f"{max(identity_err):.1e}, and sample moments lie within {max(max(z_mean), max(z_var)):.1f} s.e.",
    )


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
