"""Root-mean-square layer normalisation (RMSNorm), as one fused op with a hand-derived backward.

Over the trailing ``normalized_shape`` (D elements) of each row x:

    r = 1 / sqrt(mean(x^2) + eps),   xhat = x r,   y = xhat * w

No mean is subtracted and there is no bias (Zhang & Sennrich 2019; Llama, SmolLM2).

Backward with upstream g (per row, gw = g * w):

    dL/dw = sum_rows g * xhat
    dL/dx = r (gw - xhat * mean(gw * xhat))

(from d r / d x_j = -r^3 x_j / D). One pass over the data for the forward and one for the
backward, instead of the five or six elementwise ops of the composed form (square, mean, add,
rsqrt, mul, mul), each a full read and write of the (M, D) array.

Inventory: NO-02 (LayerNorm family), TR-12 (the Llama-style decoder uses it).

Example
-------
>>> from glassml.autograd import randn
>>> norm = RMSNorm(8)
>>> norm(randn(2, 5, 8)).shape
(2, 5, 8)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Parameter
from glassml.autograd.function import Function
from glassml.autograd.fused._util import check_float, check_same_dtype

from .linear import _param_dtype
from .module import Module

__all__ = ["RMSNorm", "rms_norm", "RMSNormFunction"]


class RMSNormFunction(Function):
    """y = x / sqrt(mean(x^2) + eps) * w over the last ``len(normalized_shape)`` dims."""

    @staticmethod
    def forward(ctx, x, normalized_shape, weight, eps):
        check_float("input", x, "rms_norm")
        check_same_dtype("rms_norm", x, weight=weight)
        k = len(normalized_shape)
        if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != tuple(normalized_shape):
            raise ValueError(
                f"rms_norm: expected input with shape [*, {', '.join(map(str, normalized_shape))}]"
                f", got input of shape {list(x.shape)}"
            )
        if weight is not None and tuple(weight.shape) != tuple(normalized_shape):
            raise ValueError(
                f"rms_norm: weight must have shape {tuple(normalized_shape)}, got {weight.shape}"
            )
        d = int(np.prod(normalized_shape))
        x2 = x.reshape(-1, d)  # (M, D)
        eps = np.finfo(x.dtype).eps if eps is None else eps
        r = np.vecdot(x2, x2)  # (M,) sum of squares
        r *= x.dtype.type(1.0 / d)
        r += x.dtype.type(eps)
        np.sqrt(r, out=r)
        np.reciprocal(r, out=r)  # (M,) 1 / rms
        out = x2 * r[:, None]  # (M, D) xhat
        if weight is not None:
            out *= weight.reshape(-1)
        ctx.save_for_backward(x2, r, weight)
        ctx.shape = x.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad_output):
        x2, r, weight = ctx.saved_tensors
        m, d = x2.shape
        g2 = grad_output.reshape(m, d)  # (M, D)
        xhat = x2 * r[:, None]  # (M, D)
        grad_w = None
        if weight is not None and ctx.needs_input_grad[2]:
            grad_w = np.ones(m, dtype=x2.dtype) @ (g2 * xhat)  # (D,) column sums by BLAS
            grad_w = grad_w.reshape(weight.shape)
        grad_x = None
        if ctx.needs_input_grad[0]:
            gw = g2 * weight.reshape(-1) if weight is not None else g2.copy()  # (M, D)
            mean_gx = np.vecdot(gw, xhat)  # (M,)
            mean_gx *= x2.dtype.type(1.0 / d)
            xhat *= mean_gx[:, None]
            gw -= xhat
            gw *= r[:, None]
            grad_x = gw.reshape(ctx.shape)
        return grad_x, None, grad_w, None


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """RMS normalisation over the trailing ``normalized_shape`` dims (``F.rms_norm``).

    y = x / sqrt(mean(x^2) + eps) * weight; ``eps=None`` uses the machine epsilon of the
    input dtype, like PyTorch.

    Parameters
    ----------
    input : Tensor (*, *normalized_shape)
    normalized_shape : int or tuple of ints
    weight : Tensor of shape normalized_shape, optional
    eps : float or None

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> rms_norm(tensor([[3.0, 4.0]]), 2, eps=0.0).numpy().round(4)
    array([[0.8485, 1.1314]], dtype=float32)
    """
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    return RMSNormFunction.apply(
        input, tuple(normalized_shape), weight, None if eps is None else float(eps)
    )


class RMSNorm(Module):
    """RMSNorm layer with ``torch.nn.RMSNorm``'s API: y = x / sqrt(mean(x^2) + eps) * weight.

    Statistics per row over the trailing ``normalized_shape``; ``weight`` starts at ones.

    Inventory: NO-02 (normalisation), TR-12 (Llama-style blocks).

    Parameters
    ----------
    normalized_shape : int or tuple of ints (D or the trailing dims)
    eps : float or None — None uses the input dtype's machine epsilon (torch's default)
    elementwise_affine : bool, default True — learn ``weight`` of shape normalized_shape
    dtype : parameter dtype, default float32

    Example
    -------
    >>> from glassml.autograd import randn
    >>> norm = RMSNorm(16, eps=1e-5)
    >>> norm.weight.shape, norm(randn(4, 16)).shape
    ((16,), (4, 16))
    """

    def __init__(
        self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (int(normalized_shape),)
        try:
            shape = tuple(int(s) for s in normalized_shape)
        except TypeError:
            raise TypeError(
                f"RMSNorm: normalized_shape must be an int or a tuple of ints, "
                f"got {normalized_shape!r}"
            ) from None
        if not shape or min(shape) <= 0:
            raise ValueError(
                f"RMSNorm: normalized_shape must be non-empty and positive, got {normalized_shape!r}"
            )
        if eps is not None and not eps >= 0:
            raise ValueError(f"RMSNorm: eps must be >= 0 or None, got {eps!r}")
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=_param_dtype(dtype)))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight.data[...] = 1

    def forward(self, input):
        k = len(self.normalized_shape)
        if input.ndim < k or tuple(input.shape[input.ndim - k :]) != self.normalized_shape:
            raise ValueError(
                f"{self!r}: expected input with trailing shape {self.normalized_shape}, "
                f"got {tuple(input.shape)}"
            )
        return RMSNormFunction.apply(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
