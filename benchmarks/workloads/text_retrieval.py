"""W12 word2vec (gensim) and W14 vector-index search (FAISS). The glassml sides arrive with the
text and transformer/retrieval issues ("not implemented" until then)."""

from __future__ import annotations

import numpy as np

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


@workload("W14_flat_index_search", reference="FAISS", group="retrieval", unit="queries")
def flat_search(quick):
    import faiss

    rng = np.random.default_rng(0)
    n, d, q = (10_000 if quick else 100_000), 384, 100
    base = rng.standard_normal((n, d), dtype=np.float32)
    queries = rng.standard_normal((q, d), dtype=np.float32)
    index = faiss.IndexFlatIP(d)
    index.add(base)
    return Case(ours=None, ref=lambda: index.search(queries, 10), items=q)
