"""Toy transduction tasks for sequence-to-sequence models, encoded and padded (SQ-11).

Tasks (character level, so a CPU trains them in seconds):

* ``reverse``: "3141" -> "1413";  ``sort``: "3141" -> "1134";  ``copy``: "3141" -> "3141"
  (digit strings of ``min_len``..``max_len`` characters);
* ``dates``: "March 5, 1998" -> "1998-03-05" (date-format conversion; years 1950-2049;
  ``min_len``/``max_len`` do not apply).

Encoding: ids 0..3 are the specials <pad>, <bos>, <eos>, <unk>, then the task's alphabet.
Sources are the characters only (padded with <pad>); targets are <bos> y_1..y_n <eos>
(padded), so a decoder reads ``tgt[:, :-1]`` and predicts ``tgt[:, 1:]``.

Inventory: SQ-11.

Example
-------
>>> task = make_seq2seq_task("reverse", n_samples=3, min_len=2, max_len=4, random_state=0)
>>> task.src.shape[0], bool(task.tgt[0, 0] == task.tgt_vocab.bos_id)
(3, True)
>>> task.tgt_vocab.decode(task.tgt[0]) == task.sources[0][::-1]
True
"""

from __future__ import annotations

import numbers

import numpy as np

from .._core.random import check_random_state
from ._base import Bunch

__all__ = ["Seq2SeqVocab", "make_seq2seq_task", "pad_sequences", "SEQ2SEQ_TASKS"]

SEQ2SEQ_TASKS = ("reverse", "sort", "copy", "dates")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
DIGITS = "0123456789"


class Seq2SeqVocab:
    """A character vocabulary: <pad>=0, <bos>=1, <eos>=2, <unk>=3, then ``symbols`` in order.

    Parameters
    ----------
    symbols : str or sequence of str — the alphabet (distinct symbols)

    Example
    -------
    >>> v = Seq2SeqVocab("ab")
    >>> v.encode("ba", add_bos_eos=True), v.decode([1, 5, 4, 2, 0])
    ([1, 5, 4, 2], 'ba')
    """

    PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"

    def __init__(self, symbols):
        symbols = list(symbols)
        if len(set(symbols)) != len(symbols) or not symbols:
            raise ValueError(f"symbols: expected distinct, non-empty symbols, got {symbols!r}")
        self.itos = [self.PAD, self.BOS, self.EOS, self.UNK, *symbols]
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = 0, 1, 2, 3

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text, add_bos_eos: bool = False) -> list[int]:
        """Ids of the characters of ``text`` (unknown ones -> <unk>), optionally <bos> .. <eos>."""
        ids = [self.stoi.get(ch, self.unk_id) for ch in text]
        return [self.bos_id, *ids, self.eos_id] if add_bos_eos else ids

    def decode(self, ids) -> str:
        """The text of ``ids``: skips <pad> and <bos>, stops at the first <eos>."""
        out = []
        for i in np.asarray(ids).ravel().tolist():
            if i == self.eos_id:
                break
            if i in (self.pad_id, self.bos_id):
                continue
            out.append(self.itos[i] if 0 <= i < len(self.itos) else self.UNK)
        return "".join(out)

    def __repr__(self) -> str:
        return f"Seq2SeqVocab({''.join(self.itos[4:])!r})"


def pad_sequences(sequences, pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stack int sequences into an int64 array (N, max_len) padded with ``pad_id``.

    Returns ``(padded, lengths)``; lengths (N,) are the unpadded lengths.

    Example
    -------
    >>> pad_sequences([[5, 6, 7], [8]])[0]
    array([[5, 6, 7],
           [8, 0, 0]])
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    if len(sequences) == 0:
        raise ValueError("sequences: expected at least one sequence, got none")
    out = np.full((len(sequences), int(lengths.max())), pad_id, dtype=np.int64)
    for i, s in enumerate(sequences):
        out[i, : len(s)] = s
    return out, lengths


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def _dates(n: int, rng) -> tuple[list[str], list[str]]:
    years = rng.integers(1950, 2050, size=n)
    months = rng.integers(1, 13, size=n)
    days_in = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    leap = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    n_days = days_in[months - 1] + ((months == 2) & leap)
    days = 1 + (rng.random(n) * n_days).astype(np.int64)  # uniform over the month's days
    src = [f"{MONTHS[m - 1]} {d}, {y}" for y, m, d in zip(years, months, days, strict=True)]
    tgt = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(years, months, days, strict=True)]
    return src, tgt


def make_seq2seq_task(
    name: str, n_samples: int = 1000, min_len: int = 3, max_len: int = 10, random_state=None
) -> Bunch:
    """Generate, encode and pad a toy transduction task (see the module docstring).

    Parameters
    ----------
    name : "reverse" | "sort" | "copy" | "dates"
    n_samples : int — number of pairs
    min_len, max_len : int — source length range of the digit tasks (inclusive)
    random_state : int, Generator or None

    Returns a :class:`Bunch` with ``sources``/``targets`` (lists of str), ``src`` (N, S) int64
    padded source ids, ``src_lengths`` (N,), ``tgt`` (N, T) = <bos> y <eos> padded,
    ``tgt_lengths`` (N,) (counting <bos> and <eos>), ``src_vocab``, ``tgt_vocab`` and ``name``.

    Inventory: SQ-11.

    Example
    -------
    >>> t = make_seq2seq_task("dates", n_samples=1, random_state=1)
    >>> len(t.targets[0]), t.targets[0][4]
    (10, '-')
    """
    if name not in SEQ2SEQ_TASKS:
        raise ValueError(f"name: expected one of {SEQ2SEQ_TASKS}, got {name!r}")
    n_samples = _check_int(n_samples, "n_samples", 1)
    min_len = _check_int(min_len, "min_len", 1)
    max_len = _check_int(max_len, "max_len", 1)
    if max_len < min_len:
        raise ValueError(f"max_len: expected max_len >= min_len={min_len}, got {max_len}")
    rng = check_random_state(random_state)
    if name == "dates":
        sources, targets = _dates(n_samples, rng)
        src_vocab = Seq2SeqVocab(sorted(set("".join(MONTHS) + DIGITS + " ,")))
        tgt_vocab = Seq2SeqVocab(DIGITS + "-")
    else:
        lengths = rng.integers(min_len, max_len + 1, size=n_samples)
        digits = rng.integers(0, 10, size=(n_samples, max_len))
        sources = ["".join(DIGITS[d] for d in row[:n]) for row, n in zip(digits, lengths,
                                                                         strict=True)]  # fmt: skip
        if name == "reverse":
            targets = [s[::-1] for s in sources]
        elif name == "sort":
            targets = ["".join(sorted(s)) for s in sources]
        else:
            targets = list(sources)
        src_vocab = Seq2SeqVocab(DIGITS)
        tgt_vocab = Seq2SeqVocab(DIGITS)
    src, src_lengths = pad_sequences([src_vocab.encode(s) for s in sources], src_vocab.pad_id)
    tgt, tgt_lengths = pad_sequences(
        [tgt_vocab.encode(t, add_bos_eos=True) for t in targets], tgt_vocab.pad_id
    )
    return Bunch(
        name=name,
        sources=sources,
        targets=targets,
        src=src,
        src_lengths=src_lengths,
        tgt=tgt,
        tgt_lengths=tgt_lengths,
        src_vocab=src_vocab,
        tgt_vocab=tgt_vocab,
    )
