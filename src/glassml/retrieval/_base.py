"""What every vector index shares: metrics, input checks, top-k selection, saving.

Scores follow FAISS's conventions so results compare one to one:

* ``"l2"``     — squared Euclidean distance ‖q − x‖², smaller is better;
* ``"ip"``     — inner product q·x, larger is better;
* ``"cosine"`` — q·x / (‖q‖‖x‖), larger is better (vectors are L2-normalised on the way in,
  so cosine search *is* inner-product search on unit vectors: CL-201).

Missing results (k larger than the number of candidates) get id −1 and the worst score
(+inf for l2, −inf otherwise).

Inventory: TR-19.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..io import safetensors

METRICS = ("l2", "ip", "cosine")
_FORMAT = "glassml-vector-index"
_FORMAT_VERSION = "1"


def check_metric(metric) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric: expected one of {METRICS}, got {metric!r}.")
    return metric


def check_vectors(x, dim: int | None, name: str) -> np.ndarray:
    """A C-contiguous float32 matrix (n, dim) of finite numbers (a 1-D vector becomes one row)."""
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}.")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (n, dim), got shape {arr.shape}.")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name}: expected vectors of dimension {dim}, got {arr.shape[1]}.")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or infinity.")
    return arr


def check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected a positive integer, got {k!r}.")
    return int(k)


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """x / ‖x‖ row-wise (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)  # (n, 1)
    return x / np.where(norms > 0, norms, 1).astype(x.dtype)


def check_ids(ids, n: int, start: int) -> np.ndarray:
    """User ids (n,) as int64, or start, start+1, … when ``ids`` is None."""
    if ids is None:
        return np.arange(start, start + n, dtype=np.int64)
    ids = np.asarray(ids)
    if ids.shape != (n,) or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids: expected {n} integers, got an array {ids.dtype} {ids.shape}.")
    return ids.astype(np.int64)


def score_block(metric: str, q: np.ndarray, x: np.ndarray, x_sq: np.ndarray) -> np.ndarray:
    """Scores (q, n) of queries against stored vectors with one GEMM.

    ip / cosine: S = Q Xᵀ;  l2: D = ‖q‖² − 2 Q Xᵀ + ‖x‖² (clamped at 0 against rounding).
    """
    s = q @ x.T  # (q, n)
    if metric == "l2":
        s *= -2.0
        s += np.einsum("ij,ij->i", q, q)[:, None]
        s += x_sq[None, :]
        np.maximum(s, 0.0, out=s)
    return s


def worst_score(metric: str) -> float:
    return np.inf if metric == "l2" else -np.inf


def top_k(scores: np.ndarray, k: int, metric: str):
    """Row-wise best ``k`` of a score matrix (q, n) → (scores (q, k), column indices (q, k)).

    ``np.argpartition`` finds the k best in O(n) per row, then only those k are sorted; ties
    are broken by the smaller column index (a stable order, like a brute-force sort).
    Columns past ``n`` are filled with (worst score, −1).
    """
    q, n = scores.shape
    kk = min(k, n)
    larger_is_better = metric != "l2"
    if kk < n:  # O(n) selection of the kk best columns (unordered), no copy of the scores
        if larger_is_better:
            part = np.argpartition(scores, n - kk, axis=1)[:, n - kk :]
        else:
            part = np.argpartition(scores, kk - 1, axis=1)[:, :kk]
    else:
        part = np.broadcast_to(np.arange(n), (q, n)).copy()
    part_scores = np.take_along_axis(scores, part, axis=1)  # (q, kk)
    keys = -part_scores if larger_is_better else part_scores  # smaller key = better
    order = np.lexsort((part, keys), axis=1)  # by key, then by index
    idx = np.take_along_axis(part, order, axis=1)  # (q, kk)
    best = np.take_along_axis(part_scores, order, axis=1)
    if kk < k:
        pad = k - kk
        best = np.concatenate([best, np.full((q, pad), worst_score(metric), best.dtype)], 1)
        idx = np.concatenate([idx, np.full((q, pad), -1, idx.dtype)], 1)
    return best, idx


class VectorStore:
    """What FlatIndex and IVFIndex share: the dimension and metric checks, the stored vectors
    (float32, unit rows for cosine), their squared norms and user ids."""

    def _init_store(self, dim, metric) -> None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim: expected a positive integer, got {dim!r}.")
        self.dim = int(dim)
        self.metric = check_metric(metric)
        self._vectors = np.empty((0, self.dim), np.float32)  # (n, d)
        self._sq_norms = np.empty(0, np.float32)  # (n,) ‖x‖² for l2
        self._ids = np.empty(0, np.int64)  # (n,) user ids

    @property
    def ntotal(self) -> int:
        """Number of stored vectors (FAISS's name)."""
        return len(self._ids)

    def __len__(self) -> int:
        return self.ntotal

    def _prepare(self, x, name):
        """Checked float32 rows, L2-normalised when the metric is cosine."""
        x = check_vectors(x, self.dim, name)
        return normalize_rows(x) if self.metric == "cosine" else x


def save_index(path, kind: str, config: dict, arrays: dict) -> Path:
    """One safetensors file: the arrays plus a JSON config in the metadata (no pickle)."""
    path = Path(path)
    meta = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "kind": kind,
        "config": json.dumps(config),
    }
    safetensors.save_file(arrays, path, metadata=meta)
    return path


def read_index(path):
    """(kind, config, arrays) of an index file written by :func:`save_index`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no index file at {str(path)!r}.")
    meta = safetensors.read_metadata(path)
    if meta.get("format") != _FORMAT:
        raise ValueError(f"{path}: not a glassml vector index (format {meta.get('format')!r}).")
    if meta.get("format_version") != _FORMAT_VERSION:
        raise ValueError(
            f"{path}: index format version {meta.get('format_version')!r}, this glassml reads "
            f"{_FORMAT_VERSION!r}."
        )
    return meta["kind"], json.loads(meta["config"]), safetensors.load_file(path)
