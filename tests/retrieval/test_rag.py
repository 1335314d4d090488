"""RAG pipeline mechanics with a transparent encoder and generator (the real MiniLM/SmolLM2
run is in test_rag_real.py)."""

import numpy as np
import pytest

from glassml.retrieval import RAGPipeline


class BagOfWordsEncoder:
    """Unit-normalised hashed bag of words: similar wording → similar vectors."""

    def __init__(self, dim=256):
        self.dim = dim
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().replace(".", " ").replace("?", " ").split():
                out[i, sum(map(ord, w)) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class EchoGenerator:
    """Answers with the first context passage; records the prompt it was given."""

    def chat(self, messages, max_new_tokens=64, stream=None):
        self.messages = messages
        first = messages[-1]["content"].split("\n")[1]
        if stream is not None:
            stream(first)
        return first


DOCS = {
    "zorb.txt": "The capital of Zorbania is Quelt. Zorbania exports blue salt.",
    "mira.txt": "Mira Holt invented the glass harp in 1901.",
    "misc.txt": "Rivers flow to the sea. The sea is salty.",
}


def _pipeline(k=2):
    rag = RAGPipeline(BagOfWordsEncoder(), EchoGenerator(), k=k)
    return rag.add_texts(list(DOCS.values()), sources=list(DOCS))


def test_retrieve_ranks_the_relevant_passage_first():
    rag = _pipeline()
    hits = rag.retrieve("What is the capital of Zorbania?")
    assert hits[0][0].source == "zorb.txt"
    assert hits[0][1] >= hits[1][1]
    assert rag.retrieve("Who invented the glass harp?")[0][0].source == "mira.txt"


def test_ask_builds_a_numbered_prompt_cites_and_streams():
    rag = _pipeline()
    pieces = []
    answer = rag.ask("What is the capital of Zorbania?", stream=pieces.append)
    assert "Quelt" in answer.text and pieces == [answer.text]
    prompt = rag.generator.messages[-1]["content"]
    assert prompt.startswith("Context:\n[1] The capital of Zorbania is Quelt.")
    assert "Question: What is the capital of Zorbania?" in prompt
    assert rag.generator.messages[0]["role"] == "system"
    assert answer.sources()[0] == "zorb.txt#0"
    assert "Sources:" in str(answer)


def test_save_load_roundtrip(tmp_path):
    rag = _pipeline()
    rag.save(tmp_path / "rag")
    encoder = BagOfWordsEncoder()
    loaded = RAGPipeline.load(tmp_path / "rag", encoder, EchoGenerator())
    assert [c.text for c in loaded.chunks] == [c.text for c in rag.chunks]
    assert loaded.retrieve("glass harp")[0][0].source == "mira.txt"


def test_errors():
    rag = RAGPipeline(BagOfWordsEncoder(), EchoGenerator())
    with pytest.raises(RuntimeError, match="no documents indexed"):
        rag.retrieve("anything")
    rag = _pipeline()
    with pytest.raises(ValueError, match="question"):
        rag.retrieve("   ")
    with pytest.raises(ValueError, match="k"):
        RAGPipeline(k=0)

    class Broken:
        def encode(self, texts):
            return np.zeros(3)

    with pytest.raises(ValueError, match="encoder"):
        RAGPipeline(Broken(), EchoGenerator()).add_texts(["a b"])
