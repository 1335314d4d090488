"""Character-level LSTM language model (Embedding -> LSTM -> Linear), e.g. on Shakespeare.

Model: for characters c_1..c_T with ids x_t,
    e_t = E[x_t],   (h_t, c_t) = LSTM(e_t, h_{t-1}, c_{t-1}) (stacked),   z_t = W h_t + b
    p(c_{t+1} | c_{<=t}) = softmax(z_t)
Training minimises the mean cross-entropy (nats per character) of the next character over
random windows of ``seq_len`` characters (or truncated BPTT, see glassml.training.tbptt), with
Adam/AdamW and global gradient-norm clipping (exploding gradients still happen with LSTMs,
inventory E-40). Sampling draws the next character from softmax(z / temperature), optionally
restricted to the ``top_k`` most likely ones. The unigram baseline (character frequencies,
no context) is the loss to beat.

Saved with glassml.nn.save (config.json with the vocabulary + model.safetensors).

Inventory: RN-03, RN-11 (next-step language model), RN-02, TX (character tokenisation).

Example
-------
>>> import numpy as np
>>> lm = CharLSTM.from_text("to be or not to be", embedding_dim=8, hidden_size=16)
>>> logits, state = lm(lm.encode("to be")[None])
>>> logits.shape
(1, 5, 7)
>>> len(lm.sample("to", 10, temperature=0.8, generator=np.random.default_rng(0)))
12
"""

from __future__ import annotations

import numbers
import sys

import numpy as np

from glassml.autograd import Tensor, no_grad, tensor
from glassml.autograd.fused import cross_entropy

from ..nn.embedding import Embedding
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.rnn import LSTM
from ..nn.serialization import load as nn_load
from ..nn.serialization import save as nn_save

__all__ = ["CharLSTM", "random_windows", "evaluate_loss", "unigram_loss", "train_char_lm"]


class CharLSTM(Module):
    """Character LSTM language model: logits (B, T, V) = Linear(LSTM(Embedding(x))).

    Inventory: RN-03, RN-11.

    Parameters
    ----------
    vocab : str — the characters, in id order (id i <-> vocab[i])
    embedding_dim : int, default 64;  hidden_size : int, default 128;  num_layers : int, default 2
    dropout : float — between the LSTM layers (training mode only)
    generator : numpy.random.Generator, optional — initial weights

    Example
    -------
    >>> lm = CharLSTM("abc", embedding_dim=4, hidden_size=8, num_layers=1)
    >>> lm.decode(lm.encode("cab"))
    'cab'
    """

    def __init__(self, vocab, embedding_dim=64, hidden_size=128, num_layers=2, dropout=0.0, *,
                 generator=None):  # fmt: skip
        super().__init__()
        if not isinstance(vocab, str) or len(vocab) < 2 or len(set(vocab)) != len(vocab):
            raise ValueError(
                "CharLSTM: vocab must be a string of at least 2 distinct characters, got "
                f"{vocab!r:.60}"
            )
        self.vocab = vocab
        self._index = {ch: i for i, ch in enumerate(vocab)}
        self.embedding_dim, self.hidden_size = int(embedding_dim), int(hidden_size)
        self.num_layers, self.dropout = int(num_layers), float(dropout)
        self.embedding = Embedding(len(vocab), embedding_dim, generator=generator)
        self.lstm = LSTM(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True,
                         dropout=dropout if num_layers > 1 else 0.0, generator=generator)  # fmt: skip
        self.head = Linear(hidden_size, len(vocab), generator=generator)

    @classmethod
    def from_text(cls, text, **kwargs):
        """A model whose vocabulary is the sorted set of characters of ``text``."""
        return cls("".join(sorted(set(text))), **kwargs)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def config(self) -> dict:
        """Constructor arguments (JSON), for glassml.nn.save."""
        return {"vocab": self.vocab, "embedding_dim": self.embedding_dim,
                "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "dropout": self.dropout}  # fmt: skip

    def save(self, directory):
        """Write config.json + model.safetensors."""
        return nn_save(self, directory, self.config())

    @staticmethod
    def load(directory):
        """Rebuild a saved model."""
        return nn_load(directory)

    def encode(self, text) -> np.ndarray:
        """Character ids (int64 array); unknown characters raise a ValueError naming them."""
        try:
            return np.fromiter((self._index[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError as err:
            raise ValueError(
                f"CharLSTM.encode: character {err.args[0]!r} is not in the vocabulary"
            ) from None

    def decode(self, ids) -> str:
        """The string of ``ids``."""
        return "".join(self.vocab[int(i)] for i in np.asarray(ids).reshape(-1))

    def forward(self, x, state=None):
        """x: ids (B, T) -> (logits (B, T, V), (h_n, c_n))."""
        if not isinstance(x, Tensor):
            x = tensor(np.asarray(x))
        if x.ndim != 2 or x.dtype.kind not in "iu":
            raise ValueError(
                f"CharLSTM: expected integer ids of shape (B, T), got {x.dtype} {tuple(x.shape)}"
            )
        out, state = self.lstm(self.embedding(x), state)  # (B, T, H)
        return self.head(out), state  # (B, T, V)

    def loss(self, logits, targets):
        """Mean next-character cross-entropy (nats per character)."""
        if not isinstance(targets, Tensor):
            targets = tensor(np.asarray(targets))
        return cross_entropy(logits.reshape(-1, self.vocab_size), targets.reshape(-1))

    def sample(self, prompt, n_chars, temperature=1.0, top_k=None, generator=None) -> str:
        """``prompt`` followed by ``n_chars`` sampled characters.

        p(next) = softmax(z / temperature) restricted to the ``top_k`` largest logits;
        temperature -> 0 approaches greedy decoding, large temperatures flatten p.
        """
        if not isinstance(prompt, str) or not prompt:
            raise ValueError(f"CharLSTM.sample: prompt must be a non-empty string, got {prompt!r}")
        if isinstance(n_chars, bool) or not isinstance(n_chars, numbers.Integral) or n_chars < 0:
            raise ValueError(
                f"CharLSTM.sample: n_chars must be a non-negative int, got {n_chars!r}"
            )
        if not isinstance(temperature, numbers.Real) or not temperature > 0:
            raise ValueError(f"CharLSTM.sample: temperature must be > 0, got {temperature!r}")
        if top_k is not None and (
            not isinstance(top_k, numbers.Integral) or not 1 <= top_k <= self.vocab_size
        ):
            raise ValueError(
                f"CharLSTM.sample: top_k must be an int in [1, {self.vocab_size}], got {top_k!r}"
            )
        rng = generator if generator is not None else np.random.default_rng()
        was_training = self.training
        self.eval()
        ids = list(self.encode(prompt))
        try:
            with no_grad():
                logits, state = self(tensor(np.array([ids])))
                z = logits.numpy()[0, -1].astype(np.float64)
                for _ in range(n_chars):
                    z = z / float(temperature)
                    if top_k is not None and top_k < len(z):
                        cut = np.partition(z, -top_k)[-top_k]
                        z = np.where(z >= cut, z, -np.inf)
                    p = np.exp(z - z.max())
                    p /= p.sum()
                    nxt = int(rng.choice(len(p), p=p))
                    ids.append(nxt)
                    logits, state = self(tensor(np.array([[nxt]])), state)
                    z = logits.numpy()[0, -1].astype(np.float64)
        finally:
            self.train(was_training)
        return self.decode(ids)


def random_windows(ids, batch_size, seq_len, rng):
    """(x, y): ``batch_size`` random windows of ``seq_len`` ids and their next-id targets.

    Example
    -------
    >>> x, y = random_windows(np.arange(100), 2, 5, np.random.default_rng(0))
    >>> bool((y == x + 1).all())
    True
    """
    ids = np.asarray(ids)
    if len(ids) <= seq_len + 1:
        raise ValueError(f"random_windows: {len(ids)} ids are too few for seq_len={seq_len}")
    starts = rng.integers(0, len(ids) - seq_len - 1, batch_size)
    idx = starts[:, None] + np.arange(seq_len)[None, :]  # (B, k)
    return ids[idx], ids[idx + 1]


def evaluate_loss(model, ids, seq_len=128, batch_size=64) -> float:
    """Mean next-character cross-entropy over consecutive windows of ``seq_len`` (state reset
    per window; a partial last window is dropped)."""
    ids = np.asarray(ids)
    n = (len(ids) - 1) // seq_len
    if n < 1:
        raise ValueError(f"evaluate_loss: {len(ids)} ids are too few for seq_len={seq_len}")
    x = ids[: n * seq_len].reshape(n, seq_len)
    y = ids[1 : n * seq_len + 1].reshape(n, seq_len)
    was_training = model.training
    model.eval()
    total = 0.0
    with no_grad():
        for i in range(0, n, batch_size):
            logits, _ = model(tensor(x[i : i + batch_size]))
            total += float(model.loss(logits, y[i : i + batch_size])) * len(x[i : i + batch_size])
    model.train(was_training)
    return total / n


def unigram_loss(train_ids, val_ids, vocab_size) -> float:
    """Cross-entropy of ``val_ids`` under the (add-one smoothed) character frequencies of
    ``train_ids``: the no-context baseline, -mean log p_train(c)."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64) + 1.0
    logp = np.log(counts / counts.sum())
    return float(-logp[np.asarray(val_ids)].mean())


def train_char_lm(model, train_ids, val_ids=None, *, steps=1000, batch_size=32, seq_len=64,
                  lr=2e-3, weight_decay=0.0, clip_grad_norm=1.0, optimizer="adam", seed=0,
                  eval_every=None, progress=True):  # fmt: skip
    """Train on random windows; returns a history dict (train_loss per step, val_loss per eval).

    Parameters
    ----------
    model : CharLSTM;  train_ids, val_ids : 1-D id arrays
    steps, batch_size, seq_len : int;  lr, weight_decay : float
    clip_grad_norm : float or None;  optimizer : "adam" | "adamw"
    seed : int — the window sampler's seed;  eval_every : int, optional
    progress : bool — tqdm progress bar

    Example
    -------
    >>> # hist = train_char_lm(lm, lm.encode(train_text), lm.encode(val_text), steps=2000)
    """
    from glassml.nn.utils import clip_grad_norm_
    from glassml.optim import Adam, AdamW

    if optimizer not in ("adam", "adamw"):
        raise ValueError(f"train_char_lm: optimizer must be 'adam' or 'adamw', got {optimizer!r}")
    params = list(model.parameters())
    opt = (Adam if optimizer == "adam" else AdamW)(params, lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    history = {"train_loss": [], "val_loss": [], "val_step": []}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="char-lm", leave=False, file=sys.stderr)
    model.train()
    try:
        for step in range(1, steps + 1):
            x, y = random_windows(train_ids, batch_size, seq_len, rng)
            logits, _ = model(tensor(x))
            loss = model.loss(logits, y)
            opt.zero_grad()
            loss.backward()
            if clip_grad_norm is not None:
                clip_grad_norm_(params, clip_grad_norm)
            opt.step()
            history["train_loss"].append(float(loss))
            if val_ids is not None and eval_every and (step % eval_every == 0 or step == steps):
                history["val_loss"].append(evaluate_loss(model, val_ids, seq_len))
                history["val_step"].append(step)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history['train_loss'][-1]:.3f}")
    finally:
        if bar is not None:
            bar.close()
    return history
