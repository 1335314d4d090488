"""U-Net and MLP denoisers (GN-17) against the same networks written in PyTorch: outputs, input
and parameter gradients (random upstream gradients), and one AdamW step on the DDPM loss."""

import math

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as F

from glassml.autograd import tensor
from glassml.models.ddpm import DDPM
from glassml.models.unet import MLPDenoiser, UNet, timestep_embedding
from glassml.optim import AdamW

# float32: a deep network accumulates round-off; float64 is the tight check
TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=2e-4, atol=5e-5)}


def _tdt(dtype):
    return torch.float64 if dtype == np.float64 else torch.float32


# ----------------------------------------------------------------------------- torch reference
def t_embedding(t, dim, dtype):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    args = t.double()[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], 1).to(dtype)


class TResBlock(tnn.Module):
    def __init__(self, cin, cout, tdim, groups):
        super().__init__()
        self.norm1 = tnn.GroupNorm(groups, cin)
        self.conv1 = tnn.Conv2d(cin, cout, 3, padding=1)
        self.time_proj = tnn.Linear(tdim, cout)
        self.norm2 = tnn.GroupNorm(groups, cout)
        self.dropout = tnn.Dropout(0.0)
        self.conv2 = tnn.Conv2d(cout, cout, 3, padding=1)
        self.skip = tnn.Conv2d(cin, cout, 1) if cin != cout else tnn.Identity()

    def forward(self, x, tau):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_proj(F.silu(tau))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class TAttention(tnn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = tnn.GroupNorm(groups, c)
        self.qkv = tnn.Linear(c, 3 * c)
        self.proj = tnn.Linear(c, c)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x).reshape(n, c, h * w).transpose(1, 2)).chunk(3, -1)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), -1) @ v
        return x + self.proj(a).transpose(1, 2).reshape(n, c, h, w)


class TDown(tnn.Module):
    def __init__(self, c, mode):
        super().__init__()
        self.mode = mode
        if mode == "conv":
            self.op = tnn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x):
        return self.op(x) if self.mode == "conv" else F.avg_pool2d(x, 2)


class TUp(tnn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = tnn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


class TUNet(tnn.Module):
    def __init__(self, cin, base, mults, nres, groups, attention=True, down="conv"):
        super().__init__()
        tdim = 4 * base
        self.base = base
        self.time_mlp = tnn.Sequential(tnn.Linear(base, tdim), tnn.SiLU(), tnn.Linear(tdim, tdim))
        self.conv_in = tnn.Conv2d(cin, base, 3, padding=1)
        downs, skips, ch = [], [base], base
        for i, m in enumerate(mults):
            for _ in range(nres):
                downs.append(TResBlock(ch, base * m, tdim, groups))
                ch = base * m
                skips.append(ch)
            if i < len(mults) - 1:
                downs.append(TDown(ch, down))
                skips.append(ch)
        self.down = tnn.ModuleList(downs)
        self.mid1 = TResBlock(ch, ch, tdim, groups)
        self.mid_attn = TAttention(ch, groups) if attention else tnn.Identity()
        self.mid2 = TResBlock(ch, ch, tdim, groups)
        ups = []
        for i, m in reversed(list(enumerate(mults))):
            for _ in range(nres + 1):
                ups.append(TResBlock(ch + skips.pop(), base * m, tdim, groups))
                ch = base * m
            if i > 0:
                ups.append(TUp(ch))
        self.up = tnn.ModuleList(ups)
        self.norm_out = tnn.GroupNorm(groups, ch)
        self.conv_out = tnn.Conv2d(ch, cin, 3, padding=1)

    def forward(self, x, t):
        tau = self.time_mlp(t_embedding(t, self.base, x.dtype))
        h = self.conv_in(x)
        hs = [h]
        for b in self.down:
            h = b(h, tau) if isinstance(b, TResBlock) else b(h)
            hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, tau)), tau)
        for b in self.up:
            h = b(torch.cat([h, hs.pop()], 1), tau) if isinstance(b, TResBlock) else b(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class TMLPDenoiser(tnn.Module):
    def __init__(self, dim, hidden, tdim, n_layers):
        super().__init__()
        self.tdim = tdim
        self.time_mlp = tnn.Sequential(tnn.Linear(tdim, tdim), tnn.SiLU(), tnn.Linear(tdim, tdim))
        layers, w = [], dim + tdim
        for _ in range(n_layers):
            layers += [tnn.Linear(w, hidden), tnn.SiLU()]
            w = hidden
        layers.append(tnn.Linear(w, dim))
        self.net = tnn.Sequential(*layers)

    def forward(self, x, t):
        return self.net(torch.cat([x, self.time_mlp(t_embedding(t, self.tdim, x.dtype))], 1))


def _load(ours, ref, dtype):
    ours.to(dtype)
    ref.to(_tdt(dtype))
    assert list(ours.state_dict()) == list(ref.state_dict())
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )


def _compare(ours, ref, x, t, dtype, seed=0):
    tol = TOL[dtype]
    _load(ours, ref, dtype)
    xo = tensor(x.astype(dtype), requires_grad=True)
    xt = torch.tensor(x.astype(dtype), requires_grad=True)
    out, out_t = ours(xo, t), ref(xt, torch.from_numpy(t))
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), **tol)
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    out.backward(tensor(g))
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), **tol)
    refp = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), refp[name].grad.numpy(), err_msg=name, **tol)


# ----------------------------------------------------------------------------- tests
def test_timestep_embedding_matches_formula():
    t = np.array([0, 1, 17, 999])
    ours = timestep_embedding(t, 8, dtype=np.float64).numpy()
    ref = t_embedding(torch.from_numpy(t), 8, torch.float64).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[0], [0, 0, 0, 0, 1, 1, 1, 1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "size,mults,nres,down,attn",
    [(8, (1, 2), 1, "conv", True), (16, (1, 2, 2), 1, "avg", True), (28, (1, 2), 2, "conv", False)],
    ids=["8x8", "16x16-avgpool", "28x28-2res-noattn"],
)
def test_unet_matches_torch(size, mults, nres, down, attn, dtype):
    rng = np.random.default_rng(size)
    ours = UNet(1, 8, mults, nres, groups=4, attention=attn, downsample=down, generator=rng)
    ref = TUNet(1, 8, mults, nres, 4, attention=attn, down=down)
    x = rng.standard_normal((2, 1, size, size))
    _compare(ours, ref, x, np.array([3, 977]), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mlp_denoiser_matches_torch(dtype):
    rng = np.random.default_rng(3)
    _compare(
        MLPDenoiser(2, 16, 8, 2, generator=rng),
        TMLPDenoiser(2, 16, 8, 2),
        rng.standard_normal((5, 2)),
        np.array([0, 4, 10, 500, 999]),
        dtype,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unet_ddpm_training_step_matches_torch(dtype):
    """One AdamW step on the DDPM loss with identical x0, t and eps gives identical weights."""
    rng = np.random.default_rng(4)
    ours = UNet(1, 8, (1, 2), 1, groups=4, generator=rng)
    ref = TUNet(1, 8, (1, 2), 1, 4)
    _load(ours, ref, dtype)
    ddpm = DDPM(ours, timesteps=1000)
    opt = AdamW(ours.parameters(), lr=1e-3)
    opt_t = torch.optim.AdamW(ref.parameters(), lr=1e-3)
    abar = torch.from_numpy(np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)))
    for _ in range(2):
        x0 = rng.uniform(-1, 1, (3, 1, 8, 8)).astype(dtype)
        t = rng.integers(0, 1000, 3)
        eps = rng.standard_normal(x0.shape).astype(dtype)
        opt.zero_grad()
        loss = ddpm.loss(x0, t, eps)
        loss.backward()
        opt.step()
        opt_t.zero_grad()
        a = abar[torch.from_numpy(t)].reshape(-1, 1, 1, 1).to(_tdt(dtype))
        x_t = a.sqrt() * torch.from_numpy(x0) + (1 - a).sqrt() * torch.from_numpy(eps)
        loss_t = F.mse_loss(ref(x_t, torch.from_numpy(t)), torch.from_numpy(eps))
        loss_t.backward()
        opt_t.step()
        np.testing.assert_allclose(loss.item(), loss_t.item(), **TOL[dtype])
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    refp = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        a, b = p.numpy(), refp[name].detach().numpy()
        if name == "mid_attn.qkv.bias" and dtype == np.float32:
            # softmax is invariant to the key bias: its true gradient is 0, the float32 gradient
            # is round-off that Adam normalises to a +-lr step on either side; compare q and v
            c = a.size // 3
            a, b = np.delete(a, np.s_[c : 2 * c]), np.delete(b, np.s_[c : 2 * c])
        np.testing.assert_allclose(a, b, err_msg=name, **tol)


def test_bad_inputs():
    with pytest.raises(ValueError, match="groups"):
        UNet(1, 10, (1, 2), groups=4)
    with pytest.raises(ValueError, match="divisible by 2"):
        UNet(1, 8, (1, 2), groups=4)(tensor(np.zeros((1, 1, 7, 7), np.float32)), np.array([0]))
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 1, H, W\)"):
        UNet(1, 8, (1,), groups=4)(tensor(np.zeros((1, 2, 8, 8), np.float32)), np.array([0]))
    with pytest.raises(ValueError, match="t: expected 2 time steps"):
        UNet(1, 8, (1,), groups=4)(tensor(np.zeros((2, 1, 8, 8), np.float32)), np.array([0]))
    with pytest.raises(ValueError, match="channel_mults"):
        UNet(1, 8, ())
    with pytest.raises(ValueError, match="even"):
        timestep_embedding(np.array([1]), 3)
    with pytest.raises(ValueError, match="time_dim"):
        MLPDenoiser(2, 8, time_dim=5)
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 2\)"):
        MLPDenoiser(2, 8)(tensor(np.zeros((2, 3), np.float32)), np.array([0, 1]))


def test_save_load_roundtrip(tmp_path):
    from glassml.nn import load, save

    cfg = dict(in_channels=1, base_channels=8, channel_mults=[1, 2], groups=4)
    net = UNet(**cfg, generator=np.random.default_rng(0))
    save(net, tmp_path, cfg)
    net2 = load(tmp_path)
    x = tensor(np.random.default_rng(1).standard_normal((2, 1, 8, 8)).astype(np.float32))
    t = np.array([5, 500])
    np.testing.assert_array_equal(net(x, t).numpy(), net2(x, t).numpy())


def test_unet_outputs_do_not_alias_across_calls():
    # the 1-channel conv_out once returned a view of a reused scratch buffer (a .clone() in
    # forward worked around it; fixed in the conv engine): out1 must survive a second call
    rng = np.random.default_rng(0)
    net = UNet(1, 8, (1, 2), groups=4, generator=rng)
    x1 = tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    x2 = tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    out1 = net(x1, np.array([3, 40]))
    first = out1.numpy().copy()
    out2 = net(x2, np.array([7, 900]))
    np.testing.assert_array_equal(out1.numpy(), first)
    assert not np.shares_memory(out1.numpy(), out2.numpy())
