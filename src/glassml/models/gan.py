"""Generative adversarial networks: MLP and DCGAN players, conditional GAN, WGAN / WGAN-GP,
the GAN losses, stabilisers, a training loop and a discriminator anomaly score.

The players live here; the losses, the gradient penalty, the stabilisers / utilities and the
training loop live in :mod:`.gan_losses`, :mod:`.gan_utils` and :mod:`.gan_training` and are
re-exported, so ``from glassml.models.gan import GANTrainer, discriminator_loss, ...`` works.

The game (GN-01, with the minus signs the source notes drop, E-16)::

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

Alternating training (GN-02): a D step ascends V (BCE with real label 1, fake label 0), a G step
either descends log(1 - D(G(z))) ("minimax") or ascends log D(G(z)) ("non_saturating", the
practical choice: its gradient w.r.t. the logit is 1 - D(G(z)) instead of -D(G(z))).
WGAN (GN-05) replaces D by a critic C without sigmoid and minimises E[C(G(z))] - E[C(x)]
(critic) and -E[C(G(z))] (generator), with weight clipping; WGAN-GP (GN-06) replaces the
clipping by lambda E[(||grad_x C(x_hat)||_2 - 1)^2] on random interpolates (lambda = 10).

Discriminators here return *logits* unless ``sigmoid=True`` (the DCGAN paper's layout, GN-03):
BCE-with-logits on l equals BCE on sigmoid(l) and never takes log(0).

Stabilisers (GN-09): one-sided label smoothing (``real_label=0.9``), instance noise
(:func:`add_instance_noise`), minibatch discrimination in its minibatch-standard-deviation form
(:class:`MinibatchStdDev`, Karras et al. 2018), spectral normalisation of every D layer
(``spectral_norm=True``, NO-07). Historical averaging and unrolled GANs (k look-ahead D steps)
are *not built*: they are described here only. StyleGAN (GN-08) and SRGAN / GAN data
augmentation (GN-12) are documentation-level items: StyleGAN maps z to w with an MLP and
modulates each conv layer by AdaIN(x, w) (``glassml.nn.functional.adaptive_instance_norm``).

Inventory: GN-01..GN-06, GN-09, GN-11, LS-24, NO-07, CL-204..CL-213.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import randn
>>> G, D = DCGANGenerator(nz=16, ngf=8, nc=1, image_size=8), DCGANDiscriminator(nc=1, ndf=8,
...     image_size=8)
>>> x = G(randn(4, 16)); x.shape
(4, 1, 8, 8)
>>> D(x).shape
(4,)
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, cat

from .gan_losses import discriminator_loss, generator_loss, gradient_penalty
from .gan_training import GANTrainer
from .gan_utils import (
    MinibatchStdDev,
    _check_positive_int,
    add_instance_noise,
    anomaly_score,
    clip_weights_,
    dcgan_init_,
    image_grid,
)

__all__ = [
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "ConditionalGenerator",
    "ConditionalDiscriminator",
    "MinibatchStdDev",
    "dcgan_init_",
    "discriminator_loss",
    "generator_loss",
    "gradient_penalty",
    "clip_weights_",
    "add_instance_noise",
    "anomaly_score",
    "image_grid",
    "GANTrainer",
]


def _check_hidden(hidden, owner: str) -> tuple:
    if isinstance(hidden, int):
        hidden = (hidden,)
    hidden = tuple(hidden)
    for h in hidden:
        _check_positive_int(h, "hidden", owner)
    return hidden


def _maybe_sn(layer: nn.Module, use: bool, generator) -> nn.Module:
    return nn.spectral_norm(layer, generator=generator) if use else layer


# ----------------------------------------------------------------------------- MLP players
class MLPGenerator(nn.Module):
    """G: z -> x, an MLP ``Linear -> ReLU -> ... -> Linear [-> Tanh]`` (GN-01).

    Parameters
    ----------
    latent_dim : int, size of z (N, latent_dim)
    out_features : int, size of x (N, out_features)
    hidden : int or tuple of int, hidden widths (default (128, 128))
    output : "tanh" (data scaled to [-1, 1]) or "linear"

    >>> from glassml.autograd import randn
    >>> MLPGenerator(2, 2, hidden=16)(randn(5, 2)).shape
    (5, 2)
    """

    def __init__(
        self, latent_dim, out_features, hidden=(128, 128), output="linear", *, generator=None
    ):
        super().__init__()
        owner = "MLPGenerator"
        self.latent_dim = _check_positive_int(latent_dim, "latent_dim", owner)
        self.out_features = _check_positive_int(out_features, "out_features", owner)
        if output not in ("tanh", "linear"):
            raise ValueError(f"{owner}: output must be 'tanh' or 'linear', got {output!r}")
        layers, width = [], self.latent_dim
        for h in _check_hidden(hidden, owner):
            layers += [nn.Linear(width, h, generator=generator), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, self.out_features, generator=generator))
        if output == "tanh":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z):  # (N, latent_dim) -> (N, out_features)
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """D: x -> logit (or probability), an MLP with LeakyReLU(0.2) (GN-01, GN-05, GN-09).

    Parameters
    ----------
    in_features : int, size of x (N, in_features)
    hidden : int or tuple of int (default (128, 128))
    sigmoid : bool, output D(x) in (0, 1) instead of the logit (default False)
    spectral_norm : bool, spectrally normalise every Linear (NO-07)
    minibatch_std : bool, append the minibatch std-dev feature before the last layer

    Output shape (N,).

    >>> from glassml.autograd import randn
    >>> MLPDiscriminator(2, hidden=16)(randn(5, 2)).shape
    (5,)
    """

    def __init__(
        self,
        in_features,
        hidden=(128, 128),
        sigmoid=False,
        *,
        spectral_norm=False,
        minibatch_std=False,
        generator=None,
    ):
        super().__init__()
        owner = "MLPDiscriminator"
        self.in_features = _check_positive_int(in_features, "in_features", owner)
        layers, width = [], self.in_features
        for h in _check_hidden(hidden, owner):
            layers += [
                _maybe_sn(nn.Linear(width, h, generator=generator), spectral_norm, generator),
                nn.LeakyReLU(0.2),
            ]
            width = h
        if minibatch_std:
            layers.append(MinibatchStdDev())
            width += 1
        layers.append(_maybe_sn(nn.Linear(width, 1, generator=generator), spectral_norm, generator))
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.net = nn.Sequential(*layers)

    def forward(self, x):  # (N, in_features) -> (N,)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"MLPDiscriminator: expected input of shape (N, {self.in_features}), got {x.shape}"
            )
        return self.net(x).reshape(-1)


# ----------------------------------------------------------------------------- DCGAN
_SIZES = {8: (4, 1), 16: (4, 2), 32: (4, 3), 64: (4, 4), 28: (7, 2)}


def _check_size(image_size, owner):
    if image_size not in _SIZES:
        raise ValueError(f"{owner}: image_size must be one of {sorted(_SIZES)}, got {image_size!r}")
    return _SIZES[image_size]


class DCGANGenerator(nn.Module):
    """DCGAN generator (GN-03): z (N, nz[, 1, 1]) -> image (N, nc, S, S) in [-1, 1].

    For S = 64 exactly the paper's / PyTorch tutorial's stack::

        ConvT(nz -> 8ngf, 4, 1, 0) BN ReLU    # 4x4
        ConvT(8ngf -> 4ngf, 4, 2, 1) BN ReLU  # 8x8
        ConvT(4ngf -> 2ngf, 4, 2, 1) BN ReLU  # 16x16
        ConvT(2ngf -> ngf, 4, 2, 1) BN ReLU   # 32x32
        ConvT(ngf -> nc, 4, 2, 1) Tanh        # 64x64

    ``image_size`` 32, 16, 8 drop up-sampling stages (first layer ngf 2^(k-1) channels, k =
    log2(S/4) stride-2 stages); 28 starts from a 7x7 map (first kernel 7) and doubles twice.
    All convolutions have ``bias=False``; weights get :func:`dcgan_init_` (``init="dcgan"``).
    ``state_dict`` keys are ``main.<i>.*`` like the tutorial's ``nn.Sequential``.

    >>> from glassml.autograd import randn
    >>> DCGANGenerator(nz=100, ngf=8, nc=3)(randn(2, 100, 1, 1)).shape
    (2, 3, 64, 64)
    """

    def __init__(self, nz=100, ngf=64, nc=3, image_size=64, *, init="dcgan", generator=None):
        super().__init__()
        owner = "DCGANGenerator"
        self.nz = _check_positive_int(nz, "nz", owner)
        ngf = _check_positive_int(ngf, "ngf", owner)
        self.nc = _check_positive_int(nc, "nc", owner)
        first_kernel, n_up = _check_size(image_size, owner)
        self.image_size = image_size
        ch = ngf * 2 ** (n_up - 1)
        layers = [
            nn.ConvTranspose2d(self.nz, ch, first_kernel, 1, 0, bias=False, generator=generator),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(n_up - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False, generator=generator),
                nn.BatchNorm2d(ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        layers += [
            nn.ConvTranspose2d(ch, self.nc, 4, 2, 1, bias=False, generator=generator),
            nn.Tanh(),
        ]
        self.main = nn.Sequential(*layers)
        if init == "dcgan":
            dcgan_init_(self, generator=generator)
        elif init != "default":
            raise ValueError(f"{owner}: init must be 'dcgan' or 'default', got {init!r}")

    def forward(self, z):
        if z.ndim == 2:
            z = z.reshape(z.shape[0], z.shape[1], 1, 1)  # (N, nz, 1, 1)
        if z.ndim != 4 or z.shape[1:] != (self.nz, 1, 1):
            raise ValueError(
                f"DCGANGenerator: expected z of shape (N, {self.nz}) or (N, {self.nz}, 1, 1), "
                f"got {z.shape}"
            )
        return self.main(z)  # (N, nc, S, S)


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator (GN-03): image (N, nc, S, S) -> D(x) (N,).

    For S = 64::

        Conv(nc -> ndf, 4, 2, 1) LReLU(0.2)                  # 32x32
        [Conv(k ndf -> 2k ndf, 4, 2, 1) BN LReLU(0.2)] x 3   # 16, 8, 4
        Conv(8ndf -> 1, 4, 1, 0) Sigmoid  -> view(-1)

    Options: ``sigmoid=False`` returns logits (for BCE-with-logits / WGAN critics);
    ``batch_norm=False`` drops the BatchNorms (WGAN-GP critics: the per-sample gradient penalty
    is wrong under batch coupling); ``spectral_norm=True`` normalises every conv (NO-07);
    ``image_size`` 32, 16, 8 use fewer stride-2 stages, 28 ends with a 7x7 kernel.

    >>> from glassml.autograd import randn
    >>> DCGANDiscriminator(nc=3, ndf=8)(randn(2, 3, 64, 64)).shape
    (2,)
    """

    def __init__(
        self,
        nc=3,
        ndf=64,
        image_size=64,
        sigmoid=True,
        *,
        batch_norm=True,
        spectral_norm=False,
        init="dcgan",
        generator=None,
    ):
        super().__init__()
        owner = "DCGANDiscriminator"
        self.nc = _check_positive_int(nc, "nc", owner)
        ndf = _check_positive_int(ndf, "ndf", owner)
        last_kernel, n_down = _check_size(image_size, owner)
        self.image_size = image_size

        def conv(cin, cout, k, s, p):
            layer = nn.Conv2d(cin, cout, k, s, p, bias=False, generator=generator)
            return _maybe_sn(layer, spectral_norm, generator)

        layers = [conv(self.nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        ch = ndf
        for _ in range(n_down - 1):
            layers.append(conv(ch, ch * 2, 4, 2, 1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(ch * 2))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            ch *= 2
        layers.append(conv(ch, 1, last_kernel, 1, 0))
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.main = nn.Sequential(*layers)
        if init == "dcgan":
            dcgan_init_(self, generator=generator)
        elif init != "default":
            raise ValueError(f"{owner}: init must be 'dcgan' or 'default', got {init!r}")

    def forward(self, x):
        s = self.image_size
        if x.ndim != 4 or x.shape[1:] != (self.nc, s, s):
            raise ValueError(
                f"DCGANDiscriminator: expected input of shape (N, {self.nc}, {s}, {s}), "
                f"got {x.shape}"
            )
        return self.main(x).reshape(-1)  # (N,)


# ----------------------------------------------------------------------------- conditional GAN
class ConditionalGenerator(nn.Module):
    """Conditional G(z, y) (GN-04): the label's embedding is concatenated to z.

    h = MLP([z, E[y]]), E an ``nn.Embedding(n_classes, embed_dim)``; keys ``label_emb.weight``,
    ``net.*``.

    >>> from glassml.autograd import randn, tensor
    >>> ConditionalGenerator(4, 3, 6, hidden=8)(randn(2, 4), tensor([0, 2])).shape
    (2, 6)
    """

    def __init__(
        self,
        latent_dim,
        n_classes,
        out_features,
        hidden=(128, 128),
        embed_dim=None,
        output="linear",
        *,
        generator=None,
    ):
        super().__init__()
        owner = "ConditionalGenerator"
        self.n_classes = _check_positive_int(n_classes, "n_classes", owner)
        embed_dim = self.n_classes if embed_dim is None else embed_dim
        _check_positive_int(embed_dim, "embed_dim", owner)
        self.latent_dim = _check_positive_int(latent_dim, "latent_dim", owner)
        self.label_emb = nn.Embedding(self.n_classes, embed_dim, generator=generator)
        self.net = MLPGenerator(
            latent_dim + embed_dim, out_features, hidden, output, generator=generator
        ).net

    def forward(self, z, y):  # (N, latent_dim), (N,) int -> (N, out_features)
        return self.net(cat([z, self.label_emb(_labels(y, self.n_classes, "y"))], dim=1))


class ConditionalDiscriminator(nn.Module):
    """Conditional D(x, y) (GN-04): logit of "x is a real sample of class y", MLP on [x, E[y]].

    >>> from glassml.autograd import randn, tensor
    >>> ConditionalDiscriminator(6, 3, hidden=8)(randn(2, 6), tensor([0, 2])).shape
    (2,)
    """

    def __init__(
        self,
        in_features,
        n_classes,
        hidden=(128, 128),
        embed_dim=None,
        sigmoid=False,
        *,
        spectral_norm=False,
        generator=None,
    ):
        super().__init__()
        owner = "ConditionalDiscriminator"
        self.n_classes = _check_positive_int(n_classes, "n_classes", owner)
        embed_dim = self.n_classes if embed_dim is None else embed_dim
        _check_positive_int(embed_dim, "embed_dim", owner)
        self.in_features = _check_positive_int(in_features, "in_features", owner)
        self.label_emb = nn.Embedding(self.n_classes, embed_dim, generator=generator)
        self.net = MLPDiscriminator(
            in_features + embed_dim,
            hidden,
            sigmoid,
            spectral_norm=spectral_norm,
            generator=generator,
        ).net

    def forward(self, x, y):  # (N, in_features), (N,) -> (N,)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"ConditionalDiscriminator: expected x of shape (N, {self.in_features}), "
                f"got {x.shape}"
            )
        h = cat([x, self.label_emb(_labels(y, self.n_classes, "y"))], dim=1)
        return self.net(h).reshape(-1)


def _labels(y, n_classes, name):
    arr = y.data if isinstance(y, Tensor) else np.asarray(y)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise ValueError(
            f"{name}: expected a 1-D integer array of labels, got {arr.dtype} {arr.shape}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name}: labels must be in [0, {n_classes}), got {arr.min()}..{arr.max()}"
        )
    return Tensor(arr.astype(np.int64))
