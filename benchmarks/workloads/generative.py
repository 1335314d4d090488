"""Generative-model training steps (issue 8) against the same models written in torch.

unet_train_step: the DDPM U-Net; batch 32 of 1x16x16 images (8 of 8x8 in quick mode), base 16
channels, levels (1, 2), one ResBlock per level, attention at the lowest resolution; one AdamW
step on the DDPM noise MSE with the same x0, t and eps on both sides.

dcgan_mnist_step: one D step + one G step of the 28x28 MNIST DCGAN (nz 64, ngf = ndf = 32),
batch 64 (8 in quick mode), the same weights and z on both sides.
"""

from __future__ import annotations

import math

import numpy as np

from glassml.bench import Case, workload


def _torch_unet(torch, base, mults, groups):
    nn, F = torch.nn, torch.nn.functional

    class Res(nn.Module):
        def __init__(self, cin, cout, tdim):
            super().__init__()
            self.norm1, self.conv1 = nn.GroupNorm(groups, cin), nn.Conv2d(cin, cout, 3, padding=1)
            self.time_proj = nn.Linear(tdim, cout)
            self.norm2, self.conv2 = nn.GroupNorm(groups, cout), nn.Conv2d(cout, cout, 3, padding=1)
            self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

        def forward(self, x, tau):
            h = self.conv1(F.silu(self.norm1(x))) + self.time_proj(F.silu(tau))[:, :, None, None]
            return self.skip(x) + self.conv2(F.silu(self.norm2(h)))

    class Attn(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.norm, self.qkv, self.proj = (
                nn.GroupNorm(groups, c),
                nn.Linear(c, 3 * c),
                nn.Linear(c, c),
            )

        def forward(self, x):
            n, c, h, w = x.shape
            q, k, v = self.qkv(self.norm(x).reshape(n, c, h * w).transpose(1, 2)).chunk(3, -1)
            a = F.scaled_dot_product_attention(q, k, v)
            return x + self.proj(a).transpose(1, 2).reshape(n, c, h, w)

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            tdim = 4 * base
            self.time_mlp = nn.Sequential(nn.Linear(base, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
            self.conv_in = nn.Conv2d(1, base, 3, padding=1)
            downs, skips, ch = [], [base], base
            for i, m in enumerate(mults):
                downs.append(Res(ch, base * m, tdim))
                ch = base * m
                skips.append(ch)
                if i < len(mults) - 1:
                    downs.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                    skips.append(ch)
            self.down = nn.ModuleList(downs)
            self.mid1, self.mid_attn, self.mid2 = Res(ch, ch, tdim), Attn(ch), Res(ch, ch, tdim)
            ups = []
            for i, m in reversed(list(enumerate(mults))):
                for _ in range(2):
                    ups.append(Res(ch + skips.pop(), base * m, tdim))
                    ch = base * m
                if i > 0:
                    ups.append(nn.Conv2d(ch, ch, 3, padding=1))
            self.up = nn.ModuleList(ups)
            self.norm_out, self.conv_out = nn.GroupNorm(groups, ch), nn.Conv2d(ch, 1, 3, padding=1)

        def forward(self, x, t):
            half = base // 2
            freqs = torch.exp(-math.log(10000.0) * torch.arange(half) / half)
            args = t.float()[:, None] * freqs[None]
            tau = self.time_mlp(torch.cat([torch.sin(args), torch.cos(args)], 1))
            h = self.conv_in(x)
            hs = [h]
            for b in self.down:
                h = b(h, tau) if isinstance(b, Res) else b(h)
                hs.append(h)
            h = self.mid2(self.mid_attn(self.mid1(h, tau)), tau)
            for b in self.up:
                if isinstance(b, Res):
                    h = b(torch.cat([h, hs.pop()], 1), tau)
                else:
                    h = b(F.interpolate(h, scale_factor=2, mode="nearest"))
            return self.conv_out(F.silu(self.norm_out(h)))

    return UNet()


@workload("unet_train_step", reference="torch", group="deep learning", unit="images", target=2.0)
def unet_train_step(quick):
    import torch

    size, batch, base, mults, groups = (8 if quick else 16), (8 if quick else 32), 16, (1, 2), 8
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1, 1, (batch, 1, size, size)).astype(np.float32)
    t = rng.integers(0, 1000, batch)
    eps = rng.standard_normal(x0.shape).astype(np.float32)

    from glassml.models.ddpm import DDPM
    from glassml.models.unet import UNet
    from glassml.optim import AdamW

    ours_net = UNet(1, base, mults, 1, groups=groups, generator=rng)
    ddpm = DDPM(ours_net)
    opt = AdamW(ours_net.parameters(), lr=1e-3)

    ref_net = _torch_unet(torch, base, mults, groups)
    # same weights: the torch Upsample is a bare conv inside ``up`` (keys up.<i>.weight vs
    # glassml's up.<i>.conv.weight), so copy by position
    for p_ref, p in zip(ref_net.parameters(), ours_net.parameters(), strict=True):
        assert tuple(p_ref.shape) == p.shape, (tuple(p_ref.shape), p.shape)
        p_ref.data = torch.from_numpy(np.array(p.numpy()))
    opt_t = torch.optim.AdamW(ref_net.parameters(), lr=1e-3)
    abar = torch.from_numpy(np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)).astype(np.float32))
    a = abar[torch.from_numpy(t)].reshape(-1, 1, 1, 1)
    x_t = a.sqrt() * torch.from_numpy(x0) + (1 - a).sqrt() * torch.from_numpy(eps)
    tt, eps_t = torch.from_numpy(t), torch.from_numpy(eps)

    def ours():
        opt.zero_grad()
        ddpm.loss(x0, t, eps).backward()
        opt.step()

    def ref():
        opt_t.zero_grad()
        torch.nn.functional.mse_loss(ref_net(x_t, tt), eps_t).backward()
        opt_t.step()

    return Case(ours=ours, ref=ref, items=batch)


def _torch_dcgan28(torch, nz, ngf, ndf):
    nn = torch.nn
    G = nn.Sequential(
        nn.Unflatten(1, (nz, 1, 1)),
        nn.ConvTranspose2d(nz, ngf * 2, 7, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )
    D = nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False),
        nn.Flatten(0),
    )
    return G, D


@workload("dcgan_mnist_step", reference="torch", group="deep learning", unit="images", target=2.0)
def dcgan_mnist_step(quick):
    """One D step + one G step of the 28x28 MNIST DCGAN (nz 64, ngf = ndf = 32, batch 64; 8 in
    quick mode), non-saturating loss, Adam(2e-4, (0.5, 0.999)), the same weights and z."""
    import torch

    from glassml.models.gan import DCGANDiscriminator, DCGANGenerator, GANTrainer

    nz, ngf, batch = 64, 32, (8 if quick else 64)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32)
    z_d = rng.standard_normal((batch, nz)).astype(np.float32)
    z_g = rng.standard_normal((batch, nz)).astype(np.float32)
    G = DCGANGenerator(nz=nz, ngf=ngf, nc=1, image_size=28, generator=rng)
    D = DCGANDiscriminator(nc=1, ndf=ngf, image_size=28, sigmoid=False, generator=rng)
    trainer = GANTrainer(G, D, latent_dim=nz, seed=0)
    Gt, Dt = _torch_dcgan28(torch, nz, ngf, ngf)
    for ref_net, net in ((Gt, G), (Dt, D)):
        for p_ref, p in zip(ref_net.parameters(), net.parameters(), strict=True):
            p_ref.data = torch.from_numpy(np.array(p.numpy()))
    opt_g = torch.optim.Adam(Gt.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(Dt.parameters(), lr=2e-4, betas=(0.5, 0.999))
    F = torch.nn.functional
    real_t, zd_t, zg_t = (torch.from_numpy(a) for a in (real, z_d, z_g))
    ones, zeros = torch.ones(batch), torch.zeros(batch)

    def ours():
        trainer.d_step(real, z=z_d)
        trainer.g_step(z=z_g)

    def ref():
        opt_d.zero_grad()
        with torch.no_grad():
            fake = Gt(zd_t)
        loss_d = F.binary_cross_entropy_with_logits(
            Dt(real_t), ones
        ) + F.binary_cross_entropy_with_logits(Dt(fake), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        (-F.logsigmoid(Dt(Gt(zg_t))).mean()).backward()
        opt_g.step()

    return Case(ours=ours, ref=ref, items=batch)
