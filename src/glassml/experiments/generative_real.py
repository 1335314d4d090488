"""The generative real task of issue 8: DCGAN and DDPM samples that our own digit classifier
recognises as digits, with a Fréchet distance on its features far below that of noise.

Quick mode: the 8x8 digits, a DCGAN at image_size 8 and a DDPM with the MLP denoiser, judged by
an MLP digit classifier (:class:`~glassml.experiments._generative_common.DigitJudge`).
Full mode: real 28x28 MNIST, a DCGAN at image_size 28 and a DDPM with the U-Net denoiser
(:mod:`glassml.experiments._generative_mnist`), judged by a LeNet-5 trained on MNIST
(:class:`~glassml.experiments._mnist_judge.MNISTJudge`, >= 98.5% test accuracy).

Inventory: CL-204, CL-212, CL-215, GN-03, GN-14..GN-17, MS-29.
"""

from __future__ import annotations

import math

import numpy as np

from glassml.experiments import Outcome, experiment

from ._generative_common import (
    DigitJudge,
    digits,
    grid_axes,
    noise_baselines,
    train_dcgan_digits,
    train_ddpm_digits,
)

TOPIC = "generative models"


def _checks(reports: dict, baselines: dict, full: bool) -> dict:
    """The claims, per model: FD far below noise, all classes produced; in full mode also FD
    below independent per-pixel Gaussian noise and confidently recognised samples."""
    ok = {}
    for name, r in reports.items():
        base = baselines[name]
        ok[f"{name}: FD < 1/3 of uniform noise"] = r["frechet"] < base["frechet_uniform"] / 3
        entropy_ok = r["class_entropy"] > 0.8 * math.log(10)
        ok[f"{name}: balanced classes (entropy > 0.8 log 10)"] = entropy_ok
        if full:
            below_pixels = r["frechet"] < base["frechet_pixel_gaussian"]
            ok[f"{name}: FD below per-pixel Gaussian noise"] = below_pixels
            ok[f"{name}: recognised as digits (mean max-prob > 0.6)"] = r["mean_max_prob"] > 0.6
    return ok


def _quick(ctx):
    X, y, tr, te = digits()
    judge = DigitJudge(X[tr], y[tr])
    gan = train_dcgan_digits(X[tr], epochs=8, seed=ctx.seed)
    ddpm = train_ddpm_digits(X[tr], epochs=20, seed=ctx.seed)
    n = 300
    g_s = gan.sample(n).reshape(n, 64)
    d_s = ddpm.sample(n, (64,), generator=ctx.rng(1), progress=False)  # ancestral, T steps
    reports = {"DCGAN": judge.report(g_s, X[te]), "DDPM": judge.report(d_s, X[te])}
    base = noise_baselines(judge, X[te], 396)
    baselines = {"DCGAN": base, "DDPM": base}
    images = {"real": X[te][:40], "DCGAN": g_s[:40], "DDPM": d_s[:40]}
    acc = float((judge.proba(X[te]).argmax(1) == y[te]).mean())
    return reports, baselines, images, {"judge_accuracy": acc, "data": "8x8 digits"}


def _full(ctx):
    from ._generative_mnist import run_dcgan_mnist, run_ddpm_mnist
    from ._mnist_judge import MNISTJudge, mnist_images

    judge = MNISTJudge()
    gan = run_dcgan_mnist(judge=judge, seed=ctx.seed, progress=False)
    ddpm = run_ddpm_mnist(judge=judge, seed=ctx.seed, progress=False)
    baselines = {"DCGAN": gan["baselines"], "DDPM": ddpm["baselines"]}
    reports = {"DCGAN": gan["report"], "DDPM": ddpm["report"]}
    side = ddpm["samples"].shape[-1]
    real = mnist_images("test")[0][:40]
    images = {"real": real, "DCGAN": gan["samples"][:40], "DDPM": ddpm["samples"][:40]}
    extra = {
        "judge_accuracy": judge.test_accuracy,
        "data": f"MNIST 28x28 (DDPM on {side}x{side})",
        "dcgan_train_seconds": gan["train_seconds"],
        "ddpm_train_seconds": ddpm["train_seconds"],
        "ddpm_sample_seconds": ddpm["sample_seconds"],
        "dcgan_settings": gan["settings"],
        "ddpm_settings": ddpm["settings"],
    }
    return reports, baselines, images, extra


@experiment(
    "dcgan_ddpm_digits",
    claims=["CL-204", "CL-215", "CL-212"],
    title="DCGAN and DDPM generate recognisable digits (8x8 quick, 28x28 MNIST full)",
    topic=TOPIC,
)
def digits_real_task(ctx):
    reports, baselines, images, extra = _quick(ctx) if ctx.quick else _full(ctx)
    base = baselines["DCGAN"]
    fig, ax = ctx.figure(1, 3, width=4)
    for a, (name, imgs) in zip(ax, images.items(), strict=True):
        side = int(round(math.sqrt(np.asarray(imgs[0]).size)))
        fd = f" (FD {reports[name]['frechet']:.1f})" if name in reports else ""
        grid_axes(a, imgs, name + fd, nrow=8, size=side)
    checks = _checks(reports, baselines, full=not ctx.quick)
    if not ctx.quick:
        checks["MNIST judge test accuracy >= 98.5%"] = extra["judge_accuracy"] >= 0.985
    g, d = reports["DCGAN"], reports["DDPM"]
    return Outcome(
        metrics={"dcgan": g, "ddpm": d, **base, "ddpm_baselines": baselines["DDPM"], **extra},
        checks=checks,
        figure=fig,
        summary=f"{extra['data']}: FD to real digits DCGAN {g['frechet']:.1f}, DDPM "
        f"{d['frechet']:.1f}, uniform noise {base['frechet_uniform']:.1f}, per-pixel Gaussian "
        f"{base['frechet_pixel_gaussian']:.1f}, real/real {base['frechet_real']:.1f}; mean "
        f"max-prob {g['mean_max_prob']:.2f} / {d['mean_max_prob']:.2f} (judge accuracy "
        f"{extra['judge_accuracy']:.3f})",
    )
