"""Denoisers for DDPM: sinusoidal time embedding, a toy MLP for 2-D data and a small U-Net.

Sinusoidal embedding of the (integer) time step t, dimension d = 2h (Transformer-style)::

    emb(t) = [sin(t w_0), ..., sin(t w_{h-1}), cos(t w_0), ..., cos(t w_{h-1})],
    w_i = max_period^(-i / h)

U-Net (Ho et al. 2020, scaled down), time embedding tau = MLP(emb(t)) injected in every block::

    ResBlock(x, tau) = skip(x) + conv2(SiLU(GN(conv1(SiLU(GN(x))) + Linear(SiLU(tau)))))
    down path : conv_in, [ResBlock x num_res_blocks, Downsample] per level
    middle    : ResBlock, self-attention (lowest resolution), ResBlock
    up path   : [ResBlock(cat(h, skip)) x (num_res_blocks + 1), Upsample] per level
    out       : conv_out(SiLU(GN(h)))

Downsample is a stride-2 3x3 conv (or 2x2 average pooling); Upsample is nearest x2 + 3x3 conv.
Self-attention: x + proj(softmax(q k^T / sqrt(C)) v) over the H W positions (one head).

Inventory: GN-17 (time embedding, MLP denoiser, U-Net), CL-215.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import randn
>>> net = UNet(in_channels=1, base_channels=16, channel_mults=(1, 2), groups=4)
>>> net(randn(2, 1, 8, 8), np.array([3, 999])).shape
(2, 1, 8, 8)
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, cat
from glassml.autograd.fused import (
    avg_pool2d,
    interpolate,
    scaled_dot_product_attention,
    silu,
)

__all__ = [
    "timestep_embedding",
    "MLPDenoiser",
    "ResBlock",
    "AttentionBlock",
    "Downsample",
    "Upsample",
    "UNet",
]


def timestep_embedding(t, dim: int, max_period: float = 10000.0, dtype=np.float32) -> Tensor:
    """Sinusoidal embedding (N, dim) of time steps t (N,): [sin(t w_i), cos(t w_i)],
    w_i = max_period^(-i/h), h = dim // 2 (GN-17). A constant (no gradient).

    >>> timestep_embedding(np.array([0, 5]), 4).shape
    (2, 4)
    """
    t = np.asarray(t.data if isinstance(t, Tensor) else t)
    if t.ndim != 1:
        raise ValueError(f"t: expected a 1-D array of time steps, got shape {t.shape}")
    if not (isinstance(dim, int) and dim >= 2 and dim % 2 == 0):
        raise ValueError(f"dim: expected an even int >= 2, got {dim!r}")
    half = dim // 2
    freqs = np.exp(-math.log(max_period) * np.arange(half) / half)  # (h,)
    args = t.astype(np.float64)[:, None] * freqs[None, :]  # (N, h)
    return Tensor(np.concatenate([np.sin(args), np.cos(args)], axis=1).astype(dtype))


def _dtype_of(module) -> np.dtype:
    return next(iter(module.parameters())).dtype


class MLPDenoiser(nn.Module):
    """eps_theta(x_t, t) for low-dimensional data (GN-17): an MLP on [x_t, tau(t)].

    tau = Linear(SiLU(Linear(emb(t)))) (time_dim); then ``n_layers`` Linear+SiLU of width
    ``hidden`` and a Linear to ``dim``. Keys: time_mlp.*, net.*.

    >>> from glassml.autograd import randn
    >>> MLPDenoiser(2, hidden=16)(randn(3, 2), np.array([0, 1, 2])).shape
    (3, 2)
    """

    def __init__(self, dim=2, hidden=128, time_dim=32, n_layers=3, *, generator=None):
        super().__init__()
        for name, v in (("dim", dim), ("hidden", hidden), ("n_layers", n_layers)):
            if not (isinstance(v, int) and v > 0):
                raise ValueError(f"MLPDenoiser: {name} must be a positive int, got {v!r}")
        if not (isinstance(time_dim, int) and time_dim >= 2 and time_dim % 2 == 0):
            raise ValueError(f"MLPDenoiser: time_dim must be an even int >= 2, got {time_dim!r}")
        self.dim, self.time_dim = dim, time_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(time_dim, time_dim, generator=generator),
            nn.SiLU(),
            nn.Linear(time_dim, time_dim, generator=generator),
        )
        layers, width = [], dim + time_dim
        for _ in range(n_layers):
            layers += [nn.Linear(width, hidden, generator=generator), nn.SiLU()]
            width = hidden
        layers.append(nn.Linear(width, dim, generator=generator))
        self.net = nn.Sequential(*layers)

    def forward(self, x, t):  # x (N, dim), t (N,) -> (N, dim)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"MLPDenoiser: expected x of shape (N, {self.dim}), got {x.shape}")
        tau = self.time_mlp(timestep_embedding(t, self.time_dim, dtype=x.dtype))  # (N, Td)
        return self.net(cat([x, tau], dim=1))


class ResBlock(nn.Module):
    """Residual block with time injection (GN-17)::

    h = conv1(SiLU(GN(x)));  h = h + time_proj(SiLU(tau))[:, :, None, None]
    h = conv2(dropout(SiLU(GN(h))));  out = skip(x) + h,  skip = 1x1 conv if C_in != C_out

    x (N, C_in, H, W), tau (N, time_dim) -> (N, C_out, H, W). Inventory: GN-17.

    >>> from glassml.autograd import randn
    >>> ResBlock(4, 8, 16, groups=2)(randn(2, 4, 5, 5), randn(2, 16)).shape
    (2, 8, 5, 5)
    """

    def __init__(self, in_ch, out_ch, time_dim, groups=8, dropout=0.0, *, generator=None):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1, generator=generator)
        self.time_proj = nn.Linear(time_dim, out_ch, generator=generator)
        self.norm2 = nn.GroupNorm(groups, out_ch)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, generator=generator)
        if in_ch != out_ch:
            self.skip = nn.Conv2d(in_ch, out_ch, 1, generator=generator)
        else:
            self.skip = nn.Identity()

    def forward(self, x, tau):  # x (N, C_in, H, W), tau (N, Td) -> (N, C_out, H, W)
        h = self.conv1(silu(self.norm1(x)))  # (N, C_out, H, W)
        h = h + self.time_proj(silu(tau))[:, :, None, None]
        h = self.conv2(self.dropout(silu(self.norm2(h))))
        return self.skip(x) + h


class AttentionBlock(nn.Module):
    """Single-head self-attention over the H W positions with a residual connection::

    h = GN(x) as (N, HW, C);  q, k, v = split(Linear_qkv(h));  out = x + proj(SDPA(q, k, v))

    x (N, C, H, W) -> (N, C, H, W). Inventory: GN-17.

    >>> from glassml.autograd import randn
    >>> AttentionBlock(8, groups=2)(randn(2, 8, 3, 3)).shape
    (2, 8, 3, 3)
    """

    def __init__(self, channels, groups=8, *, generator=None):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Linear(channels, 3 * channels, generator=generator)
        self.proj = nn.Linear(channels, channels, generator=generator)

    def forward(self, x):  # (N, C, H, W)
        n, c, hgt, wid = x.shape
        h = self.norm(x).reshape(n, c, hgt * wid).transpose(1, 2)  # (N, HW, C)
        q, k, v = self.qkv(h).chunk(3, dim=-1)  # 3 x (N, HW, C)
        a = scaled_dot_product_attention(q, k, v)  # (N, HW, C)
        out = self.proj(a).transpose(1, 2).reshape(n, c, hgt, wid)
        return x + out


class Downsample(nn.Module):
    """Halve H and W: stride-2 3x3 conv (``mode="conv"``) or 2x2 average pooling ("avg").

    Inventory: GN-17.

    >>> from glassml.autograd import randn
    >>> Downsample(4)(randn(1, 4, 8, 8)).shape
    (1, 4, 4, 4)
    """

    def __init__(self, channels, mode="conv", *, generator=None):
        super().__init__()
        if mode not in ("conv", "avg"):
            raise ValueError(f"Downsample: mode must be 'conv' or 'avg', got {mode!r}")
        self.mode = mode
        if mode == "conv":
            self.op = nn.Conv2d(channels, channels, 3, stride=2, padding=1, generator=generator)

    def forward(self, x):
        return self.op(x) if self.mode == "conv" else avg_pool2d(x, 2)


class Upsample(nn.Module):
    """Double H and W: nearest-neighbour x2 then a 3x3 conv. Inventory: GN-17.

    >>> from glassml.autograd import randn
    >>> Upsample(4)(randn(1, 4, 4, 4)).shape
    (1, 4, 8, 8)
    """

    def __init__(self, channels, *, generator=None):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, generator=generator)

    def forward(self, x):
        return self.conv(interpolate(x, scale_factor=2, mode="nearest"))


class UNet(nn.Module):
    """A small DDPM U-Net eps_theta(x_t, t) for 8x8 .. 28x28 images (GN-17).

    Parameters
    ----------
    in_channels : image channels C (input and output (N, C, H, W))
    base_channels : channels of the first level; level i has base * channel_mults[i]
    channel_mults : tuple, one entry per resolution level (H must be divisible by
        2^(levels - 1))
    num_res_blocks : ResBlocks per level on the way down (one more on the way up)
    groups : GroupNorm groups (must divide every channel count)
    attention : self-attention in the middle block (lowest resolution)
    downsample : "conv" (stride-2 conv) or "avg" (average pooling)
    dropout : dropout inside the ResBlocks

    Keys: time_mlp.*, conv_in.*, down.<i>.*, mid1.*, mid_attn.*, mid2.*, up.<i>.*, norm_out.*,
    conv_out.*. Inventory: GN-17.

    >>> from glassml.autograd import randn
    >>> UNet(1, 8, (1, 2), groups=4)(randn(2, 1, 16, 16), np.array([0, 10])).shape
    (2, 1, 16, 16)
    """

    def __init__(
        self,
        in_channels=1,
        base_channels=32,
        channel_mults=(1, 2),
        num_res_blocks=1,
        groups=8,
        attention=True,
        downsample="conv",
        dropout=0.0,
        *,
        generator=None,
    ):
        super().__init__()
        owner = "UNet"
        for name, v in (
            ("in_channels", in_channels),
            ("base_channels", base_channels),
            ("num_res_blocks", num_res_blocks),
            ("groups", groups),
        ):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"{owner}: {name} must be a positive int, got {v!r}")
        channel_mults = tuple(channel_mults)
        if not channel_mults or any(not isinstance(m, int) or m <= 0 for m in channel_mults):
            raise ValueError(f"{owner}: channel_mults must be positive ints, got {channel_mults}")
        for m in channel_mults:
            if (base_channels * m) % groups:
                raise ValueError(
                    f"{owner}: groups ({groups}) must divide every channel count "
                    f"(base_channels * mult = {base_channels * m})"
                )
        self.in_channels, self.base_channels = in_channels, base_channels
        self.channel_mults, self.num_res_blocks = channel_mults, num_res_blocks
        g = dict(generator=generator)
        tdim = 4 * base_channels
        self.time_mlp = nn.Sequential(
            nn.Linear(base_channels, tdim, **g), nn.SiLU(), nn.Linear(tdim, tdim, **g)
        )
        self.conv_in = nn.Conv2d(in_channels, base_channels, 3, padding=1, **g)
        down, skips, ch = [], [base_channels], base_channels
        for i, mult in enumerate(channel_mults):
            for _ in range(num_res_blocks):
                down.append(ResBlock(ch, base_channels * mult, tdim, groups, dropout, **g))
                ch = base_channels * mult
                skips.append(ch)
            if i < len(channel_mults) - 1:
                down.append(Downsample(ch, downsample, **g))
                skips.append(ch)
        self.down = nn.ModuleList(down)
        self.mid1 = ResBlock(ch, ch, tdim, groups, dropout, **g)
        self.mid_attn = AttentionBlock(ch, groups, **g) if attention else nn.Identity()
        self.mid2 = ResBlock(ch, ch, tdim, groups, dropout, **g)
        up = []
        for i, mult in reversed(list(enumerate(channel_mults))):
            for _ in range(num_res_blocks + 1):
                up.append(
                    ResBlock(ch + skips.pop(), base_channels * mult, tdim, groups, dropout, **g)
                )
                ch = base_channels * mult
            if i > 0:
                up.append(Upsample(ch, **g))
        self.up = nn.ModuleList(up)
        self.norm_out = nn.GroupNorm(groups, ch)
        self.conv_out = nn.Conv2d(ch, in_channels, 3, padding=1, **g)

    def forward(self, x, t):  # x (N, C, H, W), t (N,) int -> (N, C, H, W)
        levels = len(self.channel_mults)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"UNet: expected x of shape (N, {self.in_channels}, H, W), got {x.shape}"
            )
        f = 2 ** (levels - 1)
        if x.shape[2] % f or x.shape[3] % f:
            raise ValueError(
                f"UNet: H and W must be divisible by {f} ({levels} levels), got {x.shape[2:]}"
            )
        emb = timestep_embedding(t, self.base_channels, dtype=x.dtype)  # (N, base)
        if emb.shape[0] != x.shape[0]:
            raise ValueError(f"t: expected {x.shape[0]} time steps, got {emb.shape[0]}")
        tau = self.time_mlp(emb)  # (N, 4 base)
        h = self.conv_in(x)
        hs = [h]
        for block in self.down:
            h = block(h, tau) if isinstance(block, ResBlock) else block(h)
            hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, tau)), tau)  # lowest resolution
        for block in self.up:
            if isinstance(block, ResBlock):
                h = block(cat([h, hs.pop()], dim=1), tau)
            else:
                h = block(h)
        return self.conv_out(silu(self.norm_out(h)))  # (N, C, H, W)
