"""Generative adversarial networks: MLP and DCGAN players, conditional GAN, WGAN / WGAN-GP,
the GAN losses, stabilisers, a training loop and a discriminator anomaly score.

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

import math

import numpy as np
from tqdm.auto import tqdm

from glassml import nn
from glassml.autograd import Tensor, cat, no_grad
from glassml.autograd import grad as autograd_grad
from glassml.autograd.fused import binary_cross_entropy_with_logits, logsigmoid
from glassml.autograd.random import get_generator
from glassml.optim import Adam

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

_LOSSES = ("minimax", "non_saturating", "hinge", "wasserstein")


def _as_tensor(x, dtype=None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float32)
    return Tensor(arr if dtype is None else arr.astype(dtype))


def _check_positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


def _check_hidden(hidden, owner: str) -> tuple:
    if isinstance(hidden, int):
        hidden = (hidden,)
    hidden = tuple(hidden)
    for h in hidden:
        _check_positive_int(h, "hidden", owner)
    return hidden


def _maybe_sn(layer: nn.Module, use: bool, generator) -> nn.Module:
    return nn.spectral_norm(layer, generator=generator) if use else layer


# ----------------------------------------------------------------------------- stabilisers
class MinibatchStdDev(nn.Module):
    """Minibatch discrimination, standard-deviation form (GN-09; Karras et al. 2018).

    s = mean over features of sqrt(Var_batch(x) + 1e-8) (a scalar per batch) is appended to every
    sample as one extra feature (2-D input (N, F) -> (N, F+1)) or one constant channel
    (4-D input (N, C, H, W) -> (N, C+1, H, W)). A collapsed generator gives s ~ 0, which the
    discriminator can see; this is the simple, parameter-free variant of Salimans et al.'s
    minibatch discrimination.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> MinibatchStdDev()(randn(5, 3)).shape
    (5, 4)
    """

    def forward(self, x):
        if x.ndim not in (2, 4):
            raise ValueError(f"MinibatchStdDev: expected a 2-D or 4-D input, got shape {x.shape}")
        centred = x - x.mean(dim=0, keepdim=True)  # (N, ...)
        std = ((centred * centred).mean(dim=0) + 1e-8).sqrt()  # (...)
        s = std.mean()  # scalar
        shape = (x.shape[0], 1) + tuple(x.shape[2:])
        return cat([x, s.reshape((1,) * x.ndim).expand(*shape)], dim=1)


def add_instance_noise(x, std: float, *, generator=None) -> Tensor:
    """Instance noise (GN-09): x + N(0, std^2) on the discriminator's inputs (real and fake).

    Spreads both distributions so that their supports overlap and D's gradient stays
    informative; ``std`` is usually annealed to 0 during training.

    >>> import numpy as np
    >>> add_instance_noise(np.zeros((2, 3), np.float32), 0.0).numpy().tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    x = _as_tensor(x)
    if not (isinstance(std, int | float) and std >= 0):
        raise ValueError(f"add_instance_noise: std must be a float >= 0, got {std!r}")
    if std == 0:
        return x
    rng = get_generator(generator)
    return x + Tensor(rng.standard_normal(x.shape).astype(x.dtype) * np.asarray(std, x.dtype))


def clip_weights_(module: nn.Module, clip_value: float = 0.01) -> nn.Module:
    """WGAN weight clipping (GN-05): every parameter p <- clip(p, -c, c), in place.

    Keeps the critic (roughly) K-Lipschitz, as the Kantorovich-Rubinstein dual requires.

    >>> layer = clip_weights_(nn.Linear(3, 2), 0.01)
    >>> float(abs(layer.weight.numpy()).max()) <= 0.01
    True
    """
    if not (isinstance(clip_value, int | float) and clip_value > 0):
        raise ValueError(f"clip_weights_: clip_value must be > 0, got {clip_value!r}")
    for p in module.parameters():
        np.clip(p.data, -clip_value, clip_value, out=p.data)
    return module


def dcgan_init_(module: nn.Module, *, generator=None) -> nn.Module:
    """DCGAN initialisation (Radford et al. 2016): conv / transposed-conv / linear weights
    ~ N(0, 0.02), BatchNorm gamma ~ N(1, 0.02) and beta = 0 (the PyTorch tutorial's
    ``weights_init``). Returns ``module``."""
    rng = get_generator(generator)
    for m in module.modules():
        name = type(m).__name__
        if "Conv" in name or name == "Linear":
            w = m._parameters.get("weight")
            if w is None:
                w = m._parameters.get("weight_orig")
            nn.init.normal_(w, 0.0, 0.02, generator=rng)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif "BatchNorm" in name:
            nn.init.normal_(m.weight, 1.0, 0.02, generator=rng)
            nn.init.zeros_(m.bias)
    return module


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
        # clone: the engine's stride-1 conv kernel can return a view of a reusable scratch
        # buffer when the output has 1 channel (reported); a copy keeps D(real) alive
        return self.main(x).reshape(-1).clone()  # (N,)


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


# ----------------------------------------------------------------------------- losses
def discriminator_loss(real_logits, fake_logits, kind="non_saturating", *, real_label=1.0):
    """Loss the discriminator / critic minimises (LS-24, GN-02, GN-05, GN-09).

    * "minimax" / "non_saturating" (same D loss):
      -[mean log sigmoid(l_real) * r + log(1 - sigmoid(l_real)) (1 - r)] - mean log(1 - sigmoid(l_fake)),
      i.e. BCE with target r = ``real_label`` on reals (r = 0.9: one-sided label smoothing) and
      0 on fakes (fakes are never smoothed);
    * "hinge": mean relu(1 - l_real) + mean relu(1 + l_fake);
    * "wasserstein": mean C(fake) - mean C(real).

    >>> from glassml.autograd import tensor
    >>> round(discriminator_loss(tensor([0.0]), tensor([0.0])).item(), 4)   # 2 log 2
    1.3863
    """
    real, fake = _as_tensor(real_logits), _as_tensor(fake_logits)
    if kind in ("minimax", "non_saturating"):
        if not 0.0 < real_label <= 1.0:
            raise ValueError(f"real_label must be in (0, 1], got {real_label!r}")
        target = Tensor(np.full(real.shape, real_label, dtype=real.dtype))
        zeros = Tensor(np.zeros(fake.shape, dtype=fake.dtype))
        return binary_cross_entropy_with_logits(real, target) + binary_cross_entropy_with_logits(
            fake, zeros
        )
    if kind == "hinge":
        return (1.0 - real).relu().mean() + (1.0 + fake).relu().mean()
    if kind == "wasserstein":
        return fake.mean() - real.mean()
    raise ValueError(f"kind must be one of {_LOSSES}, got {kind!r}")


def generator_loss(fake_logits, kind="non_saturating"):
    """Loss the generator minimises (LS-24, GN-02, CL-205).

    * "minimax": mean log(1 - D(G(z))) = mean log sigmoid(-l); d/dl = -sigmoid(l) -> 0 when D
      rejects the fakes (saturates);
    * "non_saturating": -mean log D(G(z)) = -mean log sigmoid(l); d/dl = sigmoid(l) - 1 -> -1;
    * "hinge" and "wasserstein": -mean l.

    >>> from glassml.autograd import tensor
    >>> round(generator_loss(tensor([0.0]), "minimax").item(), 4)   # log(1/2)
    -0.6931
    """
    fake = _as_tensor(fake_logits)
    if kind == "minimax":
        return logsigmoid(-fake).mean()
    if kind == "non_saturating":
        return -logsigmoid(fake).mean()
    if kind in ("hinge", "wasserstein"):
        return -fake.mean()
    raise ValueError(f"kind must be one of {_LOSSES}, got {kind!r}")


def gradient_penalty(critic, real, fake, generator=None, *, lambda_gp=10.0, epsilon=None):
    """WGAN-GP penalty (GN-06): lambda E[(||grad_x C(x_hat)||_2 - 1)^2],
    x_hat = e x_real + (1 - e) x_fake, e ~ U(0, 1) per sample (shape (N, 1, ...)).

    The input gradient is taken with ``create_graph=True`` (a gradient of a gradient, AG-08) so
    that the penalty itself trains the critic. ``critic`` must treat samples independently (no
    BatchNorm). ``epsilon`` fixes e (tests); otherwise it is drawn from ``generator``.

    >>> from glassml.autograd import randn
    >>> critic = MLPDiscriminator(2, hidden=8)
    >>> float(gradient_penalty(critic, randn(4, 2), randn(4, 2)).item()) >= 0
    True
    """
    if not callable(critic):
        raise TypeError(f"critic must be callable, got {type(critic).__name__}")
    if not lambda_gp >= 0:
        raise ValueError(f"lambda_gp must be >= 0, got {lambda_gp!r}")
    real, fake = _as_tensor(real), _as_tensor(fake)
    if real.shape != fake.shape:
        raise ValueError(
            f"gradient_penalty: real and fake must have the same shape, got {real.shape} and "
            f"{fake.shape}"
        )
    if epsilon is None:
        rng = get_generator(generator)
        shape = (real.shape[0],) + (1,) * (real.ndim - 1)
        epsilon = rng.random(shape).astype(real.dtype)
    e = _as_tensor(epsilon, real.dtype)
    x_hat = (e * real.detach() + (1.0 - e) * fake.detach()).requires_grad_()  # (N, ...)
    (g,) = autograd_grad(critic(x_hat).sum(), x_hat, create_graph=True)  # d C / d x_hat
    g_norm = (g.reshape(g.shape[0], -1) ** 2.0).sum(dim=1).sqrt()  # (N,)
    return float(lambda_gp) * ((g_norm - 1.0) ** 2.0).mean()


# ----------------------------------------------------------------------------- evaluation
def anomaly_score(discriminator, x, *, logits=True, batch_size=1024) -> np.ndarray:
    """Discriminator-based anomaly score (GN-11): s(x) = 1 - D(x) (higher = more anomalous).

    A discriminator trained on normal data assigns low D(x) to points off the data manifold.
    With ``logits=True`` (D returns logits) the score is sigmoid(-l(x)) = 1 - sigmoid(l(x)).
    Runs in eval mode under ``no_grad``; returns an ndarray (N,).
    """
    x = np.asarray(x.data if isinstance(x, Tensor) else x)
    was = discriminator.training
    discriminator.eval()
    dtype = next(iter(discriminator.parameters())).dtype
    out = []
    with no_grad():
        for i in range(0, len(x), batch_size):
            out.append(np.asarray(discriminator(Tensor(x[i : i + batch_size].astype(dtype))).data))
    discriminator.train(was)
    d = np.concatenate(out).astype(np.float64)
    return 1.0 / (1.0 + np.exp(d)) if logits else 1.0 - d


def image_grid(images, nrow=8, pad=1, value=None) -> np.ndarray:
    """Tile images (N, H, W) or (N, C, H, W) into one (rows H', cols W'[, C]) array for imshow."""
    a = np.asarray(images.data if isinstance(images, Tensor) else images, dtype=np.float64)
    if a.ndim == 3:
        a = a[:, None]
    if a.ndim != 4:
        raise ValueError(f"image_grid: expected (N, H, W) or (N, C, H, W), got shape {a.shape}")
    n, c, h, w = a.shape
    ncol = min(nrow, n)
    nrows = math.ceil(n / ncol)
    fill = a.min() if value is None else value
    grid = np.full((c, nrows * (h + pad) + pad, ncol * (w + pad) + pad), fill)
    for i in range(n):
        r, q = divmod(i, ncol)
        grid[
            :,
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + q * (w + pad) : pad + q * (w + pad) + w,
        ] = a[i]
    return grid[0] if c == 1 else grid.transpose(1, 2, 0)


# ----------------------------------------------------------------------------- training loop
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
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
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
