"""W14: vector-index search against FAISS (exact flat index and IVF at equal nlist/nprobe)."""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _data(quick, clustered=False):
    rng = np.random.default_rng(0)
    n, d, q = (10_000 if quick else 100_000), 384, 100
    if not clustered:
        return rng.standard_normal((n, d), dtype=np.float32), rng.standard_normal(
            (q, d), dtype=np.float32
        )
    centers = rng.standard_normal((200, d), dtype=np.float32)
    data = centers[rng.integers(0, 200, n + q)] + 0.5 * rng.standard_normal(
        (n + q, d), dtype=np.float32
    )
    return data[:n], data[n:]


@workload("W14_flat_index_search", reference="FAISS", group="retrieval", unit="queries", target=1.5)
def flat_search(quick):
    import faiss

    from glassml.retrieval import FlatIndex

    base, queries = _data(quick)
    ref = faiss.IndexFlatIP(base.shape[1])
    ref.add(base)
    ours = FlatIndex(base.shape[1], "ip").add(base)
    return Case(
        ours=lambda: ours.search(queries, 10), ref=lambda: ref.search(queries, 10), items=100
    )


@workload("W14_ivf_index_search", reference="FAISS", group="retrieval", unit="queries")
def ivf_search(quick):
    import faiss

    from glassml.retrieval import IVFIndex

    base, queries = _data(quick, clustered=True)
    d, nlist, nprobe = base.shape[1], (100 if quick else 316), 8
    quantizer = faiss.IndexFlatL2(d)
    ref = faiss.IndexIVFFlat(quantizer, d, nlist)
    ref.train(base)
    ref.add(base)
    ref.nprobe = nprobe
    ours = IVFIndex(d, nlist=nlist, nprobe=nprobe).add(base)
    return Case(
        ours=lambda: ours.search(queries, 10), ref=lambda: ref.search(queries, 10), items=100
    )
