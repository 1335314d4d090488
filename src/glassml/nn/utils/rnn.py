"""Variable-length sequences: padding and packing (``torch.nn.utils.rnn``).

A batch of sequences of lengths L_1 >= L_2 >= ... >= L_B (sorted) is *packed* time step by time
step: ``data`` stacks, for t = 0, 1, ..., the rows of the sequences still running at t, and
``batch_sizes[t]`` = #{b : L_b > t}. A recurrent layer fed a PackedSequence updates only those
rows at step t, so the final state of each sequence is taken at its true last step (RN-12), and
padding never leaks into the outputs or the gradients.

``sorted_indices`` maps sorted position -> original batch index (sequences sorted by decreasing
length, stable); ``unsorted_indices`` is its inverse. With ``enforce_sorted=True`` the lengths
must already be decreasing and both are None.

All conversions are index selections, so gradients flow back to the padded input exactly.

Inventory: RN-12.

Example
-------
>>> from glassml.autograd import randn
>>> padded = randn(4, 3, 2)                       # (T, B, *)
>>> packed = pack_padded_sequence(padded, [4, 2, 1])
>>> packed.batch_sizes.tolist()
[3, 2, 1, 1]
>>> out, lengths = pad_packed_sequence(packed)
>>> out.shape, lengths.tolist()
((4, 3, 2), [4, 2, 1])
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from glassml.autograd import Tensor, cat, full, index_select, stack, tensor

__all__ = [
    "PackedSequence",
    "pad_sequence",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pack_sequence",
    "unpad_sequence",
    "unpack_sequence",
]


class PackedSequence(NamedTuple):
    """A packed batch of variable-length sequences (``torch.nn.utils.rnn.PackedSequence``).

    Attributes
    ----------
    data : Tensor (sum of lengths, *) — the rows of all sequences, time step by time step
    batch_sizes : int64 Tensor (T,) — how many sequences are still running at each step
    sorted_indices, unsorted_indices : int64 Tensor (B,) or None — the sort by length and its
        inverse (None when the input was already sorted)

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> p = pack_sequence([tensor([1.0, 2.0, 3.0]), tensor([4.0])])
    >>> p.data.tolist(), p.batch_sizes.tolist()
    ([1.0, 4.0, 2.0, 3.0], [2, 1, 1])
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    @property
    def is_cuda(self) -> bool:  # torch API parity
        return False


def _lengths_array(lengths, batch: int) -> np.ndarray:
    if isinstance(lengths, Tensor):
        lengths = lengths.data
    arr = np.asarray(lengths)
    if (
        arr.ndim != 1
        or arr.dtype.kind not in "iu"
        and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr)))
    ):
        raise ValueError(f"lengths must be a 1-D sequence of integers, got {lengths!r}")
    arr = arr.astype(np.int64)
    if arr.shape[0] != batch:
        raise ValueError(
            f"lengths must have one entry per sequence: expected {batch}, got {arr.shape[0]}"
        )
    if batch and arr.min() <= 0:
        raise ValueError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            f"that is <= 0 (lengths={arr.tolist()})"
        )
    return arr


def batch_sizes_from_lengths(sorted_lengths: np.ndarray) -> np.ndarray:
    """batch_sizes[t] = #{b : L_b > t} for lengths sorted in decreasing order."""
    steps = np.arange(int(sorted_lengths[0]))
    return (sorted_lengths[None, :] > steps[:, None]).sum(axis=1).astype(np.int64)


def packed_row_index(batch_sizes: np.ndarray) -> np.ndarray:
    """Flat positions t * B + b (in a time-major (T, B) grid) of the packed rows, in order."""
    batch = int(batch_sizes[0])
    steps = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    rows = np.arange(int(batch_sizes.sum())) - np.repeat(offsets, batch_sizes)
    return steps * batch + rows


def padded_source_index(batch_sizes: np.ndarray, pad_row: int) -> np.ndarray:
    """For every slot of the time-major (T, B) grid: its packed row, or ``pad_row``."""
    length, batch = len(batch_sizes), int(batch_sizes[0])
    src = np.full(length * batch, pad_row, dtype=np.int64)
    src[packed_row_index(batch_sizes)] = np.arange(int(batch_sizes.sum()))
    return src


def _as_tensor(x, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a glassml Tensor, got {type(x).__name__}")
    return x


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *)), T = max L_i.

    Inventory: RN-12.

    Parameters
    ----------
    sequences : list of Tensor (L_i, *) with equal trailing shapes
    batch_first : bool;  padding_value : float;  padding_side : "right" | "left"

    Example
    -------
    >>> from glassml.autograd import ones
    >>> pad_sequence([ones(3, 2), ones(1, 2)], batch_first=True).shape
    (2, 3, 2)
    """
    if padding_side not in ("right", "left"):
        raise ValueError(f"padding_side must be 'right' or 'left', got {padding_side!r}")
    seqs = list(sequences)
    if not seqs:
        raise ValueError("pad_sequence: sequences must be a non-empty list of Tensors")
    for i, s in enumerate(seqs):
        _as_tensor(s, f"sequences[{i}]")
        if s.ndim == 0 or s.shape[1:] != seqs[0].shape[1:] or s.dtype != seqs[0].dtype:
            raise ValueError(
                "pad_sequence: every sequence must have shape (L, *) with the same trailing "
                f"dimensions and dtype; sequences[0] is {seqs[0].shape} {seqs[0].dtype}, "
                f"sequences[{i}] is {s.shape} {s.dtype}"
            )
    longest = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        missing = longest - s.shape[0]
        if missing:
            fill = full((missing, *s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, fill]) if padding_side == "right" else cat([fill, s])
        rows.append(s)
    return stack(rows, dim=0 if batch_first else 1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *)) given each sequence's length.

    Inventory: RN-12.

    Parameters
    ----------
    input : Tensor (T, B, *) or (B, T, *) with batch_first
    lengths : sequence or int Tensor (B,) of lengths in [1, T]
    enforce_sorted : bool — require decreasing lengths (else sort, remembering the order)

    Example
    -------
    >>> from glassml.autograd import randn
    >>> p = pack_padded_sequence(randn(2, 5, 3), [2, 4], batch_first=True, enforce_sorted=False)
    >>> p.batch_sizes.tolist(), p.sorted_indices.tolist()
    ([2, 2, 1, 1], [1, 0])
    """
    _as_tensor(input, "input")
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must be at least 2-D, got {input.shape}")
    batch_dim = 0 if batch_first else 1
    batch = input.shape[batch_dim]
    lengths = _lengths_array(lengths, batch)
    length = input.shape[1 - batch_dim]
    if lengths.max() > length:
        raise ValueError(
            f"lengths must be at most the padded length {length}, got max {int(lengths.max())}"
        )
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ValueError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement."
            )
        sorted_idx = None
    else:
        sorted_idx = np.argsort(-lengths, kind="stable")
        lengths = lengths[sorted_idx]
        input = index_select(input, batch_dim, sorted_idx)
    if batch_first:
        input = input.transpose(0, 1)  # (T, B, *)
    batch_sizes = batch_sizes_from_lengths(lengths)
    flat = input.reshape(length * batch, *input.shape[2:])
    data = index_select(flat, 0, packed_row_index(batch_sizes))
    return _make_packed(data, batch_sizes, sorted_idx)


def _make_packed(data, batch_sizes, sorted_idx):
    if sorted_idx is None:
        return PackedSequence(data, tensor(batch_sizes), None, None)
    unsorted = np.empty_like(sorted_idx)
    unsorted[sorted_idx] = np.arange(len(sorted_idx))
    return PackedSequence(data, tensor(batch_sizes), tensor(sorted_idx), tensor(unsorted))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack to a padded batch; returns (padded (T, B, *) or (B, T, *), lengths (B,) int64).

    The batch is in the original order (``unsorted_indices``). Inventory: RN-12.

    Parameters
    ----------
    sequence : PackedSequence;  batch_first : bool;  padding_value : float
    total_length : int, optional — pad to this many steps (at least the longest length)

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> p = pack_sequence([tensor([1.0, 2.0]), tensor([3.0])])
    >>> pad_packed_sequence(p, batch_first=True, padding_value=-1.0)[0].tolist()
    [[1.0, 2.0], [3.0, -1.0]]
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"pad_packed_sequence: sequence must be a PackedSequence, got {type(sequence).__name__}"
        )
    data = sequence.data
    batch_sizes = np.asarray(sequence.batch_sizes.data, dtype=np.int64)
    length, batch = len(batch_sizes), int(batch_sizes[0])
    if total_length is not None:
        if not isinstance(total_length, numbers.Integral) or total_length < length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence "
                f"({length}), got total_length={total_length!r}"
            )
        length = int(total_length)
    pad_row = data.shape[0]
    fill = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    source = cat([data, fill])  # (N + 1, *): the last row is the padding
    src = padded_source_index(batch_sizes, pad_row)
    if length > len(batch_sizes):
        src = np.concatenate([src, np.full((length - len(batch_sizes)) * batch, pad_row)])
    padded = index_select(source, 0, src).reshape(length, batch, *data.shape[1:])  # (T, B, *)
    lengths = (np.arange(batch)[None, :] < batch_sizes[:, None]).sum(axis=0)  # (B,)
    if sequence.unsorted_indices is not None:
        order = np.asarray(sequence.unsorted_indices.data)
        padded = index_select(padded, 1, order)
        lengths = lengths[order]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, tensor(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *) directly. Inventory: RN-12.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> pack_sequence([ones(1, 2), ones(3, 2)], enforce_sorted=False).batch_sizes.tolist()
    [2, 1, 1]
    """
    seqs = list(sequences)
    lengths = [s.shape[0] if isinstance(s, Tensor) else 0 for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of sequences (L_i, *). Inventory: RN-12.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> [s.shape for s in unpad_sequence(ones(3, 2, 4), [3, 1])]
    [(3, 4), (1, 4)]
    """
    _as_tensor(padded_sequences, "padded_sequences")
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lengths = _lengths_array(lengths, x.shape[0])
    return [x[b, : int(n)] for b, n in enumerate(lengths)]


def unpack_sequence(packed_sequences):
    """Unpack a PackedSequence into a list of sequences (L_i, *). Inventory: RN-12.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> [s.shape for s in unpack_sequence(pack_sequence([ones(3, 2), ones(1, 2)]))]
    [(3, 2), (1, 2)]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
