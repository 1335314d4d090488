"""Fully-connected layers: ``Linear`` (y = x W^T + b) and ``Bilinear`` (y = x1^T A x2 + b).

Weights use PyTorch's layout — Linear.weight is (out_features, in_features) — so that a
state dict moves between glassml and torch unchanged. (The notes write z = XW with W of shape
(in, out), NL-01: that W is our ``weight.T``; the function is the same.)

Default init is PyTorch's: weight ~ kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in),
1/sqrt(fan_in)), bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

Inventory: NL-01, NL-02, NL-08.

Example
-------
>>> from glassml.autograd import randn
>>> layer = Linear(3, 2)
>>> layer(randn(4, 3)).shape
(4, 2)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Parameter
from glassml.autograd.fused import bilinear, linear
from glassml.autograd.tensor import _as_dtype

from . import init
from .module import Module

__all__ = ["Linear", "Bilinear", "LazyLinear"]


def _check_features(value, name: str, owner: str, allow_zero: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{owner}: {name} must be a non-negative integer, got {value!r}")
    if not allow_zero and value == 0:
        raise ValueError(f"{owner}: {name} must be positive, got {value!r}")
    return int(value)


def _param_dtype(dtype) -> np.dtype:
    dt = np.dtype(np.float32) if dtype is None else _as_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"dtype: parameters must be floating, got {dt}")
    return dt


class Linear(Module):
    r"""Affine map y = x W^T + b over the last dimension.

    Shapes: input (*, in_features) -> output (*, out_features); weight (out, in); bias (out,).
    Gradients (row-batch convention): dL/dW = g^T x, dL/db = sum_rows g, dL/dx = g W.

    Inventory: NL-01, NL-08.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    dtype : dtype, default float32
    generator : numpy.random.Generator, optional
        Draws the initial weights (default: glassml's seeded generator).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> fc = Linear(784, 256)
    >>> fc.weight.shape, fc.bias.shape
    ((256, 784), (256,))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        self.in_features = _check_features(in_features, "in_features", "Linear")
        self.out_features = _check_features(out_features, "out_features", "Linear")
        dt = _param_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """PyTorch's default: W ~ kaiming_uniform(a=sqrt 5), b ~ U(+-1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, input):
        shape = input.shape
        if len(shape) == 0 or shape[-1] != self.in_features:
            rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            cols = shape[-1] if shape else 0
            raise ValueError(
                f"{self!r}: mat1 and mat2 shapes cannot be multiplied "
                f"({rows}x{cols} and {self.in_features}x{self.out_features}); "
                f"expected input (*, {self.in_features}), got shape {tuple(shape)}"
            )
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class LazyLinear(Linear):
    """Linear whose ``in_features`` is inferred from the first input (like torch.nn.LazyLinear).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> LazyLinear(2)(ones(5, 7)).shape
    (5, 2)
    """

    def __init__(
        self, out_features: int, bias: bool = True, device=None, dtype=None, *, generator=None
    ):
        super().__init__(0, out_features, bias, device, dtype, generator=generator)
        self._lazy_generator = generator

    def forward(self, input):
        if self.in_features == 0 and input.ndim > 0 and input.shape[-1] > 0:
            self.in_features = int(input.shape[-1])
            dt = self.weight.dtype
            self.weight.data = np.empty((self.out_features, self.in_features), dtype=dt)
            self.reset_parameters(self._lazy_generator)
        return super().forward(input)


class Bilinear(Module):
    r"""Bilinear map y_k = x1^T A_k x2 + b_k.

    Shapes: x1 (*, in1), x2 (*, in2) -> (*, out); weight A (out, in1, in2); bias (out,).
    Init (torch): A, b ~ U(-1/sqrt(in1), 1/sqrt(in1)).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Bilinear(3, 4, 5)(randn(2, 3), randn(2, 4)).shape
    (2, 5)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        self.in1_features = _check_features(in1_features, "in1_features", "Bilinear", False)
        self.in2_features = _check_features(in2_features, "in2_features", "Bilinear", False)
        self.out_features = _check_features(out_features, "out_features", "Bilinear")
        dt = _param_dtype(dtype)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        bound = 1.0 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound, generator)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, input1, input2):
        if input1.shape[-1:] != (self.in1_features,) or input2.shape[-1:] != (self.in2_features,):
            raise ValueError(
                f"{self!r}: expected inputs (*, {self.in1_features}) and "
                f"(*, {self.in2_features}), got {tuple(input1.shape)} and {tuple(input2.shape)}"
            )
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
