"""Generative models (curriculum section 3.19): GANs, CycleGAN, FID, VAE and DDPM claims.

Shared helpers (also used by the real-task tests): the 8x8 digits scaled to [-1, 1], a small
glassml digit classifier (the "judge") whose class probabilities and hidden features score
generated images (mean max-probability, class-histogram entropy, Fréchet distance, MS-29), and
the DCGAN / DDPM digit trainers.

Inventory: CL-204..CL-217, GN-01..GN-18, MS-29.
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.datasets import load_digits
from glassml.experiments import Outcome, experiment
from glassml.metrics.generative import frechet_distance, frechet_distance_from_features
from glassml.models.cyclegan import CycleGAN
from glassml.models.ddpm import DDPM, NoiseSchedule
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
from glassml.models.unet import MLPDenoiser
from glassml.models.vae import VAE
from glassml.optim import Adam

TOPIC = "generative models"


# ----------------------------------------------------------------------------- shared helpers
def digits(seed=0):
    """8x8 digits as float32 in [-1, 1], shape (N, 64); labels; a fixed train/test split."""
    X, y = load_digits(return_X_y=True)
    X = (X / 8.0 - 1.0).astype(np.float32)
    perm = np.random.default_rng(seed).permutation(len(X))
    return X, y, perm[:1400], perm[1400:]


class DigitJudge:
    """A glassml MLP digit classifier (64 -> 128 ReLU -> 10) used to score generated digits."""

    def __init__(self, X, y, *, epochs=30, seed=0):
        rng = np.random.default_rng(seed)
        self.net = nn.Sequential(
            nn.Linear(64, 128, generator=rng), nn.ReLU(), nn.Linear(128, 10, generator=rng)
        )
        opt = Adam(self.net.parameters(), lr=1e-3)
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for i in range(0, len(X), 64):
                idx = order[i : i + 64]
                opt.zero_grad()
                cross_entropy(self.net(Tensor(X[idx])), Tensor(y[idx])).backward()
                opt.step()

    def proba(self, X):
        with no_grad():
            return self.net(Tensor(np.asarray(X, np.float32).reshape(-1, 64))).softmax(-1).numpy()

    def features(self, X):
        with no_grad():
            h = self.net[1](self.net[0](Tensor(np.asarray(X, np.float32).reshape(-1, 64))))
            return h.numpy().astype(np.float64)

    def report(self, samples, reference) -> dict:
        """Mean max-probability, class-histogram entropy (nats; log 10 = balanced) and the
        Fréchet distance to ``reference`` on the hidden features."""
        s = np.clip(np.asarray(samples, np.float32).reshape(-1, 64), -1, 1)
        p = self.proba(s)
        hist = np.bincount(p.argmax(1), minlength=10) / len(p)
        nz = hist[hist > 0]
        return {
            "mean_max_prob": float(p.max(1).mean()),
            "class_entropy": float(-(nz * np.log(nz)).sum()),
            "class_histogram": hist.round(3).tolist(),
            "frechet": float(
                frechet_distance_from_features(self.features(s), self.features(reference))
            ),
        }


def noise_baselines(judge, reference, n, seed=0) -> dict:
    """Fréchet distances of noise images: uniform U(-1, 1), Gaussian N(0, 0.5^2) (clipped), and a
    harder baseline with independent pixels matching the data's per-pixel mean and std; plus
    real vs real (two halves of ``reference``)."""
    rng = np.random.default_rng(seed)
    uni = rng.uniform(-1, 1, (n, 64))
    gau = np.clip(rng.normal(0.0, 0.5, (n, 64)), -1, 1)
    pix = np.clip(rng.normal(reference.mean(0), reference.std(0) + 1e-3, (n, 64)), -1, 1)
    half = len(reference) // 2
    return {
        "frechet_uniform": judge.report(uni, reference)["frechet"],
        "frechet_gaussian": judge.report(gau, reference)["frechet"],
        "frechet_pixel_gaussian": judge.report(pix, reference)["frechet"],
        "frechet_real": judge.report(reference[:half], reference[half:])["frechet"],
    }


def train_dcgan_digits(X, *, epochs=15, nz=32, ngf=64, lr=1e-3, seed=0, progress=False):
    """DCGAN (image_size=8) trained with the non-saturating loss on digits (N, 64) in [-1, 1]."""
    rng = np.random.default_rng(seed)
    G = DCGANGenerator(nz=nz, ngf=ngf, nc=1, image_size=8, generator=rng)
    D = DCGANDiscriminator(nc=1, ndf=ngf, image_size=8, sigmoid=False, generator=rng)
    trainer = GANTrainer(G, D, latent_dim=nz, lr_g=lr, lr_d=lr, seed=seed)
    return trainer.fit(X.reshape(-1, 1, 8, 8), epochs=epochs, batch_size=64, progress=progress)


def train_ddpm_digits(X, *, epochs=60, hidden=256, seed=0, progress=False):
    """DDPM (T = 1000, linear schedule) with the MLP denoiser on flattened digits (N, 64)."""
    rng = np.random.default_rng(seed)
    ddpm = DDPM(MLPDenoiser(64, hidden, 64, 3, generator=rng), timesteps=1000)
    return ddpm.fit(X, epochs=epochs, batch_size=128, lr=2e-3, seed=seed, progress=progress)


def _grid_axes(ax, images, title, nrow=10):
    ax.imshow(image_grid(np.asarray(images).reshape(-1, 8, 8), nrow=nrow), cmap="gray_r")
    ax.set_title(title)
    ax.axis("off")


def ring_of_gaussians(n, rng, modes=8, radius=2.0, std=0.05):
    """Mixture of ``modes`` Gaussians on a circle (the classic mode-collapse toy)."""
    k = rng.integers(0, modes, n)
    angles = 2 * np.pi * k / modes
    centers = radius * np.c_[np.cos(angles), np.sin(angles)]
    return (centers + std * rng.standard_normal((n, 2))).astype(np.float32)


def ring_metrics(samples, modes=8, radius=2.0, std=0.05) -> dict:
    """Modes covered (>= 1% of samples within 3 std of the centre) and high-quality share."""
    angles = 2 * np.pi * np.arange(modes) / modes
    centers = radius * np.c_[np.cos(angles), np.sin(angles)]
    d = np.linalg.norm(samples[:, None, :] - centers[None], axis=2)  # (n, modes)
    near = d.min(1) < 3 * std
    counts = np.bincount(d.argmin(1)[near], minlength=modes)
    return {
        "modes_covered": int((counts >= 0.01 * len(samples)).sum()),
        "high_quality_share": float(near.mean()),
    }


def mmd_rbf(x, y, bandwidth=1.0) -> float:
    """Squared MMD with a Gaussian kernel (biased V-statistic)."""

    def k(a, b):
        d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None] - 2 * a @ b.T
        return np.exp(-d2 / (2 * bandwidth**2))

    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


def energy_distance(x, y) -> float:
    """2 E|X - Y| - E|X - X'| - E|Y - Y'| (multivariate energy distance, >= 0)."""

    def m(a, b):
        return np.sqrt(np.maximum(((a[:, None] - b[None]) ** 2).sum(-1), 0)).mean()

    return float(2 * m(x, y) - m(x, x) - m(y, y))


def train_ring_gan(
    rng_seed,
    steps,
    *,
    loss="non_saturating",
    real_label=1.0,
    spectral_norm=False,
    minibatch_std=False,
    gp_lambda=None,
    n_critic=1,
    snapshots=0,
    hidden=(64, 64),
):
    """MLP GAN on the 8-Gaussian ring; returns (trainer, final samples, snapshot metrics)."""
    rng = np.random.default_rng(rng_seed)
    G = MLPGenerator(2, 2, hidden=hidden, generator=rng)
    D = MLPDiscriminator(
        2, hidden=hidden, spectral_norm=spectral_norm, minibatch_std=minibatch_std, generator=rng
    )
    lr = 1e-4 if loss == "wasserstein" else 1e-3
    betas = (0.5, 0.9) if loss == "wasserstein" else (0.5, 0.999)
    t = GANTrainer(
        G,
        D,
        latent_dim=2,
        loss=loss,
        lr_g=lr,
        lr_d=lr,
        betas=betas,
        real_label=real_label,
        gp_lambda=gp_lambda,
        n_critic=n_critic,
        seed=rng_seed,
    )
    track = []
    every = max(1, steps // snapshots) if snapshots else 0
    for s in range(steps):
        for _ in range(n_critic):
            t.d_step(ring_of_gaussians(128, rng))
        t.g_step(128)
        if every and (s + 1) % every == 0:
            track.append(ring_metrics(t.sample(1000))["modes_covered"])
    return t, t.sample(2000), track


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
    _grid_axes(ax, samples.reshape(10, 50, 64)[:, :10].transpose(1, 0, 2), "rows: z; cols: y")
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


# ----------------------------------------------------------------------------- CL-214
@experiment(
    "ddpm_forward_to_noise",
    claims=["CL-214"],
    title="The DDPM forward process ends in N(0, I)",
    topic=TOPIC,
)
def ddpm_forward(ctx):
    from scipy import stats

    rng = ctx.rng()
    X, _, _, _ = digits()
    n = 1797
    sched = NoiseSchedule.make("linear", 1000)
    ddpm = DDPM(MLPDenoiser(64, 8), schedule=sched)
    xT = ddpm.q_sample(X, np.full(n, 999), rng.standard_normal(X.shape))
    mean_abs = float(np.abs(xT.mean(0)).max())
    cov = np.cov(xT, rowvar=False)
    cov_err = float(np.abs(cov - np.eye(64)).max())
    ks_p = float(stats.kstest(xT[:, 27], "norm").pvalue)
    x = X[:400].astype(np.float64)
    t_mid = 300 if ctx.quick else 999
    for t in range(t_mid + 1):
        x = ddpm.q_step(x, np.full(400, t), rng.standard_normal(x.shape))
    closed = ddpm.q_sample(
        X[:400].astype(np.float64), np.full(400, t_mid), rng.standard_normal((400, 64))
    )
    ks_iter = float(stats.ks_2samp(x.ravel(), closed.ravel()).pvalue)
    fig, ax = ctx.figure(1, 2, width=4)
    ax[0].plot(sched.sqrt_alpha_bars, label="sqrt(abar_t)")
    ax[0].plot(sched.sqrt_one_minus_alpha_bars, label="sqrt(1 - abar_t)")
    ax[0].legend()
    ax[0].set_xlabel("t")
    ax[1].hist(xT.ravel(), bins=60, density=True)
    ax[1].set_title("x_T pixels")
    return Outcome(
        metrics={
            "max_abs_mean": mean_abs,
            "max_cov_error": cov_err,
            "ks_pvalue": ks_p,
            "ks_iterated_vs_closed": ks_iter,
            "sqrt_abar_T": float(sched.sqrt_alpha_bars[-1]),
        },
        checks={
            "mean ~ 0 (< 0.1)": mean_abs < 0.1,
            "cov ~ I (< 0.15)": cov_err < 0.15,
            "KS test vs N(0,1) passes (p > 0.01)": ks_p > 0.01,
            "iterated == closed form (KS p > 0.01)": ks_iter > 0.01,
        },
        figure=fig,
        summary=f"x_T: max |mean| {mean_abs:.3f}, max |cov - I| {cov_err:.3f}, KS p {ks_p:.2f}; "
        f"iterated vs closed form KS p {ks_iter:.2f}",
    )


# ----------------------------------------------------------------------------- CL-215
def two_moons(n, rng, noise=0.05):
    k = rng.integers(0, 2, n)
    a = rng.uniform(0, np.pi, n)
    x = np.where(k == 0, np.cos(a), 1 - np.cos(a))
    y = np.where(k == 0, np.sin(a), 0.5 - np.sin(a))
    return (np.c_[x, y] + noise * rng.standard_normal((n, 2))).astype(np.float32)


@experiment(
    "ddpm_two_moons",
    claims=["CL-215"],
    title="DDPM learns two moons with the simple noise MSE",
    topic=TOPIC,
)
def ddpm_moons(ctx):
    rng = ctx.rng()
    X = two_moons(2000, rng)
    ddpm = DDPM(MLPDenoiser(2, 128, 32, 3, generator=rng), timesteps=100)
    ddpm.fit(
        X, epochs=60 if ctx.quick else 300, batch_size=128, lr=3e-3, seed=ctx.seed, progress=False
    )
    S = ddpm.sample(600, (2,), generator=ctx.rng(3), progress=False)
    ref = two_moons(600, ctx.rng(4))
    gauss = ctx.rng(5).normal(X.mean(0), X.std(0), (600, 2))
    e, e_base = energy_distance(S, ref), energy_distance(gauss, ref)
    m, m_base = mmd_rbf(S, ref, 0.1), mmd_rbf(gauss, ref, 0.1)
    m_real = mmd_rbf(X[:600], ref, 0.1)  # the finite-sample floor
    fig, ax = ctx.figure(1, 2, width=4)
    ax[0].scatter(*X[:600].T, s=3, label="data")
    ax[0].scatter(*S.T, s=3, label="DDPM")
    ax[0].legend()
    ax[1].plot(ddpm.history)
    ax[1].set_xlabel("epoch")
    ax[1].set_ylabel("noise MSE")
    return Outcome(
        metrics={
            "energy_distance": e,
            "energy_gaussian_baseline": e_base,
            "mmd": m,
            "mmd_gaussian_baseline": m_base,
            "mmd_real_floor": m_real,
            "loss_first": ddpm.history[0],
            "loss_last": ddpm.history[-1],
        },
        checks={
            "energy distance < 1/2 of the Gaussian baseline": e < 0.5 * e_base,
            "MMD (bandwidth 0.1) below the Gaussian baseline": m < m_base,
            "loss decreases": ddpm.history[-1] < 0.8 * ddpm.history[0],
        },
        figure=fig,
        summary=f"energy distance {e:.4f} vs {e_base:.4f}, MMD {m:.4f} vs {m_base:.4f} (real "
        f"{m_real:.4f}) for a fitted Gaussian; loss "
        f"{ddpm.history[0]:.3f} -> {ddpm.history[-1]:.3f}",
    )


# ----------------------------------------------------------------------------- CL-216
@experiment(
    "ddpm_inpainting",
    claims=["CL-216"],
    title="Diffusion inpaints the lower half of 8x8 digits",
    topic=TOPIC,
    weak=True,
)
def ddpm_inpaint(ctx):
    X, y, tr, te = digits()
    ddpm = train_ddpm_digits(X[tr], epochs=25 if ctx.quick else 60, seed=ctx.seed)
    test = X[te][:50]
    k = 4  # inpaintings per image: their mean estimates E[bottom | top]
    mask = np.zeros(64, np.float32)
    mask[:32] = 1.0  # top half known
    reps = np.repeat(test, k, axis=0)
    out = ddpm.sample(  # ancestral sampler: fresh noise each step, as RePaint assumes
        len(reps), (64,), inpaint=(reps, mask), generator=ctx.rng(1), progress=False
    )
    out = np.clip(out, -1, 1)
    single = float(((out - reps)[:, 32:] ** 2).mean())
    avg = out.reshape(len(test), k, 64).mean(1)
    mse = float(((avg - test)[:, 32:] ** 2).mean())
    mean_fill = float(((X[tr].mean(0)[32:] - test[:, 32:]) ** 2).mean())
    fig, ax = ctx.figure(1, 2, width=4)
    _grid_axes(ax[0], test[:20], "truth", nrow=5)
    _grid_axes(ax[1], out[::k][:20], "inpainted (bottom half)", nrow=5)
    return Outcome(
        metrics={"masked_mse": mse, "single_sample_mse": single, "mean_fill_mse": mean_fill},
        checks={"masked-region MSE below mean fill": mse < mean_fill},
        figure=fig,
        summary=f"masked-region MSE {mse:.3f} (mean of {k} inpaintings; one sample "
        f"{single:.3f}) vs {mean_fill:.3f} for the mean fill",
    )


# ----------------------------------------------------------------------------- CL-217
@experiment(
    "vae_elbo",
    claims=["CL-217"],
    title="VAE training raises the ELBO; decoded prior samples look like digits",
    topic=TOPIC,
)
def vae_elbo(ctx):
    X, y, tr, te = digits()
    X01 = (X + 1) / 2
    judge = DigitJudge(X[tr], y[tr], epochs=15 if ctx.quick else 30)
    vae = VAE(64, 8, (128,), generator=ctx.rng())
    vae.fit(
        X01[tr],
        epochs=30 if ctx.quick else 100,
        batch_size=64,
        lr=2e-3,
        seed=ctx.seed,
        progress=False,
    )
    S = vae.sample(400, generator=ctx.rng(1)) * 2 - 1
    rep = judge.report(S, X[te])
    base = noise_baselines(judge, X[te], 400)
    h = vae.history
    fig, ax = ctx.figure(1, 2, width=4)
    ax[0].plot(h["elbo"], label="ELBO")
    ax[0].plot([-r for r in h["recon"]], label="E log p(x|z)")
    ax[0].plot(h["kl"], label="KL")
    ax[0].legend()
    ax[0].set_xlabel("epoch")
    _grid_axes(ax[1], S[:40], "decoded z ~ N(0, I)", nrow=8)
    return Outcome(
        metrics={
            "elbo_first": h["elbo"][0],
            "elbo_last": h["elbo"][-1],
            "kl_min": min(h["kl"]),
            **rep,
            **base,
        },
        checks={
            "ELBO increases": h["elbo"][-1] > h["elbo"][0] + 5,
            "KL >= 0": min(h["kl"]) >= 0,
            "prior samples far closer to digits than uniform noise (FD < 1/3)": rep["frechet"]
            < base["frechet_uniform"] / 3,
        },
        figure=fig,
        summary=f"ELBO {h['elbo'][0]:.1f} -> {h['elbo'][-1]:.1f} nats; prior samples FD "
        f"{rep['frechet']:.1f} vs {base['frechet_uniform']:.1f} for noise",
    )


# ----------------------------------------------------------------------------- real task: digits
@experiment(
    "dcgan_ddpm_digits",
    claims=["CL-204", "CL-215", "CL-212"],
    title="DCGAN and DDPM generate recognisable 8x8 digits",
    topic=TOPIC,
)
def digits_real_task(ctx):
    X, y, tr, te = digits()
    judge = DigitJudge(X[tr], y[tr])
    gan = train_dcgan_digits(X[tr], epochs=8 if ctx.quick else 15, seed=ctx.seed)
    ddpm = train_ddpm_digits(X[tr], epochs=20 if ctx.quick else 60, seed=ctx.seed)
    n = 300 if ctx.quick else 1000
    g_s = gan.sample(n).reshape(n, 64)
    d_s = ddpm.sample(n, (64,), generator=ctx.rng(1), progress=False)  # ancestral, T steps
    rg, rd = judge.report(g_s, X[te]), judge.report(d_s, X[te])
    base = noise_baselines(judge, X[te], 396)
    fig, ax = ctx.figure(1, 3, width=4)
    _grid_axes(ax[0], X[te][:40], "real", nrow=8)
    _grid_axes(ax[1], g_s[:40], f"DCGAN (FD {rg['frechet']:.1f})", nrow=8)
    _grid_axes(ax[2], np.clip(d_s[:40], -1, 1), f"DDPM (FD {rd['frechet']:.1f})", nrow=8)
    ok = {}
    for name, r in (("DCGAN", rg), ("DDPM", rd)):
        ok[f"{name}: FD < 1/3 of uniform noise"] = r["frechet"] < base["frechet_uniform"] / 3
        ok[f"{name}: balanced classes (entropy > 0.8 log 10)"] = r[
            "class_entropy"
        ] > 0.8 * math.log(10)
    return Outcome(
        metrics={"dcgan": rg, "ddpm": rd, **base},
        checks=ok,
        figure=fig,
        summary=f"FD to real digits: DCGAN {rg['frechet']:.1f}, DDPM {rd['frechet']:.1f}"
        f", uniform noise {base['frechet_uniform']:.1f}, real "
        f"{base['frechet_real']:.1f}; mean max-prob {rg['mean_max_prob']:.2f} / "
        f"{rd['mean_max_prob']:.2f}",
    )
