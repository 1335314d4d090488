"""Generation for :class:`glassml.models.llama.Llama`: a plain-NumPy forward pass with a
preallocated KV cache (reading the model's own weight arrays) and token sampling.

Per new token, every layer computes q, k, v for that token only, rotates q and k by RoPE at
its position, appends k, v to the cache and attends over the cached keys — O(T) work per token
instead of re-running the whole prefix. Sampling (shared with GPT: models/sampling.py): greedy
argmax at temperature 0, otherwise a draw from softmax(logits / T) restricted to the top-k
tokens and/or the nucleus (top-p).

Inventory: TR-13.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from glassml.nn.positional import rotary_cos_sin, rotate_pairs

from .sampling import sample_logits

if TYPE_CHECKING:
    from .llama import Llama

__all__: list[str] = []


def _sample(logits: np.ndarray, temperature: float, top_k, top_p, rng) -> int:
    """argmax if temperature == 0, else one draw from softmax(filter(logits / temperature)),
    filter keeping the top-k logits and/or the top-p nucleus (:func:`sample_logits`).

    logits (V,) -> a token id; ``rng`` a numpy Generator (one uniform draw per token).
    """
    if temperature == 0.0:
        return int(np.argmax(logits))
    return int(sample_logits(logits[None], temperature, top_k, top_p, generator=rng)[0])


class _KVDecoder:
    """Plain-NumPy forward pass with a preallocated KV cache, reading the model's weight arrays.

    ``step(ids)`` feeds the next tokens (the whole prompt first, then one at a time) and returns
    the logits of the last one (or of all with ``all_logits=True``). Cache per layer:
    K, V of shape (H_kv, max_len, d_h); positions [0, length) are filled.
    """

    def __init__(self, model: Llama, max_len: int):
        c = model.config
        self.c, self.max_len, self.length = c, max_len, 0
        m = model.model
        self.embed = m.embed_tokens.weight.data  # (V, d)
        self.head = model.lm_head.weight.data  # (V, d), the embedding when tied
        self.final_norm = m.norm.weight.data
        self.layers = [
            (
                layer.input_layernorm.weight.data,
                layer.self_attn.q_proj.weight.data,
                layer.self_attn.k_proj.weight.data,
                layer.self_attn.v_proj.weight.data,
                layer.self_attn.o_proj.weight.data,
                layer.post_attention_layernorm.weight.data,
                layer.mlp.gate_proj.weight.data,
                layer.mlp.up_proj.weight.data,
                layer.mlp.down_proj.weight.data,
            )
            for layer in m.layers
        ]
        dt = self.embed.dtype
        shape = (c.num_hidden_layers, c.num_key_value_heads, max_len, c.head_dim)
        self.k_cache = np.zeros(shape, dtype=dt)
        self.v_cache = np.zeros(shape, dtype=dt)
        self.cos, self.sin = rotary_cos_sin(
            max_len, c.head_dim, c.rope_theta, c.rope_interleaved, dt
        )
        self.scale = 1.0 / math.sqrt(c.head_dim)

    def _rms(self, x, w):
        r = np.einsum("td,td->t", x, x)[:, None]  # (T, 1) sum of squares
        r /= x.shape[-1]
        r += self.c.rms_norm_eps
        np.sqrt(r, out=r)
        y = x / r
        y *= w
        return y

    def step(self, ids: np.ndarray, all_logits: bool = False) -> np.ndarray:
        c = self.c
        T = ids.shape[0]
        p0, p1 = self.length, self.length + T
        if p1 > self.max_len:
            raise ValueError(f"KV cache full: {p1} positions > max_len {self.max_len}")
        H, Hkv, dh = c.num_attention_heads, c.num_key_value_heads, c.head_dim
        G = H // Hkv
        cos, sin = self.cos[p0:p1], self.sin[p0:p1]  # (T, dh), in the config's pair layout
        mask = None
        if T > 1:  # causal: query p0 + t sees keys <= p0 + t
            mask = np.arange(p1)[None, :] > np.arange(p0, p1)[:, None]  # (T, p1)
        x = self.embed[ids]  # (T, d)
        for li, (ln1, wq, wk, wv, wo, ln2, wg, wu, wd) in enumerate(self.layers):
            a = self._rms(x, ln1)  # (T, d)
            q = (a @ wq.T).reshape(T, H, dh).transpose(1, 0, 2)  # (H, T, dh)
            k = (a @ wk.T).reshape(T, Hkv, dh).transpose(1, 0, 2)  # (Hkv, T, dh)
            v = (a @ wv.T).reshape(T, Hkv, dh).transpose(1, 0, 2)
            q = rotate_pairs(q, cos, sin, c.rope_interleaved)
            self.k_cache[li, :, p0:p1] = rotate_pairs(k, cos, sin, c.rope_interleaved)
            self.v_cache[li, :, p0:p1] = v
            keys, values = self.k_cache[li, :, :p1], self.v_cache[li, :, :p1]  # (Hkv, S, dh)
            qg = q.reshape(Hkv, G * T, dh)  # query heads grouped by their kv head
            s = qg @ keys.transpose(0, 2, 1)  # (Hkv, G T, S)
            s *= self.scale
            if mask is not None:
                s4 = s.reshape(Hkv, G, T, p1)
                s4[:, :, mask] = -np.inf
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            o = (s @ values).reshape(H, T, dh).transpose(1, 0, 2).reshape(T, H * dh)
            x = x + o @ wo.T
            a = self._rms(x, ln2)
            gate = a @ wg.T  # (T, f)
            up = a @ wu.T
            gate *= expit(gate)  # silu
            gate *= up
            x = x + gate @ wd.T
        self.length = p1
        h = x if all_logits else x[-1:]
        logits = self._rms(h, self.final_norm) @ self.head.T  # (T or 1, V)
        return logits if all_logits else logits[0]
