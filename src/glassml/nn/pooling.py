"""Pooling and resizing layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, Upsample.

Max pooling: y = max over each window (gradient to the first maximum, like torch);
average pooling: y = window mean with torch's divisor rules (``count_include_pad``);
adaptive average pooling: window i spans [floor(i L / n), ceil((i + 1) L / n)) — output size
(1, 1) is global average pooling (NL-07). Upsample wraps ``F.interpolate``.

Inventory: CN-02, CN-03, NL-07.

Example
-------
>>> from glassml.autograd import randn
>>> MaxPool2d(2)(randn(1, 3, 8, 8)).shape
(1, 3, 4, 4)
"""

from __future__ import annotations

from glassml.autograd.fused import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)

from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "Upsample",
]


def _single(value):
    return tuple(value) if isinstance(value, tuple | list) else (value,)


class _MaxPoolNd(Module):
    _fn = None

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over (N, C, H, W).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> MaxPool2d(3, stride=2, padding=1)(randn(1, 1, 7, 7)).shape
    (1, 1, 4, 4)
    """

    _fn = staticmethod(max_pool2d)


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over (N, C, L)."""

    _fn = staticmethod(max_pool1d)


class AvgPool2d(Module):
    """2-D average pooling over (N, C, H, W).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> float(AvgPool2d(2)(ones(1, 1, 4, 4)).sum())
    4.0
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode=False,
        count_include_pad=True,
        divisor_override=None,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """1-D average pooling over (N, C, L)."""

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ):
        super().__init__()
        self.kernel_size = _single(kernel_size)  # torch stores 1-tuples here
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (H_out, W_out); (1, 1) = global average pooling.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> AdaptiveAvgPool2d(1)(randn(2, 5, 7, 7)).shape
    (2, 5, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) to length ``output_size`` (GlobalAveragePooling1D at 1)."""

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)


class Upsample(Module):
    """Resize by ``size`` or ``scale_factor`` with ``mode`` nearest / linear / bilinear / area.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Upsample(scale_factor=2)(randn(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode="nearest",
        align_corners=None,
        recompute_scale_factor=None,
    ):
        super().__init__()
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, int) else scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor}"
        else:
            info = f"size={self.size}"
        return info + f", mode={self.mode!r}"
