"""W12 word2vec skip-gram with negative sampling against gensim (W14, vector search against
FAISS, lives in retrieval.py)."""

from __future__ import annotations

from glassml.bench import Case, workload


@workload("W12_word2vec_sgns", reference="gensim", group="text", unit="words")
def word2vec(quick):
    from gensim.models import Word2Vec

    from glassml.datasets import load_shakespeare

    text = load_shakespeare(["hamlet"] if quick else None).lower().split()
    sentences = [text[i : i + 1000] for i in range(0, len(text), 1000)]
    from glassml.text.word2vec import Word2Vec as Ours

    return Case(
        ours=lambda: Ours(
            vector_size=100,
            window=5,
            sg=1,
            negative=5,
            min_count=5,
            epochs=1,
            seed=0,
            progress=False,
        ).fit(sentences),
        ref=lambda: Word2Vec(
            sentences,
            vector_size=100,
            window=5,
            sg=1,
            negative=5,
            min_count=5,
            workers=1,
            epochs=1,
            seed=0,
        ),
        items=len(text),
    )
