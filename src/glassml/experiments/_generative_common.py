"""Shared helpers of the generative-model experiments (gans, diffusion_vae, generative_real) and
of the real-task tests: data, a digit judge, noise baselines, distances and small trainers.

* :func:`digits` — the 8x8 digits in [-1, 1] with a fixed train/test split;
* :class:`DigitJudge` — a glassml MLP classifier of 8x8 digits whose class probabilities and
  hidden features score generated digits (mean max-probability, class-histogram entropy,
  Fréchet distance on its features: MS-29); its 28x28 MNIST twin is
  :class:`glassml.experiments._mnist_judge.MNISTJudge`;
* :func:`noise_baselines` — Fréchet distances of noise images and of real vs real, for any judge;
* :func:`train_dcgan_digits`, :func:`train_ddpm_digits`, :func:`train_ring_gan` — trainers;
* :func:`ring_of_gaussians`, :func:`ring_metrics`, :func:`mmd_rbf`, :func:`energy_distance`,
  :func:`two_moons` — 2-D toys and sample distances.

Inventory: CL-204..CL-217, GN-01..GN-18, MS-29.

Example
-------
>>> X, y, tr, te = digits()
>>> X.shape, float(X.min()), float(X.max())
((1797, 64), -1.0, 1.0)
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.datasets import load_digits
from glassml.metrics.generative import frechet_distance_from_features, inception_score
from glassml.models.ddpm import DDPM
from glassml.models.gan import (
    DCGANDiscriminator,
    DCGANGenerator,
    GANTrainer,
    MLPDiscriminator,
    MLPGenerator,
    image_grid,
)
from glassml.models.unet import MLPDenoiser
from glassml.optim import Adam

__all__ = [
    "digits",
    "DigitJudge",
    "judge_report",
    "noise_baselines",
    "train_dcgan_digits",
    "train_ddpm_digits",
    "grid_axes",
    "ring_of_gaussians",
    "ring_metrics",
    "mmd_rbf",
    "energy_distance",
    "train_ring_gan",
    "two_moons",
]


def digits(seed=0):
    """8x8 digits as float32 in [-1, 1], shape (N, 64); labels; a fixed train/test split."""
    X, y = load_digits(return_X_y=True)
    X = (X / 8.0 - 1.0).astype(np.float32)
    perm = np.random.default_rng(seed).permutation(len(X))
    return X, y, perm[:1400], perm[1400:]


def judge_report(proba, features, reference_features) -> dict:
    """The scores of generated images from a judge's class probabilities (n, K) and features
    (n, d) against the features of real images (m, d):

    * ``mean_max_prob`` = mean_x max_k p(k|x) (1 = every sample confidently one digit);
    * ``class_entropy`` = -sum_k h_k log h_k of the histogram h of argmax classes (nats;
      log K = perfectly balanced), ``class_histogram`` = h;
    * ``inception_score`` = exp(E_x KL(p(y|x) || p(y))) (MS-29; between 1 and K);
    * ``frechet`` = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)) between Gaussians
      fitted to the two feature sets (FID on the judge's features, MS-29).
    """
    proba = np.asarray(proba, np.float64)
    hist = np.bincount(proba.argmax(1), minlength=proba.shape[1]) / len(proba)
    nz = hist[hist > 0]
    return {
        "mean_max_prob": float(proba.max(1).mean()),
        "class_entropy": float(-(nz * np.log(nz)).sum()),
        "class_histogram": hist.round(3).tolist(),
        "inception_score": float(inception_score(proba / proba.sum(1, keepdims=True))),
        "frechet": float(frechet_distance_from_features(features, reference_features)),
    }


class DigitJudge:
    """A glassml MLP digit classifier (64 -> 128 ReLU -> 10) used to score generated 8x8 digits.

    Trained with Adam (lr 1e-3, batch 64) for ``epochs`` on X (N, 64) in [-1, 1], labels y (N,).
    ``proba(X)`` (N, 10), ``features(X)`` the 128 hidden ReLU units (N, 128), ``report(samples,
    reference)`` the scores of :func:`judge_report`. Inventory: MS-29.

    Example
    -------
    >>> X, y, tr, te = digits()
    >>> judge = DigitJudge(X[tr], y[tr], epochs=2)
    >>> judge.proba(X[te][:3]).shape
    (3, 10)
    """

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

    @staticmethod
    def _flat(X):
        return np.clip(np.asarray(X, np.float32).reshape(-1, 64), -1, 1)  # (N, 64)

    def proba(self, X):
        with no_grad():
            return self.net(Tensor(self._flat(X))).softmax(-1).numpy()

    def features(self, X):
        with no_grad():
            h = self.net[1](self.net[0](Tensor(self._flat(X))))  # (N, 128)
            return h.numpy().astype(np.float64)

    def report(self, samples, reference) -> dict:
        """Mean max-probability, class-histogram entropy (nats; log 10 = balanced), Inception
        Score and the Fréchet distance to ``reference`` on the hidden features."""
        return judge_report(self.proba(samples), self.features(samples), self.features(reference))


def noise_baselines(judge, reference, n, seed=0) -> dict:
    """Fréchet distances (on ``judge``'s features) of noise images to ``reference`` (N, ...) in
    [-1, 1]: uniform U(-1, 1), Gaussian N(0, 0.5^2) (clipped), and a harder baseline with
    independent pixels matching the data's per-pixel mean and std; plus real vs real (the two
    halves of ``reference``, the finite-sample floor). ``n`` noise images each."""
    rng = np.random.default_rng(seed)
    ref = np.asarray(reference, np.float32)
    shape = (n,) + ref.shape[1:]
    uni = rng.uniform(-1, 1, shape)
    gau = np.clip(rng.normal(0.0, 0.5, shape), -1, 1)
    pix = np.clip(rng.normal(ref.mean(0), ref.std(0) + 1e-3, shape), -1, 1)
    half = len(ref) // 2
    return {
        "frechet_uniform": judge.report(uni, ref)["frechet"],
        "frechet_gaussian": judge.report(gau, ref)["frechet"],
        "frechet_pixel_gaussian": judge.report(pix, ref)["frechet"],
        "frechet_real": judge.report(ref[:half], ref[half:])["frechet"],
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


def grid_axes(ax, images, title, nrow=10, size=8):
    """Draw images (N, size*size) or (N, [1,] size, size) in [-1, 1] as a grid on ``ax``."""
    ax.imshow(
        image_grid(np.clip(np.asarray(images), -1, 1).reshape(-1, size, size), nrow=nrow),
        cmap="gray_r",
    )
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


def two_moons(n, rng, noise=0.05):
    """Two interleaving half circles (n, 2) float32 with Gaussian noise of std ``noise``."""
    k = rng.integers(0, 2, n)
    a = rng.uniform(0, np.pi, n)
    x = np.where(k == 0, np.cos(a), 1 - np.cos(a))
    y = np.where(k == 0, np.sin(a), 0.5 - np.sin(a))
    return (np.c_[x, y] + noise * rng.standard_normal((n, 2))).astype(np.float32)
