"""Scaled dot-product attention as one fused op with a hand-derived backward.

    S = Q K^T * scale (+ additive mask, or -inf where a boolean mask is False / above the
        diagonal when causal),        scale = 1 / sqrt(E) by default
    P = softmax(S) over the keys (a row whose keys are all masked gives P = 0, like PyTorch)
    P' = P * keep / (1 - p)           (dropout, keep ~ Bernoulli(1 - p))
    O = P' V

Backward with upstream G = dL/dO:
    dV = P'^T G,   dP' = G V^T,   dP = dP' * keep / (1 - p)
    dS = P * (dP - rowsum(dP * P))      (softmax Jacobian, never materialised)
    dQ = dS K * scale,   dK = dS^T Q * scale,   d(additive mask) = dS

Masking sets the *scores* to -inf before the softmax (inventory E-27), never the weights after.

Inventory: SQ-09 (scaled dot-product attention), TR-01, TR-02 (self/multi-head attention),
TR-09, CL-191 (the causal mask), E-27 (mask the scores, not the weights).
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..random import get_generator
from ..tensor import Tensor
from ._util import check_float, check_same_dtype, constant

__all__ = ["scaled_dot_product_attention", "ScaledDotProductAttention"]


class ScaledDotProductAttention(Function):
    """softmax(Q K^T scale + mask) V with optional dropout on the attention weights."""

    @staticmethod
    def forward(ctx, q, k, v, attn_mask, dropout_p, is_causal, scale, enable_gqa, generator):
        op = "scaled_dot_product_attention"
        check_float("query", q, op)
        check_same_dtype(op, q, key=k, value=v)
        if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
            raise ValueError(
                f"{op}: query, key and value must be at least 2-D, got {q.shape}, {k.shape}, {v.shape}"
            )
        if q.shape[-1] != k.shape[-1]:
            raise ValueError(
                f"{op}: query and key must have the same embedding size E, got {q.shape[-1]} and {k.shape[-1]}"
            )
        if k.shape[-2] != v.shape[-2]:
            raise ValueError(
                f"{op}: key and value must have the same sequence length S, got {k.shape[-2]} and {v.shape[-2]}"
            )
        if not 0.0 <= dropout_p <= 1.0:
            raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")
        if is_causal and attn_mask is not None:
            raise ValueError(f"{op}: pass either attn_mask or is_causal=True, not both")
        groups = 1
        if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
            if q.shape[-3] % k.shape[-3]:
                raise ValueError(
                    f"{op}: with enable_gqa the query heads ({q.shape[-3]}) must be a multiple of "
                    f"the key/value heads ({k.shape[-3]})"
                )
            groups = q.shape[-3] // k.shape[-3]
            k = np.repeat(k, groups, axis=-3)
            v = np.repeat(v, groups, axis=-3)
        length, source = q.shape[-2], k.shape[-2]
        scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)

        s = np.matmul(q, k.swapaxes(-1, -2))  # (..., L, S)
        s *= scale
        if is_causal:
            allowed = np.tri(length, source, dtype=bool)  # top-left aligned lower triangle
            np.copyto(s, -np.inf, where=~allowed)
        elif attn_mask is not None:
            if attn_mask.dtype == np.bool_:
                np.copyto(s, -np.inf, where=~attn_mask)
            else:
                check_same_dtype(op, q, attn_mask=attn_mask)
                s = s + attn_mask  # may broadcast to a larger batch shape
        # softmax over keys, safe for fully masked rows (-inf max -> weights 0)
        row_max = s.max(axis=-1, keepdims=True)
        np.copyto(row_max, 0.0, where=~np.isfinite(row_max))
        s -= row_max
        np.exp(s, out=s)
        denom = s.sum(axis=-1, keepdims=True)
        np.copyto(denom, 1.0, where=denom == 0)
        s /= denom
        p = s  # (..., L, S)
        keep = None
        if dropout_p > 0.0:
            rng = get_generator(generator)
            keep = (
                rng.random(p.shape, dtype=p.dtype if p.dtype == np.float32 else np.float64)
                >= dropout_p
            )
            p_drop = p * keep
            p_drop *= 1.0 / (1.0 - dropout_p) if dropout_p < 1.0 else 0.0
        else:
            p_drop = p
        out = np.matmul(p_drop, v)  # (..., L, Ev)
        ctx.scale, ctx.dropout_p, ctx.groups = scale, dropout_p, groups
        ctx.float_mask = attn_mask is not None and attn_mask.dtype != np.bool_
        ctx.save_for_backward(q, k, v, p, keep)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        q, k, v, p, keep = ctx.saved_tensors
        need = ctx.needs_input_grad
        if keep is not None:
            inv_keep = 1.0 / (1.0 - ctx.dropout_p) if ctx.dropout_p < 1.0 else 0.0
            p_drop = p * keep
            p_drop *= inv_keep
        else:
            p_drop = p
        grad_v = (
            np.matmul(p_drop.swapaxes(-1, -2), grad_output) if need[2] else None
        )  # (..., S, Ev)
        dp = np.matmul(grad_output, v.swapaxes(-1, -2))  # (..., L, S)
        if keep is not None:
            dp *= keep
            dp *= inv_keep
        # dS = P * (dP - rowsum(dP * P))
        row = np.vecdot(dp, p)[..., None]  # (..., L, 1)
        dp -= row
        dp *= p
        ds = dp
        grad_q = grad_k = None
        if need[0]:
            grad_q = np.matmul(ds, k)  # (..., L, E)
            grad_q *= ctx.scale
        if need[1]:
            grad_k = np.matmul(ds.swapaxes(-1, -2), q)  # (..., S, E)
            grad_k *= ctx.scale
        if ctx.groups > 1:  # fold repeated key/value heads back (grouped-query attention)

            def fold(a):
                shp = a.shape
                return a.reshape(*shp[:-3], shp[-3] // ctx.groups, ctx.groups, *shp[-2:]).sum(
                    axis=-3
                )

            grad_k = fold(grad_k) if grad_k is not None else None
            grad_v = fold(grad_v) if grad_v is not None else None
        grad_mask = ds if (ctx.float_mask and need[3]) else None
        return grad_q, grad_k, grad_v, grad_mask, None, None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        """The backward above written with Tensor ops, P recomputed from Q and K so that the
        gradients are differentiable again (create_graph=True); the dropout mask is reused."""
        q, k, v, attn_mask = ctx.inputs[:4]
        is_causal = ctx.inputs[5]
        _, _, _, p_saved, keep = ctx.saved_tensors
        groups = ctx.groups

        def repeat_heads(t):  # (..., Hk, S, E) -> (..., Hk * groups, S, E), like np.repeat
            shp = t.shape
            wide = t.unsqueeze(-3).expand(*shp[:-2], groups, *shp[-2:])
            return wide.reshape(*shp[:-3], shp[-3] * groups, *shp[-2:])

        k_r, v_r = (repeat_heads(k), repeat_heads(v)) if groups > 1 else (k, v)
        s = (q @ k_r.transpose(-1, -2)) * ctx.scale  # (..., L, S)
        allowed = None
        if is_causal:
            allowed = np.tri(s.shape[-2], s.shape[-1], dtype=bool)
        elif attn_mask is not None:
            mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
            if mask.dtype == np.bool_:
                allowed = mask
            else:
                s = s + attn_mask
        if allowed is not None:
            allowed = np.broadcast_to(allowed, s.shape)
            live = allowed.any(axis=-1, keepdims=True)  # rows with at least one key
            s = s.masked_fill(~allowed & live, float("-inf"))  # fully masked rows stay finite
            p = s.softmax(-1) * constant(
                live, p_saved.dtype
            )  # fully masked rows: P = 0, like the forward
        else:
            p = s.softmax(-1)
        g = grad_output
        if keep is not None:
            inv_keep = 1.0 / (1.0 - ctx.dropout_p) if ctx.dropout_p < 1.0 else 0.0
            drop = constant(keep * inv_keep, p_saved.dtype)
            p_drop = p * drop
        else:
            p_drop = p
        grad_v = p_drop.transpose(-1, -2) @ g  # (..., S, Ev)
        dp = g @ v_r.transpose(-1, -2)  # (..., L, S)
        if keep is not None:
            dp = dp * drop
        ds = p * (dp - (dp * p).sum(-1, keepdim=True))  # softmax Jacobian
        grad_q = (ds @ k_r) * ctx.scale  # (..., L, E)
        grad_k = (ds.transpose(-1, -2) @ q) * ctx.scale  # (..., S, E)
        if groups > 1:

            def fold(a):
                shp = a.shape
                return a.reshape(*shp[:-3], shp[-3] // groups, groups, *shp[-2:]).sum(-3)

            grad_k, grad_v = fold(grad_k), fold(grad_v)
        grad_mask = ds if ctx.float_mask else None
        return grad_q, grad_k, grad_v, grad_mask, None, None, None, None, None


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p=0.0,
    is_causal=False,
    scale=None,
    enable_gqa=False,
    *,
    generator=None,
):
    """Attention softmax(Q K^T / sqrt(E) + mask) V (``F.scaled_dot_product_attention``).

    Inventory: SQ-09, TR-01, TR-02, TR-09, CL-191.

    Parameters
    ----------
    query : Tensor (..., L, E);  key : Tensor (..., S, E);  value : Tensor (..., S, Ev)
    attn_mask : bool Tensor (True = may attend) or float Tensor added to the scores,
        broadcastable to (..., L, S)
    dropout_p : float — dropout on the attention weights (inverted scaling)
    is_causal : bool — mask scores above the diagonal (top-left aligned)
    scale : float — defaults to 1 / sqrt(E)
    enable_gqa : bool — grouped-query attention (key/value heads repeated)
    generator : numpy Generator for the dropout mask (glassml extension)

    Example
    -------
    >>> from glassml.autograd import randn
    >>> q = k = v = randn(2, 4, 5, 8)
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 5, 8)
    """
    return ScaledDotProductAttention.apply(
        query,
        key,
        value,
        attn_mask,
        float(dropout_p),
        bool(is_causal),
        scale,
        bool(enable_gqa),
        generator,
    )
