"""Multi-head attention with PyTorch's ``nn.MultiheadAttention`` API, parameters and masks.

    head_i = softmax(Q W_i^Q (K W_i^K)^T / sqrt(d_k) + M) V W_i^V,   d_k = embed_dim / num_heads
    MultiHead(Q, K, V) = Concat(head_1 .. head_h) W^O + b^O

Self-attention is MultiHead(X, X, X) (TR-01); cross-attention takes queries from one sequence
and keys/values from another (TR-08). The projections of all heads are one GEMM: the packed
``in_proj_weight`` (3E, E) = [W^Q; W^K; W^V] (or ``q_proj_weight``/``k_proj_weight``/
``v_proj_weight`` when ``kdim``/``vdim`` differ from E), then a reshape into (N, H, L, d_k).

Masks follow **torch.nn.MultiheadAttention** (careful: the opposite of
``F.scaled_dot_product_attention``'s boolean convention):

* ``attn_mask`` (L, S) or (N*H, L, S): bool True = this query may NOT attend to this key; or a
  float mask added to the scores (-inf blocks). ``is_causal=True`` without a mask builds the
  causal mask (key j > query i blocked, TR-09).
* ``key_padding_mask`` (N, S): bool True = padding, ignore this key (TR-10); or float, added.

Masked scores are set to -inf **before** the softmax (inventory E-27). With
``need_weights=False`` the fused ``scaled_dot_product_attention`` op runs (a query whose keys
are all masked then gets a zero output; torch gives NaN there); with ``need_weights=True`` the
weights are computed explicitly and returned (averaged over heads by default), after dropout
like torch.

Inventory: SQ-09, TR-01, TR-02, TR-09, TR-10, E-27.

Example
-------
>>> from glassml.autograd import randn
>>> mha = MultiheadAttention(16, 4, batch_first=True)
>>> x = randn(2, 5, 16)
>>> out, weights = mha(x, x, x)
>>> out.shape, weights.shape
((2, 5, 16), (2, 5, 5))
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Parameter, Tensor, cat, zeros
from glassml.autograd.fused import dropout as _dropout
from glassml.autograd.fused import linear, scaled_dot_product_attention, softmax

from . import init
from .linear import Linear, _param_dtype
from .module import Module

__all__ = ["MultiheadAttention", "attention_with_weights"]


def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"MultiheadAttention: {name} must be a positive integer, got {value!r}")
    return int(value)


def _mask_value(mask, name: str):
    """A mask as a raw bool array, a raw float array, or a float Tensor (kept differentiable)."""
    if mask is None:
        return None
    if isinstance(mask, Tensor):
        if mask.dtype == np.bool_ or not mask.requires_grad:
            mask = mask.data
        else:
            return mask
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise TypeError(
            f"MultiheadAttention: {name} must be a bool or floating-point mask, got dtype "
            f"{mask.dtype}"
        )
    return mask


def attention_with_weights(query, key, value, attn_mask=None, dropout_p=0.0, scale=None, *,
                           generator=None):  # fmt: skip
    """Scaled dot-product attention that also returns the weights (SQ-09):

        P = softmax(Q K^T * scale + M),   context = P V,   scale = 1 / sqrt(d_k)

    Written with differentiable ops (gradients flow through both outputs); the fused
    ``scaled_dot_product_attention`` computes the same context without materialising P for
    the backward. ``attn_mask`` follows that op: bool True = may attend, or float added.

    Parameters
    ----------
    query : Tensor (..., L, d_k);  key : Tensor (..., S, d_k);  value : Tensor (..., S, d_v)
    attn_mask : bool or float array/Tensor broadcastable to (..., L, S), optional
    dropout_p : float — dropout on P (the returned weights are the dropped-out ones)
    scale : float, default 1 / sqrt(d_k)

    Returns ``(context (..., L, d_v), weights (..., L, S))``.

    Inventory: SQ-09, CL-186.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> ctx, w = attention_with_weights(randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 6))
    >>> ctx.shape, w.shape, bool(abs(w.sum(dim=-1).numpy() - 1).max() < 1e-6)
    ((2, 3, 6), (2, 3, 5), True)
    """
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"attention_with_weights: query (..., L, d_k), key (..., S, d_k) and value "
            f"(..., S, d_v) do not fit: got {tuple(query.shape)}, {tuple(key.shape)}, "
            f"{tuple(value.shape)}"
        )
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = (query * scale) @ key.transpose(-1, -2)  # (..., L, S)
    if attn_mask is not None:
        m = _mask_value(attn_mask, "attn_mask")
        if isinstance(m, np.ndarray) and m.dtype == np.bool_:
            scores = scores.masked_fill(~m, -np.inf)
        else:
            scores = scores + (m.astype(scores.dtype) if isinstance(m, np.ndarray) else m)
    weights = softmax(scores, -1)  # (..., L, S), rows sum to 1
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True, generator=generator)
    return weights @ value, weights


class MultiheadAttention(Module):
    """Multi-head scaled dot-product attention (``torch.nn.MultiheadAttention``).

    Parameters
    ----------
    embed_dim : int — E, the query width and output width
    num_heads : int — H; E must be divisible by H (head width d_k = E / H)
    dropout : float, default 0.0 — dropout on the attention weights (training only)
    bias : bool, default True — ``in_proj_bias`` (3E,) and ``out_proj.bias``
    add_bias_kv : bool, default False — learned ``bias_k``/``bias_v`` (1, 1, E) appended to the
        key/value sequences
    add_zero_attn : bool, default False — a zero key/value appended after the projection
    kdim, vdim : int, default E — key/value widths (separate q/k/v projection weights if != E)
    batch_first : bool, default False — (N, L, E) inputs instead of (L, N, E)
    dtype : parameter dtype, default float32
    generator : numpy.random.Generator for the initialisation and the dropout masks

    Initialisation as torch: xavier_uniform_ on the input projections, zero biases, the
    out_proj weight keeps Linear's default, bias_k/bias_v ~ xavier_normal_.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (attn_output, attn_weights or None)``:
    query (L, N, E) / (N, L, E) / unbatched (L, E); key (S, N, kdim); value (S, N, vdim);
    output like query; weights (N, L, S) averaged, (N, H, L, S) otherwise.

    Inventory: SQ-09, TR-01, TR-02, TR-09, TR-10.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> mha = MultiheadAttention(8, 2)
    >>> q, kv = randn(3, 2, 8), randn(4, 2, 8)      # (L, N, E), (S, N, E)
    >>> out, w = mha(q, kv, kv, need_weights=True, average_attn_weights=False)
    >>> out.shape, w.shape
    ((3, 2, 8), (2, 2, 3, 4))
    """

    def __init__(
        self,
        embed_dim,
        num_heads,
        dropout=0.0,
        bias=True,
        add_bias_kv=False,
        add_zero_attn=False,
        kdim=None,
        vdim=None,
        batch_first=False,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        self.embed_dim = _positive(embed_dim, "embed_dim")
        self.num_heads = _positive(num_heads, "num_heads")
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads "
                f"({num_heads})"
            )
        if isinstance(dropout, bool) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout!r}")
        self.kdim = self.embed_dim if kdim is None else _positive(kdim, "kdim")
        self.vdim = self.embed_dim if vdim is None else _positive(vdim, "vdim")
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = float(dropout)
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        self.add_zero_attn = bool(add_zero_attn)
        self.generator = generator
        dt = _param_dtype(dtype)
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), dtype=dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(np.empty((e, e), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), dtype=dt))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * e, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias, dtype=dt, generator=generator)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, e), dtype=dt))
            self.bias_v = Parameter(np.empty((1, 1, e), dtype=dt))
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        g = self.generator
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight, generator=g)
        else:
            init.xavier_uniform_(self.q_proj_weight, generator=g)
            init.xavier_uniform_(self.k_proj_weight, generator=g)
            init.xavier_uniform_(self.v_proj_weight, generator=g)
        if self.in_proj_bias is not None:
            self.in_proj_bias.data[...] = 0
            self.out_proj.bias.data[...] = 0
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k, generator=g)
            init.xavier_normal_(self.bias_v, generator=g)

    # ------------------------------------------------------------------ projections
    def _heads(self, x, parts: int):
        """(N, L, parts*E) -> ``parts`` tensors (N, H, L, d_k): one reshape + one permute."""
        n, length, _ = x.shape
        x = x.reshape(n, length, parts, self.num_heads, self.head_dim)
        x = x.permute(2, 0, 3, 1, 4)  # (parts, N, H, L, d_k)
        return [x[i] for i in range(parts)]

    def _project(self, query, key, value):
        """q (N, H, L, d_k), k (N, H, S, d_k), v (N, H, S, d_k); one GEMM for self-attention.

        bias_k / bias_v (``add_bias_kv``) are appended to the projected keys/values first.
        """
        e = self.embed_dim
        w, b = self.in_proj_weight, self.in_proj_bias

        def part(i, x, weight=None):
            bias = b[i * e : (i + 1) * e] if b is not None else None
            return linear(x, weight if weight is not None else w[i * e : (i + 1) * e], bias)

        if self.bias_k is not None or not self._qkv_same_embed_dim:
            if self._qkv_same_embed_dim:
                q, k, v = part(0, query), part(1, key), part(2, value)
            else:
                q = part(0, query, self.q_proj_weight)
                k = part(1, key, self.k_proj_weight)
                v = part(2, value, self.v_proj_weight)
            if self.bias_k is not None:
                n = q.shape[0]
                k = cat([k, self.bias_k.expand(n, 1, e)], dim=1)  # (N, S+1, E)
                v = cat([v, self.bias_v.expand(n, 1, e)], dim=1)
            return self._heads(q, 1)[0], self._heads(k, 1)[0], self._heads(v, 1)[0]
        if query is key and key is value:  # self-attention: [Q K V] = X [W_Q; W_K; W_V]^T
            return self._heads(linear(query, w, b), 3)  # (N, L, 3E) -> 3 x (N, H, L, d_k)
        (q,) = self._heads(part(0, query), 1)
        if key is value:  # cross-attention: keys and values from one memory, one GEMM
            k, v = self._heads(linear(key, w[e:], b[e:] if b is not None else None), 2)
            return q, k, v
        return q, self._heads(part(1, key), 1)[0], self._heads(part(2, value), 1)[0]

    # ------------------------------------------------------------------ masks
    def _merge_masks(self, attn_mask, key_padding_mask, n, length, source, dtype, unbatched):
        """One mask broadcastable to (N, H, L, S): ('bool', allowed) or ('float', additive)."""
        h = self.num_heads
        am = _mask_value(attn_mask, "attn_mask")
        kpm = _mask_value(key_padding_mask, "key_padding_mask")
        if am is not None:
            if am.ndim == 2:
                if tuple(am.shape) != (length, source):
                    raise ValueError(
                        f"MultiheadAttention: attn_mask must have shape ({length}, {source}) "
                        f"(L, S), got {tuple(am.shape)}"
                    )
                am = am.reshape(1, 1, length, source)
            elif am.ndim == 3:
                lead = h if unbatched else n * h
                if tuple(am.shape) != (lead, length, source):
                    what = "(num_heads, L, S)" if unbatched else "(N * num_heads, L, S)"
                    raise ValueError(
                        f"MultiheadAttention: 3-D attn_mask must have shape "
                        f"({lead}, {length}, {source}) {what}, got {tuple(am.shape)}"
                    )
                am = am.reshape(n, h, length, source)
            else:
                raise ValueError(
                    f"MultiheadAttention: attn_mask must be 2-D or 3-D, got {am.ndim}-D"
                )
        if kpm is not None:
            expected = (source,) if unbatched else (n, source)
            if tuple(kpm.shape) != expected:
                raise ValueError(
                    f"MultiheadAttention: key_padding_mask must have shape {expected} "
                    f"({'S' if unbatched else 'N, S'}), got {tuple(kpm.shape)}"
                )
            kpm = kpm.reshape(n, 1, 1, source)
        masks = [m for m in (am, kpm) if m is not None]
        if not masks:
            return None
        if all(m.dtype == np.bool_ for m in masks):
            blocked = masks[0] if len(masks) == 1 else (masks[0] | masks[1])
            return ("bool", ~blocked)
        total = None
        for m in masks:
            if m.dtype == np.bool_:
                m = np.where(m, -np.inf, 0.0).astype(dtype)
            elif m.dtype != dtype:
                if isinstance(m, Tensor):
                    raise TypeError(
                        f"MultiheadAttention: float masks must have the query's dtype {dtype}, "
                        f"got {m.dtype}"
                    )
                m = m.astype(dtype)
            total = m if total is None else total + m
        return ("float", total)

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        query,
        key,
        value,
        key_padding_mask=None,
        need_weights=True,
        attn_mask=None,
        average_attn_weights=True,
        is_causal=False,
    ):
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"MultiheadAttention: {name} must be a glassml Tensor, got {type(t).__name__}"
                )
        if query.ndim not in (2, 3):
            raise ValueError(
                f"MultiheadAttention: query must be 3-D (batched) or 2-D (unbatched), "
                f"got shape {tuple(query.shape)}"
            )
        unbatched = query.ndim == 2
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(
                f"MultiheadAttention: query, key and value must all be {query.ndim}-D, got "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        for name, t, width in (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        ):
            if t.shape[-1] != width:
                raise ValueError(
                    f"MultiheadAttention: {name} must have last dim {width}, "
                    f"got shape {tuple(t.shape)}"
                )
        same_kv, same_qkv = key is value, query is key and key is value
        # -> batch-first (N, L, E)
        if unbatched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        if same_kv:
            value = key
        if same_qkv:
            key = value = query
        n, length, _ = query.shape
        if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
            raise ValueError(
                "MultiheadAttention: key and value must have the same batch size and length as "
                f"each other and the batch size of query, got key {tuple(key.shape)} and value "
                f"{tuple(value.shape)} for query {tuple(query.shape)} (batch-first view)"
            )
        q, k, v = self._project(query, key, value)  # (N, H, L, dk), (N, H, S, dk) x 2
        if self.bias_k is not None:
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        if self.add_zero_attn:
            pad = zeros(n, self.num_heads, 1, self.head_dim, dtype=k.dtype)
            k, v = cat([k, pad], dim=2), cat([v, pad], dim=2)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        source = k.shape[2]
        causal_fast = is_causal and attn_mask is None and key_padding_mask is None
        if is_causal and attn_mask is None and not (causal_fast and not need_weights):
            attn_mask = np.triu(np.ones((length, source), dtype=bool), 1)  # torch needs it given
        mask = self._merge_masks(attn_mask, key_padding_mask, n, length, source, q.dtype, unbatched)
        p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = (q * (1.0 / math.sqrt(self.head_dim))) @ k.transpose(-1, -2)  # (N,H,L,S)
            if mask is not None and mask[0] == "bool":
                scores = scores.masked_fill(~mask[1], -np.inf)
            elif mask is not None:
                scores = scores + mask[1]
            weights = softmax(scores, -1)  # (N, H, L, S)
            if p > 0.0:
                weights = _dropout(weights, p, True, generator=self.generator)
            out = weights @ v  # (N, H, L, dk)
            if average_attn_weights:
                weights = weights.mean(dim=1)  # (N, L, S)
            if unbatched:
                weights = weights.squeeze(0)
        else:
            sdpa_mask = None if mask is None else mask[1]
            out = scaled_dot_product_attention(
                q,
                k,
                v,
                attn_mask=sdpa_mask,
                dropout_p=p,
                is_causal=causal_fast and mask is None,
                generator=self.generator,
            )  # (N, H, L, dk)
        out = out.transpose(1, 2).reshape(n, length, self.embed_dim)  # (N, L, E) heads concat
        out = self.out_proj(out)  # (N, L, E)
        if unbatched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)  # (L, N, E)
        return out, weights

    def extra_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
            f"batch_first={self.batch_first}"
        )


def _pad_last(mask):
    """Append one never-blocking column (False / 0.0) to a mask's last dim (torch's pad)."""
    if mask is None:
        return None
    if isinstance(mask, Tensor) and mask.dtype != np.bool_ and mask.requires_grad:
        pad = zeros(*mask.shape[:-1], 1, dtype=mask.dtype)
        return cat([mask, pad], dim=-1)
    arr = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    return np.pad(arr, [(0, 0)] * (arr.ndim - 1) + [(0, 1)])
