"""GAN utilities: stabilisers, DCGAN initialisation, anomaly scores and image grids.

* :class:`MinibatchStdDev` — minibatch discrimination in its standard-deviation form (GN-09);
* :func:`add_instance_noise` — Gaussian instance noise on D's inputs (GN-09);
* :func:`clip_weights_` — WGAN weight clipping, p <- clip(p, -c, c) (GN-05);
* :func:`dcgan_init_` — conv weights ~ N(0, 0.02), BatchNorm gamma ~ N(1, 0.02) (GN-03);
* :func:`anomaly_score` — s(x) = 1 - D(x) from a trained discriminator (GN-11);
* :func:`image_grid` — tile (N, [C,] H, W) images into one array for ``imshow``.

All names are re-exported by :mod:`glassml.models.gan`.

Inventory: GN-03, GN-05, GN-09, GN-11, CL-208, CL-211.

Example
-------
>>> import numpy as np
>>> image_grid(np.zeros((6, 8, 8)), nrow=3).shape      # 2 rows x 3 columns, 1-pixel padding
(19, 28)
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, cat, no_grad
from glassml.autograd.random import get_generator

__all__ = [
    "MinibatchStdDev",
    "add_instance_noise",
    "clip_weights_",
    "dcgan_init_",
    "anomaly_score",
    "image_grid",
]


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
