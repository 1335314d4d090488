"""Probability distributions, measured: the 68-95 rule, the central limit theorem, the
memoryless exponential, robust medians, the distribution formulas (inventory §3.3
CL-024..CL-028), with glassml.stats."""

from __future__ import annotations

import numpy as np
from scipy import integrate
from scipy import stats as sps

from glassml import stats as gs
from glassml.experiments import Outcome, experiment

TOPIC = "statistics"


def mc_standard_error(p: float, n: int) -> float:
    """Monte-Carlo standard error of a proportion p estimated from n draws."""
    return float(np.sqrt(max(p * (1 - p), 1e-12) / n))


_se = mc_standard_error


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
