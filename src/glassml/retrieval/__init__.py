"""glassml.retrieval: vector indexes and retrieval-augmented generation.

* :class:`FlatIndex` — exact top-k by inner product, cosine or squared L2 (TR-19);
* :class:`BM25` — the lexical baseline (TR-25);
* :class:`IVFIndex` — inverted file with a k-means coarse quantizer, ``nprobe`` calibrated
  to a target recall;
* :func:`load_index` — read either back from its ``.safetensors`` file (no pickle);
* :func:`chunk_text` / :func:`load_folder` — passages for retrieval;
* :class:`RAGPipeline` — retrieve with MiniLM, answer with SmolLM2, cite the passages.

Inventory: TR-19, TR-20, TR-25, CL-199, CL-200, CL-201.
"""

from ._base import read_index
from .bm25 import BM25
from .chunking import Chunk, chunk_text, load_folder
from .flat import FlatIndex
from .ivf import IVFIndex
from .rag import Answer, RAGPipeline

__all__ = [
    "BM25",
    "Answer",
    "Chunk",
    "FlatIndex",
    "IVFIndex",
    "RAGPipeline",
    "chunk_text",
    "load_folder",
    "load_index",
]

_KINDS = {FlatIndex.kind: FlatIndex, IVFIndex.kind: IVFIndex}


def load_index(path):
    """Load an index saved with ``index.save(path)`` (its kind is read from the file)."""
    kind, config, arrays = read_index(path)
    if kind not in _KINDS:
        raise ValueError(f"{path}: unknown index kind {kind!r}.")
    return _KINDS[kind]._from_saved(config, arrays)
