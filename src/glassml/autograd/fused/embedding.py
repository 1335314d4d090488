"""Embedding lookup and one-hot encoding.

embedding: y[..., :] = W[idx[...], :]; backward accumulates rows, dW[r] = sum_{idx = r} g
(an unbuffered index accumulation, np.add.at; rows never looked up get 0, ``padding_idx`` gets no gradient,
``scale_grad_by_freq`` divides by the row's count in the batch). A one-hot matrix is never built.

Inventory: NL-06 (embedding layer), DP-03 / CL-133 (one-hot vs index targets).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import check_float, constant

__all__ = ["embedding", "one_hot", "Embedding"]


def _check_indices(idx: np.ndarray, n_rows: int, op: str) -> None:
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"{op}: indices must be an integer tensor (int64), got dtype {idx.dtype}")
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= n_rows:
            bad = lo if lo < 0 else hi
            raise IndexError(
                f"{op}: index {bad} is out of range for {n_rows} rows (index out of range in self)"
            )


def _segment_sum_rows(idx: np.ndarray, g2: np.ndarray, n_rows: int) -> np.ndarray:
    """dW (n_rows, D) with dW[r] = sum of g2[i] over i with idx[i] = r.

    One unbuffered ``np.add.at`` on the flattened table: element (i, j) of g2 lands at flat
    position idx[i] * D + j (an index, not a one-hot matrix); NumPy's fast 1-D ufunc.at path
    makes this a single C loop.
    """
    n, d = g2.shape
    grad = np.zeros((n_rows, d), dtype=g2.dtype)
    if n == 0 or d == 0:
        return grad
    flat_index = (idx[:, None] * d + np.arange(d)).reshape(-1)  # (n * D,)
    np.add.at(grad.reshape(-1), flat_index, np.ascontiguousarray(g2).reshape(-1))
    return grad


class Embedding(Function):
    """Row lookup W[idx]; backward is a segment sum of the upstream rows."""

    @staticmethod
    def forward(ctx, idx, weight, padding_idx, scale_grad_by_freq):
        check_float("weight", weight, "embedding")
        if weight.ndim != 2:
            raise ValueError(
                f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {weight.shape}"
            )
        _check_indices(idx, weight.shape[0], "embedding")
        ctx.save_for_backward(idx)
        ctx.n_rows, ctx.padding_idx, ctx.freq = weight.shape[0], padding_idx, scale_grad_by_freq
        return weight[idx]  # (..., D)

    @staticmethod
    def backward(ctx, grad_output):
        (idx,) = ctx.saved_tensors
        if not ctx.needs_input_grad[1]:
            return None, None, None, None
        flat = idx.reshape(-1)
        g2 = grad_output.reshape(flat.shape[0], -1)  # (n, D)
        if ctx.freq:
            counts = np.bincount(flat, minlength=ctx.n_rows)
            g2 = g2 / counts[flat][:, None].astype(g2.dtype)
        grad = _segment_sum_rows(flat, g2, ctx.n_rows)
        if ctx.padding_idx is not None:
            grad[ctx.padding_idx] = 0
        return None, grad, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        """dW = scatter-add of the (frequency-scaled) upstream rows: linear in g, as Tensor ops."""
        (idx,) = ctx.saved_tensors
        if not ctx.needs_input_grad[1]:
            return None, None, None, None
        flat = idx.reshape(-1)
        g2 = grad_output.reshape(flat.shape[0], -1)  # (n, D)
        row_scale = np.ones(flat.shape[0], dtype=g2.dtype)  # (n,)
        if ctx.freq:
            row_scale /= np.bincount(flat, minlength=ctx.n_rows)[flat]
        if ctx.padding_idx is not None:
            row_scale[flat == ctx.padding_idx] = 0
        g2 = g2 * constant(row_scale[:, None])
        zeros = constant(np.zeros((ctx.n_rows, g2.shape[1]), dtype=g2.dtype))
        index = np.broadcast_to(flat[:, None], g2.shape)  # (n, D)
        return None, zeros.scatter_add(0, index, g2), None, None


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Look up rows of ``weight`` (``F.embedding``): y = W[input].

    Inventory: NL-06.

    Parameters
    ----------
    input : int Tensor (*) of row indices
    weight : Tensor (num_embeddings, embedding_dim)
    padding_idx : int or None — this row receives no gradient (negative counts from the end)
    max_norm : float or None — rows looked up are renormalised in place to norm <= max_norm
    norm_type : float — the p of the max_norm p-norm
    scale_grad_by_freq : bool — divide each row's gradient by its frequency in the batch

    Example
    -------
    >>> from glassml.autograd import tensor, randn
    >>> embedding(tensor([[0, 2], [1, 1]]), randn(3, 4)).shape
    (2, 2, 4)
    """
    if sparse:
        raise NotImplementedError(
            "embedding: sparse gradients are not supported (use sparse=False)"
        )
    n_rows = weight.shape[0]
    if padding_idx is not None:
        if not -n_rows <= padding_idx < n_rows:
            raise ValueError(
                f"embedding: padding_idx must be within num_embeddings ({n_rows}), got {padding_idx}"
            )
        padding_idx = padding_idx % n_rows
    if max_norm is not None:
        idx = input.data if isinstance(input, Tensor) else np.asarray(input)
        _check_indices(idx, n_rows, "embedding")
        rows = np.unique(idx)
        w = weight.data
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        over = norms > max_norm
        w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
    return Embedding.apply(input, weight, padding_idx, bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    """One-hot encode an int64 tensor (``F.one_hot``): shape (*, num_classes), int64, no grad.

    num_classes = -1 uses max + 1. Inventory: DP-03, LS-13.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> one_hot(tensor([0, 2])).numpy()
    array([[1, 0, 0],
           [0, 0, 1]])
    """
    idx = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(
            f"one_hot is only applicable to index tensor of an integer dtype, got {idx.dtype}"
        )
    if idx.size and idx.min() < 0:
        raise ValueError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
        if not idx.size:
            raise ValueError("one_hot: Can not infer total number of classes from empty tensor.")
    elif idx.size and idx.max() >= num_classes:
        raise ValueError("one_hot: Class values must be smaller than num_classes.")
    out = np.zeros((*idx.shape, num_classes), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._make(out, False, None)
