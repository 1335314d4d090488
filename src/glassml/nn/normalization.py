"""Normalisation layers: BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d, and the
``spectral_norm`` wrapper.

All share y = gamma * (x - mu) / sqrt(sigma^2 + eps) + beta; they differ in the axes of the
statistics mu, sigma^2 (biased variance):

* BatchNorm (NO-01): per channel over (N, *spatial). Training uses the batch statistics and
  updates running_mean/var with ``momentum``: r <- (1 - m) r + m * stat (the unbiased variance
  goes into running_var, as in PyTorch; ``momentum=None`` is the cumulative average
  1/num_batches_tracked). Eval normalises with the running statistics.
* LayerNorm (NO-02): per sample over the trailing ``normalized_shape`` — independent of the
  batch (CL-123).
* GroupNorm (NO-04): per sample over groups of C/G channels and the spatial dims.
* InstanceNorm (NO-03): per sample and channel over the spatial dims (GroupNorm with G = C).
* spectral_norm (NO-07): W / sigma_max(W), sigma_max estimated by power iteration.

Inventory: NO-01..NO-04, NO-07 (AdaIN, NO-06, is ``functional.adaptive_instance_norm``).

Example
-------
>>> from glassml.autograd import randn
>>> bn = BatchNorm1d(4)
>>> bn(randn(8, 4)).shape, int(bn.num_batches_tracked.item())
((8, 4), 1)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Parameter, Tensor, no_grad
from glassml.autograd.fused import batch_norm, group_norm, instance_norm, layer_norm
from glassml.autograd.random import get_generator

from .linear import _param_dtype
from .module import Module

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "spectral_norm",
    "remove_spectral_norm",
]


def _positive(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _init_affine(module: Module, affine: bool, bias: bool, n: int, dt) -> None:
    """gamma = 1 (``weight``) and beta = 0 (``bias``, only if ``bias``) when ``affine``."""
    if affine:
        module.weight = Parameter(np.ones(n, dtype=dt))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(np.zeros(n, dtype=dt))
    else:
        module.register_parameter("bias", None)


class _NormBase(Module):
    """Shared state of BatchNorm and InstanceNorm: affine weight/bias and running statistics."""

    _input_dims: tuple = ()

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__()
        owner = type(self).__name__
        self.num_features = _positive(num_features, "num_features", owner)
        if not eps > 0:
            raise ValueError(f"{owner}: eps must be positive, got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{owner}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = _param_dtype(dtype)
        self._init_affine(affine, bias, self.num_features, dt)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def _init_affine(self, affine, bias, n, dt) -> None:
        _init_affine(self, affine, bias, n, dt)

    def _check_input(self, input) -> None:
        name = self._get_name()
        if input.ndim not in self._input_dims:
            dims = " or ".join(f"{d}D" for d in self._input_dims)
            raise ValueError(f"{name}: expected {dims} input, got {input.ndim}D input")
        channel_dim = 1 if input.ndim == max(self._input_dims) or name.startswith("Batch") else 0
        if input.shape[channel_dim] != self.num_features:
            raise ValueError(
                f"{self!r}: expected {self.num_features} channels (dim {channel_dim}), "
                f"got input of shape {tuple(input.shape)}"
            )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        if use_batch_stats and input.shape[0] * int(np.prod(input.shape[2:])) <= 1:
            raise ValueError(
                f"{self._get_name()}: expected more than 1 value per channel when training, "
                f"got input of shape {tuple(input.shape)}"
            )
        return batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) per channel C (NO-01).

    Parameters
    ----------
    num_features : int (C)
    eps : float, default 1e-5
    momentum : float or None, default 0.1
    affine : bool, default True — learn gamma (``weight``) and beta (``bias``)
    track_running_stats : bool, default True

    Example
    -------
    >>> from glassml.autograd import randn
    >>> bn = BatchNorm1d(3).eval()
    >>> bn(randn(2, 3)).shape
    (2, 3)
    """

    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) per channel (NO-01).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> BatchNorm2d(3)(randn(4, 3, 5, 5)).shape
    (4, 3, 5, 5)
    """

    _input_dims = (4,)


class _InstanceNorm(_NormBase):
    _nd = 1

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=False,
        track_running_stats=False,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input):
        self._check_input(input)
        unbatched = input.ndim == self._nd + 1
        x = input.unsqueeze(0) if unbatched else input
        out = instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.1 if self.momentum is None else self.momentum,
            self.eps,
        )
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L): per sample and channel over L (NO-03).

    Defaults as torch: ``affine=False``, ``track_running_stats=False``.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> InstanceNorm1d(3)(randn(2, 3, 10)).shape
    (2, 3, 10)
    """

    _nd = 1
    _input_dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) over H, W (NO-03, style transfer)."""

    _nd = 2
    _input_dims = (3, 4)


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` dims of each sample (NO-02).

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, statistics per sample.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> ln = LayerNorm((4, 5))
    >>> ln.weight.shape, ln(randn(3, 4, 5)).shape
    ((4, 5), (3, 4, 5))
    """

    def __init__(
        self,
        normalized_shape,
        eps=1e-5,
        elementwise_affine=True,
        bias=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        if not self.normalized_shape or min(self.normalized_shape) <= 0:
            raise ValueError(f"LayerNorm: invalid normalized_shape {normalized_shape!r}")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _param_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        k = len(self.normalized_shape)
        if tuple(input.shape[input.ndim - k :]) != self.normalized_shape or input.ndim < k:
            raise ValueError(
                f"{self!r}: expected input with trailing shape {self.normalized_shape}, "
                f"got {tuple(input.shape)}"
            )
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Group normalisation: channels split into ``num_groups`` groups; statistics per sample
    and group over (C/G, *spatial) (NO-04). Robust at small batch sizes (CL-122).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> GroupNorm(2, 6)(randn(2, 6, 4, 4)).shape
    (2, 6, 4, 4)
    """

    def __init__(
        self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True
    ):
        super().__init__()
        self.num_groups = _positive(num_groups, "num_groups", "GroupNorm")
        self.num_channels = _positive(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.eps = eps
        self.affine = affine
        _init_affine(self, affine, bias, self.num_channels, _param_dtype(dtype))

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(
                f"{self!r}: expected input (N, {self.num_channels}, *), got {tuple(input.shape)}"
            )
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


# ---------------------------------------------------------------------- spectral norm
def _normalize(vec: np.ndarray, eps: float) -> np.ndarray:
    return vec / max(float(np.linalg.norm(vec)), eps)


class _SpectralNormHook:
    """Forward pre-hook: weight = weight_orig / sigma, sigma = u^T W v (power iteration)."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float):
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def weight_matrix(self, weight):
        if self.dim != 0:
            order = [self.dim, *[d for d in range(weight.ndim) if d != self.dim]]
            weight = weight.permute(*order)
        return weight.reshape(weight.shape[0], -1)  # (h, w)

    def compute_weight(self, module, do_power_iteration: bool):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        w_mat = self.weight_matrix(weight)  # (h, w)
        if do_power_iteration:
            w_np = w_mat.data
            for _ in range(self.n_power_iterations):
                v.data[...] = _normalize(w_np.T @ u.data, self.eps)  # v <- W^T u / |W^T u|
                u.data[...] = _normalize(w_np @ v.data, self.eps)  # u <- W v / |W v|
        u_c, v_c = u.detach(), v.detach()
        sigma = (u_c * (w_mat @ v_c)).sum()  # sigma = u^T W v (differentiable in W)
        return weight / sigma

    def __call__(self, module, args):
        object.__setattr__(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
    *,
    generator=None,
) -> Module:
    """Spectrally normalise ``module.<name>``: W_SN = W / sigma_max(W) (NO-07, GAN critics).

    sigma_max is estimated by power iteration, v <- W^T u/|.|, u <- W v/|.|, sigma = u^T W v,
    with ``n_power_iterations`` steps per training forward (none in eval). State-dict keys
    and semantics follow ``torch.nn.utils.spectral_norm``: ``weight_orig`` (the Parameter),
    buffers ``weight_u`` (h,) and ``weight_v`` (w,), W reshaped to (h, w) with ``dim`` first
    (0; 1 for ConvTranspose). Given the same u, v, outputs equal torch's in train and eval.

    Example
    -------
    >>> from glassml.nn import Linear
    >>> layer = spectral_norm(Linear(4, 3))
    >>> sorted(layer.state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    """
    if not isinstance(module, Module):
        raise TypeError(f"spectral_norm: expected a Module, got {type(module).__name__}")
    if name not in module._parameters or module._parameters[name] is None:
        raise ValueError(f"spectral_norm: module has no parameter {name!r}")
    if not isinstance(n_power_iterations, int) or n_power_iterations < 0:
        raise ValueError(f"n_power_iterations must be a non-negative int, got {n_power_iterations}")
    if dim is None:
        dim = 1 if "ConvTranspose" in type(module).__name__ else 0
    weight = module._parameters.pop(name)
    hook = _SpectralNormHook(name, n_power_iterations, dim, eps)
    w_mat = hook.weight_matrix(weight.detach()).data
    rng = get_generator(generator)
    u = _normalize(rng.standard_normal(w_mat.shape[0]), eps).astype(w_mat.dtype)
    v = _normalize(rng.standard_normal(w_mat.shape[1]), eps).astype(w_mat.dtype)
    setattr(module, name + "_orig", weight)
    object.__setattr__(module, name, weight.detach())
    module.register_buffer(name + "_u", Tensor(u))
    module.register_buffer(name + "_v", Tensor(v))
    handle = module.register_forward_pre_hook(hook)
    object.__setattr__(module, "_spectral_norm_handle", (handle, hook))
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`spectral_norm`: bake W / sigma (current u, v) back into ``module.<name>``."""
    info = module.__dict__.get("_spectral_norm_handle")
    if info is None:
        raise ValueError(f"spectral_norm of {name!r} not found in {type(module).__name__}")
    handle, hook = info
    handle.remove()
    with no_grad():
        w = hook.compute_weight(module, False)
    for key in (name + "_u", name + "_v"):
        del module._buffers[key]
    del module._parameters[name + "_orig"]
    module.__dict__.pop(name, None)
    del module.__dict__["_spectral_norm_handle"]
    setattr(module, name, Parameter(np.array(w.data)))
    return module
