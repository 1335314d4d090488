"""Alternating GAN training (GN-02): :class:`GANTrainer` runs D (critic) and G steps with the
losses of :mod:`glassml.models.gan_losses` and the stabilisers of :mod:`glassml.models.gan_utils`.

One iteration::

    repeat n_critic times:  x ~ data, z ~ N(0, I);  D <- D - lr_d grad_D L_D(D(x), D(G(z)))
    z ~ N(0, I);            G <- G - lr_g grad_G L_G(D(G(z)))

Re-exported by :mod:`glassml.models.gan`. Inventory: GN-02, GN-04..GN-06, GN-09, CL-204.

Example
-------
>>> import numpy as np
>>> from glassml.models.gan import MLPDiscriminator, MLPGenerator
>>> X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
>>> t = GANTrainer(MLPGenerator(2, 2, hidden=8), MLPDiscriminator(2, hidden=8),
...                latent_dim=2, seed=0).fit(X, epochs=1, batch_size=32, progress=False)
>>> len(t.history["g_loss"])
2
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from glassml.autograd import Tensor, no_grad
from glassml.optim import Adam

from .gan_losses import LOSSES, discriminator_loss, generator_loss, gradient_penalty
from .gan_utils import _as_tensor, _check_positive_int, add_instance_noise, clip_weights_

__all__ = ["GANTrainer"]


class GANTrainer:
    """Alternating GAN training (GN-02) with the losses and stabilisers of this module.

    Each iteration: ``n_critic`` D steps (fresh z each), then one G step. A D step minimises
    :func:`discriminator_loss` (+ :func:`gradient_penalty` when ``gp_lambda``; weight clipping
    after the step when ``clip_value``); a G step minimises :func:`generator_loss`.
    Optimisers: Adam(lr, betas=(0.5, 0.999)) by default, as in DCGAN.

    Parameters
    ----------
    generator, discriminator : Modules; D returns logits (N,). Conditional players
        (``conditional=True``) are called as G(z, y), D(x, y).
    latent_dim : int, size of z
    loss : "minimax" | "non_saturating" | "hinge" | "wasserstein"
    n_critic : D steps per G step; gp_lambda : WGAN-GP lambda (e.g. 10) or None;
    clip_value : WGAN weight clipping c or None; real_label : one-sided label smoothing;
    instance_noise : std of Gaussian noise added to D inputs (annealed linearly to 0);
    seed : int or Generator for z, interpolation weights and shuffling.

    Attributes: ``history`` {"d_loss": [...], "g_loss": [...]} (one entry per G step),
    ``samples`` list of (step, ndarray) snapshots taken every ``sample_every`` G steps.

    Example
    -------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    >>> from glassml.models.gan import MLPDiscriminator, MLPGenerator
    >>> t = GANTrainer(MLPGenerator(2, 2, hidden=8), MLPDiscriminator(2, hidden=8),
    ...                latent_dim=2, seed=0).fit(X, epochs=1, batch_size=32, progress=False)
    >>> len(t.history["g_loss"])
    2
    """

    def __init__(
        self,
        generator,
        discriminator,
        *,
        latent_dim,
        loss="non_saturating",
        lr_g=2e-4,
        lr_d=2e-4,
        betas=(0.5, 0.999),
        n_critic=1,
        gp_lambda=None,
        clip_value=None,
        real_label=1.0,
        instance_noise=0.0,
        conditional=False,
        seed=None,
    ):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        self.G, self.D = generator, discriminator
        self.latent_dim = _check_positive_int(latent_dim, "latent_dim", "GANTrainer")
        self.loss = loss
        self.n_critic = _check_positive_int(n_critic, "n_critic", "GANTrainer")
        self.gp_lambda, self.clip_value = gp_lambda, clip_value
        self.real_label, self.instance_noise = real_label, float(instance_noise)
        self.conditional = conditional
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.opt_g = Adam(generator.parameters(), lr=lr_g, betas=betas)
        self.opt_d = Adam(discriminator.parameters(), lr=lr_d, betas=betas)
        self.history = {"d_loss": [], "g_loss": []}
        self.samples = []
        self._noise_std = self.instance_noise
        self.dtype = next(iter(generator.parameters())).dtype

    def _z(self, n):
        return Tensor(self.rng.standard_normal((n, self.latent_dim)).astype(self.dtype))

    def _d(self, x, y):
        if self._noise_std > 0:
            x = add_instance_noise(x, self._noise_std, generator=self.rng)
        return self.D(x, y) if self.conditional else self.D(x)

    def _g(self, z, y):
        return self.G(z, y) if self.conditional else self.G(z)

    def d_step(self, real, z=None, y=None, epsilon=None) -> float:
        """One discriminator step on a real batch and G(z) (z drawn when None)."""
        real = _as_tensor(real, self.dtype)
        z = self._z(real.shape[0]) if z is None else _as_tensor(z, self.dtype)
        self.opt_d.zero_grad()
        with no_grad():
            fake = self._g(z, y)
        loss = discriminator_loss(
            self._d(real, y), self._d(fake, y), self.loss, real_label=self.real_label
        )
        if self.gp_lambda:
            critic = (lambda x: self.D(x, y)) if self.conditional else self.D
            loss = loss + gradient_penalty(
                critic, real, fake, self.rng, lambda_gp=self.gp_lambda, epsilon=epsilon
            )
        loss.backward()
        self.opt_d.step()
        if self.clip_value:
            clip_weights_(self.D, self.clip_value)
        return float(loss.item())

    def g_step(self, n=None, z=None, y=None) -> float:
        """One generator step on G(z) (z drawn when None: ``n`` samples)."""
        z = self._z(n) if z is None else _as_tensor(z, self.dtype)
        self.opt_g.zero_grad()
        loss = generator_loss(self._d(self._g(z, y), y), self.loss)
        loss.backward()
        self.opt_g.step()
        return float(loss.item())

    def fit(
        self, X, y=None, *, epochs=10, batch_size=64, progress=True, sample_every=None, n_samples=64
    ):
        """Train on data X (N, ...) (labels y (N,) when conditional) for ``epochs`` passes."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim < 2 or len(X) < 1:
            raise ValueError(f"X: expected an array of shape (N, ...), got {X.shape}")
        if self.conditional and (y is None or len(y) != len(X)):
            raise ValueError("y: a conditional GAN needs one label per sample")
        _check_positive_int(epochs, "epochs", "GANTrainer.fit")
        batch_size = _check_positive_int(batch_size, "batch_size", "GANTrainer.fit")
        per_epoch = max(1, len(X) // (batch_size * self.n_critic))
        total = epochs * per_epoch
        z_fixed = self._z(n_samples)
        y_fixed = (np.arange(n_samples) % self.G.n_classes) if self.conditional else None
        bar = tqdm(total=total, disable=not progress, desc="GAN")
        step = 0
        for _ in range(epochs):
            order = self.rng.permutation(len(X))
            for b in range(per_epoch):
                self._noise_std = self.instance_noise * (1.0 - step / total)
                for k in range(self.n_critic):
                    lo = (b * self.n_critic + k) * batch_size
                    idx = order[lo : lo + batch_size]
                    yb = None if y is None else np.asarray(y)[idx]
                    d_loss = self.d_step(X[idx], y=yb)
                yb = None if y is None else np.asarray(y)[self.rng.integers(0, len(X), len(idx))]
                g_loss = self.g_step(len(idx), y=yb)
                self.history["d_loss"].append(d_loss)
                self.history["g_loss"].append(g_loss)
                step += 1
                if sample_every and step % sample_every == 0:
                    self.samples.append((step, self.sample(z=z_fixed, y=y_fixed)))
                bar.update(1)
                bar.set_postfix(d=f"{d_loss:.3f}", g=f"{g_loss:.3f}")
        bar.close()
        return self

    def sample(self, n=None, *, z=None, y=None) -> np.ndarray:
        """Generate samples (eval mode, no grad) as an ndarray."""
        z = self._z(n) if z is None else _as_tensor(z, self.dtype)
        was = self.G.training
        self.G.eval()
        with no_grad():
            out = np.array(self._g(z, y).data)
        self.G.train(was)
        return out
