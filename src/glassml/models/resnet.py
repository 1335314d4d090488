"""Residual networks (He et al. 2016): BasicBlock, Bottleneck and a small CIFAR/MNIST-style ResNet.

A residual block outputs H(x) = ReLU(F(x) + shortcut(x)), where F is the residual BRANCH
(conv-BN-ReLU-conv-BN) and the shortcut is the identity, or a projection (1x1 conv with the
block's stride + BN) when the stride or the channel count changes. (The notes call F "the output
of the block"; the block outputs H = F + x, see inventory E-37.) Because the identity path
carries the gradient unchanged, dL/dx = dL/dH (1 + dF/dx), deep stacks keep trainable gradients
(CL-158); with the last BN's gamma set to zero (``zero_init_residual``) every block starts as
the identity (CL-159).

Key names follow torchvision's ``ResNet`` (conv1, bn1, layer1.0.conv1, layer1.0.bn1,
layer2.0.downsample.0/1, fc), so weights copy across with ``load_state_dict``.

Inventory: CN-09, CL-158, CL-159.

Example
-------
>>> from glassml.autograd import randn
>>> resnet20(num_classes=10, in_channels=1)(randn(2, 1, 28, 28)).shape
(2, 10)
"""

from __future__ import annotations

import numbers

from glassml import nn
from glassml.autograd import Tensor

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "resnet8", "resnet14", "resnet20"]


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _projection(c_in, c_out, stride, kw):
    """Projection shortcut: 1x1 conv (stride s, no bias) + BN (torchvision's downsample)."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False, **kw),
        nn.BatchNorm2d(c_out, dtype=kw["dtype"]),
    )


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut (ResNet-18/34 and CIFAR ResNets).

        F(x) = BN2(conv2(ReLU(BN1(conv1(x)))))        conv1 has the block's stride
        y = ReLU(F(x) + shortcut(x))                 (no addition when residual=False)

    Parameters
    ----------
    inplanes : int — input channels
    planes : int — output channels (expansion 1)
    stride : int, default 1
    downsample : Module or None or "auto" — the shortcut; "auto" (default) builds the projection
        (1x1 conv + BN) when stride != 1 or inplanes != planes, the identity otherwise
    zero_init_residual : bool — set bn2's gamma to 0, so the block starts as y = ReLU(x)
    residual : bool, default True — False gives the "plain" block of the degradation experiment
    dtype, generator : parameter dtype (float32 default) and the numpy Generator for the init

    Example
    -------
    >>> from glassml.autograd import randn
    >>> BasicBlock(16, 32, stride=2)(randn(2, 16, 8, 8)).shape
    (2, 32, 4, 4)
    """

    expansion = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample="auto",
        zero_init_residual: bool = False,
        residual: bool = True,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = type(self).__name__
        inplanes = _positive_int(inplanes, "inplanes", owner)
        planes = _positive_int(planes, "planes", owner)
        stride = _positive_int(stride, "stride", owner)
        kw = {"dtype": dtype, "generator": generator}
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False, **kw)
        self.bn1 = nn.BatchNorm2d(planes, dtype=dtype)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False, **kw)
        self.bn2 = nn.BatchNorm2d(planes, dtype=dtype)
        self._set_shortcut(downsample, inplanes, planes * self.expansion, stride, residual, kw)
        if zero_init_residual:
            self.bn2.weight.data[...] = 0

    def _set_shortcut(self, downsample, c_in, c_out, stride, residual, kw):
        self.residual = bool(residual)
        if isinstance(downsample, str):
            if downsample != "auto":
                raise ValueError(
                    f"{type(self).__name__}: downsample must be a Module, None or 'auto', "
                    f"got {downsample!r}"
                )
            needs = residual and (stride != 1 or c_in != c_out)
            downsample = _projection(c_in, c_out, stride, kw) if needs else None
        elif downsample is not None and not isinstance(downsample, nn.Module):
            raise ValueError(
                f"{type(self).__name__}: downsample must be a Module, None or 'auto', "
                f"got {type(downsample).__name__}"
            )
        self.downsample = downsample
        if residual and downsample is None and (stride != 1 or c_in != c_out):
            raise ValueError(
                f"{type(self).__name__}: the identity shortcut needs stride 1 and inplanes == "
                f"planes * {self.expansion}; got stride={stride}, {c_in} -> {c_out} channels "
                "(pass downsample='auto' for a projection)"
            )

    def _branch(self, x):
        out = self.bn1(self.conv1(x)).relu()  # (N, planes, H/s, W/s)
        return self.bn2(self.conv2(out))  # F(x)

    def forward(self, x):
        if not isinstance(x, Tensor) or x.ndim != 4:
            raise ValueError(
                f"{type(self).__name__}: expected input of shape (N, C, H, W), "
                f"got {getattr(x, 'shape', None)}"
            )
        out = self._branch(x)
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))  # H = F + x
        return out.relu()


class Bottleneck(BasicBlock):
    """1x1 reduce -> 3x3 -> 1x1 expand (x4) with a shortcut (ResNet-50 style, torchvision v1.5:
    the stride sits on the 3x3 conv).

        F(x) = BN3(conv3(ReLU(BN2(conv2(ReLU(BN1(conv1(x))))))))
        y = ReLU(F(x) + shortcut(x)),  output channels = planes * 4

    Parameters are those of :class:`BasicBlock`; ``zero_init_residual`` zeroes bn3's gamma.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Bottleneck(16, 8)(randn(2, 16, 6, 6)).shape
    (2, 32, 6, 6)
    """

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample="auto",
        zero_init_residual: bool = False,
        residual: bool = True,
        *,
        dtype=None,
        generator=None,
    ):
        nn.Module.__init__(self)
        owner = type(self).__name__
        inplanes = _positive_int(inplanes, "inplanes", owner)
        planes = _positive_int(planes, "planes", owner)
        stride = _positive_int(stride, "stride", owner)
        kw = {"dtype": dtype, "generator": generator}
        width = planes * self.expansion
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False, **kw)
        self.bn1 = nn.BatchNorm2d(planes, dtype=dtype)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False, **kw)
        self.bn2 = nn.BatchNorm2d(planes, dtype=dtype)
        self.conv3 = nn.Conv2d(planes, width, 1, bias=False, **kw)
        self.bn3 = nn.BatchNorm2d(width, dtype=dtype)
        self._set_shortcut(downsample, inplanes, width, stride, residual, kw)
        if zero_init_residual:
            self.bn3.weight.data[...] = 0

    def _branch(self, x):
        out = self.bn1(self.conv1(x)).relu()  # (N, planes, H, W)
        out = self.bn2(self.conv2(out)).relu()  # (N, planes, H/s, W/s)
        return self.bn3(self.conv3(out))  # (N, 4 planes, H/s, W/s)


class ResNet(nn.Module):
    """A small ResNet for 28x28 / 32x32 images (the CIFAR-10 family of He et al.).

        stem:    conv3x3(in_channels -> width) -> BN -> ReLU
        stages:  layer_i = layers[i] blocks of `block` with planes width 2^i (stride 2 from the
                 second stage on; the first block of a stage projects its shortcut if needed)
        head:    global average pool -> fc(num_classes)

    ResNet-(6n+2) with BasicBlock and layers (n, n, n): resnet8 (n=1), resnet14 (2), resnet20 (3).

    Parameters
    ----------
    block : BasicBlock or Bottleneck (the class)
    layers : sequence of int — blocks per stage
    num_classes : int, default 10
    in_channels : int, default 3
    width : int, default 16 — channels of the stem and the first stage
    zero_init_residual : bool, default False — zero the last BN gamma of every block
    residual : bool, default True — False gives the matching "plain" network
    dtype, generator : see :class:`BasicBlock`

    Example
    -------
    >>> m = ResNet(BasicBlock, [1, 1], num_classes=4, in_channels=1, width=8)
    >>> sorted(k for k in m.state_dict() if k.startswith("layer2.0.downsample"))[:2]
    ['layer2.0.downsample.0.weight', 'layer2.0.downsample.1.bias']
    """

    def __init__(
        self,
        block,
        layers,
        num_classes: int = 10,
        in_channels: int = 3,
        width: int = 16,
        zero_init_residual: bool = False,
        residual: bool = True,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "ResNet"
        if not (isinstance(block, type) and issubclass(block, BasicBlock)):
            raise ValueError(f"{owner}: block must be BasicBlock or Bottleneck, got {block!r}")
        layers = list(layers)
        if not layers:
            raise ValueError(f"{owner}: layers must be a non-empty sequence of ints, got []")
        for n in layers:
            _positive_int(n, "layers", owner)
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        width = _positive_int(width, "width", owner)
        kw = {"dtype": dtype, "generator": generator}
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False, **kw)
        self.bn1 = nn.BatchNorm2d(width, dtype=dtype)
        c = width
        for i, n_blocks in enumerate(layers):
            planes = width * 2**i
            blocks = []
            for j in range(n_blocks):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(
                    block(
                        c,
                        planes,
                        stride,
                        "auto",
                        zero_init_residual,
                        residual,
                        dtype=dtype,
                        generator=generator,
                    )
                )
                c = planes * block.expansion
            self.add_module(f"layer{i + 1}", nn.Sequential(*blocks))
        self.n_stages = len(layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(c, _positive_int(num_classes, "num_classes", owner), **kw)

    def features(self, x):
        """The pooled feature vector (N, C_last) before ``fc``."""
        if not isinstance(x, Tensor) or x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"ResNet: expected input of shape (N, {self.in_channels}, H, W), "
                f"got {getattr(x, 'shape', None)}"
            )
        out = self.bn1(self.conv1(x)).relu()  # (N, width, H, W)
        for i in range(self.n_stages):
            out = getattr(self, f"layer{i + 1}")(out)
        return self.avgpool(out).flatten(1)  # (N, C_last)

    def forward(self, x):
        return self.fc(self.features(x))  # (N, num_classes) logits


def resnet8(num_classes: int = 10, in_channels: int = 3, width: int = 16, **kwargs) -> ResNet:
    """ResNet-8: BasicBlock x (1, 1, 1). Example: ``resnet8(in_channels=1)``."""
    return ResNet(BasicBlock, [1, 1, 1], num_classes, in_channels, width, **kwargs)


def resnet14(num_classes: int = 10, in_channels: int = 3, width: int = 16, **kwargs) -> ResNet:
    """ResNet-14: BasicBlock x (2, 2, 2). Example: ``resnet14(in_channels=1)``."""
    return ResNet(BasicBlock, [2, 2, 2], num_classes, in_channels, width, **kwargs)


def resnet20(num_classes: int = 10, in_channels: int = 3, width: int = 16, **kwargs) -> ResNet:
    """ResNet-20: BasicBlock x (3, 3, 3). Example: ``resnet20(in_channels=1)``."""
    return ResNet(BasicBlock, [3, 3, 3], num_classes, in_channels, width, **kwargs)
