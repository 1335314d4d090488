"""VAE (GN-13, LS-23): MLP and conv VAEs against the same models in PyTorch with identical
weights and identical eps (outputs, -ELBO terms, gradients, one Adam step); training behaviour."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as F

from glassml.autograd import tensor
from glassml.models.vae import VAE, ConvVAE, gaussian_kl
from glassml.optim import Adam

TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-5)}


class TVAE(tnn.Module):
    def __init__(self, d, latent, hidden):
        super().__init__()
        self.encoder = tnn.Sequential(tnn.Linear(d, hidden), tnn.ReLU())
        self.fc_mu = tnn.Linear(hidden, latent)
        self.fc_logvar = tnn.Linear(hidden, latent)
        self.decoder = tnn.Sequential(tnn.Linear(latent, hidden), tnn.ReLU(), tnn.Linear(hidden, d))

    def forward(self, x, eps):
        h = self.encoder(x)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        return self.decoder(mu + torch.exp(0.5 * logvar) * eps), mu, logvar


class TConvVAE(TVAE):
    def __init__(self, c, hw, latent, ch):
        tnn.Module.__init__(self)
        flat = 2 * ch * (hw // 4) ** 2
        self.encoder = tnn.Sequential(
            tnn.Conv2d(c, ch, 4, 2, 1),
            tnn.ReLU(),
            tnn.Conv2d(ch, 2 * ch, 4, 2, 1),
            tnn.ReLU(),
            tnn.Flatten(),
        )
        self.fc_mu = tnn.Linear(flat, latent)
        self.fc_logvar = tnn.Linear(flat, latent)
        self.decoder = tnn.Sequential(
            tnn.Linear(latent, flat),
            tnn.ReLU(),
            tnn.Unflatten(1, (2 * ch, hw // 4, hw // 4)),
            tnn.ConvTranspose2d(2 * ch, ch, 4, 2, 1),
            tnn.ReLU(),
            tnn.ConvTranspose2d(ch, c, 4, 2, 1),
        )


def _torch_loss(ref, x, eps, likelihood, beta):
    out, mu, logvar = ref(x, eps)
    if likelihood == "bernoulli":
        rec = F.binary_cross_entropy_with_logits(out, x, reduction="none")
    else:
        rec = 0.5 * (out - x) ** 2
    rec = rec.reshape(len(x), -1).sum(1)
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(1)
    return (rec + beta * kl).mean(), rec, kl


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "arch,likelihood", [("mlp", "bernoulli"), ("mlp", "gaussian"), ("conv", "bernoulli")]
)
def test_vae_matches_torch(arch, likelihood, dtype):
    rng = np.random.default_rng(0)
    if arch == "mlp":
        ours = VAE(6, 3, (5,), likelihood, beta=0.5, generator=rng)
        ref = TVAE(6, 3, 5)
        x = rng.random((4, 6))
    else:
        ours = ConvVAE((1, 8, 8), 3, 4, likelihood, beta=0.5, generator=rng)
        ref = TConvVAE(1, 8, 3, 4)
        x = rng.random((4, 1, 8, 8))
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    x, eps = x.astype(dtype), rng.standard_normal((4, 3)).astype(dtype)
    opt, opt_t = Adam(ours.parameters(), lr=1e-2), torch.optim.Adam(ref.parameters(), lr=1e-2)
    tol = TOL[dtype]
    for _ in range(2):
        rec, kl = ours.loss_terms(x, eps)
        loss = ours.loss(x, eps)
        loss_t, rec_t, kl_t = _torch_loss(
            ref, torch.from_numpy(x), torch.from_numpy(eps), likelihood, 0.5
        )
        np.testing.assert_allclose(rec.numpy(), rec_t.detach().numpy(), **tol)
        np.testing.assert_allclose(kl.numpy(), kl_t.detach().numpy(), **tol)
        np.testing.assert_allclose(loss.item(), loss_t.item(), **tol)
        opt.zero_grad()
        opt_t.zero_grad()
        loss.backward()
        loss_t.backward()
        refp = dict(ref.named_parameters())
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), refp[name].grad.numpy(), err_msg=name, **tol)
        opt.step()
        opt_t.step()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.numpy(), dict(ref.named_parameters())[name].detach().numpy(), err_msg=name, **tol
        )


def test_kl_closed_form_matches_torch_distributions_and_is_nonnegative():
    rng = np.random.default_rng(1)
    mu, logvar = rng.standard_normal((50, 3)), rng.standard_normal((50, 3))
    ours = gaussian_kl(tensor(mu), tensor(logvar)).numpy()
    q = torch.distributions.Normal(torch.from_numpy(mu), torch.from_numpy(np.exp(0.5 * logvar)))
    p = torch.distributions.Normal(
        torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    )
    ref = torch.distributions.kl_divergence(q, p).sum(1).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    assert (ours >= 0).all()


def test_training_raises_elbo_and_samples():
    rng = np.random.default_rng(2)
    centers = rng.random((3, 10)) > 0.5
    X = (centers[rng.integers(0, 3, 300)] ^ (rng.random((300, 10)) < 0.05)).astype(np.float32)
    vae = VAE(10, 2, (32,), generator=rng).fit(
        X, epochs=15, batch_size=32, lr=5e-3, seed=0, progress=False
    )
    elbo = vae.history["elbo"]
    assert elbo[-1] > elbo[0] + 1.0 and min(vae.history["kl"]) >= 0
    rec = vae.reconstruct(X[:50])
    assert ((rec > 0.5) == X[:50]).mean() > 0.9  # reconstructions recover the bits
    s = vae.sample(20, generator=rng)
    assert s.shape == (20, 10) and ((s >= 0) & (s <= 1)).all()
    assert vae.embed(X[:5]).shape == (5, 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match="likelihood"):
        VAE(4, 2, likelihood="poisson")
    with pytest.raises(ValueError, match="latent_dim"):
        VAE(4, 0)
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 4\)"):
        VAE(4, 2, (3,)).loss(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="divisible by 4"):
        ConvVAE((1, 10, 10))
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 1, 8, 8\)"):
        ConvVAE((1, 8, 8), 2, 2).loss(np.zeros((2, 1, 4, 4), np.float32))
