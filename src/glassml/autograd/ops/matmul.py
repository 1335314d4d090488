"""Matrix product with PyTorch/NumPy semantics, routed to BLAS.

For C = A B (batched over leading axes, broadcast):

    dL/dA = G B^T        dL/dB = A^T G

1-D operands are promoted like torch.matmul: a vector on the left is a row (1, m), on the right a
column (m, 1); the added axis is removed from the result. When B is a plain matrix and A is
batched, the batch is folded into the rows so that each product is ONE GEMM
((B*T, m) @ (m, k)), and dL/dB = A_flat^T G_flat sums over the batch inside the GEMM.

Inventory: AG-03, AG-10.

Example
-------
>>> from glassml.autograd import tensor
>>> A = tensor([[1.0, 2.0], [3.0, 4.0]]); B = tensor([[5.0, 6.0], [7.0, 8.0]])
>>> (A @ B).numpy()                    # CL-099
array([[19., 22.],
       [43., 50.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor

__all__ = ["matmul", "mm", "bmm"]


def _fold(a: np.ndarray) -> np.ndarray:
    """(..., m) -> (prod(...), m) (a view when possible)."""
    return a.reshape(-1, a.shape[-1])


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if b.ndim == 2 and a.ndim > 2:
            return (_fold(a) @ b).reshape(a.shape[:-1] + (b.shape[1],))
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            return (g * b if need_a else None), (g * a if need_b else None)
        if b.ndim == 1:  # (..., n, m) @ (m,) -> (..., n)
            if need_a:
                ga = g[..., :, None] * b  # outer product per batch: (..., n, m)
            if need_b:
                gb = np.matmul(a.swapaxes(-1, -2), g[..., :, None])[..., 0]  # (..., m)
            return ga, gb
        if a.ndim == 1:  # (m,) @ (..., m, k) -> (..., k)
            if need_a:
                ga = np.matmul(b, g[..., :, None])[..., 0]  # (..., m)
            if need_b:
                gb = a[:, None] * g[..., None, :]  # (..., m, k)
            return ga, gb
        if b.ndim == 2 and a.ndim > 2:  # batch folded into one GEMM
            g2 = _fold(g)  # (N, k)
            if need_a:
                ga = (g2 @ b.T).reshape(a.shape)  # (..., n, m)
            if need_b:
                gb = _fold(a).T @ g2  # (m, k)
            return ga, gb
        if need_a:
            ga = np.matmul(g, b.swapaxes(-1, -2))  # broadcast batch: engine sums it
        if need_b:
            gb = np.matmul(a.swapaxes(-1, -2), g)
        return ga, gb

    @staticmethod
    def backward_graph(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        if b.ndim == 1:
            if need_a:
                ga = g.unsqueeze(-1) * b
            if need_b:
                gb = matmul(a.transpose(-1, -2), g.unsqueeze(-1)).squeeze(-1)
            return ga, gb
        if a.ndim == 1:
            if need_a:
                ga = matmul(b, g.unsqueeze(-1)).squeeze(-1)
            if need_b:
                gb = a.unsqueeze(-1) * g.unsqueeze(-2)
            return ga, gb
        if need_a:
            ga = matmul(g, b.transpose(-1, -2))
        if need_b:
            gb = matmul(a.transpose(-1, -2), g)
        return ga, gb


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with batch broadcasting and torch's 1-D rules."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul: expected Tensors, got {type(input).__name__} and {type(other).__name__}"
        )
    a, b = input.shape, other.shape
    if not a or not b:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {a} and {b}"
        )
    k_a = a[-1]
    k_b = b[0] if len(b) == 1 else b[-2]
    if k_a != k_b:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_fmt(a)} and {_fmt(b)}): inner "
            f"dimensions {k_a} and {k_b} differ"
        )
    if len(a) > 2 and len(b) > 2:
        try:
            np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions {a[:-2]} and {b[:-2]} are not broadcastable"
            ) from None
    return MatMul.apply(input, other)


def _fmt(shape) -> str:
    return "x".join(str(s) for s in shape)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """(n, m) @ (m, k) for 2-D tensors only."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """(B, n, m) @ (B, m, k) for 3-D tensors with equal batch sizes."""
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: expected 3-D tensors with the same batch size, got {input.shape} and "
            f"{mat2.shape}"
        )
    return matmul(input, mat2)
