"""Sequence-task heads on the recurrent layers (RN-11) with variable lengths (RN-12).

* :class:`RNNClassifier` — many-to-one: the representation of a sequence is the final state at
  its TRUE last step (packed sequences, so padding never enters), [h_fwd, h_bwd] when
  bidirectional; logits = Linear(that).
* :class:`RNNTagger` — many-to-many (tagging, NER/POS; TX-20): one label per step from the
  (Bi)LSTM output at that step; padded steps get logits but are ignored by :meth:`loss`.
* :class:`RNNForecaster` — time series: from the last hidden state predict the next
  ``horizon`` values; :meth:`forecast` rolls the model forward autoregressively.

The recurrent core is ``cell`` = "lstm" | "gru" | "rnn" (glassml.nn.rnn layers, batch_first).
Inputs are token ids (B, T) when ``vocab_size`` is given (an Embedding first), else features
(B, T, input_size).

Inventory: RN-11, RN-12, RN-05, TX-20.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import tensor
>>> clf = RNNClassifier(hidden_size=16, num_classes=3, vocab_size=50, embedding_dim=8)
>>> ids = tensor(np.array([[4, 9, 2, 0], [7, 3, 0, 0]]))
>>> clf(ids, lengths=[3, 2]).shape
(2, 3)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, cat, tensor
from glassml.autograd.fused import cross_entropy, mse_loss

from ..nn.embedding import Embedding
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.rnn import GRU, LSTM, RNN
from ..nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["RNNClassifier", "RNNTagger", "RNNForecaster"]

_CORES = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


def _positive(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class _SequenceModel(Module):
    """Embedding (optional) + recurrent core, shared by the heads."""

    def __init__(self, input_size, hidden_size, *, vocab_size, embedding_dim, cell, num_layers,
                 bidirectional, dropout, padding_idx, generator):  # fmt: skip
        super().__init__()
        owner = type(self).__name__
        if cell not in _CORES:
            raise ValueError(f"{owner}: cell must be one of {sorted(_CORES)}, got {cell!r}")
        hidden_size = _positive(hidden_size, "hidden_size", owner)
        if vocab_size is not None:
            vocab_size = _positive(vocab_size, "vocab_size", owner)
            embedding_dim = _positive(embedding_dim or hidden_size, "embedding_dim", owner)
            self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=padding_idx,
                                       generator=generator)  # fmt: skip
            input_size = embedding_dim
        elif input_size is None:
            raise ValueError(f"{owner}: give input_size (float features) or vocab_size (token ids)")
        else:
            self.embedding = None
            input_size = _positive(input_size, "input_size", owner)
        self.uses_tokens = vocab_size is not None
        self.rnn = _CORES[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                                dropout=dropout if num_layers > 1 else 0.0,
                                bidirectional=bidirectional, generator=generator)  # fmt: skip
        self.directions = 2 if bidirectional else 1

    def _embed(self, x):
        owner = type(self).__name__
        if not isinstance(x, Tensor):
            x = tensor(np.asarray(x))
        if self.uses_tokens:
            if x.ndim != 2 or x.dtype.kind not in "iu":
                raise ValueError(
                    f"{owner}: expected integer token ids of shape (B, T), got {x.dtype} "
                    f"{tuple(x.shape)}"
                )
            return self.embedding(x)  # (B, T, E)
        if x.ndim != 3:
            raise ValueError(f"{owner}: expected features (B, T, input_size), got {tuple(x.shape)}")
        return x

    def _lengths(self, lengths, batch, steps):
        owner = type(self).__name__
        if lengths is None:
            return None
        arr = np.asarray(lengths.numpy() if isinstance(lengths, Tensor) else lengths)
        if (
            arr.shape != (batch,)
            or arr.dtype.kind not in "iu"
            or arr.min() < 1
            or arr.max() > steps
        ):
            raise ValueError(
                f"{owner}: lengths must be {batch} integers in [1, {steps}], got {arr.tolist()}"
            )
        return arr.astype(np.int64)

    def _final_state(self, h_n):
        """Top layer's final hidden state, [forward, backward] concatenated: (B, D*H)."""
        h = h_n[0] if isinstance(h_n, tuple) else h_n  # LSTM: (h_n, c_n)
        if self.directions == 1:
            return h[-1]
        return cat([h[-2], h[-1]], dim=1)

    def _run(self, x, lengths):
        """(outputs (B, T, D*H), final state (B, D*H))."""
        emb = self._embed(x)
        batch, steps = emb.shape[0], emb.shape[1]
        lengths = self._lengths(lengths, batch, steps)
        if lengths is None:
            out, h_n = self.rnn(emb)
            return out, self._final_state(h_n)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=steps)
        return out, self._final_state(h_n)


class RNNClassifier(_SequenceModel):
    """Many-to-one sequence classifier: logits = W [h_T(fwd), h_1(bwd)] + b at the true length.

    Inventory: RN-11 (many-to-one), RN-12 (variable lengths).

    Parameters
    ----------
    input_size : int, optional — feature size (when inputs are float features)
    hidden_size : int;  num_classes : int
    vocab_size, embedding_dim, padding_idx : token inputs through an Embedding
    cell : "lstm" | "gru" | "rnn";  num_layers, bidirectional, dropout : as the core layers

    Example
    -------
    >>> from glassml.autograd import randn
    >>> RNNClassifier(input_size=3, hidden_size=8, num_classes=2, cell="gru")(randn(4, 9, 3)).shape
    (4, 2)
    """

    def __init__(self, input_size=None, hidden_size=64, num_classes=2, *, vocab_size=None,
                 embedding_dim=None, cell="lstm", num_layers=1, bidirectional=False, dropout=0.0,
                 padding_idx=None, generator=None):  # fmt: skip
        super().__init__(input_size, hidden_size, vocab_size=vocab_size,
                         embedding_dim=embedding_dim, cell=cell, num_layers=num_layers,
                         bidirectional=bidirectional, dropout=dropout, padding_idx=padding_idx,
                         generator=generator)  # fmt: skip
        n = _positive(num_classes, "num_classes", "RNNClassifier")
        self.head = Linear(self.directions * self.rnn.hidden_size, n, generator=generator)

    def forward(self, x, lengths=None):
        """x: ids (B, T) or features (B, T, I); lengths (B,) -> logits (B, num_classes)."""
        _, final = self._run(x, lengths)
        return self.head(final)


class RNNTagger(_SequenceModel):
    """Many-to-many tagger: logits_t = W y_t + b for every step (BiLSTM by default).

    Inventory: RN-11 (tagging), RN-05, TX-20. :meth:`loss` ignores padded steps (label -100 or
    beyond ``lengths``).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> tagger = RNNTagger(hidden_size=8, num_tags=5, vocab_size=20)
    >>> tagger(tensor([[1, 2, 3]])).shape
    (1, 3, 5)
    """

    def __init__(self, input_size=None, hidden_size=64, num_tags=2, *, vocab_size=None,
                 embedding_dim=None, cell="lstm", num_layers=1, bidirectional=True, dropout=0.0,
                 padding_idx=None, generator=None):  # fmt: skip
        super().__init__(input_size, hidden_size, vocab_size=vocab_size,
                         embedding_dim=embedding_dim, cell=cell, num_layers=num_layers,
                         bidirectional=bidirectional, dropout=dropout, padding_idx=padding_idx,
                         generator=generator)  # fmt: skip
        n = _positive(num_tags, "num_tags", "RNNTagger")
        self.head = Linear(self.directions * self.rnn.hidden_size, n, generator=generator)

    def forward(self, x, lengths=None):
        """x: ids (B, T) or features (B, T, I) -> logits (B, T, num_tags)."""
        out, _ = self._run(x, lengths)
        return self.head(out)

    def loss(self, logits, tags, lengths=None, ignore_index=-100):
        """Mean cross-entropy over real (unpadded) steps."""
        tags = np.array(tags.numpy() if isinstance(tags, Tensor) else tags, dtype=np.int64)
        if lengths is not None:
            steps = np.arange(tags.shape[1])[None, :]
            tags[steps >= np.asarray(lengths)[:, None]] = ignore_index
        flat = logits.reshape(-1, logits.shape[-1])
        return cross_entropy(flat, tensor(tags.reshape(-1)), ignore_index=ignore_index)


class RNNForecaster(_SequenceModel):
    """Time-series forecaster: y_{T+1..T+horizon} = W h_T + b from a window x_{1..T}.

    Inventory: RN-11 (time-series forecasting).

    Parameters
    ----------
    input_size : int — features per step;  hidden_size : int
    horizon : int — steps predicted at once;  output_size : int — predicted features per step
        (default input_size)
    cell, num_layers, dropout : as the core layers

    Example
    -------
    >>> from glassml.autograd import randn
    >>> RNNForecaster(input_size=2, hidden_size=8, horizon=3)(randn(5, 20, 2)).shape
    (5, 3, 2)
    """

    def __init__(self, input_size=1, hidden_size=32, horizon=1, output_size=None, *, cell="lstm",
                 num_layers=1, dropout=0.0, generator=None):  # fmt: skip
        super().__init__(input_size, hidden_size, vocab_size=None, embedding_dim=None, cell=cell,
                         num_layers=num_layers, bidirectional=False, dropout=dropout,
                         padding_idx=None, generator=generator)  # fmt: skip
        self.horizon = _positive(horizon, "horizon", "RNNForecaster")
        self.output_size = _positive(output_size or input_size, "output_size", "RNNForecaster")
        self.head = Linear(self.rnn.hidden_size, self.horizon * self.output_size,
                           generator=generator)  # fmt: skip

    def forward(self, x):
        """x (B, T, input_size) -> forecasts (B, horizon, output_size)."""
        _, final = self._run(x, None)
        return self.head(final).reshape(-1, self.horizon, self.output_size)

    def loss(self, prediction, target):
        """Mean squared error."""
        return mse_loss(prediction, target if isinstance(target, Tensor) else tensor(target))

    def forecast(self, history, steps):
        """Roll forward ``steps`` values (needs output_size == input_size), feeding predictions
        back as inputs; returns (B, steps, input_size) as a NumPy array."""
        from glassml.autograd import no_grad

        if self.output_size != self.rnn.input_size:
            raise ValueError("RNNForecaster.forecast: output_size must equal input_size")
        window = np.asarray(history.numpy() if isinstance(history, Tensor) else history)
        out = []
        with no_grad():
            while sum(o.shape[1] for o in out) < steps:
                pred = self(tensor(window.astype(self.head.weight.dtype))).numpy()
                out.append(pred)
                window = np.concatenate([window[:, pred.shape[1] :], pred], axis=1)
        return np.concatenate(out, axis=1)[:, :steps]
