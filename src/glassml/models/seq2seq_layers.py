"""Building blocks of :mod:`glassml.models.seq2seq`: the encoder, the decoders (without and with
Bahdanau/Luong attention) and the encoder memory they attend to. The equations are in the
docstring of :mod:`glassml.models.seq2seq`.

Encoder (SQ-01, SQ-05): embedding + packed GRU/LSTM, optionally bidirectional. Decoder (SQ-01):
s_t = RNN(e(y_{t-1}), s_{t-1}), logits = W_o s_t + b. AttentionDecoder (SQ-06..SQ-08):
Bahdanau c_t = attn(s_{t-1}, k), s_t = RNN([e; c_t], s_{t-1}), logits = W_o [s_t; c_t] + b;
Luong s_t = RNN(e, s_{t-1}), c_t = attn(s_t, k), logits = W_o tanh(W_c [c_t; s_t]) + b.
One decoding step runs the RNN through its fused cells (``gru_cell`` / ``lstm_cell``) on the
nn.GRU / nn.LSTM parameters, so the same weights serve whole-sequence and step-wise decoding.

Inventory: SQ-01, SQ-05..SQ-08.

Example
-------
>>> import numpy as np
>>> enc = Encoder(10, 4, 6)
>>> out, h = enc(np.array([[3, 4, 5]]))
>>> dec = AttentionDecoder(10, 4, 6, key_size=6, attention="general")
>>> memory = Memory(out, np.ones((1, 3), dtype=bool), dec.attention.project_keys(out))
>>> logits, state, weights = dec.step(np.array([1]), h, memory)
>>> logits.shape, weights.shape
((1, 10), (1, 3))
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, cat, index_select, stack, tanh
from glassml.autograd.fused import dropout
from glassml.autograd.fused.rnn_cells import gru_cell, lstm_cell
from glassml.nn.embedding import Embedding
from glassml.nn.linear import Linear
from glassml.nn.module import Module
from glassml.nn.rnn import GRU, LSTM
from glassml.nn.seq_attention import BahdanauAttention, LuongAttention
from glassml.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["Encoder", "Decoder", "AttentionDecoder", "Memory", "CELLS", "ATTENTIONS"]

CELLS = {"gru": GRU, "lstm": LSTM}
ATTENTIONS = (None, "bahdanau", "dot", "general", "concat")


# ---------------------------------------------------------------------------- helpers
def _check_pos_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_cell(cell, owner: str) -> str:
    if cell not in CELLS:
        raise ValueError(f"{owner}: cell must be one of {tuple(CELLS)}, got {cell!r}")
    return cell


def _index_array(x, name: str, ndim: int) -> np.ndarray:
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer token ids, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array of token ids, got shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


def _lengths(src_lengths, batch: int, length: int) -> np.ndarray:
    if src_lengths is None:
        return np.full(batch, length, dtype=np.int64)
    lengths = _index_array(src_lengths, "src_lengths", 1)
    if lengths.shape != (batch,):
        raise ValueError(f"src_lengths: expected shape ({batch},), got {lengths.shape}")
    if lengths.min() < 1 or lengths.max() > length:
        raise ValueError(
            f"src_lengths: expected lengths in [1, {length}] (the padded source length), "
            f"got min {lengths.min()} and max {lengths.max()}"
        )
    return lengths


def _layer_params(rnn, layer: int) -> tuple:
    names = [f"weight_ih_l{layer}", f"weight_hh_l{layer}"]
    if rnn.bias:
        names += [f"bias_ih_l{layer}", f"bias_hh_l{layer}"]
    params = [getattr(rnn, n) for n in names]
    return tuple(params) if rnn.bias else (*params, None, None)


def _rnn_step(rnn, x: Tensor, state, training: bool):
    """One time step of a (multi-layer, unidirectional) nn.GRU / nn.LSTM through its cells.

    x (B, I); state h (L, B, H) or (h, c). Returns (top-layer output (B, H), new state).
    """
    lstm = rnn.mode == "LSTM"
    h0, c0 = state if lstm else (state, None)
    hs, cs = [], []
    inp = x
    for layer in range(rnn.num_layers):
        if layer > 0 and rnn.dropout > 0 and training:
            inp = dropout(inp, rnn.dropout, True, generator=rnn.generator)
        w_ih, w_hh, b_ih, b_hh = _layer_params(rnn, layer)
        if lstm:
            h, c = lstm_cell(inp, (h0[layer], c0[layer]), w_ih, w_hh, b_ih, b_hh)  # (B, H)
            cs.append(c)
        else:
            h = gru_cell(inp, h0[layer], w_ih, w_hh, b_ih, b_hh)  # (B, H)
        hs.append(h)
        inp = h
    h_n = stack(hs)  # (L, B, H)
    return inp, ((h_n, stack(cs)) if lstm else h_n)


def _top(state) -> Tensor:
    """The top layer's hidden state (B, H) of h (L, B, H) or (h, c)."""
    h = state[0] if isinstance(state, tuple) else state
    return h[h.shape[0] - 1]


def _select_state(state, index: np.ndarray):
    if isinstance(state, tuple):
        return tuple(index_select(s, 1, index) for s in state)
    return index_select(state, 1, index)


class Memory:
    """What the decoder attends to: encoder outputs (B, S, Hk), the source mask (B, S) (True =
    real token) and the step-independent key projection (B, S, A) (None without attention).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.models.seq2seq import Seq2Seq
    >>> memory, state = Seq2Seq(9, 9, hidden_size=4, attention="dot").encode(np.array([[3, 4]]))
    >>> memory.keys.shape, memory.select(np.array([0, 0, 0])).mask.shape
    ((1, 2, 4), (3, 2))
    """

    def __init__(self, keys: Tensor, mask: np.ndarray, projected: Tensor | None):
        self.keys, self.mask, self.projected = keys, mask, projected

    def select(self, index: np.ndarray) -> Memory:
        """The rows ``index`` (repeats allowed: one copy per beam)."""
        return Memory(
            index_select(self.keys, 0, index),
            self.mask[index],
            None if self.projected is None else index_select(self.projected, 0, index),
        )


# ---------------------------------------------------------------------------- encoder
class Encoder(Module):
    """Embedding + GRU/LSTM over the source (SQ-01, SQ-05).

    Parameters
    ----------
    vocab_size, embedding_dim, hidden_size : int
    num_layers : int, default 1
    cell : "gru" | "lstm"
    bidirectional : bool — outputs (B, S, 2H) = [forward; backward]
    dropout : float — between stacked layers (training only)
    padding_idx : int — the <pad> id (its embedding is zero)
    dtype, generator : parameter dtype and initialisation generator

    ``forward(src (B, S) int, lengths (B,))`` returns ``(outputs (B, S, D*H), h_n)`` with
    h_n (L*D, B, H) (or ``(h_n, c_n)``) taken at each sequence's true last step; outputs at
    padded positions are 0.

    Inventory: SQ-01, SQ-05.

    Example
    -------
    >>> import numpy as np
    >>> enc = Encoder(10, 4, 6, bidirectional=True)
    >>> out, h = enc(np.array([[3, 4, 5], [6, 7, 0]]), np.array([3, 2]))
    >>> out.shape, h.shape
    ((2, 3, 12), (2, 2, 6))
    """

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers=1, cell="gru",
                 bidirectional=False, dropout=0.0, padding_idx=0, *, dtype=None,
                 generator=None):  # fmt: skip
        super().__init__()
        _check_cell(cell, "Encoder")
        self.cell, self.bidirectional = cell, bool(bidirectional)
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=padding_idx,
                                   dtype=dtype, generator=generator)  # fmt: skip
        self.rnn = CELLS[cell](embedding_dim, hidden_size, num_layers, batch_first=True,
                               dropout=dropout, bidirectional=self.bidirectional, dtype=dtype,
                               generator=generator)  # fmt: skip

    @property
    def output_size(self) -> int:
        return self.rnn.hidden_size * (2 if self.bidirectional else 1)

    def forward(self, src, lengths=None):
        ids = _index_array(src, "src", 2)  # (B, S)
        batch, length = ids.shape
        lengths = _lengths(lengths, batch, length)
        emb = self.embedding(Tensor(ids))  # (B, S, E)
        if np.all(lengths == length):
            return self.rnn(emb)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=length)  # (B, S, D*H)
        return out, state


# ---------------------------------------------------------------------------- decoders
class Decoder(Module):
    """Decoder without attention (SQ-01): s_t = RNN(e(y_{t-1}), s_{t-1}), logits = W_o s_t + b.

    Parameters
    ----------
    vocab_size, embedding_dim, hidden_size : int
    num_layers : int;  cell : "gru" | "lstm";  dropout : float;  padding_idx : int
    dtype, generator

    ``forward(tokens (B, T), state, memory=None)`` -> ``(logits (B, T, V), state, None)``
    (teacher forcing: all steps at once); ``step(tokens (B,), state, memory=None)`` ->
    ``(logits (B, V), state, None)``.

    Inventory: SQ-01.

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import zeros
    >>> dec = Decoder(10, 4, 6)
    >>> logits, state, _ = dec(np.array([[1, 5, 6]]), zeros(1, 1, 6))
    >>> logits.shape
    (1, 3, 10)
    """

    attention = None

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers=1, cell="gru",
                 dropout=0.0, padding_idx=0, *, dtype=None, generator=None):  # fmt: skip
        super().__init__()
        _check_cell(cell, "Decoder")
        self.cell = cell
        kw = dict(dtype=dtype, generator=generator)
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=padding_idx, **kw)
        self.rnn = CELLS[cell](embedding_dim, hidden_size, num_layers, batch_first=True,
                               dropout=dropout, **kw)  # fmt: skip
        self.out = Linear(hidden_size, vocab_size, **kw)

    def forward(self, tokens, state, memory=None):
        ids = _index_array(tokens, "tokens", 2)
        out, state = self.rnn(self.embedding(Tensor(ids)), state)  # (B, T, H)
        return self.out(out), state, None  # (B, T, V)

    def step(self, tokens, state, memory=None):
        ids = _index_array(tokens, "tokens", 1)
        top, state = _rnn_step(self.rnn, self.embedding(Tensor(ids)), state, self.training)
        return self.out(top), state, None  # (B, V)


class AttentionDecoder(Module):
    """Decoder with Bahdanau or Luong attention over the encoder outputs (SQ-06..SQ-08).

    Bahdanau: c_t = attn(s_{t-1}, k); s_t = RNN([e_{t-1}; c_t], s_{t-1});
    logits = W_o [s_t; c_t] + b.  Luong (dot/general/concat): s_t = RNN(e_{t-1}, s_{t-1});
    c_t = attn(s_t, k); logits = W_o tanh(W_c [c_t; s_t]) + b.

    Parameters
    ----------
    vocab_size, embedding_dim, hidden_size : int
    key_size : int — size of the encoder outputs (2H for a bidirectional encoder)
    attention : "bahdanau" | "dot" | "general" | "concat"
    attention_size : int, optional — A of the additive scores (default hidden_size)
    num_layers, cell, dropout, padding_idx, dtype, generator : as :class:`Decoder`

    ``forward(tokens (B, T), state, memory)`` -> ``(logits (B, T, V), state, weights (B, T, S))``;
    ``step(tokens (B,), state, memory)`` -> ``(logits (B, V), state, weights (B, S))``.

    Inventory: SQ-06, SQ-07, SQ-08.

    Example
    -------
    >>> dec = AttentionDecoder(10, 4, 6, key_size=6, attention="dot")
    >>> type(dec.attention).__name__, dec.attention.score
    ('LuongAttention', 'dot')
    """

    def __init__(self, vocab_size, embedding_dim, hidden_size, key_size, attention="bahdanau",
                 attention_size=None, num_layers=1, cell="gru", dropout=0.0, padding_idx=0, *,
                 dtype=None, generator=None):  # fmt: skip
        super().__init__()
        owner = "AttentionDecoder"
        _check_cell(cell, owner)
        if attention not in ATTENTIONS[1:]:
            raise ValueError(
                f"{owner}: attention must be one of {ATTENTIONS[1:]}, got {attention!r}"
            )
        key_size = _check_pos_int(key_size, "key_size", owner)
        self.cell, self.kind = cell, attention
        kw = dict(dtype=dtype, generator=generator)
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=padding_idx, **kw)
        rnn_in = embedding_dim + key_size if attention == "bahdanau" else embedding_dim
        self.rnn = CELLS[cell](rnn_in, hidden_size, num_layers, batch_first=True, dropout=dropout,
                               **kw)  # fmt: skip
        if attention == "bahdanau":
            self.attention = BahdanauAttention(hidden_size, key_size, attention_size, **kw)
            self.out = Linear(hidden_size + key_size, vocab_size, **kw)
        else:
            self.attention = LuongAttention(hidden_size, key_size, attention, attention_size, **kw)
            self.combine = Linear(key_size + hidden_size, hidden_size, bias=False, **kw)
            self.out = Linear(hidden_size, vocab_size, **kw)

    def step(self, tokens, state, memory: Memory):
        ids = _index_array(tokens, "tokens", 1)
        emb = self.embedding(Tensor(ids))  # (B, E)
        if self.kind == "bahdanau":
            context, weights = self.attention(_top(state), memory.keys, mask=memory.mask,
                                              projected_keys=memory.projected)  # fmt: skip
            top, state = _rnn_step(self.rnn, cat([emb, context], -1), state, self.training)
            return self.out(cat([top, context], -1)), state, weights  # (B, V), (B, S)
        top, state = _rnn_step(self.rnn, emb, state, self.training)  # (B, H)
        context, weights = self.attention(top, memory.keys, mask=memory.mask,
                                          projected_keys=memory.projected)  # fmt: skip
        attentional = tanh(self.combine(cat([context, top], -1)))  # (B, H)
        return self.out(attentional), state, weights

    def forward(self, tokens, state, memory: Memory):
        ids = _index_array(tokens, "tokens", 2)  # (B, T)
        if self.kind == "bahdanau":  # the RNN input needs c_t: step by step
            logits, weights = [], []
            for t in range(ids.shape[1]):
                lg, state, w = self.step(ids[:, t], state, memory)
                logits.append(lg)
                weights.append(w)
            return stack(logits, 1), state, stack(weights, 1)  # (B, T, V), (B, T, S)
        out, state = self.rnn(self.embedding(Tensor(ids)), state)  # (B, T, H)
        context, weights = self.attention(out, memory.keys, mask=memory.mask,
                                          projected_keys=memory.projected)  # fmt: skip
        attentional = tanh(self.combine(cat([context, out], -1)))  # (B, T, H)
        return self.out(attentional), state, weights
