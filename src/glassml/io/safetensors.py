"""Reading and writing the safetensors format with NumPy only (no code runs on load).

Layout: an 8-byte little-endian header length N, then N bytes of JSON mapping each tensor name to
``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`` (offsets into the byte buffer
that follows; an optional ``"__metadata__"`` maps str to str), then the raw little-endian,
C-ordered tensor bytes. Model files in glassml are ``config.json`` + ``model.safetensors`` with
PyTorch's ``state_dict`` key names, so weights move between glassml and torch.

Example
-------
>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
>>> save_file({"weight": np.eye(2, dtype=np.float32)}, path, metadata={"format": "np"})
>>> load_file(path)["weight"].tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

__all__ = ["save_file", "load_file", "read_metadata", "save_bytes", "load_bytes"]

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {v: k for k, v in _DTYPES.items()}
_MAX_HEADER = 100 * 2**20  # a header larger than 100 MB is not a real model file


def save_bytes(tensors: dict, metadata: dict | None = None) -> bytes:
    """Serialise ``{name: ndarray}`` (and string ``metadata``) to safetensors bytes."""
    header, chunks, offset = {}, [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata: expected a dict of str -> str.")
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError(
                f"tensor names must be strings other than '__metadata__', got {name!r}"
            )
        dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        if dt not in _CODES:
            raise TypeError(f"{name}: dtype {arr.dtype} cannot be stored in safetensors.")
        data = np.ascontiguousarray(arr, dtype=dt).tobytes()
        header[name] = {
            "dtype": _CODES[dt],
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # pad so that the data start 8-byte aligned
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def save_file(tensors: dict, path, metadata: dict | None = None) -> None:
    """Write ``{name: ndarray}`` to ``path`` in safetensors format."""
    Path(path).write_bytes(save_bytes(tensors, metadata))


def _parse(buf: bytes, source: str):
    if len(buf) < 8:
        raise ValueError(f"{source}: not a safetensors file (shorter than 8 bytes).")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > _MAX_HEADER or 8 + n > len(buf):
        raise ValueError(f"{source}: corrupted safetensors header (length {n}).")
    try:
        header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: corrupted safetensors header ({exc}).") from exc
    if not isinstance(header, dict):
        raise ValueError(f"{source}: corrupted safetensors header (not a JSON object).")
    return header, 8 + n


def load_bytes(buf: bytes, source: str = "<bytes>") -> dict:
    """Parse safetensors bytes into ``{name: ndarray}`` (copies, writable)."""
    header, start = _parse(buf, source)
    out = {}
    size = len(buf) - start
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _DTYPES[info["dtype"]]
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{source}: bad entry for tensor {name!r}: {info!r}") from exc
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if not (0 <= begin <= end <= size) or end - begin != expected:
            raise ValueError(
                f"{source}: tensor {name!r} has inconsistent offsets {begin}..{end} "
                f"for shape {shape} ({expected} bytes)."
            )
        out[name] = (
            np.frombuffer(buf, dtype=dtype, count=expected // dtype.itemsize, offset=start + begin)
            .reshape(shape)
            .copy()
        )
    return out


def load_file(path) -> dict:
    """Read ``{name: ndarray}`` from a safetensors file."""
    path = Path(path)
    return load_bytes(path.read_bytes(), str(path))


def read_metadata(path) -> dict:
    """The ``__metadata__`` dict of a safetensors file (empty if absent)."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(8)
        (n,) = struct.unpack("<Q", head) if len(head) == 8 else (0,)
        if n > _MAX_HEADER:
            raise ValueError(f"{path}: corrupted safetensors header (length {n}).")
        header, _ = _parse(head + f.read(n), str(path))
    return dict(header.get("__metadata__", {}))
