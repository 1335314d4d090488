"""Retrieval-augmented generation: answer a question from retrieved passages (TR-20).

    passages = chunk(folder)                 (glassml.retrieval.chunking)
    E = encode(passages)                     (n, d) unit vectors — MiniLM by default
    index.add(E)                             exact cosine search (FlatIndex)
    top-k = index.search(encode(question))   the passages nearest in meaning
    prompt = system rule + numbered passages + question
    answer = generate(prompt)                SmolLM2-135M-Instruct by default

The generator is told to answer only from the numbered passages and to cite them as [1],
[2] …; the :class:`Answer` keeps the retrieved chunks with their scores so every answer can
be checked against its sources. Any encoder with ``encode(list[str]) -> (n, d) array`` and
any generator with ``chat(messages, max_new_tokens=..., stream=...) -> str`` plug in.

Inventory: TR-20, CL-200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import Chunk, chunk_text, load_folder
from .flat import FlatIndex

__all__ = ["RAGPipeline", "Answer", "SYSTEM_PROMPT"]

SYSTEM_PROMPT = (
    "You answer questions using only the numbered context passages. Answer briefly and cite "
    "the passage numbers you used, like [1]. If the passages do not contain the answer, say "
    "you do not know."
)


@dataclass
class Answer:
    """The generated text and the passages it was given (best first, with cosine scores)."""

    text: str
    question: str
    passages: list = field(default_factory=list)  # [(Chunk, score)]

    def sources(self) -> list[str]:
        return [chunk.citation() for chunk, _ in self.passages]

    def __str__(self) -> str:
        cites = "\n".join(
            f"  [{i}] {c.citation()} ({s:.3f}): {c.text[:80]}"
            for i, (c, s) in enumerate(self.passages, 1)
        )
        return f"{self.text}\n\nSources:\n{cites}"


class RAGPipeline:
    """Chunk → embed → index → retrieve → prompt → generate, with citations.

    Parameters
    ----------
    encoder : object with ``encode(list[str]) -> ndarray (n, d)``; default: MiniLM
        (``glassml.models.sentence_encoder.SentenceEncoder.from_minilm``), loaded on first use.
    generator : object with ``chat(messages, max_new_tokens, stream) -> str``; default:
        SmolLM2-135M-Instruct (``glassml.models.llama.Llama.from_smollm2``), loaded on first use.
    k : passages retrieved per question. ``max_words``/``overlap``: chunking.

    Example
    -------
    >>> # rag = RAGPipeline().add_folder("notes/"); print(rag.ask("Who wrote Hamlet?"))
    """

    def __init__(
        self, encoder=None, generator=None, *, k: int = 3, max_words: int = 120, overlap: int = 20
    ):
        if k < 1:
            raise ValueError(f"k: expected a positive integer, got {k!r}.")
        self._encoder = encoder
        self._generator = generator
        self.k = int(k)
        self.max_words, self.overlap = max_words, overlap
        self.chunks: list[Chunk] = []
        self.index: FlatIndex | None = None

    @property
    def encoder(self):
        if self._encoder is None:
            from ..models.sentence_encoder import SentenceEncoder

            self._encoder = SentenceEncoder.from_minilm()
        return self._encoder

    @property
    def generator(self):
        if self._generator is None:
            from ..models.llama import Llama

            self._generator = Llama.from_smollm2()
        return self._generator

    # ------------------------------------------------------------------ indexing
    def _embed(self, texts) -> np.ndarray:
        vectors = np.asarray(self.encoder.encode(list(texts)), dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise ValueError(
                f"encoder: expected an array ({len(texts)}, d) from encode(), got {vectors.shape}."
            )
        return vectors

    def add_chunks(self, chunks) -> RAGPipeline:
        chunks = list(chunks)
        if not chunks:
            return self
        vectors = self._embed([c.text for c in chunks])
        if self.index is None:
            self.index = FlatIndex(vectors.shape[1], "cosine")
        self.index.add(vectors, ids=np.arange(len(self.chunks), len(self.chunks) + len(chunks)))
        self.chunks += chunks
        return self

    def add_texts(self, texts, sources=None) -> RAGPipeline:
        """Chunk and index raw texts (``sources`` names them for citations)."""
        sources = sources or [f"text{i}" for i in range(len(texts))]
        chunks = []
        for text, source in zip(texts, sources, strict=True):
            chunks += chunk_text(
                text, max_words=self.max_words, overlap=self.overlap, source=source
            )
        return self.add_chunks(chunks)

    def add_folder(self, folder, patterns=("*.txt", "*.md")) -> RAGPipeline:
        """Chunk and index every text file under ``folder``."""
        return self.add_chunks(
            load_folder(folder, patterns=patterns, max_words=self.max_words, overlap=self.overlap)
        )

    # ------------------------------------------------------------------ asking
    def retrieve(self, question: str, k: int | None = None):
        """The ``k`` passages most similar to the question → [(Chunk, cosine)]."""
        if self.index is None or not self.chunks:
            raise RuntimeError("RAGPipeline: no documents indexed; call add_folder/add_texts.")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question: expected a non-empty string, got {question!r}.")
        scores, ids = self.index.search(self._embed([question]), k or self.k)
        return [
            (self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    @staticmethod
    def build_messages(question: str, passages) -> list[dict]:
        """Chat messages: the system rule, then numbered passages and the question."""
        context = "\n".join(f"[{i}] {c.text}" for i, (c, _) in enumerate(passages, 1))
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"},
        ]

    def ask(
        self, question: str, *, k: int | None = None, max_new_tokens: int = 96, stream=None
    ) -> Answer:
        """Retrieve, prompt and generate; ``stream`` (callable) receives text as it comes."""
        passages = self.retrieve(question, k)
        messages = self.build_messages(question, passages)
        text = self.generator.chat(messages, max_new_tokens=max_new_tokens, stream=stream)
        return Answer(text=str(text).strip(), question=question, passages=passages)

    # ------------------------------------------------------------------ saving
    def save(self, directory) -> Path:
        """``index.safetensors`` + ``chunks.json`` (the encoder/generator are not saved)."""
        if self.index is None:
            raise RuntimeError("RAGPipeline: nothing to save; no documents indexed.")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.index.save(directory / "index.safetensors")
        payload = {
            "k": self.k,
            "max_words": self.max_words,
            "overlap": self.overlap,
            "chunks": [[c.text, c.source, c.index] for c in self.chunks],
        }
        (directory / "chunks.json").write_text(json.dumps(payload), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory, encoder=None, generator=None) -> RAGPipeline:
        directory = Path(directory)
        if not (directory / "chunks.json").exists():
            raise FileNotFoundError(f"{directory}: no chunks.json; not a saved RAG index.")
        payload = json.loads((directory / "chunks.json").read_text(encoding="utf-8"))
        rag = cls(
            encoder,
            generator,
            k=payload["k"],
            max_words=payload["max_words"],
            overlap=payload["overlap"],
        )
        rag.chunks = [Chunk(t, s, i) for t, s, i in payload["chunks"]]
        rag.index = FlatIndex.load(directory / "index.safetensors")
        return rag
