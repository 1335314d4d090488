"""The full-size real tasks of issue 8: a DCGAN and a U-Net DDPM trained on real MNIST, judged by
our MNIST CNN (:class:`~glassml.experiments._mnist_judge.MNISTJudge`) against noise baselines.

* :func:`train_dcgan_mnist` — DCGAN at image_size 28 (z (nz, 1, 1) -> 7x7 -> 14x14 -> 28x28),
  non-saturating loss, Adam(2e-4, betas (0.5, 0.999)), data in [-1, 1];
* :func:`train_ddpm_mnist` — DDPM (linear beta 1e-4 -> 0.02) with ``models.unet.UNet``
  (residual blocks, GroupNorm, SiLU, sinusoidal time embedding, self-attention at the lowest
  resolution, stride-2 conv down / nearest + conv up), AdamW with warmup + cosine decay and an
  exponential moving average (EMA) of the weights, which is what gets sampled;
* :func:`run_dcgan_mnist`, :func:`run_ddpm_mnist` — train, sample (DDPM: the full ancestral
  sampler, T model calls) and score; return a dict of numbers, the samples and the timings.

Run one from the shell (single-threaded; the numbers go to ``OUT/<model>_mnist.json`` and a
sample grid to ``OUT/<model>_mnist.png``)::

    OMP_NUM_THREADS=1 python -m glassml.experiments._generative_mnist dcgan --out OUT

Inventory: GN-03, GN-14..GN-17, MS-29, CL-204, CL-212, CL-215.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from glassml.models.ddpm import DDPM, ExponentialMovingAverage
from glassml.models.gan import DCGANDiscriminator, DCGANGenerator, GANTrainer, image_grid
from glassml.models.unet import UNet
from glassml.nn.utils import clip_grad_norm_
from glassml.optim import AdamW
from glassml.optim.lr_scheduler import warmup_cosine

from ._generative_common import noise_baselines
from ._mnist_judge import MNISTJudge, mnist_images

__all__ = [
    "DCGAN_MNIST",
    "DDPM_MNIST",
    "train_dcgan_mnist",
    "train_ddpm_mnist",
    "run_dcgan_mnist",
    "run_ddpm_mnist",
]

# Full-mode settings. Measured on the shared 2-core machine (load 4-8): DCGAN 26 min of training,
# DDPM 10 min of training + 2 min of sampling; on one idle core roughly 2-4x less.
DCGAN_MNIST = dict(epochs=2, n_train=None, nz=64, ngf=32, ndf=32, lr=2e-4, batch_size=64)
DDPM_MNIST = dict(
    size=14,
    steps=1500,
    batch_size=64,
    base_channels=16,
    channel_mults=(1, 2),
    timesteps=500,
    lr=2e-3,
    ema_decay=0.995,
)


def train_dcgan_mnist(
    X, *, epochs=2, nz=64, ngf=32, ndf=32, lr=2e-4, batch_size=64, seed=0, progress=False
) -> GANTrainer:
    """DCGAN (GN-03) at 28x28 trained with the non-saturating loss on X (N, 1, 28, 28) in
    [-1, 1]; returns the :class:`GANTrainer` (``trainer.sample(n)`` draws images)."""
    X = np.asarray(X, np.float32)
    if X.ndim != 4 or X.shape[1:] != (1, 28, 28):
        raise ValueError(f"X: expected MNIST images of shape (N, 1, 28, 28), got {X.shape}")
    rng = np.random.default_rng(seed)
    G = DCGANGenerator(nz=nz, ngf=ngf, nc=1, image_size=28, generator=rng)
    D = DCGANDiscriminator(nc=1, ndf=ndf, image_size=28, sigmoid=False, generator=rng)
    trainer = GANTrainer(G, D, latent_dim=nz, lr_g=lr, lr_d=lr, seed=seed)
    return trainer.fit(X, epochs=epochs, batch_size=batch_size, progress=progress)


def train_ddpm_mnist(
    X,
    *,
    steps=1500,
    batch_size=64,
    base_channels=16,
    channel_mults=(1, 2),
    timesteps=500,
    lr=2e-3,
    max_grad_norm=1.0,
    ema_decay=0.995,
    seed=0,
    progress=False,
) -> DDPM:
    """DDPM with a U-Net (GN-14..GN-17) trained for ``steps`` AdamW steps on X (N, 1, S, S) in
    [-1, 1]; lr warmup (5% of the steps) then cosine decay to lr / 10; gradients clipped to a
    global norm of ``max_grad_norm`` (as Ho et al.).

    EMA of the weights (theta_ema <- d theta_ema + (1 - d) theta after every step, d =
    ``ema_decay``; None disables it) is copied into the model at the end: the averaged weights
    denoise better than the last iterate of a short, noisy run. ``ddpm.history`` holds the loss
    of every step.
    """
    X = np.asarray(X, np.float32)
    if X.ndim != 4 or X.shape[1] != 1:
        raise ValueError(f"X: expected images of shape (N, 1, S, S), got {X.shape}")
    rng = np.random.default_rng(seed)
    net = UNet(1, base_channels, channel_mults, 1, groups=8, attention=True, generator=rng)
    ddpm = DDPM(net, timesteps=timesteps)
    params = list(net.parameters())
    opt = AdamW(params, lr=lr, weight_decay=0.0)
    sched = warmup_cosine(opt, steps // 20, steps, min_lr_ratio=0.1)
    ema = ExponentialMovingAverage(params, ema_decay) if ema_decay is not None else None
    net.train()
    order, pos = rng.permutation(len(X)), 0
    bar = tqdm(range(steps), disable=not progress, desc="DDPM (U-Net)")
    for _ in bar:
        if pos + batch_size > len(X):
            order, pos = rng.permutation(len(X)), 0
        xb = X[order[pos : pos + batch_size]]
        pos += batch_size
        opt.zero_grad()
        loss = ddpm.loss(xb, generator=rng)
        loss.backward()
        clip_grad_norm_(params, max_grad_norm)
        opt.step()
        sched.step()
        if ema is not None:
            ema.update()
        ddpm.history.append(float(loss.item()))
        bar.set_postfix(loss=f"{ddpm.history[-1]:.4f}")
    if ema is not None:
        ema.copy_to()
    net.eval()
    return ddpm


def _judge_and_reference(judge, n_reference):
    judge = MNISTJudge() if judge is None else judge
    Xte, _ = mnist_images("test")
    return judge, Xte[:n_reference]


def run_dcgan_mnist(
    *, judge=None, n_samples=1000, n_reference=5000, seed=0, progress=True, **overrides
) -> dict:
    """Train the MNIST DCGAN (settings :data:`DCGAN_MNIST`, ``overrides`` replace them), draw
    ``n_samples`` images and score them with the MNIST judge against ``n_reference`` test
    images, next to the noise baselines (same ``n_samples``) and real vs real.

    Returns {"report", "baselines", "judge_accuracy", "train_seconds", "settings",
    "samples" (n, 1, 28, 28), "history"}.
    """
    cfg = {**DCGAN_MNIST, **overrides}
    judge, ref = _judge_and_reference(judge, n_reference)
    X, _ = mnist_images("train")
    n_train = cfg.pop("n_train")
    X = X if n_train is None else X[:n_train]
    t0 = time.perf_counter()
    trainer = train_dcgan_mnist(X, seed=seed, progress=progress, **cfg)
    train_seconds = time.perf_counter() - t0
    samples = trainer.sample(n_samples)
    return {
        "report": judge.report(samples, ref),
        "baselines": noise_baselines(judge, ref, n_samples, seed=seed),
        "judge_accuracy": judge.test_accuracy,
        "train_seconds": train_seconds,
        "settings": {**cfg, "n_train": len(X), "n_samples": n_samples, "n_reference": len(ref)},
        "samples": samples,
        "history": trainer.history,
    }


def run_ddpm_mnist(
    *, judge=None, n_samples=128, n_reference=5000, seed=0, progress=True, **overrides
) -> dict:
    """Train the U-Net DDPM on MNIST (settings :data:`DDPM_MNIST`; ``size`` 14 trains on 2x2
    average-pooled 14x14 images and the judge sees them upsampled x2, like its reference), draw
    ``n_samples`` images with the full ancestral sampler (T model calls, sigma_t^2 = beta_t)
    and score them as :func:`run_dcgan_mnist` does. Also returns "sample_seconds"."""
    cfg = {**DDPM_MNIST, **overrides}
    size = cfg.pop("size")
    judge, _ = _judge_and_reference(judge, 0)
    Xte, _ = mnist_images("test", size=size)
    ref = Xte[:n_reference]
    X, _ = mnist_images("train", size=size)
    t0 = time.perf_counter()
    ddpm = train_ddpm_mnist(X, seed=seed, progress=progress, **cfg)
    train_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    samples = ddpm.sample(
        n_samples, (1, size, size), generator=np.random.default_rng(seed + 1), progress=progress
    )
    sample_seconds = time.perf_counter() - t0
    return {
        "report": judge.report(samples, ref),
        "baselines": noise_baselines(judge, ref, n_samples, seed=seed),
        "judge_accuracy": judge.test_accuracy,
        "train_seconds": train_seconds,
        "sample_seconds": sample_seconds,
        "settings": {**cfg, "size": size, "n_samples": n_samples, "n_reference": len(ref)},
        "samples": np.clip(samples, -1, 1),
        "history": ddpm.history,
    }


def main(argv=None):
    """``python -m glassml.experiments._generative_mnist {dcgan,ddpm} --out DIR``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", choices=["dcgan", "ddpm"])
    ap.add_argument("--out", default=".")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=None, help="number of generated images")
    ap.add_argument("--steps", type=int, default=None, help="DDPM training steps")
    ap.add_argument("--epochs", type=int, default=None, help="DCGAN epochs")
    ap.add_argument("--size", type=int, choices=[14, 28], default=None, help="DDPM image size")
    args = ap.parse_args(argv)
    overrides = {}
    if args.samples is not None:
        overrides["n_samples"] = args.samples
    if args.steps is not None and args.model == "ddpm":
        overrides["steps"] = args.steps
    if args.epochs is not None and args.model == "dcgan":
        overrides["epochs"] = args.epochs
    if args.size is not None and args.model == "ddpm":
        overrides["size"] = args.size
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    judge = MNISTJudge(progress=True)
    judge_seconds = time.perf_counter() - t0
    run = run_dcgan_mnist if args.model == "dcgan" else run_ddpm_mnist
    res = run(judge=judge, seed=args.seed, **overrides)
    res["judge_seconds"] = judge_seconds
    res["judge_from_cache"] = judge.from_cache
    res["total_seconds"] = time.perf_counter() - t0
    samples = res.pop("samples")
    hist = res.pop("history")
    res["loss_first_last"] = (
        [hist["d_loss"][0], hist["d_loss"][-1], hist["g_loss"][0], hist["g_loss"][-1]]
        if isinstance(hist, dict)
        else [float(np.mean(hist[:50])), float(np.mean(hist[-50:]))]
    )
    (out / f"{args.model}_mnist.json").write_text(json.dumps(res, indent=1, default=float))
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 6))
    ax = fig.subplots()
    side = samples.shape[-1]
    ax.imshow(image_grid(samples[:64].reshape(-1, side, side), nrow=8), cmap="gray_r")
    ax.set_title(f"{args.model}: FD {res['report']['frechet']:.1f}")
    ax.axis("off")
    fig.savefig(out / f"{args.model}_mnist.png", dpi=90)
    print(json.dumps(res, indent=1, default=float))


if __name__ == "__main__":
    main()
