"""Convolution layers ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

out[n, o] = b[o] + sum_c w[o, c] (star) x[n, c] (cross-correlation), with stride, padding
(int, tuple, "valid", "same"), dilation and groups; the math is the fused im2col + GEMM of
:mod:`glassml.autograd.fused.conv`. Parameter layouts are PyTorch's:

* Conv: weight (out_channels, in_channels / groups, *kernel_size)
* ConvTranspose: weight (in_channels, out_channels / groups, *kernel_size)

Default init (torch): weight ~ kaiming_uniform(a=sqrt 5) (bound 1/sqrt(fan_in)),
bias ~ U(+-1/sqrt(fan_in)) with fan_in computed from the weight as torch does
(for ConvTranspose that is out_channels/groups * prod(kernel)).

Inventory: CN-01, CN-04, CN-05, CN-06 (layers used by the CNN issue), NL-01.

Example
-------
>>> from glassml.autograd import randn
>>> Conv2d(3, 8, 3, padding=1)(randn(2, 3, 16, 16)).shape
(2, 8, 16, 16)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Parameter
from glassml.autograd.fused import conv1d, conv2d, conv_transpose1d, conv_transpose2d

from . import init
from .linear import _param_dtype
from .module import Module

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]


def _ntuple(value, n: int, name: str, owner: str) -> tuple:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, tuple | list) and len(value) == n:
        if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
            return tuple(int(v) for v in value)
    raise ValueError(f"{owner}: {name} must be an int or a tuple of {n} ints, got {value!r}")


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class _ConvNd(Module):
    _nd = 2
    _transposed = False

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
        output_padding=0,
        generator=None,
    ):
        super().__init__()
        owner, nd = type(self).__name__, self._nd
        self.in_channels = _positive_int(in_channels, "in_channels", owner)
        self.out_channels = _positive_int(out_channels, "out_channels", owner)
        self.groups = _positive_int(groups, "groups", owner)
        if self.in_channels % self.groups:
            raise ValueError(f"{owner}: in_channels must be divisible by groups")
        if self.out_channels % self.groups:
            raise ValueError(f"{owner}: out_channels must be divisible by groups")
        self.kernel_size = _ntuple(kernel_size, nd, "kernel_size", owner)
        self.stride = _ntuple(stride, nd, "stride", owner)
        if isinstance(padding, str):
            if padding not in ("valid", "same") or self._transposed:
                raise ValueError(f"{owner}: invalid padding string {padding!r}")
            if padding == "same" and max(self.stride) != 1:
                raise ValueError(
                    f"{owner}: padding='same' is not supported for strided convolutions"
                )
            self.padding = padding
        else:
            self.padding = _ntuple(padding, nd, "padding", owner)
        self.dilation = _ntuple(dilation, nd, "dilation", owner)
        self.output_padding = _ntuple(output_padding, nd, "output_padding", owner)
        if padding_mode != "zeros":
            raise ValueError(
                f"{owner}: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        self.padding_mode = padding_mode
        dt = _param_dtype(dtype)
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """torch's default: kaiming_uniform(a=sqrt 5) weight, U(+-1/sqrt(fan_in)) bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator)

    def _check_input(self, input) -> None:
        nd = self._nd
        if input.ndim not in (nd + 1, nd + 2):
            raise ValueError(
                f"{self._get_name()}: expected {nd + 1}-D (unbatched) or {nd + 2}-D (batched) "
                f"input, got shape {tuple(input.shape)}"
            )
        channels = input.shape[-nd - 1]
        if channels != self.in_channels:
            raise ValueError(
                f"{self!r}: expected input with {self.in_channels} channels (dim "
                f"{input.ndim - nd - 1}), got {channels} channels in shape {tuple(input.shape)}"
            )

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    H_out = floor((H + 2 p - d (k - 1) - 1) / s) + 1.

    Example
    -------
    >>> Conv2d(4, 8, (3, 5), groups=2).weight.shape
    (8, 2, 3, 5)
    """

    _nd = 2

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            0,
            generator,
        )

    def forward(self, input):
        self._check_input(input)
        return conv2d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Conv1d(3, 4, 3)(randn(2, 3, 10)).shape
    (2, 4, 8)
    """

    _nd = 1

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            0,
            generator,
        )

    def forward(self, input):
        self._check_input(input)
        return conv1d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the adjoint of Conv2d in its input).

    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1; weight (C_in, C_out/g, kh, kw).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> ConvTranspose2d(4, 2, 3, stride=2)(randn(1, 4, 5, 5)).shape
    (1, 2, 11, 11)
    """

    _nd = 2
    _transposed = True

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups=1,
        bias=True,
        dilation=1,
        padding_mode="zeros",
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
            generator,
        )
        for op, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if op >= max(s, d):
                raise ValueError(
                    f"{type(self).__name__}: output_padding must be smaller than either stride "
                    f"or dilation, got output_padding={self.output_padding}, stride={self.stride}"
                )

    def forward(self, input):
        self._check_input(input)
        fn = conv_transpose2d if self._nd == 2 else conv_transpose1d
        return fn(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(ConvTranspose2d):
    """Transposed 1-D convolution over (N, C_in, L); weight (C_in, C_out/g, k)."""

    _nd = 1
