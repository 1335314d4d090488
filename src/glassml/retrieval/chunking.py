"""Splitting documents into passages for retrieval (the first step of RAG, TR-20).

A passage should be short enough for the encoder (MiniLM reads 256 word pieces) and long
enough to hold a fact with its context. ``chunk_text`` packs whole sentences into chunks of
at most ``max_words`` words, carrying the last ``overlap`` words into the next chunk so that
a fact split across a boundary is still retrievable; a sentence longer than ``max_words`` is
cut at word boundaries.

Example
-------
>>> [c.text for c in chunk_text("One two. Three four five. Six.", max_words=3, overlap=0)]
['One two.', 'Three four five.', 'Six.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Chunk", "chunk_text", "load_folder"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


@dataclass(frozen=True)
class Chunk:
    """A passage: its text, where it came from, and its position in that source."""

    text: str
    source: str = ""
    index: int = 0

    def citation(self) -> str:
        return f"{self.source}#{self.index}" if self.source else f"#{self.index}"


def chunk_text(text: str, *, max_words: int = 120, overlap: int = 20, source: str = ""):
    """Sentence-packed chunks of ≤ ``max_words`` words with ``overlap`` words carried over."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {type(text).__name__}.")
    if max_words < 1:
        raise ValueError(f"max_words: expected a positive integer, got {max_words!r}.")
    if not 0 <= overlap < max_words:
        raise ValueError(f"overlap: expected 0 <= overlap < max_words, got {overlap!r}.")
    sentences = [s.split() for s in _SENTENCE_END.split(text) if s and s.strip()]
    pieces = []  # sentences, long ones cut into max_words pieces
    for words in sentences:
        pieces += [words[i : i + max_words] for i in range(0, len(words), max_words)]
    chunks, current = [], []
    fresh = 0  # words in `current` that did not come from the overlap
    for words in pieces:
        if current and len(current) + len(words) > max_words:
            chunks.append(current)
            current = current[len(current) - overlap :] if overlap else []
            if len(current) + len(words) > max_words:
                current = []
            fresh = 0
        current = current + words
        fresh += len(words)
    if current and fresh:
        chunks.append(current)
    return [Chunk(" ".join(words), source, i) for i, words in enumerate(chunks)]


def load_folder(folder, *, patterns=("*.txt", "*.md"), max_words: int = 120, overlap: int = 20):
    """Chunks of every matching text file under ``folder`` (recursively, sorted paths)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"folder: {str(folder)!r} is not a directory.")
    paths = sorted({p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()})
    if not paths:
        raise ValueError(f"folder: no files matching {list(patterns)} under {str(folder)!r}.")
    chunks = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = str(path.relative_to(folder))
        chunks += chunk_text(text, max_words=max_words, overlap=overlap, source=rel)
    return chunks
