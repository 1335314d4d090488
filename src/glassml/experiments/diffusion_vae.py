"""Diffusion and VAE experiments (curriculum section 3.19): the DDPM forward process ends in
N(0, I), DDPM learns two moons with the simple noise MSE, diffusion inpaints digits, and VAE
training raises the ELBO.

Inventory: CL-214..CL-217, GN-13..GN-18, LS-23, LS-26.
"""

from __future__ import annotations

import numpy as np

from glassml.experiments import Outcome, experiment
from glassml.models.ddpm import DDPM, NoiseSchedule
from glassml.models.unet import MLPDenoiser
from glassml.models.vae import VAE

from ._generative_common import (
    DigitJudge,
    digits,
    energy_distance,
    grid_axes,
    mmd_rbf,
    noise_baselines,
    train_ddpm_digits,
    two_moons,
)

TOPIC = "generative models"


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
    grid_axes(ax[0], test[:20], "truth", nrow=5)
    grid_axes(ax[1], out[::k][:20], "inpainted (bottom half)", nrow=5)
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
    grid_axes(ax[1], S[:40], "decoded z ~ N(0, I)", nrow=8)
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
