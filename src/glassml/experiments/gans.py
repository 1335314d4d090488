"""GAN experiments (curriculum section 3.19): alternating training on the 8-Gaussian ring,
saturating vs non-saturating G loss, mode collapse, WGAN gradients, stabilisers, conditional GAN,
CycleGAN, GAN anomaly scores, the Fréchet distance and the DCGAN shapes.

Inventory: CL-204..CL-213, GN-01..GN-11, MS-29.
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Tensor, no_grad
from glassml.experiments import Outcome, experiment
from glassml.metrics.generative import frechet_distance, frechet_distance_from_features
from glassml.models.cyclegan import CycleGAN
from glassml.models.gan import (
    ConditionalDiscriminator,
    ConditionalGenerator,
    DCGANDiscriminator,
    DCGANGenerator,
    GANTrainer,
    MLPDiscriminator,
    MLPGenerator,
    anomaly_score,
    generator_loss,
    image_grid,
)

from ._generative_common import (
    DigitJudge,
    digits,
    grid_axes,
    mmd_rbf,
    ring_metrics,
    ring_of_gaussians,
    train_ring_gan,
)

TOPIC = "generative models"


# ----------------------------------------------------------------------------- CL-204 / 206 / 208
@experiment(
    "gan_ring_of_gaussians",
    claims=["CL-204"],
    title="A GAN learns the 8-Gaussian ring",
    topic=TOPIC,
)
def gan_ring(ctx):
    steps = 1000 if ctx.quick else 3000
    _, samples, _ = train_ring_gan(ctx.seed, steps, hidden=(128, 128))
    data = ring_of_gaussians(2000, ctx.rng(1))
    gauss = ctx.rng(2).normal(data.mean(0), data.std(0), (2000, 2))
    m = ring_metrics(samples)
    mmd, mmd_base = mmd_rbf(samples[:1000], data[:1000]), mmd_rbf(gauss[:1000], data[:1000])
    fig, ax = ctx.figure()
    ax.scatter(*data.T, s=2, alpha=0.3, label="data")
    ax.scatter(*samples.T, s=2, alpha=0.3, label="G(z)")
    ax.legend()
    ax.set_title(f"{m['modes_covered']}/8 modes, MMD {mmd:.3f}")
    return Outcome(
        metrics={**m, "mmd": mmd, "mmd_gaussian_baseline": mmd_base, "steps": steps},
        checks={
            "covers >= 3 of 8 modes": m["modes_covered"] >= 3,
            "MMD below the Gaussian baseline": mmd < mmd_base,
        },
        figure=fig,
        summary=f"after {steps} steps G covers {m['modes_covered']}/8 modes, "
        f"{m['high_quality_share']:.0%} high-quality, MMD {mmd:.3f} vs {mmd_base:.3f}",
    )


@experiment(
    "gan_mode_collapse",
    claims=["CL-206"],
    title="GAN training is unstable: modes come and go over time and seeds",
    topic=TOPIC,
    weak=True,
)
def gan_mode_collapse(ctx):
    seeds = [0, 1] if ctx.quick else [0, 1, 2, 3]
    steps = 300 if ctx.quick else 3000
    tracks = [train_ring_gan(s, steps, snapshots=5)[2] for s in seeds]
    fig, ax = ctx.figure()
    for s, tr in zip(seeds, tracks, strict=True):
        ax.plot(np.linspace(steps / len(tr), steps, len(tr)), tr, marker="o", label=f"seed {s}")
    ax.set_xlabel("G step")
    ax.set_ylabel("modes covered (of 8)")
    ax.legend()
    final = [tr[-1] for tr in tracks]
    drops = sum(int(np.any(np.diff(tr) < 0)) for tr in tracks)
    return Outcome(
        metrics={"modes_over_time": tracks, "final_modes": final, "runs_with_drops": drops},
        checks={
            "not all 8 modes at the end in every run": min(final) < 8,
            "coverage fluctuates or differs across seeds": drops > 0 or len(set(final)) > 1,
        },
        figure=fig,
        summary=f"modes covered at the end per seed: {final}; {drops} run(s) lost modes during "
        "training",
    )


@experiment(
    "gan_stabilisers",
    claims=["CL-208"],
    title="Stabilisers vs the baseline GAN on the 8-Gaussian ring",
    topic=TOPIC,
    weak=True,
)
def gan_stabilisers(ctx):
    steps = 300 if ctx.quick else 3000
    variants = {
        "baseline": {},
        "label smoothing": {"real_label": 0.9},
        "spectral norm": {"spectral_norm": True},
        "minibatch std": {"minibatch_std": True},
    }
    if ctx.quick:
        variants.pop("label smoothing")
    res = {
        k: ring_metrics(train_ring_gan(ctx.seed, steps, **kw)[1])["modes_covered"]
        for k, kw in variants.items()
    }
    fig, ax = ctx.figure()
    ax.bar(list(res), list(res.values()))
    ax.set_ylabel("modes covered (of 8)")
    best = max(v for k, v in res.items() if k != "baseline")
    return Outcome(
        metrics={"modes_covered": res, "steps": steps},
        checks={
            "some trick covers at least as many modes as the baseline": best >= res["baseline"]
        },
        figure=fig,
        summary="modes covered: " + ", ".join(f"{k} {v}" for k, v in res.items()),
    )


# ----------------------------------------------------------------------------- CL-205
@experiment(
    "gan_saturating_gradient",
    claims=["CL-205"],
    title="The non-saturating G loss gives strong early gradients",
    topic=TOPIC,
)
def gan_saturating(ctx):
    d = np.array([1e-3, 1e-2, 0.1, 0.5, 0.9])
    grads = {}
    for kind in ("minimax", "non_saturating"):
        g = []
        for p in d:
            x = Tensor(np.array([math.log(p / (1 - p))]), requires_grad=True)
            generator_loss(x, kind).backward()
            g.append(abs(float(x.grad.numpy()[0])))
        grads[kind] = g
    at = {k: v[1] for k, v in grads.items()}  # D(G(z)) = 0.01
    fig, ax = ctx.figure()
    for k, v in grads.items():
        ax.loglog(d, v, marker="o", label=k)
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("|dL_G / d logit|")
    ax.legend()
    return Outcome(
        metrics={"grad_at_0.01": at, "grads": grads, "D_values": d.tolist()},
        checks={
            "minimax gradient = D = 0.01": abs(at["minimax"] - 0.01) < 1e-9,
            "non-saturating gradient = 1 - D = 0.99": abs(at["non_saturating"] - 0.99) < 1e-9,
        },
        figure=fig,
        summary=f"at D(G(z)) = 0.01 the minimax gradient is {at['minimax']:.3f} and the "
        f"non-saturating one {at['non_saturating']:.3f} (99x stronger)",
    )


# ----------------------------------------------------------------------------- CL-207
@experiment(
    "wgan_disjoint_supports",
    claims=["CL-207"],
    title="JS gradients vanish on disjoint supports; the Wasserstein gradient does not",
    topic=TOPIC,
)
def wgan_disjoint(ctx):
    """Real data at 0, fakes at theta: the optimal D separates them; its log(1 - D) gradient
    w.r.t. theta vanishes, while the 1-Lipschitz critic f(x) = -x gives |dW/dtheta| = 1."""
    thetas = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    js_grad, w_grad = [], []
    for th in thetas:
        w, b = 0.0, 0.0
        for _ in range(5000):  # logistic D(x) = sigmoid(w x + b) trained to separate 0 from theta
            p_real, p_fake = 1 / (1 + np.exp(-b)), 1 / (1 + np.exp(-(w * th + b)))
            gw, gb = p_fake * th, (p_real - 1) + p_fake
            w, b = w - 1.0 * gw, b - 1.0 * gb
        p_fake = 1 / (1 + np.exp(-(w * th + b)))
        js_grad.append(abs(-p_fake * w))  # d/dtheta log(1 - D(theta))
        w_grad.append(1.0)  # W(P0, P_theta) = |theta|: critic f(x) = -sign(theta) x
    js_grad, w_grad = np.array(js_grad), np.array(w_grad)
    fig, ax = ctx.figure()
    ax.semilogy(thetas, js_grad + 1e-300, marker="o", label="JS / minimax G gradient")
    ax.semilogy(thetas, w_grad, marker="s", label="Wasserstein gradient")
    ax.set_xlabel("distance theta between supports")
    ax.legend()
    return Outcome(
        metrics={
            "thetas": thetas.tolist(),
            "js_grad": js_grad.tolist(),
            "wasserstein_grad": w_grad.tolist(),
        },
        checks={
            "JS gradient < 1% of the Wasserstein one (theta >= 1)": bool(
                (js_grad[1:] < 1e-2).all()
            ),
            "Wasserstein gradient constant = 1": bool(np.allclose(w_grad, 1.0)),
        },
        figure=fig,
        summary=f"with a trained D the minimax G gradient is {js_grad[2]:.1e} at theta = 2, the "
        "Wasserstein gradient stays 1",
    )


# ----------------------------------------------------------------------------- CL-209
@experiment(
    "conditional_gan_digits",
    claims=["CL-209"],
    title="A conditional GAN generates the requested digit",
    topic=TOPIC,
)
def conditional_gan(ctx):
    X, y, tr, te = digits()
    judge = DigitJudge(X[tr], y[tr], epochs=15 if ctx.quick else 30)
    rng = ctx.rng()
    G = ConditionalGenerator(16, 10, 64, hidden=(128,), output="tanh", generator=rng)
    D = ConditionalDiscriminator(64, 10, hidden=(128,), generator=rng)
    t = GANTrainer(G, D, latent_dim=16, conditional=True, lr_g=1e-3, lr_d=1e-3, seed=ctx.seed)
    t.fit(X[tr], y[tr], epochs=30 if ctx.quick else 100, batch_size=64, progress=False)
    want = np.repeat(np.arange(10), 50)
    samples = t.sample(z=rng.standard_normal((500, 16)), y=want)
    acc = float((judge.proba(samples).argmax(1) == want).mean())
    fig, ax = ctx.figure()
    grid_axes(ax, samples.reshape(10, 50, 64)[:, :10].transpose(1, 0, 2), "rows: z; cols: y")
    return Outcome(
        metrics={"accuracy_vs_requested": acc, "chance": 0.1},
        checks={"classifier agrees with the requested label > 50%": acc > 0.5},
        figure=fig,
        summary=f"a separately trained classifier labels {acc:.0%} of generated "
        "digits as the requested class (chance 10%)",
    )


# ----------------------------------------------------------------------------- CL-210
@experiment(
    "cyclegan_2d_translation",
    claims=["CL-210"],
    title="CycleGAN learns an unpaired 2-D translation",
    topic=TOPIC,
)
def cyclegan_2d(ctx):
    rng = ctx.rng()
    A = (rng.standard_normal((256, 2)) * [0.6, 0.15]).astype(np.float32)
    shift = np.array([1.5, -1.0])
    B = (rng.standard_normal((256, 2)) * [0.6, 0.15] + shift).astype(np.float32)
    cg = CycleGAN(dim=2, hidden=(32,), lr=1e-2, seed=ctx.seed)
    cg.fit(A, B, epochs=60 if ctx.quick else 200, batch_size=64, progress=False)
    GA = cg.translate_ab(A)
    cyc = float(np.abs(cg.translate_ba(GA) - A).mean())
    mean_err = float(np.linalg.norm(GA.mean(0) - B.mean(0)))
    fig, ax = ctx.figure()
    ax.scatter(*A.T, s=3, label="A")
    ax.scatter(*B.T, s=3, label="B")
    ax.scatter(*GA.T, s=3, label="G(A)")
    ax.legend()
    return Outcome(
        metrics={
            "cycle_error": cyc,
            "mean_error": mean_err,
            "final_cycle_loss": cg.history["cycle"][-1],
        },
        checks={"cycle error < 0.2": cyc < 0.2, "G(A) centred on B (error < 0.5)": mean_err < 0.5},
        figure=fig,
        summary=f"|F(G(a)) - a| = {cyc:.3f}; mean of G(A) is {mean_err:.2f} from B's",
    )


# ----------------------------------------------------------------------------- CL-211
@experiment(
    "gan_anomaly_score", claims=["CL-211"], title="A GAN discriminator flags anomalies", topic=TOPIC
)
def gan_anomaly(ctx):
    rng = ctx.rng()
    normal = (rng.standard_normal((2000, 2)) * 0.5).astype(np.float32)
    G = MLPGenerator(2, 2, hidden=(32,), generator=rng)
    D = MLPDiscriminator(2, hidden=(32,), generator=rng)
    t = GANTrainer(G, D, latent_dim=2, lr_g=1e-3, lr_d=1e-3, seed=ctx.seed)
    t.fit(normal, epochs=5 if ctx.quick else 30, batch_size=64, progress=False)
    test_normal = rng.standard_normal((300, 2)) * 0.5
    ang = rng.uniform(0, 2 * np.pi, 100)
    anomalies = 3.0 * np.c_[np.cos(ang), np.sin(ang)] + rng.standard_normal((100, 2)) * 0.2

    def auc(s_n, s_a):
        return float((s_a[:, None] > s_n[None]).mean() + 0.5 * (s_a[:, None] == s_n[None]).mean())

    # GN-11 (a): the discriminator score 1 - D(x); (b) latent-search reconstruction error
    # min_z ||G(z) - x|| (AnoGAN), the search done exhaustively over 4000 draws of z
    d_auc = auc(anomaly_score(D, test_normal), anomaly_score(D, anomalies))
    gen = t.sample(4000)

    def recon(x):
        return np.sqrt(((x[:, None, :] - gen[None]) ** 2).sum(-1)).min(1)

    r_n, r_a = recon(test_normal), recon(anomalies)
    r_auc = auc(r_n, r_a)
    fig, ax = ctx.figure()
    ax.hist(r_n, bins=30, alpha=0.6, label="normal")
    ax.hist(r_a, bins=30, alpha=0.6, label="anomalies")
    ax.set_xlabel("min_z ||G(z) - x||")
    ax.legend()
    return Outcome(
        metrics={"roc_auc_reconstruction": r_auc, "roc_auc_discriminator": d_auc},
        checks={"reconstruction-score ROC-AUC > 0.8": r_auc > 0.8},
        figure=fig,
        summary=f"latent-search reconstruction error flags injected anomalies with "
        f"ROC-AUC {r_auc:.3f}; the raw discriminator score only {d_auc:.3f} "
        "(D is uninformative off the data once G matches it)",
    )


# ----------------------------------------------------------------------------- CL-212
@experiment(
    "frechet_distance_behaviour",
    claims=["CL-212"],
    title="FID: ~0 for real vs real, falls as G trains, closed form on Gaussians",
    topic=TOPIC,
)
def fid(ctx):
    rng = ctx.rng()
    # closed form on Gaussians: N(m1, s1^2 I) vs N(m2, s2^2 I) in d dims
    d, m, s1, s2 = 4, 1.5, 1.0, 2.0
    exact = d * m**2 + d * (s1 - s2) ** 2
    formula = frechet_distance(np.zeros(d), s1**2 * np.eye(d), np.full(d, m), s2**2 * np.eye(d))
    a = rng.normal(0, s1, (20000, d))
    b = rng.normal(m, s2, (20000, d))
    empirical = frechet_distance_from_features(a, b)
    X, y, tr, te = digits()
    judge = DigitJudge(X[tr], y[tr], epochs=15 if ctx.quick else 30)
    real_real = judge.report(X[tr][:397], X[te])["frechet"]
    G = MLPGenerator(16, 64, hidden=(128,), output="tanh", generator=rng)
    D = MLPDiscriminator(64, hidden=(128,), generator=rng)
    t = GANTrainer(G, D, latent_dim=16, lr_g=1e-3, lr_d=1e-3, seed=ctx.seed)
    t.fit(
        X[tr],
        epochs=20 if ctx.quick else 60,
        batch_size=64,
        progress=False,
        sample_every=44,
        n_samples=400,
    )
    curve = [judge.report(s, X[te])["frechet"] for _, s in t.samples]
    fig, ax = ctx.figure()
    ax.plot([s for s, _ in t.samples], curve, marker="o", label="G samples")
    ax.axhline(real_real, color="k", ls="--", label="real vs real")
    ax.set_xlabel("G step")
    ax.set_ylabel("Fréchet distance (judge features)")
    ax.legend()
    return Outcome(
        metrics={
            "gaussian_exact": exact,
            "gaussian_formula": formula,
            "gaussian_empirical": empirical,
            "real_vs_real": real_real,
            "curve": curve,
        },
        checks={
            "formula = closed form": abs(formula - exact) < 1e-8,
            "empirical within 5% of closed form": abs(empirical - exact) < 0.05 * exact,
            "real vs real << first G snapshot": real_real < 0.2 * curve[0],
            "FID falls as G trains": curve[-1] < 0.5 * curve[0],
        },
        figure=fig,
        summary=f"FID real/real {real_real:.2f}; G: {curve[0]:.1f} -> {curve[-1]:.1f}; "
        f"Gaussian closed form {exact:.2f} vs empirical {empirical:.2f}",
    )


# ----------------------------------------------------------------------------- CL-213
@experiment(
    "dcgan_shapes",
    claims=["CL-213"],
    title="DCGAN maps nz x 1 x 1 to nc x 64 x 64 and D maps an image to a scalar",
    topic=TOPIC,
)
def dcgan_shapes(ctx):
    rng = ctx.rng()
    G = DCGANGenerator(nz=100, ngf=8 if ctx.quick else 64, nc=3, generator=rng)
    D = DCGANDiscriminator(nc=3, ndf=8 if ctx.quick else 64, generator=rng)
    with no_grad():
        x = G(Tensor(rng.standard_normal((4, 100, 1, 1)).astype(np.float32)))
        out = D(x)
    shapes = [tuple(m.weight.shape) for m in G.main if hasattr(m, "weight") and m.weight.ndim == 4]
    fig, ax = ctx.figure()
    ax.imshow(image_grid((x.numpy() + 1) / 2, nrow=4))
    ax.axis("off")
    ax.set_title("untrained DCGAN samples (3 x 64 x 64)")
    return Outcome(
        metrics={
            "G_output": list(x.shape),
            "D_output": list(out.shape),
            "G_conv_weights": [list(s) for s in shapes],
        },
        checks={
            "G: (N, 100, 1, 1) -> (N, 3, 64, 64)": x.shape == (4, 3, 64, 64),
            "D: image -> one probability per sample": out.shape == (4,)
            and bool(((out.numpy() > 0) & (out.numpy() < 1)).all()),
            "tanh range": bool(np.abs(x.numpy()).max() <= 1),
        },
        figure=fig,
        summary=f"G {(4, 100, 1, 1)} -> {x.shape}; D -> {out.shape} (5 transposed convs, torch "
        "parity in tests/models/test_gan.py)",
    )
