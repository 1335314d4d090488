"""Variational autoencoders (Kingma & Welling 2014): MLP and small convolutional VAEs.

Encoder q_phi(z|x) = N(mu(x), diag sigma^2(x)) outputs (mu, log sigma^2); the
reparameterisation z = mu + sigma * eps, eps ~ N(0, I), makes the sample differentiable in
(mu, sigma); the decoder p_theta(x|z) is Bernoulli (logits, data in [0, 1]) or Gaussian with
unit variance. The ELBO is *maximised*; the loss is its negative (the source's "ELBO = KL + NLL"
is imprecise, E-15)::

    ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))
    -ELBO   = sum_j BCE(x_j, sigmoid(logit_j))   (or 1/2 sum_j (x_j - xhat_j)^2)  + beta KL
    KL      = -1/2 sum_k (1 + log sigma_k^2 - mu_k^2 - sigma_k^2)    (closed form, >= 0)

Reconstruction and KL are summed per sample and averaged over the batch (one-sample Monte Carlo
estimate of the expectation). A plain autoencoder (GN-19) is ``glassml.impute``'s
AutoencoderImputer network: a VAE with beta = 0 and z = mu.

Inventory: GN-13, LS-23, CL-217.

Example
-------
>>> import numpy as np
>>> vae = VAE(in_features=6, latent_dim=2, hidden=(8,))
>>> X = np.random.default_rng(0).random((32, 6)).astype(np.float32)
>>> vae.fit(X, epochs=2, batch_size=16, progress=False).history["elbo"][0] < 0
True
>>> vae.sample(3, generator=np.random.default_rng(0)).shape
(3, 6)
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import binary_cross_entropy_with_logits
from glassml.optim import Adam

__all__ = ["VAE", "ConvVAE", "gaussian_kl"]


def gaussian_kl(mu, logvar):
    """KL(N(mu, diag e^logvar) || N(0, I)) per sample (N,): -1/2 sum (1 + logvar - mu^2 - e^logvar).

    Inventory: LS-23, GN-13.

    >>> from glassml.autograd import tensor
    >>> gaussian_kl(tensor([[0.0, 1.0]]), tensor([[0.0, 0.0]])).numpy().tolist()
    [0.5]
    """
    return -0.5 * (1.0 + logvar - mu * mu - logvar.exp()).sum(dim=-1)


class VAE(nn.Module):
    """An MLP VAE (GN-13).

    Parameters
    ----------
    in_features : D, data (N, D) (in [0, 1] for the Bernoulli likelihood)
    latent_dim : size of z
    hidden : widths of the encoder's hidden layers (mirrored in the decoder)
    likelihood : "bernoulli" (decoder outputs logits) or "gaussian" (decoder outputs the mean)
    beta : weight of the KL term (1 = the ELBO; beta-VAE otherwise)

    Keys: encoder.*, fc_mu.*, fc_logvar.*, decoder.*. ``history`` {"elbo", "recon", "kl"}: per
    epoch means (per sample, nats).
    """

    def __init__(
        self,
        in_features,
        latent_dim=2,
        hidden=(256,),
        likelihood="bernoulli",
        beta=1.0,
        *,
        generator=None,
    ):
        super().__init__()
        for name, v in (("in_features", in_features), ("latent_dim", latent_dim)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"VAE: {name} must be a positive int, got {v!r}")
        if likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(
                f"VAE: likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}"
            )
        if not beta >= 0:
            raise ValueError(f"VAE: beta must be >= 0, got {beta!r}")
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        self.in_features, self.latent_dim = in_features, latent_dim
        self.likelihood, self.beta = likelihood, float(beta)
        g = dict(generator=generator)
        layers, w = [], in_features
        for h in hidden:
            layers += [nn.Linear(w, h, **g), nn.ReLU()]
            w = h
        self.encoder = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(w, latent_dim, **g)
        self.fc_logvar = nn.Linear(w, latent_dim, **g)
        layers, w = [], latent_dim
        for h in reversed(hidden):
            layers += [nn.Linear(w, h, **g), nn.ReLU()]
            w = h
        layers.append(nn.Linear(w, in_features, **g))
        self.decoder = nn.Sequential(*layers)
        self.history = {"elbo": [], "recon": [], "kl": []}

    @property
    def _dtype(self):
        return next(iter(self.parameters())).dtype

    def _check_x(self, x):
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"VAE: expected x of shape (N, {self.in_features}), got {x.shape}")

    def encode(self, x):
        """(mu, logvar), each (N, latent_dim)."""
        self._check_x(x)
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z):
        """Decoder output (N, ...): logits (Bernoulli) or the mean (Gaussian)."""
        return self.decoder(z)

    @staticmethod
    def reparameterize(mu, logvar, eps):
        """z = mu + exp(logvar / 2) * eps."""
        return mu + (0.5 * logvar).exp() * eps

    def forward(self, x, eps=None, *, generator=None):
        """(decoder output, mu, logvar); eps ~ N(0, I) drawn unless given."""
        mu, logvar = self.encode(x)
        if eps is None:
            rng = generator if generator is not None else np.random.default_rng()
            eps = rng.standard_normal(mu.shape).astype(mu.dtype)
        eps = eps if isinstance(eps, Tensor) else Tensor(np.asarray(eps, mu.dtype))
        return self.decode(self.reparameterize(mu, logvar, eps)), mu, logvar

    def loss_terms(self, x, eps=None, *, generator=None):
        """(recon (N,), kl (N,)) per sample: -E_q log p(x|z) (one sample) and the KL."""
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, self._dtype))
        out, mu, logvar = self(x, eps, generator=generator)
        n = x.shape[0]
        if self.likelihood == "bernoulli":
            rec = binary_cross_entropy_with_logits(out, x, reduction="none")
        else:
            rec = 0.5 * (out - x) ** 2
        return rec.reshape(n, -1).sum(dim=1), gaussian_kl(mu, logvar)

    def loss(self, x, eps=None, *, generator=None):
        """Mean over the batch of -ELBO = recon + beta KL (a scalar Tensor)."""
        rec, kl = self.loss_terms(x, eps, generator=generator)
        return (rec + self.beta * kl).mean()

    def fit(self, X, *, epochs=20, batch_size=128, lr=1e-3, seed=None, progress=True):
        """Train with Adam on X; records per-epoch ELBO, reconstruction and KL."""
        X = np.asarray(X, dtype=self._dtype)
        for name, v in (("epochs", epochs), ("batch_size", batch_size)):
            if not (isinstance(v, int) and v > 0):
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        rng = np.random.default_rng(seed)
        opt = Adam(self.parameters(), lr=lr)
        for _ in tqdm(range(epochs), disable=not progress, desc="VAE"):
            order = rng.permutation(len(X))
            sums = np.zeros(2)
            for i in range(0, len(X), batch_size):
                xb = X[order[i : i + batch_size]]
                opt.zero_grad()
                rec, kl = self.loss_terms(xb, generator=rng)
                loss = (rec + self.beta * kl).mean()
                loss.backward()
                opt.step()
                sums += [float(rec.sum().item()), float(kl.sum().item())]
            rec_m, kl_m = (float(v) for v in sums / len(X))
            self.history["recon"].append(rec_m)
            self.history["kl"].append(kl_m)
            self.history["elbo"].append(-(rec_m + kl_m))
        return self

    def _mean(self, out):
        return out.sigmoid() if self.likelihood == "bernoulli" else out

    def sample(self, n, *, generator=None) -> np.ndarray:
        """Decode z ~ N(0, I): the decoder's mean (probabilities for Bernoulli), ndarray."""
        rng = generator if generator is not None else np.random.default_rng()
        z = Tensor(rng.standard_normal((n, self.latent_dim)).astype(self._dtype))
        with no_grad():
            return np.array(self._mean(self.decode(z)).data)

    def reconstruct(self, x) -> np.ndarray:
        """Decoder mean at z = mu(x) (no sampling), ndarray."""
        x = Tensor(np.asarray(x, self._dtype))
        with no_grad():
            mu, _ = self.encode(x)
            return np.array(self._mean(self.decode(mu)).data)

    def embed(self, x) -> np.ndarray:
        """mu(x): the latent code of each sample, ndarray (N, latent_dim)."""
        with no_grad():
            return np.array(self.encode(Tensor(np.asarray(x, self._dtype)))[0].data)


class ConvVAE(VAE):
    """A small convolutional VAE for (N, C, H, W) images, H and W divisible by 4 (GN-13).

    encoder: Conv(C -> c, 4, 2, 1) ReLU Conv(c -> 2c, 4, 2, 1) ReLU Flatten
    decoder: Linear(latent -> 2c H/4 W/4) ReLU Unflatten ConvT(2c -> c, 4, 2, 1) ReLU
             ConvT(c -> C, 4, 2, 1)

    >>> from glassml.autograd import randn
    >>> out, mu, logvar = ConvVAE((1, 8, 8), latent_dim=3, channels=4)(randn(2, 1, 8, 8))
    >>> out.shape, mu.shape
    ((2, 1, 8, 8), (2, 3))
    """

    def __init__(
        self,
        image_shape=(1, 28, 28),
        latent_dim=8,
        channels=16,
        likelihood="bernoulli",
        beta=1.0,
        *,
        generator=None,
    ):
        c_img, h, w = (int(v) for v in image_shape)
        if h % 4 or w % 4:
            raise ValueError(f"ConvVAE: H and W must be divisible by 4, got {image_shape}")
        flat = 2 * channels * (h // 4) * (w // 4)
        super().__init__(c_img * h * w, latent_dim, (flat,), likelihood, beta, generator=generator)
        g = dict(generator=generator)
        self.image_shape = (c_img, h, w)
        self.encoder = nn.Sequential(
            nn.Conv2d(c_img, channels, 4, 2, 1, **g),
            nn.ReLU(),
            nn.Conv2d(channels, 2 * channels, 4, 2, 1, **g),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.fc_mu = nn.Linear(flat, latent_dim, **g)
        self.fc_logvar = nn.Linear(flat, latent_dim, **g)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, flat, **g),
            nn.ReLU(),
            nn.Unflatten(1, (2 * channels, h // 4, w // 4)),
            nn.ConvTranspose2d(2 * channels, channels, 4, 2, 1, **g),
            nn.ReLU(),
            nn.ConvTranspose2d(channels, c_img, 4, 2, 1, **g),
        )

    def _check_x(self, x):
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(
                f"ConvVAE: expected x of shape (N, {', '.join(map(str, self.image_shape))}), "
                f"got {x.shape}"
            )
