"""MiniLM sentence embeddings (all-MiniLM-L6-v2, real weights) against sentence-transformers.

Both sides: the same 256 sentences (32 when quick) of mixed length (Hamlet, 1 to 8 lines each:
about 8 to 150 word pieces), batch 32, length-sorted batches, mean pooling + normalisation,
same thread count (the runner pins BLAS and torch).
"""

from __future__ import annotations

import os

import numpy as np

from glassml.bench import Case, workload


def _sentences(n: int) -> list[str]:
    from glassml.datasets import load_shakespeare

    lines = [ln.strip() for ln in load_shakespeare(["hamlet"]).splitlines() if ln.strip()]
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        start = int(rng.integers(0, len(lines) - 8))
        out.append(" ".join(lines[start : start + int(rng.integers(1, 9))]))
    return out


@workload(
    "minilm_embed_sentences",
    reference="sentence-transformers",
    group="transformers",
    unit="sentences",
    target=1.5,
)
def minilm_embed(quick):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from glassml.datasets import minilm_files
    from glassml.models.sentence_encoder import SentenceEncoder

    sentences = _sentences(32 if quick else 256)
    ours_model = SentenceEncoder.from_minilm()
    ref_model = SentenceTransformer(str(minilm_files().weights.parent), device="cpu")

    def ours():
        ours_model.encode(sentences, batch_size=32)

    def ref():
        ref_model.encode(sentences, batch_size=32, convert_to_numpy=True)

    return Case(ours=ours, ref=ref, items=len(sentences))
