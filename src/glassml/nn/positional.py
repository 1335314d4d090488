"""Positional information for attention, which by itself ignores order (CL-187).

* Sinusoidal encoding (Vaswani et al. 2017, TR-03), added to the embeddings:

      PE(pos, 2i) = sin(pos / 10000^(2i/d)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/d))

  Every position gets a distinct code and PE(pos + k) = R_k PE(pos) for a block-diagonal
  rotation R_k that depends only on k (CL-188).
* Learned absolute position embeddings (GPT/BERT, TR-04): a trained (max_len, d) table.
  (The notes at 000:91-92 call *the* positional encoding "learned"; the original Transformer's
  is the fixed sinusoidal one, inventory E-49. Both are here.)
* Rotary embeddings (RoPE, Su et al. 2021; Llama/SmolLM2): queries and keys are rotated, pair
  by pair, by the angle pos * theta_i with theta_i = base^(-2i/d):

      (x_a, x_b) -> (x_a cos - x_b sin,  x_b cos + x_a sin)

  so q_m . k_n depends on m - n only. Two pair layouts exist: Hugging Face's ``rotate_half``
  pairs (i, i + d/2); the original/GGUF (llama.cpp) layout pairs (2i, 2i + 1) ("interleaved").
  ``apply_rotary`` is one fused op: out = x cos + rot(x) sin, dx = g cos + rot^T(g sin).

Inventory: TR-03, TR-04, CL-187, CL-188, E-49 (and the RoPE of the Llama-style decoder).

Example
-------
>>> from glassml.autograd import randn
>>> pe = SinusoidalPositionalEncoding(16)
>>> pe(randn(2, 5, 16)).shape
(2, 5, 16)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Parameter, Tensor
from glassml.autograd.function import Function
from glassml.autograd.fused import dropout as _dropout
from glassml.autograd.fused._util import check_float

from . import init
from .linear import _param_dtype
from .module import Module

__all__ = [
    "sinusoidal_table",
    "SinusoidalPositionalEncoding",
    "LearnedPositionalEmbedding",
    "RotaryEmbedding",
    "rotary_cos_sin",
    "apply_rotary",
    "rotate_pairs",
    "ApplyRotary",
]


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_offset(offset, owner: str) -> int:
    if isinstance(offset, bool) or not isinstance(offset, numbers.Integral) or offset < 0:
        raise ValueError(f"{owner}: offset must be a non-negative integer, got {offset!r}")
    return int(offset)


def sinusoidal_table(n_positions: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The (n_positions, d_model) float64 table PE(pos, 2i) = sin(pos / base^(2i/d)),
    PE(pos, 2i+1) = cos(pos / base^(2i/d)) (TR-03). An odd d_model drops the last cosine.

    Example
    -------
    >>> sinusoidal_table(3, 4)[1].round(4)
    array([0.8415, 0.5403, 0.01  , 1.    ])
    """
    n_positions = _positive_int(n_positions, "n_positions", "sinusoidal_table")
    d_model = _positive_int(d_model, "d_model", "sinusoidal_table")
    pos = np.arange(n_positions, dtype=np.float64)[:, None]  # (P, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)  # (ceil(d/2),)
    angle = pos / base ** (two_i / d_model)  # (P, ceil(d/2))
    table = np.empty((n_positions, d_model), dtype=np.float64)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return table


class _AddPositions(Module):
    """Shared forward of the additive encodings: dropout(x + P[offset : offset + T])."""

    def _positions(self, start: int, stop: int, dtype) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, x, offset: int = 0):
        owner = type(self).__name__
        offset = _check_offset(offset, owner)
        if x.ndim not in (2, 3) or x.shape[-1] != self.d_model:
            raise ValueError(
                f"{owner}: expected input (B, T, {self.d_model}) or (T, {self.d_model}), "
                f"got shape {tuple(x.shape)}"
            )
        seq_axis = 1 if (x.ndim == 3 and self.batch_first) else 0
        length = x.shape[seq_axis]
        pos = self._positions(offset, offset + length, x.dtype)  # (T, D)
        if x.ndim == 3 and not self.batch_first:
            pos = pos.unsqueeze(1)  # (T, 1, D) for (T, B, D) input
        out = x + pos
        if self.dropout_p > 0.0 and self.training:
            out = _dropout(out, self.dropout_p, True, generator=self.generator)
        return out


class SinusoidalPositionalEncoding(_AddPositions):
    """x + PE[offset : offset + T] (then dropout), PE the fixed sinusoidal table (TR-03).

    Parameters
    ----------
    d_model : int
    max_len : int, default 5000 — the table is precomputed up to here and extended on demand
    dropout : float, default 0.0 — dropout on the sum, as in the original Transformer (0.1)
    base : float, default 10000
    batch_first : bool, default True — input (B, T, D); False: (T, B, D); 2-D input is (T, D)
    generator : numpy.random.Generator for the dropout mask

    ``forward(x, offset=0)``: ``offset`` is the position of x's first step (decoding with a
    cache). The table ``pe`` is a plain float64 array, not a buffer: it is a formula, so it is
    neither saved nor cast by ``.float()``/``.double()``; it is cast to the input dtype on use.

    Example
    -------
    >>> from glassml.autograd import zeros
    >>> out = SinusoidalPositionalEncoding(4)(zeros(1, 2, 4))
    >>> out.numpy()[0, 1].round(4)
    array([0.8415, 0.5403, 0.01  , 1.    ], dtype=float32)
    """

    def __init__(
        self,
        d_model,
        max_len=5000,
        dropout=0.0,
        base=10000.0,
        batch_first=True,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        owner = "SinusoidalPositionalEncoding"
        self.d_model = _positive_int(d_model, "d_model", owner)
        self.max_len = _positive_int(max_len, "max_len", owner)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{owner}: dropout must be in [0, 1), got {dropout!r}")
        if not base > 1.0:
            raise ValueError(f"{owner}: base must be > 1, got {base!r}")
        self.dropout_p, self.base, self.batch_first = float(dropout), float(base), batch_first
        self.generator = generator
        _param_dtype(dtype)  # validates; the table itself is float64, cast on use
        self.pe = sinusoidal_table(self.max_len, self.d_model, self.base)  # (max_len, D)

    def _positions(self, start, stop, dtype):
        if stop > self.pe.shape[0]:  # a formula: extend the table instead of failing
            self.pe = sinusoidal_table(max(stop, 2 * self.pe.shape[0]), self.d_model, self.base)
        return Tensor(self.pe[start:stop].astype(dtype))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}, dropout={self.dropout_p}"


class LearnedPositionalEmbedding(_AddPositions):
    """x + W[offset : offset + T] (then dropout), W a trained (num_positions, d) table (TR-04).

    Parameters
    ----------
    num_positions : int — the context window; longer inputs raise a ValueError
    d_model : int
    dropout : float, default 0.0
    init_std : float, default 0.02 — W ~ N(0, init_std^2) (GPT-2/BERT)
    batch_first : bool, default True
    generator : numpy.random.Generator for the initialisation and the dropout mask

    Example
    -------
    >>> from glassml.autograd import zeros
    >>> emb = LearnedPositionalEmbedding(10, 4)
    >>> emb.weight.shape, emb(zeros(2, 3, 4)).shape
    ((10, 4), (2, 3, 4))
    """

    def __init__(
        self,
        num_positions,
        d_model,
        dropout=0.0,
        init_std=0.02,
        batch_first=True,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        owner = "LearnedPositionalEmbedding"
        self.num_positions = _positive_int(num_positions, "num_positions", owner)
        self.d_model = _positive_int(d_model, "d_model", owner)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{owner}: dropout must be in [0, 1), got {dropout!r}")
        self.dropout_p, self.batch_first, self.generator = float(dropout), batch_first, generator
        self.weight = Parameter(
            np.empty((self.num_positions, self.d_model), dtype=_param_dtype(dtype))
        )
        init.normal_(self.weight, 0.0, init_std, generator)

    def _positions(self, start, stop, dtype):
        if stop > self.num_positions:
            raise ValueError(
                f"LearnedPositionalEmbedding: positions {start}..{stop - 1} exceed the table of "
                f"num_positions={self.num_positions} (the context window)"
            )
        return self.weight[start:stop]  # (T, D), differentiable

    def extra_repr(self) -> str:
        return f"{self.num_positions}, {self.d_model}, dropout={self.dropout_p}"


# ---------------------------------------------------------------------- rotary embeddings
def _rotate(x: np.ndarray, interleaved: bool) -> np.ndarray:
    """rot(x): pairs (a, b) -> (-b, a). HF layout pairs (i, i + d/2); interleaved (2i, 2i+1)."""
    out = np.empty_like(x)
    if interleaved:
        np.negative(x[..., 1::2], out=out[..., 0::2])
        out[..., 1::2] = x[..., 0::2]
    else:
        half = x.shape[-1] // 2
        np.negative(x[..., half:], out=out[..., :half])
        out[..., half:] = x[..., :half]
    return out


def _rotate_transpose(y: np.ndarray, interleaved: bool) -> np.ndarray:
    """rot^T(y) = -rot(y): pairs (a, b) -> (b, -a)."""
    out = _rotate(y, interleaved)
    np.negative(out, out=out)
    return out


def rotate_pairs(x: np.ndarray, cos: np.ndarray, sin: np.ndarray, interleaved: bool = False):
    """x cos + rot(x) sin on plain arrays: the forward of :func:`apply_rotary` without a graph.

    Each pair (a, b) of the last axis becomes (a cos - b sin, b cos + a sin); pairs are
    (i, i + D/2) (Hugging Face ``rotate_half``) or, with ``interleaved``, (2i, 2i + 1) (GGUF).
    Used by inference code that runs on raw arrays (the Llama KV-cache decoder).

    Parameters
    ----------
    x : ndarray (..., T, D), D even
    cos, sin : ndarrays broadcastable to x, laid out for the same pairing (:func:`rotary_cos_sin`)
    interleaved : bool

    Example
    -------
    >>> cos, sin = rotary_cos_sin(1, 2)  # position 0, angle 0: the identity
    >>> rotate_pairs(np.array([[1.0, 2.0]]), cos, sin).tolist()
    [[1.0, 2.0]]
    """
    out = _rotate(x, interleaved)  # (..., T, D)
    out *= sin
    out += x * cos
    return out


class ApplyRotary(Function):
    """out = x * cos + rot(x) * sin over the last dim (cos, sin constants)."""

    @staticmethod
    def forward(ctx, x, cos, sin, interleaved):
        check_float("x", x, "apply_rotary")
        if x.shape[-1] % 2:
            raise ValueError(f"apply_rotary: the last dim of x must be even, got {x.shape}")
        if cos.shape != sin.shape or cos.shape[-1] != x.shape[-1]:
            raise ValueError(
                f"apply_rotary: cos and sin must have the same shape ending in {x.shape[-1]}, "
                f"got {cos.shape} and {sin.shape}"
            )
        cos = cos if cos.dtype == x.dtype else cos.astype(x.dtype)
        sin = sin if sin.dtype == x.dtype else sin.astype(x.dtype)
        out = rotate_pairs(x, cos, sin, interleaved)  # (..., T, D)
        ctx.save_for_backward(cos, sin)
        ctx.interleaved = interleaved
        return out

    @staticmethod
    def backward(ctx, grad_output):
        cos, sin = ctx.saved_tensors
        grad = _rotate_transpose(grad_output * sin, ctx.interleaved)
        grad += grad_output * cos
        return grad, None, None, None


def apply_rotary(x, cos, sin, interleaved: bool = False):
    """Rotate the pairs of x's last dim by the angles whose cos/sin are given (RoPE).

    out = x * cos + rot(x) * sin, rot pairing (i, i + d/2) (Hugging Face ``rotate_half``) or,
    with ``interleaved=True``, (2i, 2i + 1) (original RoPE, GGUF/llama.cpp weights).

    Parameters
    ----------
    x : Tensor (..., T, D), D even (queries or keys, per head)
    cos, sin : arrays or Tensors broadcastable to x, last dim D, laid out for the same pairing
        (see :func:`rotary_cos_sin`)
    interleaved : bool

    Example
    -------
    >>> from glassml.autograd import randn
    >>> cos, sin = rotary_cos_sin(5, 8)
    >>> apply_rotary(randn(2, 4, 5, 8), cos, sin).shape
    (2, 4, 5, 8)
    """
    cos = cos.data if isinstance(cos, Tensor) else np.asarray(cos)
    sin = sin.data if isinstance(sin, Tensor) else np.asarray(sin)
    return ApplyRotary.apply(x, cos, sin, bool(interleaved))


def rotary_cos_sin(
    positions, head_dim: int, base: float = 10000.0, interleaved: bool = False, dtype=np.float32
):
    """cos and sin tables of shape (T, head_dim) for RoPE.

    theta_i = base^(-2i / head_dim), angle(pos, i) = pos * theta_i (i < head_dim / 2),
    computed in float64 and cast to ``dtype``. ``positions`` is an int (T = positions, positions
    0..T-1) or an array of positions. Layout: HF repeats the half-table, [c_0..c_{d/2-1},
    c_0..c_{d/2-1}]; interleaved repeats each entry, [c_0, c_0, c_1, c_1, ...].

    Example
    -------
    >>> cos, sin = rotary_cos_sin(3, 4, interleaved=True)
    >>> cos.shape, float(cos[0, 0]), round(float(sin[1, 1]), 4)
    ((3, 4), 1.0, 0.8415)
    """
    head_dim = _positive_int(head_dim, "head_dim", "rotary_cos_sin")
    if head_dim % 2:
        raise ValueError(f"rotary_cos_sin: head_dim must be even, got {head_dim}")
    if isinstance(positions, numbers.Integral):
        positions = np.arange(int(positions))
    pos = np.asarray(positions, dtype=np.float64)  # (T,) or any shape
    inv_freq = base ** (-np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)  # (D/2,)
    angle = pos[..., None] * inv_freq  # (..., T, D/2)
    if interleaved:
        angle = np.repeat(angle, 2, axis=-1)  # (..., T, D): a0 a0 a1 a1 ...
    else:
        angle = np.concatenate([angle, angle], axis=-1)  # (..., T, D): a0 a1 .. a0 a1 ..
    return np.cos(angle).astype(dtype), np.sin(angle).astype(dtype)


class RotaryEmbedding(Module):
    """Rotary position embedding (RoPE) of queries/keys with a cached cos/sin table.

    ``rope(x, offset=0)`` rotates x (..., T, head_dim) as if its steps sat at positions
    offset .. offset + T - 1 (``offset`` = number of cached steps when decoding with a KV cache);
    ``rope(x, positions=array)`` takes explicit positions. ``rope.cos_sin(T, offset)`` returns
    the tables for :func:`apply_rotary`.

    Parameters
    ----------
    head_dim : int (even)
    base : float, default 10000 — theta (SmolLM2: 100000)
    max_position_embeddings : int, default 2048 — table size (grown on demand)
    interleaved : bool, default False — pair layout (see the module docstring)

    Inventory: (Llama-style decoder, TR-12 family); CL-187 (order through positions).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> rope = RotaryEmbedding(8, base=100000.0)
    >>> rope(randn(1, 2, 6, 8), offset=3).shape
    (1, 2, 6, 8)
    """

    def __init__(
        self, head_dim, base=10000.0, max_position_embeddings=2048, interleaved=False, dtype=None
    ):
        super().__init__()
        self.head_dim = _positive_int(head_dim, "head_dim", "RotaryEmbedding")
        if self.head_dim % 2:
            raise ValueError(f"RotaryEmbedding: head_dim must be even, got {head_dim}")
        if not base > 1.0:
            raise ValueError(f"RotaryEmbedding: base must be > 1, got {base!r}")
        self.base = float(base)
        self.max_position_embeddings = _positive_int(
            max_position_embeddings, "max_position_embeddings", "RotaryEmbedding"
        )
        self.interleaved = bool(interleaved)
        self._dtype = _param_dtype(dtype)
        self._cos, self._sin = rotary_cos_sin(
            self.max_position_embeddings, self.head_dim, self.base, self.interleaved, np.float64
        )

    def cos_sin(self, length: int, offset: int = 0, dtype=None):
        """(cos, sin), each (length, head_dim), for positions offset .. offset + length - 1."""
        offset = _check_offset(offset, "RotaryEmbedding")
        stop = offset + int(length)
        if stop > self._cos.shape[0]:
            n = max(stop, 2 * self._cos.shape[0])
            self._cos, self._sin = rotary_cos_sin(
                n, self.head_dim, self.base, self.interleaved, np.float64
            )
        dtype = self._dtype if dtype is None else np.dtype(dtype)
        return self._cos[offset:stop].astype(dtype), self._sin[offset:stop].astype(dtype)

    def forward(self, x, offset: int = 0, positions=None):
        if x.ndim < 2 or x.shape[-1] != self.head_dim:
            raise ValueError(
                f"RotaryEmbedding: expected input (..., T, {self.head_dim}), "
                f"got shape {tuple(x.shape)}"
            )
        if positions is not None:
            cos, sin = rotary_cos_sin(
                positions, self.head_dim, self.base, self.interleaved, x.dtype
            )
        else:
            cos, sin = self.cos_sin(x.shape[-2], offset, x.dtype)
        return ApplyRotary.apply(x, cos, sin, self.interleaved)

    def extra_repr(self) -> str:
        return f"head_dim={self.head_dim}, base={self.base}, interleaved={self.interleaved}"
