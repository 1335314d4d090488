"""Toy seq2seq tasks (SQ-11): the transductions are right, encoding/padding round-trips."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from glassml.datasets.seq2seq_tasks import Seq2SeqVocab, make_seq2seq_task, pad_sequences


@pytest.mark.parametrize(
    "name,rule",
    [("reverse", lambda s: s[::-1]), ("sort", lambda s: "".join(sorted(s))), ("copy", str)],
)
def test_digit_tasks(name, rule):
    task = make_seq2seq_task(name, n_samples=200, min_len=2, max_len=9, random_state=0)
    assert len(task.sources) == 200
    lengths = [len(s) for s in task.sources]
    assert min(lengths) == 2 and max(lengths) == 9
    for s, t in zip(task.sources, task.targets, strict=True):
        assert s.isdigit() and t == rule(s)
    assert task.src.shape == (200, 9) and task.tgt.shape == (200, 11)
    np.testing.assert_array_equal(task.src_lengths, lengths)
    np.testing.assert_array_equal(task.tgt_lengths, np.array(lengths) + 2)
    for i in range(200):
        n = task.src_lengths[i]
        assert task.src_vocab.decode(task.src[i]) == task.sources[i]
        assert np.all(task.src[i, n:] == task.src_vocab.pad_id)
        assert task.tgt[i, 0] == task.tgt_vocab.bos_id
        assert task.tgt[i, task.tgt_lengths[i] - 1] == task.tgt_vocab.eos_id
        assert task.tgt_vocab.decode(task.tgt[i]) == task.targets[i]


def test_dates_task_converts_formats():
    task = make_seq2seq_task("dates", n_samples=300, random_state=1)
    months = {datetime.date(2000, m, 1).strftime("%B"): m for m in range(1, 13)}
    for s, t in zip(task.sources, task.targets, strict=True):
        month, rest = s.split(" ", 1)
        day, year = rest.split(", ")
        date = datetime.date(int(year), months[month], int(day))  # a valid calendar date
        assert t == date.isoformat()
        assert 1950 <= date.year < 2050
    assert {int(t[5:7]) for t in task.targets} == set(range(1, 13))
    assert all(task.src_vocab.decode(r) == s for r, s in zip(task.src, task.sources, strict=True))
    assert task.src_vocab.unk_id not in task.src


def test_reproducible_and_seeds_differ():
    a = make_seq2seq_task("reverse", n_samples=20, random_state=3)
    b = make_seq2seq_task("reverse", n_samples=20, random_state=3)
    c = make_seq2seq_task("reverse", n_samples=20, random_state=4)
    assert a.sources == b.sources and a.sources != c.sources
    np.testing.assert_array_equal(a.tgt, b.tgt)


def test_vocab_and_padding_helpers():
    v = Seq2SeqVocab("xyz")
    assert len(v) == 7 and v.encode("zx?") == [6, 4, 3]
    assert v.decode([1, 6, 5, 2, 4]) == "zy"
    padded, lengths = pad_sequences([[4, 5], [6], [7, 8, 9]], pad_id=0)
    np.testing.assert_array_equal(padded, [[4, 5, 0], [6, 0, 0], [7, 8, 9]])
    np.testing.assert_array_equal(lengths, [2, 1, 3])
    assert padded.dtype == np.int64


def test_bad_inputs():
    with pytest.raises(ValueError, match="name"):
        make_seq2seq_task("translate")
    with pytest.raises(ValueError, match="n_samples"):
        make_seq2seq_task("copy", n_samples=0)
    with pytest.raises(ValueError, match="max_len"):
        make_seq2seq_task("copy", min_len=5, max_len=3)
    with pytest.raises(ValueError, match="min_len"):
        make_seq2seq_task("copy", min_len=0)
    with pytest.raises(ValueError, match="symbols"):
        Seq2SeqVocab("aa")
    with pytest.raises(ValueError, match="sequences"):
        pad_sequences([])
