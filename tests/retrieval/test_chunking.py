"""Chunking for retrieval: sentence packing, word limits, overlap, folders."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.retrieval import chunk_text, load_folder


def test_sentences_are_packed_without_exceeding_the_limit():
    text = "The cat sat. It purred loudly today. Then it slept on the mat. The end."
    chunks = chunk_text(text, max_words=8, overlap=0, source="a.txt")
    assert [c.text for c in chunks] == [
        "The cat sat. It purred loudly today.",
        "Then it slept on the mat. The end.",
    ]
    assert [c.citation() for c in chunks] == ["a.txt#0", "a.txt#1"]


def test_overlap_carries_words_and_long_sentences_are_cut():
    words = " ".join(f"w{i}" for i in range(25))
    chunks = chunk_text(words + ".", max_words=10, overlap=0)
    assert [len(c.text.split()) for c in chunks] == [10, 10, 5]
    text = "a b c d. e f g h. i j k l."
    chunks = chunk_text(text, max_words=6, overlap=2)
    assert chunks[1].text.startswith("c d.")  # the last two words of the previous chunk


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text(alphabet="abc .\n", min_size=0, max_size=40), min_size=1, max_size=8),
    st.integers(2, 12),
)
def test_every_word_is_kept_in_order_and_limits_hold(parts, max_words):
    text = " ".join(parts)
    chunks = chunk_text(text, max_words=max_words, overlap=0)
    assert all(len(c.text.split()) <= max_words for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_folder_and_errors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.md").write_text("Beta fact. More beta.", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("Alpha fact.", encoding="utf-8")
    (tmp_path / "skip.csv").write_text("x,y", encoding="utf-8")
    chunks = load_folder(tmp_path)
    assert [c.source for c in chunks] == ["b.md", "sub/a.txt"]
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_folder(tmp_path / "nope")
    with pytest.raises(ValueError, match="no files matching"):
        load_folder(tmp_path / "sub", patterns=("*.rst",))
    with pytest.raises(ValueError, match="overlap"):
        chunk_text("x", max_words=3, overlap=3)
    with pytest.raises(TypeError, match="text"):
        chunk_text(b"bytes")
