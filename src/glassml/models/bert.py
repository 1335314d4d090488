"""BERT: an encoder-only Transformer with Hugging Face's module and parameter names.

    E = LayerNorm(W_tok[input_ids] + W_pos[position_ids] + W_seg[token_type_ids])   (B, T, D)
    for each layer (post-norm):
        A = softmax(Q K^T / sqrt(d_head) + padding mask) V      (heads concatenated)
        H = LayerNorm(H + Dropout(A W_o + b_o))
        H = LayerNorm(H + Dropout(act(H W_1 + b_1) W_2 + b_2))
    pooled = tanh(W_p H[:, 0] + b_p)                             ([CLS] pooled output)

Every parameter carries the name it has in ``transformers.BertModel``
(``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``,
``pooler.dense.bias``...), so a Hugging Face ``model.safetensors`` (read with
``glassml.io.load_file``) loads straight into :meth:`BertModel.load_state_dict`. BERT is
encoder-only (inventory E-42/E-43: it is not a generator and not an encoder-decoder model).

Heads: :class:`BertForPreTraining` (masked-LM head tied to the word embeddings + next-sentence
head), :class:`BertForSequenceClassification`, :class:`BertForTokenClassification`,
:class:`BertForQuestionAnswering`; sentence pooling: :func:`mean_pooling`, :func:`cls_pooling`.

Speed: float32 GELU uses a fast erf-free Gaussian tail (|error| < 4e-7); under ``no_grad`` the
attention and the GELU run as plain NumPy without graph bookkeeping (GELU in place), which is
what :class:`glassml.models.sentence_encoder.SentenceEncoder` uses.

Inventory: TR-14 (BERT), TR-15/TR-16 (the MLM and NSP heads), TR-17 (fine-tuning heads),
TR-18 (pooling), TR-10 (key-padding mask), TR-22 (a distilled small encoder such as MiniLM
loads into the same class).

Example
-------
>>> import numpy as np
>>> cfg = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
...                  num_attention_heads=4, intermediate_size=64, max_position_embeddings=16)
>>> hidden, pooled = BertModel(cfg)(np.array([[2, 5, 7, 3]]))
>>> hidden.shape, pooled.shape
((1, 4, 32), (1, 32))
"""

from __future__ import annotations

import dataclasses
import json
import numbers
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.special import erf as _erf_exact

from glassml.autograd import Function, Parameter, Tensor, is_grad_enabled, relu
from glassml.autograd.fused import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    dropout,
    gelu,
    mse_loss,
    scaled_dot_product_attention,
    silu,
)
from glassml.nn import Embedding, LayerNorm, Linear, Module, ModuleList, init

__all__ = [
    "BertConfig",
    "BertModel",
    "BertForPreTraining",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "BertForQuestionAnswering",
    "PreTrainingOutput",
    "ClassifierOutput",
    "QuestionAnsweringOutput",
    "mean_pooling",
    "cls_pooling",
    "exact_gelu",
]

# ---------------------------------------------------------------------------------- GELU
# float32 GELU without scipy's erf (~70 ns per element). With a = |x| and the Gaussian tail
# q(a) = P(Z > a) = erfc(a / sqrt 2) / 2, written by Abramowitz & Stegun 7.1.26
#     q(a) = 1/2 (c1 t + c2 t^2 + c3 t^3 + c4 t^4 + c5 t^5) exp(-a^2 / 2),  t = 1 / (1 + p a / sqrt 2)
# (|erf error| < 1.5e-7), GELU(x) = x Phi(x) = max(x, 0) - a q(a) and
# GELU'(x) = Phi(x) + x phi(x) with Phi(x) = 1 - q (x >= 0) or q (x < 0).
# Evaluated in blocks of _CHUNK elements so that the ~20 NumPy passes stay in the L2 cache.
_AS_P = 0.3275911 / np.sqrt(2.0)
_AS_C = [0.5 * c for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)]
_CHUNK = 65536
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _gaussian_tail(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(q(a), exp(-a^2/2)) for a float32 block a >= 0 (A&S 7.1.26)."""
    f32 = np.float32
    t = a * f32(_AS_P)
    t += f32(1.0)
    np.reciprocal(t, out=t)  # t = 1 / (1 + p a / sqrt 2)
    q = t * f32(_AS_C[4])
    for c in (_AS_C[3], _AS_C[2], _AS_C[1], _AS_C[0]):
        q += f32(c)
        q *= t  # Horner: q = (c1 t + ... + c5 t^5) / 2
    e = a * a
    e *= f32(-0.5)
    np.exp(e, out=e)  # exp(-a^2 / 2)
    q *= e
    return q, e


def _gelu_float32(x: np.ndarray, grad_output: np.ndarray | None = None, out=None) -> np.ndarray:
    """GELU(x) (grad_output None) or grad_output * GELU'(x), float32, block by block
    (``out=x`` computes GELU in place)."""
    out = np.empty_like(x) if out is None else out
    xf, of = x.reshape(-1), out.reshape(-1)
    gf = None if grad_output is None else np.ascontiguousarray(grad_output).reshape(-1)
    for s in range(0, xf.size, _CHUNK):
        xc, o = xf[s : s + _CHUNK], of[s : s + _CHUNK]
        a = np.abs(xc)
        q, e = _gaussian_tail(a)
        if gf is None:
            q *= a
            np.maximum(xc, np.float32(0.0), out=o)
            o -= q  # max(x, 0) - |x| q
            continue
        np.subtract(np.float32(1.0), q, out=o, where=xc >= 0)  # Phi(x)
        np.copyto(o, q, where=xc < 0)
        e *= np.float32(_INV_SQRT_2PI)
        e *= xc  # x phi(x)
        o += e
        o *= gf[s : s + _CHUNK]
    return out


class ExactGELU(Function):
    """GELU(x) = x Phi(x), the exact (erf) form of HF's "gelu"; GELU'(x) = Phi(x) + x phi(x).

    float64 uses scipy's erf; float32 the A&S 7.1.26 Gaussian tail (|error| < 4e-7, at
    float32 resolution), 3-5x faster than scipy's float32 erf.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        if x.dtype == np.float32:
            return _gelu_float32(x)
        out = _erf_exact(x * np.sqrt(0.5))
        out += 1.0
        out *= 0.5
        out *= x
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if x.dtype == np.float32:
            return (_gelu_float32(x, grad_output.astype(np.float32, copy=False)),)
        cdf = _erf_exact(x * np.sqrt(0.5))
        cdf += 1.0
        cdf *= 0.5
        pdf = np.exp(-0.5 * x * x)
        pdf *= _INV_SQRT_2PI
        pdf *= x
        pdf += cdf  # Phi(x) + x phi(x)
        pdf *= grad_output
        return (pdf,)


def exact_gelu(x):
    """x Phi(x) with the fast float32 path (see :class:`ExactGELU`). Inventory: AC-08.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(exact_gelu(tensor([1.0])).item(), 4)
    0.8413
    """
    return ExactGELU.apply(x)


_ACTIVATIONS = {
    "gelu": exact_gelu,  # exact erf GELU, HF's "gelu"
    "gelu_new": lambda x: gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: gelu(x, approximate="tanh"),
    "relu": relu,
    "silu": silu,
    "swish": silu,
}


# ---------------------------------------------------------------------------------- config
@dataclasses.dataclass
class BertConfig:
    """Hyper-parameters of a BERT encoder (the fields and defaults of HF's ``BertConfig``).

    Inventory: TR-14.

    Parameters
    ----------
    vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size : int
        hidden_size must be divisible by num_attention_heads (head size D / H).
    hidden_act : "gelu" (exact erf) | "gelu_new" | "gelu_pytorch_tanh" | "relu" | "silu"
    hidden_dropout_prob, attention_probs_dropout_prob : float in [0, 1)
    max_position_embeddings, type_vocab_size : int
    initializer_range : float — std of the N(0, std^2) weight init
    layer_norm_eps : float
    pad_token_id : int — row of the word embeddings initialised to zero
    num_labels : int — outputs of the classification heads
    classifier_dropout : float or None — None uses hidden_dropout_prob

    Example
    -------
    >>> BertConfig(hidden_size=384, num_attention_heads=12).hidden_size // 12
    32
    """

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    initializer_range: float = 0.02
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    num_labels: int = 2
    classifier_dropout: float | None = None

    def __post_init__(self):
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
            "num_labels",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"BertConfig: {name} must be a positive integer, got {value!r}")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"BertConfig: hidden_size ({self.hidden_size}) must be a multiple of "
                f"num_attention_heads ({self.num_attention_heads})"
            )
        if self.hidden_act not in _ACTIVATIONS:
            raise ValueError(
                f"BertConfig: hidden_act must be one of {sorted(_ACTIVATIONS)}, "
                f"got {self.hidden_act!r}"
            )
        for name in ("hidden_dropout_prob", "attention_probs_dropout_prob"):
            p = getattr(self, name)
            if not 0.0 <= p < 1.0:
                raise ValueError(f"BertConfig: {name} must be in [0, 1), got {p!r}")
        if not 0 <= self.pad_token_id < self.vocab_size:
            raise ValueError(
                f"BertConfig: pad_token_id must be in [0, vocab_size={self.vocab_size}), "
                f"got {self.pad_token_id}"
            )

    @classmethod
    def from_dict(cls, d: dict) -> BertConfig:
        """Build from a dict, ignoring keys that are not fields (HF config.json has many)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_json(cls, path) -> BertConfig:
        """Read a Hugging Face ``config.json``."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_attention_heads


def _as_config(config) -> BertConfig:
    if isinstance(config, BertConfig):
        return config
    if isinstance(config, dict):
        return BertConfig.from_dict(config)
    raise TypeError(f"config: expected a BertConfig or a dict, got {type(config).__name__}")


# ---------------------------------------------------------------------------------- inputs
def _index_array(x, name: str, ndim: int = 2) -> np.ndarray:
    """An int64 array of shape (B, T) from a Tensor / array / nested list, or a clear error."""
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer ids, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array (batch, seq_len), got {arr.shape}")
    return arr.astype(np.int64, copy=False)


def _check_range(arr: np.ndarray, high: int, name: str, what: str) -> None:
    if arr.size and (arr.min() < 0 or arr.max() >= high):
        raise ValueError(
            f"{name}: values must be in [0, {what}={high}), got min {arr.min()} max {arr.max()}"
        )


def _padding_mask(attention_mask, shape: tuple) -> np.ndarray | None:
    """(B, T) 1 = token / 0 = padding  ->  bool (B, 1, 1, T), True where a key may be attended."""
    if attention_mask is None:
        return None
    m = attention_mask.data if isinstance(attention_mask, Tensor) else np.asarray(attention_mask)
    if m.shape != shape:
        raise ValueError(f"attention_mask: expected shape {shape} like input_ids, got {m.shape}")
    return (m != 0)[:, None, None, :]


# ---------------------------------------------------------------------------------- modules
class BertEmbeddings(Module):
    """LayerNorm(word + position + token-type embeddings), then dropout (TR-14)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.config = config
        d = config.hidden_size

        def table(n, **kw):  # zeros now; BertModel draws HF's N(0, 0.02^2) init once
            return Embedding(n, d, _weight=np.zeros((n, d), dtype=np.float32), **kw)

        self.word_embeddings = table(config.vocab_size, padding_idx=config.pad_token_id)
        self.position_embeddings = table(config.max_position_embeddings)
        self.token_type_embeddings = table(config.type_vocab_size)
        self.LayerNorm = LayerNorm(d, eps=config.layer_norm_eps)
        self.p = config.hidden_dropout_prob

    def forward(self, input_ids: np.ndarray, token_type_ids: np.ndarray, position_ids: np.ndarray):
        e = self.word_embeddings(input_ids)  # (B, T, D)
        e = e + self.token_type_embeddings(token_type_ids)  # (B, T, D)
        e = e + self.position_embeddings(position_ids)  # (T, D) broadcast over B
        return dropout(self.LayerNorm(e), self.p, self.training)


class BertSelfAttention(Module):
    """Multi-head scaled dot-product self-attention with a key-padding mask (TR-01/02/10)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        d = config.hidden_size
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.head_size
        self.query = Linear(d, d)
        self.key = Linear(d, d)
        self.value = Linear(d, d)
        self.p = config.attention_probs_dropout_prob

    def forward(self, hidden, mask):
        b, t, d = hidden.shape
        h, dh = self.num_attention_heads, self.attention_head_size

        def heads(x):  # (B, T, D) -> (B, H, T, dh)
            return x.reshape(b, t, h, dh).transpose(1, 2)

        if not is_grad_enabled() and (self.p == 0 or not self.training):  # inference path
            q, k, v = (
                lin(hidden).data.reshape(b, t, h, dh).swapaxes(1, 2)  # (B, H, T, dh)
                for lin in (self.query, self.key, self.value)
            )
            ctx = _attention_inference(q, k, v, mask)  # (B, H, T, dh)
            return Tensor(np.ascontiguousarray(ctx.transpose(0, 2, 1, 3)).reshape(b, t, d))
        q = heads(self.query(hidden))  # (B, H, T, dh)
        k = heads(self.key(hidden))
        v = heads(self.value(hidden))
        p = self.p if self.training else 0.0
        ctx = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B,H,T,dh)
        return ctx.transpose(1, 2).reshape(b, t, d)  # (B, T, D)


def _attention_inference(q, k, v, mask):
    """softmax(Q K^T / sqrt(dh) + padding bias) V on arrays (no graph, no dropout).

    Padding keys get the additive bias finfo.min (as HF does), so a sequence that is all
    padding attends uniformly instead of producing NaN. Sequences are processed a few at a
    time so that each (H, T, T) score block stays in the L2 cache during its softmax passes.
    """
    b, h, t, dh = q.shape
    q = q * np.asarray(1.0 / np.sqrt(dh), dtype=q.dtype)  # scale the small operand
    bias = None
    if mask is not None:
        bias = np.where(mask, 0.0, np.finfo(q.dtype).min).astype(q.dtype)  # (B, 1, 1, T)
    out = np.empty_like(q)  # (B, H, T, dh)
    step = max(1, (1 << 18) // (h * t * t))  # ~1 MB of float32 scores per block
    for i in range(0, b, step):
        sl = slice(i, i + step)
        s = np.matmul(q[sl], k[sl].swapaxes(-1, -2))  # (b', H, T, T)
        if bias is not None:
            s += bias[sl]
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s *= 1.0 / s.sum(axis=-1, keepdims=True)  # (b', H, T, 1) reciprocals, broadcast
        np.matmul(s, v[sl], out=out[sl])
    return out


class BertSelfOutput(Module):
    """LayerNorm(input + Dropout(dense(attention)))."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.p = config.hidden_dropout_prob

    def forward(self, hidden, residual):
        return self.LayerNorm(dropout(self.dense(hidden), self.p, self.training) + residual)


class BertAttention(Module):
    """Self-attention followed by its output projection and Add & Norm (TR-06)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden, mask):
        return self.output(self.self(hidden, mask), hidden)


class BertIntermediate(Module):
    """act(H W_1 + b_1): the first half of the position-wise FFN (TR-05)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.intermediate_size)
        self.act = _ACTIVATIONS[config.hidden_act]

    def forward(self, hidden):
        h = self.dense(hidden)  # (B, T, I)
        if self.act is exact_gelu and h.dtype == np.float32 and not is_grad_enabled():
            _gelu_float32(h.data, out=h.data)  # inference: in place, no extra buffer
            return h
        return self.act(h)


class BertOutput(Module):
    """LayerNorm(input + Dropout(F W_2 + b_2)): the second half of the FFN with Add & Norm."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.p = config.hidden_dropout_prob

    def forward(self, hidden, residual):
        return self.LayerNorm(dropout(self.dense(hidden), self.p, self.training) + residual)


class BertLayer(Module):
    """One post-norm encoder layer: attention + Add & Norm, FFN + Add & Norm (TR-07)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden, mask):
        attended = self.attention(hidden, mask)  # (B, T, D)
        return self.output(self.intermediate(attended), attended)  # (B, T, D)


class BertEncoder(Module):
    """A stack of :class:`BertLayer` (``encoder.layer.{i}``)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden, mask):
        for layer in self.layer:
            hidden = layer(hidden, mask)
        return hidden


class BertPooler(Module):
    """pooled = tanh(W_p h_[CLS] + b_p) (TR-14)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden):
        return self.dense(hidden[:, 0]).tanh()  # (B, D)


def _init_bert_weights(model: Module, config: BertConfig, generator=None) -> None:
    """HF's init: Linear/Embedding weights ~ N(0, initializer_range^2), biases 0, the padding
    row 0, LayerNorm weight 1 and bias 0."""
    std = config.initializer_range
    for module in model.modules():
        if isinstance(module, Linear):
            init.normal_(module.weight, 0.0, std, generator)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, Embedding):
            init.normal_(module.weight, 0.0, std, generator)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx] = 0
        elif isinstance(module, LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)


class BertModel(Module):
    """The BERT encoder: embeddings -> N post-norm layers -> [CLS] pooler (TR-14, TR-10).

    Inventory: TR-14, TR-10, TR-22.

    Parameters
    ----------
    config : BertConfig or dict (a dict lets ``glassml.nn.save/load`` rebuild the model)
    add_pooling_layer : bool — build ``pooler.dense`` (pooled output None otherwise)
    generator : numpy.random.Generator for the N(0, initializer_range^2) init
    init_weights : bool — False skips the random init (weights to be loaded next: faster)

    forward(input_ids (B, T) int, attention_mask (B, T) 1/0 = token/padding or None,
    token_type_ids (B, T) or None (zeros), position_ids (T,) or (B, T) or None (0..T-1))
    -> (last_hidden_state (B, T, D), pooled_output (B, D) or None)

    Example
    -------
    >>> import numpy as np
    >>> model = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
    ...                              num_attention_heads=2, intermediate_size=32))
    >>> h, pooled = model([[1, 4, 9, 0]], attention_mask=[[1, 1, 1, 0]])
    >>> h.shape, pooled.shape
    ((1, 4, 16), (1, 16))
    """

    def __init__(
        self, config=None, add_pooling_layer: bool = True, *, generator=None, init_weights=True
    ):
        super().__init__()
        config = _as_config(BertConfig() if config is None else config)
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        if init_weights:
            _init_bert_weights(self, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None):
        cfg = self.config
        ids = _index_array(input_ids, "input_ids")
        b, t = ids.shape
        if t > cfg.max_position_embeddings:
            raise ValueError(
                f"input_ids: sequence length {t} exceeds max_position_embeddings "
                f"({cfg.max_position_embeddings}); truncate the input"
            )
        _check_range(ids, cfg.vocab_size, "input_ids", "vocab_size")
        if token_type_ids is None:
            types = np.zeros((b, t), dtype=np.int64)
        else:
            types = _index_array(token_type_ids, "token_type_ids")
            if types.shape != ids.shape:
                raise ValueError(
                    f"token_type_ids: expected shape {ids.shape} like input_ids, got {types.shape}"
                )
            _check_range(types, cfg.type_vocab_size, "token_type_ids", "type_vocab_size")
        if position_ids is None:
            positions = np.arange(t, dtype=np.int64)
        else:
            positions = _index_array(position_ids, "position_ids", np.ndim(position_ids))
            _check_range(positions, cfg.max_position_embeddings, "position_ids", "max_positions")
        mask = _padding_mask(attention_mask, (b, t))
        hidden = self.embeddings(ids, types, positions)  # (B, T, D)
        hidden = self.encoder(hidden, mask)  # (B, T, D)
        pooled = self.pooler(hidden) if self.pooler is not None else None  # (B, D)
        return hidden, pooled


# ---------------------------------------------------------------------------------- pooling
def mean_pooling(last_hidden_state, attention_mask=None):
    """Mean of the token vectors, padding excluded (SBERT pooling, TR-18).

        e = sum_t m_t h_t / max(sum_t m_t, 1e-9)

    Inventory: TR-18.

    Parameters
    ----------
    last_hidden_state : Tensor (B, T, D);  attention_mask : (B, T) 1/0 or None (all tokens)

    Example
    -------
    >>> from glassml.autograd import ones
    >>> mean_pooling(ones(2, 3, 4), [[1, 1, 0], [1, 0, 0]]).shape
    (2, 4)
    """
    h = last_hidden_state
    if attention_mask is None:
        return h.mean(1)
    m = attention_mask.data if isinstance(attention_mask, Tensor) else np.asarray(attention_mask)
    if m.shape != tuple(h.shape[:2]):
        raise ValueError(f"attention_mask: expected shape {tuple(h.shape[:2])}, got {m.shape}")
    m = m.astype(h.dtype)  # (B, T)
    counts = np.maximum(m.sum(1, keepdims=True), 1e-9).astype(h.dtype)  # (B, 1)
    weights = Tensor(m / counts)  # (B, T): 1 / n_tokens on tokens, 0 on padding
    return (h * weights[:, :, None]).sum(1)  # (B, D)


def cls_pooling(last_hidden_state):
    """The [CLS] (first) token vector h[:, 0] (TR-18). Inventory: TR-18.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> cls_pooling(ones(2, 3, 4)).shape
    (2, 4)
    """
    return last_hidden_state[:, 0]


# ---------------------------------------------------------------------------------- heads
class PreTrainingOutput(NamedTuple):
    loss: Tensor | None
    prediction_logits: Tensor  # (B, T, V)
    seq_relationship_logits: Tensor  # (B, 2)


class ClassifierOutput(NamedTuple):
    loss: Tensor | None
    logits: Tensor


class QuestionAnsweringOutput(NamedTuple):
    loss: Tensor | None
    start_logits: Tensor  # (B, T)
    end_logits: Tensor  # (B, T)


class BertPredictionHeadTransform(Module):
    """LayerNorm(act(W h + b)) before the vocabulary projection."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.hidden_size)
        self.act = _ACTIVATIONS[config.hidden_act]
        self.LayerNorm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden):
        return self.LayerNorm(self.act(self.dense(hidden)))


class BertLMPredictionHead(Module):
    """MLM logits = transform(h) W_tok^T + bias; ``decoder.weight`` IS the word embedding
    matrix (tied) and ``decoder.bias`` IS ``bias`` (as in HF)."""

    def __init__(self, config: BertConfig, word_embeddings: Parameter):
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        self.decoder = Linear(config.hidden_size, config.vocab_size)
        self.decoder.weight = word_embeddings  # tied
        self.bias = Parameter(np.zeros(config.vocab_size, dtype=np.float32))
        self.decoder.bias = self.bias  # tied

    def forward(self, hidden):
        return self.decoder(self.transform(hidden))  # (B, T, V)


class BertPreTrainingHeads(Module):
    def __init__(self, config: BertConfig, word_embeddings: Parameter):
        super().__init__()
        self.predictions = BertLMPredictionHead(config, word_embeddings)
        self.seq_relationship = Linear(config.hidden_size, 2)

    def forward(self, hidden, pooled):
        return self.predictions(hidden), self.seq_relationship(pooled)


def _labels(labels, shape: tuple, name: str) -> np.ndarray:
    arr = _index_array(labels, name, len(shape))
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr


class BertForPreTraining(Module):
    """BERT with the masked-LM head and the next-sentence head (TR-15, TR-16).

        loss = CE(MLM logits, labels; ignore -100) + CE(NSP logits, next_sentence_label)

    (HF returns a loss only when both label sets are given; here either alone gives its own
    term, so the same model also trains MLM-only.) ``next_sentence_label`` 0 = B follows A.

    Inventory: TR-14, TR-15, TR-16.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32)
    >>> out = BertForPreTraining(cfg)([[1, 5, 2, 7]], labels=[[-100, 6, -100, -100]])
    >>> out.prediction_logits.shape, out.seq_relationship_logits.shape
    ((1, 4, 30), (1, 2))
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(BertConfig() if config is None else config)
        self.config = config
        self.bert = BertModel(config, generator=generator)
        self.cls = BertPreTrainingHeads(config, self.bert.embeddings.word_embeddings.weight)
        _init_bert_weights(self.cls, config, generator)
        self.bert.embeddings.word_embeddings.weight.data[config.pad_token_id] = 0

    def forward(
        self,
        input_ids,
        attention_mask=None,
        token_type_ids=None,
        labels=None,
        next_sentence_label=None,
    ) -> PreTrainingOutput:
        hidden, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        mlm_logits, nsp_logits = self.cls(hidden, pooled)  # (B, T, V), (B, 2)
        loss = None
        if labels is not None:
            y = _labels(labels, tuple(hidden.shape[:2]), "labels")
            v = self.config.vocab_size
            loss = cross_entropy(mlm_logits.reshape(-1, v), y.reshape(-1), ignore_index=-100)
        if next_sentence_label is not None:
            y = _labels(next_sentence_label, (hidden.shape[0],), "next_sentence_label")
            nsp = cross_entropy(nsp_logits, y)
            loss = nsp if loss is None else loss + nsp
        return PreTrainingOutput(loss, mlm_logits, nsp_logits)


def _classifier_dropout(config: BertConfig) -> float:
    p = config.classifier_dropout
    return config.hidden_dropout_prob if p is None else p


class BertForSequenceClassification(Module):
    """logits = W_c Dropout(pooled) + b_c over ``num_labels`` classes (TR-17).

    Loss as HF's default problem types: num_labels == 1 -> MSE (regression); integer labels ->
    cross-entropy; float labels of shape (B, num_labels) -> BCE-with-logits (multi-label).

    Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32, num_labels=3)
    >>> BertForSequenceClassification(cfg)([[1, 5, 2]], labels=[2]).logits.shape
    (1, 3)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(BertConfig() if config is None else config)
        self.config = config
        self.num_labels = config.num_labels
        self.bert = BertModel(config, generator=generator)
        self.p = _classifier_dropout(config)
        self.classifier = Linear(config.hidden_size, config.num_labels)
        _init_bert_weights(self.classifier, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(dropout(pooled, self.p, self.training))  # (B, C)
        loss = None
        if labels is not None:
            raw = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
            if self.num_labels == 1:
                loss = mse_loss(logits.reshape(-1), Tensor(raw.reshape(-1).astype(logits.dtype)))
            elif raw.dtype.kind in "iu":
                loss = cross_entropy(logits, _labels(raw, (logits.shape[0],), "labels"))
            else:
                if raw.shape != tuple(logits.shape):
                    raise ValueError(
                        f"labels: float (multi-label) targets must have shape "
                        f"{tuple(logits.shape)}, got {raw.shape}"
                    )
                loss = binary_cross_entropy_with_logits(logits, Tensor(raw.astype(logits.dtype)))
        return ClassifierOutput(loss, logits)


class BertForTokenClassification(Module):
    """Per-token logits = W_c Dropout(h_t) + b_c (NER-style tagging, TR-17); no pooler.

    loss = CE over tokens whose label is not -100. Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32, num_labels=5)
    >>> BertForTokenClassification(cfg)([[1, 5, 2]]).logits.shape
    (1, 3, 5)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(BertConfig() if config is None else config)
        self.config = config
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False, generator=generator)
        self.p = _classifier_dropout(config)
        self.classifier = Linear(config.hidden_size, config.num_labels)
        _init_bert_weights(self.classifier, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        hidden, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(dropout(hidden, self.p, self.training))  # (B, T, C)
        loss = None
        if labels is not None:
            y = _labels(labels, tuple(hidden.shape[:2]), "labels")
            loss = cross_entropy(logits.reshape(-1, self.num_labels), y.reshape(-1))
        return ClassifierOutput(loss, logits)


class BertForQuestionAnswering(Module):
    """Extractive QA: start/end logits = h_t W_qa + b_qa, one pair per token (TR-17).

    loss = (CE(start_logits, start) + CE(end_logits, end)) / 2, positions clamped to [0, T]
    and position T ignored (HF's convention). Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32)
    >>> BertForQuestionAnswering(cfg)([[1, 5, 2]]).start_logits.shape
    (1, 3)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(BertConfig() if config is None else config)
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False, generator=generator)
        self.qa_outputs = Linear(config.hidden_size, 2)
        _init_bert_weights(self.qa_outputs, config, generator)

    def forward(
        self,
        input_ids,
        attention_mask=None,
        token_type_ids=None,
        start_positions=None,
        end_positions=None,
    ):
        hidden, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.qa_outputs(hidden)  # (B, T, 2)
        start, end = logits[..., 0], logits[..., 1]  # (B, T) each
        loss = None
        if start_positions is not None and end_positions is not None:
            b, t = hidden.shape[:2]
            s = np.clip(_labels(start_positions, (b,), "start_positions"), 0, t)
            e = np.clip(_labels(end_positions, (b,), "end_positions"), 0, t)
            loss = cross_entropy(start, s, ignore_index=t) + cross_entropy(end, e, ignore_index=t)
            loss = loss / 2.0
        return QuestionAnsweringOutput(loss, start, end)
