"""Convolutional networks: LeNet-5, a mini-VGG, the simple MNIST CNN, the reference CNN of the
notes, depthwise-separable convolution and a text CNN (Conv1d over word embeddings).

Every model is an ``nn.Module`` whose submodule names and parameter layouts match the
equivalent PyTorch model written with ``torch.nn`` (``features.0.weight``, ``classifier.1.bias``
...), so a test copies weights across with ``load_state_dict`` and compares outputs and
gradients. All models output LOGITS: the softmax of the notes' Keras snippets ("Dense K
softmax") lives in the loss (``cross_entropy`` applies log-softmax itself).

Convolution (cross-correlation, PyTorch's convention), for input x (N, C, H, W)::

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p, j s + q]
    H_out = floor((H + 2 pad - k) / s) + 1

Inventory: CN-05 (depthwise-separable), CN-06 (text CNN), CN-07 (reference CNN), CN-08
(LeNet-5, mini-VGG), NL-07 (Flatten, global pooling), CL-155, CL-157.

Example
-------
>>> from glassml.autograd import randn
>>> LeNet5()(randn(2, 1, 28, 28)).shape
(2, 10)
"""

from __future__ import annotations

import numbers

from glassml import nn
from glassml.autograd import Tensor, cat

__all__ = [
    "LeNet5",
    "MiniVGG",
    "SimpleCNN",
    "ReferenceCNN",
    "DepthwiseSeparableConv2d",
    "TextCNN",
    "conv_output_size",
]


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_rate(value, name: str, owner: str) -> float:
    if not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: {name} must be a probability in [0, 1), got {value!r}")
    return float(value)


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Spatial output size of a convolution or pooling: floor((size + 2 pad - k) / s) + 1.

    Example
    -------
    >>> conv_output_size(28, 5, padding=2), conv_output_size(28, 2, stride=2)
    (28, 14)
    """
    return (size + 2 * padding - kernel_size) // stride + 1


def _check_image(x, channels: int, size: int | None, owner: str) -> None:
    if not isinstance(x, Tensor) or x.ndim != 4:
        shape = getattr(x, "shape", None)
        raise ValueError(f"{owner}: expected input of shape (N, C, H, W), got {shape}")
    if x.shape[1] != channels:
        raise ValueError(
            f"{owner}: expected {channels} input channels, got input of shape {tuple(x.shape)}"
        )
    if size is not None and tuple(x.shape[2:]) != (size, size):
        raise ValueError(
            f"{owner}: built for {size}x{size} images (input_size={size}), "
            f"got input of shape {tuple(x.shape)}"
        )


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998), the classic small CNN (CN-08).

    features:   conv 5x5 (C -> 6, pad 2 when the input is 28x28) -> act -> pool 2
                conv 5x5 (6 -> 16) -> act -> pool 2
    classifier: flatten -> linear (16 s s -> 120) -> act -> linear (120 -> 84) -> act
                -> linear (84 -> num_classes)          (s = spatial size after the second pool)

    Parameters
    ----------
    in_channels : int, default 1
    num_classes : int, default 10
    input_size : int, default 28 — 28 (MNIST, conv1 padded by 2) or 32 (the original, no pad)
    activation : "tanh" (original) or "relu"
    pooling : "avg" (original subsampling) or "max"
    dtype, generator : parameter dtype (float32 default) and the numpy Generator for the init

    Example
    -------
    >>> from glassml.autograd import randn
    >>> LeNet5(input_size=32)(randn(1, 1, 32, 32)).shape
    (1, 10)
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        activation: str = "tanh",
        pooling: str = "avg",
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "LeNet5"
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        num_classes = _positive_int(num_classes, "num_classes", owner)
        self.input_size = _positive_int(input_size, "input_size", owner)
        acts = {"tanh": nn.Tanh, "relu": nn.ReLU}
        pools = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}
        if activation not in acts:
            raise ValueError(f"{owner}: activation must be 'tanh' or 'relu', got {activation!r}")
        if pooling not in pools:
            raise ValueError(f"{owner}: pooling must be 'avg' or 'max', got {pooling!r}")
        pad = 2 if input_size == 28 else 0
        s = conv_output_size(conv_output_size(input_size + 2 * pad - 4, 2, 2) - 4, 2, 2)
        if s <= 0:
            raise ValueError(f"{owner}: input_size must be at least 16, got {input_size}")
        kw = {"dtype": dtype, "generator": generator}
        act, pool = acts[activation], pools[pooling]
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=pad, **kw),
            act(),
            pool(2),
            nn.Conv2d(6, 16, 5, **kw),
            act(),
            pool(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * s * s, 120, **kw),
            act(),
            nn.Linear(120, 84, **kw),
            act(),
            nn.Linear(84, num_classes, **kw),
        )

    def forward(self, x):
        _check_image(x, self.in_channels, self.input_size, "LeNet5")
        return self.classifier(self.features(x))  # (N, num_classes) logits


def _conv_bn_relu(c_in, c_out, batch_norm, kw):
    """[conv 3x3 pad 1 (no bias when followed by BN), BN?, ReLU]."""
    layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm, **kw)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out, dtype=kw["dtype"]))
    layers.append(nn.ReLU())
    return layers


class MiniVGG(nn.Module):
    """A small VGG: stages of stacked 3x3 convolutions, each stage ending in a 2x2 max pool (CN-08).

    Two stacked 3x3 convs see a 5x5 window with 2 * 9 C^2 = 18 C^2 weights instead of the
    25 C^2 of one 5x5 conv, with an extra nonlinearity in between (CL-157).

    features:   for each width w in ``widths``: [conv3x3(w) -> (BN) -> ReLU] x convs_per_stage
                -> maxpool 2
    classifier: flatten -> linear(hidden) -> ReLU -> dropout -> linear(num_classes)

    Parameters
    ----------
    in_channels : int, default 1
    num_classes : int, default 10
    widths : sequence of int, default (32, 64) — channels of each stage
    convs_per_stage : int, default 2
    input_size : int, default 28 — must stay >= 1 after len(widths) halvings
    hidden : int, default 128
    batch_norm : bool, default False
    dropout : float, default 0.5
    dtype, generator : see :class:`LeNet5`

    Example
    -------
    >>> from glassml.autograd import randn
    >>> MiniVGG(widths=(8, 16))(randn(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        widths=(32, 64),
        convs_per_stage: int = 2,
        input_size: int = 28,
        hidden: int = 128,
        batch_norm: bool = False,
        dropout: float = 0.5,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "MiniVGG"
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        widths = tuple(widths)
        if not widths:
            raise ValueError(f"{owner}: widths must be a non-empty sequence of ints, got ()")
        for w in widths:
            _positive_int(w, "widths", owner)
        _positive_int(convs_per_stage, "convs_per_stage", owner)
        self.input_size = _positive_int(input_size, "input_size", owner)
        size = input_size >> len(widths)
        if size < 1:
            raise ValueError(
                f"{owner}: input_size={input_size} is too small for {len(widths)} pooling stages"
            )
        kw = {"dtype": dtype, "generator": generator}
        layers, c = [], in_channels
        for w in widths:
            for _ in range(convs_per_stage):
                layers += _conv_bn_relu(c, w, batch_norm, kw)
                c = w
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c * size * size, _positive_int(hidden, "hidden", owner), **kw),
            nn.ReLU(),
            nn.Dropout(_check_rate(dropout, "dropout", owner)),
            nn.Linear(hidden, _positive_int(num_classes, "num_classes", owner), **kw),
        )

    def forward(self, x):
        _check_image(x, self.in_channels, self.input_size, "MiniVGG")
        return self.classifier(self.features(x))  # (N, num_classes) logits


class SimpleCNN(nn.Module):
    """The small MNIST CNN of issue 8 (W2 benchmark and the >= 99% MNIST task).

    features:   for each width w in ``channels``: conv3x3 pad 1 (w) -> (BN) -> ReLU -> maxpool 2
    classifier: flatten -> dropout -> linear (channels[-1] s s -> num_classes)

    With the defaults (channels (16, 32), no BN) this is exactly
    conv(1->16)-ReLU-maxpool2-conv(16->32)-ReLU-maxpool2-linear(32*7*7 -> 10).

    Parameters
    ----------
    in_channels : int, default 1
    num_classes : int, default 10
    channels : sequence of int, default (16, 32)
    input_size : int, default 28
    batch_norm : bool, default False — BN after each conv (the conv then has no bias)
    dropout : float, default 0 — before the final linear layer
    dtype, generator : see :class:`LeNet5`

    Example
    -------
    >>> SimpleCNN().classifier[-1].weight.shape
    (10, 1568)
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        channels=(16, 32),
        input_size: int = 28,
        batch_norm: bool = False,
        dropout: float = 0.0,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "SimpleCNN"
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        channels = tuple(channels)
        if not channels:
            raise ValueError(f"{owner}: channels must be a non-empty sequence of ints, got ()")
        self.input_size = _positive_int(input_size, "input_size", owner)
        size = input_size >> len(channels)
        if size < 1:
            raise ValueError(
                f"{owner}: input_size={input_size} is too small for {len(channels)} pooling stages"
            )
        kw = {"dtype": dtype, "generator": generator}
        layers, c = [], in_channels
        for w in channels:
            layers += _conv_bn_relu(c, _positive_int(w, "channels", owner), batch_norm, kw)
            layers.append(nn.MaxPool2d(2))
            c = w
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(_check_rate(dropout, "dropout", owner)),
            nn.Linear(c * size * size, _positive_int(num_classes, "num_classes", owner), **kw),
        )

    def forward(self, x):
        _check_image(x, self.in_channels, self.input_size, "SimpleCNN")
        return self.classifier(self.features(x))  # (N, num_classes) logits


class ReferenceCNN(nn.Module):
    """The reference CNN classifier of the notes (CN-07), Keras-style "valid" convolutions.

    features:   conv3x3(32) ReLU -> maxpool2 -> conv3x3(64) ReLU -> BN -> maxpool2
                -> conv3x3(128) ReLU
    classifier: flatten -> dropout(0.5) -> linear(128) ReLU -> linear(num_classes) (logits;
                the notes' final softmax is applied by the cross-entropy loss)

    The notes use input (64, 64, 3) channels-last; here input is (N, 3, 64, 64) (channels-first,
    PyTorch's layout) and ``input_size``/``in_channels`` are configurable.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> ReferenceCNN(input_size=32, num_classes=5)(randn(2, 3, 32, 32)).shape
    (2, 5)
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        input_size: int = 64,
        dropout: float = 0.5,
        hidden: int = 128,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "ReferenceCNN"
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        self.input_size = _positive_int(input_size, "input_size", owner)
        s = conv_output_size(conv_output_size(conv_output_size(input_size, 3), 2, 2), 3)
        s = conv_output_size(conv_output_size(s, 2, 2), 3)
        if s < 1:
            raise ValueError(f"{owner}: input_size must be at least 18, got {input_size}")
        kw = {"dtype": dtype, "generator": generator}
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, **kw),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, **kw),
            nn.ReLU(),
            nn.BatchNorm2d(64, dtype=dtype),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, **kw),
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(_check_rate(dropout, "dropout", owner)),
            nn.Linear(128 * s * s, _positive_int(hidden, "hidden", owner), **kw),
            nn.ReLU(),
            nn.Linear(hidden, _positive_int(num_classes, "num_classes", owner), **kw),
        )

    def forward(self, x):
        _check_image(x, self.in_channels, self.input_size, "ReferenceCNN")
        return self.classifier(self.features(x))  # (N, num_classes) logits


class DepthwiseSeparableConv2d(nn.Module):
    """Depthwise-separable convolution (MobileNet, CN-05): a depthwise k x k conv with
    groups = C_in (one filter per input channel) followed by a pointwise 1x1 conv.

        depthwise: C_in k^2 weights,  pointwise: C_in C_out weights
        params / FLOPs vs a full k x k conv:  (C_in k^2 + C_in C_out) / (C_in C_out k^2)
                                              = 1/C_out + 1/k^2          (CL-155, no bias)

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int, default 3
    stride : int, default 1
    padding : int or "same"/"valid", default 1
    bias : bool, default True — a bias on both convs (like two separate torch Conv2d layers)
    dtype, generator : see :class:`LeNet5`

    Example
    -------
    >>> from glassml.autograd import randn
    >>> DepthwiseSeparableConv2d(8, 16)(randn(2, 8, 10, 10)).shape
    (2, 16, 10, 10)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding=1,
        bias: bool = True,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "DepthwiseSeparableConv2d"
        c_in = _positive_int(in_channels, "in_channels", owner)
        c_out = _positive_int(out_channels, "out_channels", owner)
        kw = {"dtype": dtype, "generator": generator, "bias": bias}
        self.depthwise = nn.Conv2d(c_in, c_in, kernel_size, stride, padding, groups=c_in, **kw)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, **kw)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))  # (N, C_out, H_out, W_out)


class TextCNN(nn.Module):
    """Text CNN (Kim 2014, CN-06): Conv1d filters of several widths over word embeddings,
    max-over-time pooling, concatenation, dropout, linear classifier.

        E = embedding(tokens)            (N, T, D) -> transposed to (N, D, T)
        h_k = max_t ReLU(conv1d_k(E))    (N, F) for each kernel width k
        logits = W [h_k1; h_k2; ...] + b

    Parameters
    ----------
    vocab_size, embed_dim : int
    num_classes : int
    num_filters : int, default 32 — F filters per kernel width
    kernel_sizes : sequence of int, default (3, 4, 5)
    dropout : float, default 0.5
    padding_idx : int or None — embedding row kept at zero
    dtype, generator : see :class:`LeNet5`

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import tensor
    >>> TextCNN(100, 16, 2)(tensor(np.zeros((4, 12), dtype=np.int64))).shape
    (4, 2)
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_classes: int,
        num_filters: int = 32,
        kernel_sizes=(3, 4, 5),
        dropout: float = 0.5,
        padding_idx: int | None = None,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "TextCNN"
        kernel_sizes = tuple(kernel_sizes)
        if not kernel_sizes:
            raise ValueError(f"{owner}: kernel_sizes must be a non-empty sequence, got ()")
        self.kernel_sizes = tuple(_positive_int(k, "kernel_sizes", owner) for k in kernel_sizes)
        kw = {"dtype": dtype, "generator": generator}
        self.embedding = nn.Embedding(
            _positive_int(vocab_size, "vocab_size", owner),
            _positive_int(embed_dim, "embed_dim", owner),
            padding_idx=padding_idx,
            **kw,
        )
        f = _positive_int(num_filters, "num_filters", owner)
        self.convs = nn.ModuleList([nn.Conv1d(embed_dim, f, k, **kw) for k in self.kernel_sizes])
        self.dropout = nn.Dropout(_check_rate(dropout, "dropout", owner))
        self.fc = nn.Linear(
            f * len(kernel_sizes), _positive_int(num_classes, "num_classes", owner), **kw
        )

    def forward(self, tokens):
        if not isinstance(tokens, Tensor) or tokens.ndim != 2:
            raise ValueError(
                f"TextCNN: expected token ids of shape (N, T), got {getattr(tokens, 'shape', None)}"
            )
        if tokens.shape[1] < max(self.kernel_sizes):
            raise ValueError(
                f"TextCNN: sequences must have at least max(kernel_sizes)="
                f"{max(self.kernel_sizes)} tokens, got length {tokens.shape[1]}"
            )
        e = self.embedding(tokens).transpose(1, 2)  # (N, D, T)
        pooled = [conv(e).relu().amax(dim=2) for conv in self.convs]  # each (N, F)
        return self.fc(self.dropout(cat(pooled, dim=1)))  # (N, num_classes)
