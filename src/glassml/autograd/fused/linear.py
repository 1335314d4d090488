"""Fused affine map ``linear(x, W, b) = x W^T + b`` (PyTorch's ``F.linear``).

Inventory: NL-01, AG-10.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ._util import as_shape, check_float, check_same_dtype

__all__ = ["linear", "bilinear", "Linear"]


class Linear(Function):
    r"""y = x W^T + b with x: (*, in), W: (out, in), b: (out,).

    Backward (row-batch convention, inventory AG-10):
    dL/dx = g W,  dL/dW = g^T x (summed over every leading dimension),  dL/db = sum g.
    All three are single GEMMs on 2-D views of the batch.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        check_float("input", x, "linear")
        check_same_dtype("linear", x, weight=weight, bias=bias)
        if weight.ndim != 2:
            raise ValueError(
                f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}"
            )
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input's last dimension must equal in_features={weight.shape[1]}, "
                f"got input shape {x.shape}"
            )
        if bias is not None and bias.shape not in ((weight.shape[0],), ()):
            raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        x2 = x.reshape(-1, x.shape[-1])  # (M, in)
        out = x2 @ weight.T  # (M, out): one GEMM, W^T is a transposed view (BLAS trans flag)
        if bias is not None:
            out += bias
        return out.reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        need_b = ctx.has_bias and len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]
        g2 = grad_output.reshape(-1, weight.shape[0])  # (M, out)
        grad_x = as_shape(g2 @ weight, x.shape) if need_x else None  # (M, in)
        grad_w = g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None  # (out, in)
        grad_b = g2.sum(axis=0) if need_b else None  # (out,)
        if ctx.has_bias:
            return grad_x, grad_w, grad_b
        return grad_x, grad_w

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, weight = ctx.inputs[0], ctx.inputs[1]
        out_features, in_features = weight.shape
        g2 = grad_output.reshape(-1, out_features)  # (M, out)
        grad_x = (g2 @ weight).reshape(*x.shape)
        grad_w = g2.transpose(0, 1) @ x.reshape(-1, in_features)
        if ctx.has_bias:
            return grad_x, grad_w, g2.sum(0)
        return grad_x, grad_w


def linear(input, weight, bias=None):
    """Apply y = x W^T + b (PyTorch ``F.linear``).

    Inventory: NL-01, AG-10.

    Parameters
    ----------
    input : Tensor (*, in_features)
    weight : Tensor (out_features, in_features)
    bias : Tensor (out_features,) or None

    Example
    -------
    >>> from glassml.autograd import randn
    >>> linear(randn(4, 3), randn(2, 3)).shape
    (4, 2)
    """
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


class Bilinear(Function):
    r"""y_k = x1^T A_k x2 + b_k with x1: (*, in1), x2: (*, in2), A: (out, in1, in2)."""

    @staticmethod
    def forward(ctx, x1, x2, weight, bias=None):
        check_float("input1", x1, "bilinear")
        check_same_dtype("bilinear", x1, input2=x2, weight=weight, bias=bias)
        if weight.ndim != 3 or weight.shape[1] != x1.shape[-1] or weight.shape[2] != x2.shape[-1]:
            raise ValueError(
                f"bilinear: weight must have shape (out, {x1.shape[-1]}, {x2.shape[-1]}), "
                f"got {weight.shape}"
            )
        a = x1.reshape(-1, x1.shape[-1])  # (M, in1)
        b = x2.reshape(-1, x2.shape[-1])  # (M, in2)
        ctx.save_for_backward(a, b, weight)
        ctx.shapes = (x1.shape, x2.shape)
        ctx.has_bias = bias is not None
        # t[m, k, j] = sum_i a[m, i] A[k, i, j]  -> one GEMM
        t = (a @ weight.transpose(1, 0, 2).reshape(weight.shape[1], -1)).reshape(
            a.shape[0], weight.shape[0], weight.shape[2]
        )  # (M, out, in2)
        out = np.einsum("mkj,mj->mk", t, b, optimize=True)  # (M, out)
        if bias is not None:
            out += bias
        return out.reshape(*x1.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx, grad_output):
        a, b, weight = ctx.saved_tensors
        s1, s2 = ctx.shapes
        g = grad_output.reshape(-1, weight.shape[0])  # (M, out)
        grad_a = np.einsum("mk,kij,mj->mi", g, weight, b, optimize=True).reshape(s1)
        grad_b = np.einsum("mk,kij,mi->mj", g, weight, a, optimize=True).reshape(s2)
        grad_w = np.einsum("mk,mi,mj->kij", g, a, b, optimize=True)
        if ctx.has_bias:
            return grad_a, grad_b, grad_w, g.sum(axis=0)
        return grad_a, grad_b, grad_w

    @staticmethod
    def backward_graph(ctx, grad_output):
        x1, x2, weight = ctx.inputs[:3]
        s1, s2 = ctx.shapes
        n_out, in1, in2 = weight.shape
        a, b = x1.reshape(-1, in1), x2.reshape(-1, in2)  # (M, in1), (M, in2)
        m = a.shape[0]
        g = grad_output.reshape(m, n_out)  # (M, out)
        g_w = (g @ weight.reshape(n_out, in1 * in2)).reshape(m, in1, in2)  # sum_k g_mk A_k
        grad_a = (g_w @ b.reshape(m, in2, 1)).reshape(*s1)
        grad_b = (a.reshape(m, 1, in1) @ g_w).reshape(*s2)
        outer = (a.reshape(m, in1, 1) * b.reshape(m, 1, in2)).reshape(m, in1 * in2)
        grad_w = (g.transpose(0, 1) @ outer).reshape(n_out, in1, in2)
        if ctx.has_bias:
            return grad_a, grad_b, grad_w, g.sum(0)
        return grad_a, grad_b, grad_w


def bilinear(input1, input2, weight, bias=None):
    """Apply y = x1^T A x2 + b (PyTorch ``F.bilinear``). Inventory: NL-01."""
    if bias is None:
        return Bilinear.apply(input1, input2, weight)
    return Bilinear.apply(input1, input2, weight, bias)
