"""CNN bookkeeping: per-layer parameter and FLOP counts (``summary``) and receptive fields.

FLOPs count one multiply-add as 2 operations, forward pass only, per batch of the given
input shape (bias adds, activations, pooling and BN are counted at 1 FLOP per output element
where they apply)::

    Conv2d:  2 N H_out W_out C_out (C_in / groups) k_h k_w    (+ N C_out H_out W_out with bias)
    Linear:  2 N in out                                       (+ N out with bias)
    params:  Conv2d C_out (C_in / groups) k_h k_w (+ C_out),  Linear in out (+ out)

Receptive field of a chain of conv/pool layers (kernel k_l, stride s_l, dilation d_l), with
the "jump" j (distance in input pixels between neighbouring outputs)::

    r_0 = 1, j_0 = 1;    r_l = r_{l-1} + d_l (k_l - 1) j_{l-1},    j_l = j_{l-1} s_l

so two stacked 3x3 convs see 5x5 and three see 7x7 (CL-157); a stride-2 pool doubles the
growth of every later layer.

Inventory: CN-10, CN-11, CL-152, CL-155, CL-157.

Example
-------
>>> from glassml import nn
>>> net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
>>> s = summary(net, (1, 1, 28, 28))
>>> s.total_params, s.rows[0].flops
(80, 119168)
>>> receptive_field(net).size
4
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad

__all__ = [
    "LayerInfo",
    "ModelSummary",
    "summary",
    "conv2d_params",
    "conv2d_flops",
    "dense_equivalent_params",
    "ReceptiveField",
    "receptive_field",
]


def conv2d_params(c_in: int, c_out: int, kernel_size: int, groups: int = 1, bias=True) -> int:
    """Parameters of a k x k Conv2d: C_out (C_in / groups) k^2 (+ C_out bias).

    Example
    -------
    >>> conv2d_params(3, 32, 3)  # CL-152: 32 * 3 * 9 + 32
    896
    """
    return c_out * (c_in // groups) * kernel_size**2 + (c_out if bias else 0)


def conv2d_flops(
    c_in: int, c_out: int, kernel_size: int, out_hw, groups: int = 1, batch: int = 1
) -> int:
    """Multiply-add FLOPs (2 per MAC) of a k x k Conv2d producing an (H_out, W_out) map.

    Example
    -------
    >>> conv2d_flops(16, 32, 3, (14, 14))
    1806336
    """
    h, w = out_hw
    return 2 * batch * h * w * c_out * (c_in // groups) * kernel_size**2


def dense_equivalent_params(in_shape, out_shape, bias: bool = True) -> int:
    """Parameters of a fully connected layer mapping a flattened ``in_shape`` tensor to a
    flattened ``out_shape`` tensor: prod(in) prod(out) (+ prod(out)).

    Example
    -------
    >>> dense_equivalent_params((3, 32, 32), (32, 32, 32))  # CL-152: about 1.0e8
    100696064
    """
    n_in, n_out = int(np.prod(in_shape)), int(np.prod(out_shape))
    return n_in * n_out + (n_out if bias else 0)


@dataclass
class LayerInfo:
    """One row of a :class:`ModelSummary`."""

    name: str
    kind: str
    output_shape: tuple
    params: int
    flops: int


@dataclass
class ModelSummary:
    """Per-layer table of output shapes, parameters and forward FLOPs (``str()`` prints it)."""

    input_shape: tuple
    rows: list = field(default_factory=list)

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_flops(self) -> int:
        return sum(r.flops for r in self.rows)

    def __str__(self) -> str:
        head = f"{'layer':<28}{'type':<18}{'output shape':<22}{'params':>12}{'FLOPs':>16}"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(
                f"{r.name:<28}{r.kind:<18}{str(r.output_shape):<22}{r.params:>12,}{r.flops:>16,}"
            )
        lines.append("-" * len(head))
        lines.append(f"{'total':<68}{self.total_params:>12,}{self.total_flops:>16,}")
        return "\n".join(lines)


def _own_params(module) -> int:
    return sum(p.numel() for p in module.parameters(recurse=False))


def _layer_flops(module, inp: Tensor, out: Tensor) -> int:
    if isinstance(module, nn.Conv2d | nn.Conv1d):
        kernel = int(np.prod(module.weight.shape[1:]))  # (C_in / g) k_h k_w
        macs = int(np.prod(out.shape)) * kernel  # per output element
        return 2 * macs + (int(np.prod(out.shape)) if module.bias is not None else 0)
    if isinstance(module, nn.Linear):
        rows = int(np.prod(out.shape[:-1]))
        return 2 * rows * module.in_features * module.out_features + (
            rows * module.out_features if module.bias is not None else 0
        )
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d | nn.MaxPool1d | nn.AvgPool1d):
        k = module.kernel_size
        nd = 2 if "2d" in type(module).__name__ else 1
        window = int(np.prod(k)) if isinstance(k, tuple | list) else int(k) ** nd
        return int(np.prod(out.shape)) * window
    if isinstance(module, nn.ReLU | nn.Tanh | nn.Sigmoid | nn.BatchNorm2d | nn.BatchNorm1d):
        return int(np.prod(out.shape))
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return int(np.prod(inp.shape))
    return 0


def summary(model, input_shape, dtype=np.float32) -> ModelSummary:
    """Run ``model`` once (no grad, eval mode restored afterwards) on zeros of ``input_shape``
    and tabulate every leaf module: output shape, own parameters, forward FLOPs (CN-10).

    Parameters
    ----------
    model : Module
    input_shape : tuple — including the batch dimension, e.g. (1, 1, 28, 28)
    dtype : input dtype, default float32

    Returns
    -------
    ModelSummary (``print(summary(...))`` shows the table; ``total_params`` / ``total_flops``)

    Example
    -------
    >>> from glassml import nn
    >>> print(summary(nn.Linear(4, 2), (3, 4)).total_flops)
    54
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    try:
        input_shape = tuple(int(s) for s in input_shape)
    except TypeError:
        raise ValueError(
            f"summary: input_shape must be a tuple of ints, got {input_shape!r}"
        ) from None
    result = ModelSummary(input_shape)
    handles = []
    leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]
    if not leaves:
        leaves = [("", model)]
    for name, module in leaves:

        def hook(mod, args, out, name=name):
            inp = args[0] if args else None
            if isinstance(out, Tensor):
                result.rows.append(
                    LayerInfo(
                        name or type(mod).__name__,
                        type(mod).__name__,
                        tuple(out.shape),
                        _own_params(mod),
                        _layer_flops(mod, inp, out),
                    )
                )

        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor(np.zeros(input_shape, dtype=dtype)))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return result


@dataclass
class ReceptiveField:
    """Receptive field of the last layer (``size``, input pixels per side) and its ``jump``;
    ``layers`` lists (name, kernel, stride, dilation, size, jump) after each layer."""

    size: int
    jump: int
    layers: list


def _geometry(module):
    """(kernel, stride, dilation) along one spatial axis of a conv/pool layer, else None."""
    first = lambda v: v[0] if isinstance(v, tuple | list) else v  # noqa: E731
    if isinstance(module, nn.Conv2d | nn.Conv1d):
        return module.kernel_size[0], module.stride[0], module.dilation[0]
    if isinstance(module, nn.MaxPool2d | nn.MaxPool1d):
        k = first(module.kernel_size)
        s = first(module.stride) if module.stride is not None else k
        return k, s, first(module.dilation)
    if isinstance(module, nn.AvgPool2d | nn.AvgPool1d):
        k = first(module.kernel_size)
        s = first(module.stride) if module.stride is not None else k
        return k, s, 1
    return None


def receptive_field(layers) -> ReceptiveField:
    """Receptive field of a chain of conv/pool layers (CN-11).

    Parameters
    ----------
    layers : Module (its conv/pool leaf modules are taken in registration order, which is the
        data order for Sequential chains) or a list of (kernel, stride[, dilation]) tuples

    Example
    -------
    >>> receptive_field([(3, 1), (3, 1)]).size  # two stacked 3x3 convs see 5x5
    5
    >>> receptive_field([(3, 1), (2, 2), (3, 1)]).size
    8
    """
    if isinstance(layers, nn.Module):
        geoms = [
            (name, *_geometry(m))
            for name, m in layers.named_modules()
            if _geometry(m) is not None and not list(m.children())
        ]
    else:
        geoms = []
        for i, spec in enumerate(layers):
            spec = tuple(spec)
            if len(spec) not in (2, 3) or min(spec) <= 0:
                raise ValueError(
                    "receptive_field: each layer must be (kernel, stride[, dilation]) of "
                    f"positive ints, got {spec!r} at position {i}"
                )
            k, s, d = (*spec, 1) if len(spec) == 2 else spec
            geoms.append((str(i), int(k), int(s), int(d)))
    size, jump, rows = 1, 1, []
    for name, k, s, d in geoms:
        size += d * (k - 1) * jump
        jump *= s
        rows.append((name, k, s, d, size, jump))
    return ReceptiveField(size, jump, rows)
