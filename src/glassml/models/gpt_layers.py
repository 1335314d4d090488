"""The building blocks of :class:`glassml.models.gpt.GPT` (nanoGPT layout and names).

    block(x) = x + Attn_causal(LN_1(x)),  then  x + W_2 GELU(W_1 LN_2(x))      (pre-LN, TR-06)
    Attn_causal: [q k v] = x W_attn^T + b;  head_i = softmax(q_i k_i^T / sqrt(hd) + causal) v_i

The causal mask sets the attention *scores* above the diagonal to -inf before the softmax
(inventory E-27). :class:`KVCache` keeps the keys and values of the positions already seen so
that generation feeds only the new tokens.

Inventory: TR-01, TR-02, TR-05, TR-06, TR-09.

Example
-------
>>> from glassml.autograd import randn
>>> Block(GPTConfig(n_embd=8, n_head=2))(randn(1, 4, 8)).shape
(1, 4, 8)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

import numpy as np

from glassml import nn
from glassml.autograd import Function, Tensor
from glassml.autograd.fused import gelu as _fused_gelu
from glassml.autograd.fused import scaled_dot_product_attention

__all__ = [
    "GPTConfig",
    "KVCache",
    "CausalAttention",
    "causal_attention",
    "CausalSelfAttention",
    "MLP",
    "Block",
]


@dataclass
class GPTConfig:
    """Hyper-parameters of :class:`GPT` (nanoGPT's ``GPTConfig``).

    Parameters
    ----------
    vocab_size : number of token ids V.
    block_size : context length: the most positions the model sees (learned position table).
    n_layer, n_head, n_embd : depth, attention heads, model width d (d % n_head == 0).
    dropout : dropout on embeddings, attention weights and residual branches (training only).
    bias : Linear layers and LayerNorms with a bias.
    tie_weights : the LM head shares its weight with the token embedding (W_head = W_te).

    Example
    -------
    >>> GPTConfig(vocab_size=65, block_size=128, n_layer=4, n_head=4, n_embd=128).n_embd
    128
    """

    vocab_size: int = 65
    block_size: int = 128
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True
    tie_weights: bool = True

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"GPTConfig: {name} must be a positive integer, got {value!r}")
            setattr(self, name, int(value))
        if self.n_embd % self.n_head:
            raise ValueError(
                f"GPTConfig: n_embd must be divisible by n_head, got n_embd={self.n_embd} "
                f"and n_head={self.n_head}"
            )
        if not isinstance(self.dropout, numbers.Real) or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout!r}")
        self.dropout = float(self.dropout)

    def to_dict(self) -> dict:
        """The fields as a JSON-serialisable dict (what ``config.json`` stores)."""
        return asdict(self)


class KVCache:
    """Keys and values of the positions already processed, one pair of buffers per layer.

    k[l], v[l] : (B, n_head, block_size, head_dim), filled up to ``length``. A new chunk of
    T positions appends its keys/values and attends to all ``length + T`` positions.

    Example
    -------
    >>> cache = KVCache(n_layer=2, batch=1, n_head=2, block_size=8, head_dim=4, dtype=np.float32)
    >>> cache.length
    0
    """

    def __init__(self, n_layer, batch, n_head, block_size, head_dim, dtype):
        shape = (batch, n_head, block_size, head_dim)
        self.k = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.v = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.length = 0  # positions stored (committed after the last layer ran)
        self.block_size = block_size

    def append(self, layer: int, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store k, v (B, H, T, hd) after the cached positions; return all keys and values."""
        start, stop = self.length, self.length + k.shape[2]
        self.k[layer][:, :, start:stop] = k
        self.v[layer][:, :, start:stop] = v
        return self.k[layer][:, :, :stop], self.v[layer][:, :, :stop]  # (B, H, S, hd)


class CausalAttention(Function):
    """Causal multi-head attention on the fused projection, heads split and merged inside:
    qkv (B, T, 3C) -> y (B, T, C), the same numbers as ``scaled_dot_product_attention(q, k, v,
    is_causal=True)`` on the split heads, but computed block by block over the queries:

        for queries r0..r1-1:  S = Q_r K_{<r1}^T / sqrt(hd)  (mask only the diagonal block)
                               P = softmax(S),  Y_r = P V_{<r1}
        backward:  dV_{<r1} += P^T dY_r,  dS = P * (dP - rowsum(dP * P)), dP = dY_r V_{<r1}^T,
                   dQ_r = dS K_{<r1} / sqrt(hd),  dK_{<r1} += dS^T Q_r / sqrt(hd)

    The keys after a block's last query are never touched (about 5/8 of the full T x T work
    for T = 128 in blocks of 32), and q, k, v, y and their gradients are strided views of the
    (B, T, 3C) / (B, T, C) buffers, so no head transpose is ever copied.
    """

    @staticmethod
    def forward(ctx, qkv, n_head, block):
        B, T, C3 = qkv.shape
        C = C3 // 3
        hd = C // n_head
        scale = 1.0 / math.sqrt(hd)
        # one copy each into head-major layout; q carries the 1/sqrt(hd)
        heads = qkv.reshape(B, T, 3, n_head, hd).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
        q = heads[0] * np.asarray(scale, dtype=qkv.dtype)  # (B, H, T, hd)
        k, v = np.ascontiguousarray(heads[1]), np.ascontiguousarray(heads[2])
        y = np.empty((B, n_head, T, hd), dtype=qkv.dtype)
        above = np.triu(np.ones((block, block), dtype=bool), 1)  # key after query
        probs = []
        for r0 in range(0, T, block):
            r1 = min(r0 + block, T)
            s = np.matmul(q[:, :, r0:r1], k[:, :, :r1].swapaxes(-1, -2))  # (B, H, bq, r1)
            np.copyto(s[..., r0:r1], -np.inf, where=above[: r1 - r0, : r1 - r0])
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)  # P: (B, H, bq, r1)
            np.matmul(s, v[:, :, :r1], out=y[:, :, r0:r1])
            probs.append(s)
        ctx.block, ctx.scale = block, scale
        ctx.save_for_backward(q, k, v, *probs)
        return y.transpose(0, 2, 1, 3).reshape(B, T, C)  # heads side by side

    @staticmethod
    def backward(ctx, grad_output):
        q, k, v, *probs = ctx.saved_tensors
        B, H, T, hd = q.shape
        block, scale = ctx.block, ctx.scale
        g = grad_output.reshape(B, T, H, hd).transpose(0, 2, 1, 3)  # (B, H, T, hd) view
        grad = np.empty((3, B, H, T, hd), dtype=q.dtype)
        dq, dk, dv = grad[0], grad[1], grad[2]
        dk[:] = 0.0  # dK and dV accumulate over the query blocks
        dv[:] = 0.0
        for i, r0 in enumerate(range(0, T, block)):
            r1 = min(r0 + block, T)
            p, g_r = probs[i], np.ascontiguousarray(g[:, :, r0:r1])  # (B,H,bq,r1), (B,H,bq,hd)
            dv[:, :, :r1] += np.matmul(p.swapaxes(-1, -2), g_r)
            ds = np.matmul(g_r, v[:, :, :r1].swapaxes(-1, -2))  # dP: (B, H, bq, r1)
            ds -= np.vecdot(ds, p)[..., None]
            ds *= p  # dS (w.r.t. the scaled scores)
            np.matmul(ds, k[:, :, :r1], out=dq[:, :, r0:r1])
            dk[:, :, :r1] += np.matmul(ds.swapaxes(-1, -2), q[:, :, r0:r1])  # q holds the scale
        dq *= np.asarray(scale, dtype=q.dtype)
        return grad.transpose(1, 3, 0, 2, 4).reshape(B, T, 3 * H * hd), None, None


def causal_attention(qkv, n_head: int, block: int = 32):
    """Causal multi-head self-attention of the fused projection qkv = [Q K V] (B, T, 3C):
    softmax(Q_h K_h^T / sqrt(hd) + causal mask) V_h per head, heads concatenated -> (B, T, C).
    See :class:`CausalAttention` (query blocks of ``block`` rows skip the masked keys).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> causal_attention(randn(2, 5, 12), n_head=2).shape
    (2, 5, 4)
    """
    return CausalAttention.apply(qkv, int(n_head), int(block))


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with one fused q,k,v projection (``c_attn``).

    [q k v] = x W_attn^T + b;  head_i = softmax(q_i k_i^T / sqrt(hd) + causal) v_i;
    y = concat(head_1..head_H) W_proj^T + b.   x: (B, T, C) -> y: (B, T, C).

    Inventory: TR-01, TR-02, TR-09.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> attn = CausalSelfAttention(GPTConfig(n_embd=8, n_head=2))
    >>> attn(randn(2, 5, 8)).shape
    (2, 5, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        c = config.n_embd
        self.c_attn = nn.Linear(c, 3 * c, bias=config.bias, generator=generator)
        self.c_proj = nn.Linear(c, c, bias=config.bias, generator=generator)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, c, config.dropout
        self.causal = True  # False only to demonstrate an LM that sees the future (CL-191)

    def forward(self, x, cache: KVCache | None = None, layer: int = 0):
        B, T, C = x.shape
        H = self.n_head
        qkv = self.c_attn(x)  # (B, T, 3C)
        dropping = self.training and self.dropout > 0
        if cache is None and self.causal and not dropping:  # the training / scoring path
            return self.resid_dropout(self.c_proj(causal_attention(qkv, H)))  # (B, T, C)
        heads = qkv.reshape(B, T, 3, H, C // H).permute(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
        q, k, v = heads.unbind(0)  # each (B, H, T, hd)
        if cache is None:
            p = self.dropout if self.training else 0.0
            y = scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=self.causal)
        else:  # new queries at positions length..length+T-1 see every cached key before them
            k_all, v_all = cache.append(layer, k.data, v.data)  # (B, H, S, hd)
            S = k_all.shape[2]
            mask = None if T == 1 else Tensor(np.tri(T, S, S - T, dtype=bool))  # (T, S)
            y = scaled_dot_product_attention(q, Tensor(k_all), Tensor(v_all), attn_mask=mask)
        y = y.permute(0, 2, 1, 3).reshape(B, T, C)  # (B, T, C): heads side by side
        return self.resid_dropout(self.c_proj(y))


def gelu(x):
    """GELU(x) = x Phi(x) (exact, like ``torch.nn.GELU()``): ``fused.gelu``, which computes
    f'(x) = Phi(x) + x phi(x) in the forward pass (float32: polynomial erf within 2e-6) and saves
    it, so the backward is one multiply."""
    return _fused_gelu(x)


class MLP(nn.Module):
    """Position-wise feed-forward network: y = W_2 GELU(W_1 x + b_1) + b_2, hidden 4C.

    Inventory: TR-05.  x: (B, T, C) -> (B, T, C).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> MLP(GPTConfig(n_embd=8, n_head=2))(randn(2, 3, 8)).shape
    (2, 3, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        c = config.n_embd
        self.c_fc = nn.Linear(c, 4 * c, bias=config.bias, generator=generator)
        self.c_proj = nn.Linear(4 * c, c, bias=config.bias, generator=generator)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu(self.c_fc(x))))  # (B, T, C)


class Block(nn.Module):
    """Pre-LN Transformer block: x <- x + Attn(LN_1(x)), then x <- x + MLP(LN_2(x)).

    Inventory: TR-06 (pre-norm variant), TR-09.  x: (B, T, C) -> (B, T, C).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Block(GPTConfig(n_embd=8, n_head=2))(randn(1, 4, 8)).shape
    (1, 4, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config, generator)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config, generator)

    def forward(self, x, cache: KVCache | None = None, layer: int = 0):
        x = x + self.attn(self.ln_1(x), cache, layer)  # (B, T, C)
        return x + self.mlp(self.ln_2(x))
