"""A GGUF (v2/v3) reader with NumPy only: metadata, tensor infos and dequantised tensors.

GGUF is llama.cpp's single-file model format. Layout (all little-endian):

    magic "GGUF" | version u32 | n_tensors u64 | n_kv u64
    n_kv x (key: string, value_type u32, value)                      metadata
    n_tensors x (name: string, n_dims u32, ne[n_dims] u64, ggml_type u32, offset u64)
    padding up to a multiple of ``general.alignment`` (default 32)
    data section: each tensor at data_start + offset

A string is a u64 byte length followed by UTF-8 bytes; an array value is (element type u32,
count u64, elements). ``ne[0]`` is the fastest-varying dimension, so a weight stored with
``ne = (in, out)`` is the NumPy array of shape ``(out, in)`` = ``reversed(ne)``, used as
``x @ W.T`` (what :meth:`GGUFFile.tensor` returns).

Block quantisations dequantised here (x = element value, 32 elements per block):

* Q8_0 (34 bytes): f16 d, 32 int8 q;                      x = q * d
* Q4_0 (18 bytes): f16 d, 16 bytes of nibbles;            x = (q - 8) * d
* Q4_1 (20 bytes): f16 d, f16 m, 16 bytes of nibbles;     x = q * d + m
* Q5_0 (22 bytes): f16 d, u32 high bits, 16 nibble bytes; x = (q - 16) * d
* Q5_1 (24 bytes): f16 d, f16 m, u32 high bits, nibbles;  x = q * d + m

where in a nibble byte j the low nibble is element j and the high nibble element j + 16, and in
Q5 bit j of the u32 is bit 4 of element j. The arithmetic is done in float32 in the same order as
``gguf.quants`` (llama.cpp's Python package), so the results are bit-identical to it.
F32, F16, BF16, F64 and the integer types are read as they are.

Inventory: TR-12 (loading a pretrained decoder), issue 10 (SmolLM2 from GGUF).

Example
-------
>>> from glassml.datasets import smollm2_file          # doctest: +SKIP
>>> f = GGUFFile(smollm2_file())                        # doctest: +SKIP
>>> f.metadata["llama.block_count"], f.tensor("output_norm.weight").shape  # doctest: +SKIP
(30, (576,))
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["GGUFFile", "GGUFError", "GGUFTensorInfo", "GGML_TYPES", "dequantize"]

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# ggml type id -> (name, elements per block, bytes per block)
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
}

# metadata value types: id -> struct format (scalars); 8 = string, 9 = array
_SCALAR_FORMATS = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}
_SCALAR_DTYPES = {k: np.dtype(v) for k, v in _SCALAR_FORMATS.items()}
_STRING, _ARRAY = 8, 9


class GGUFError(ValueError):
    """A file that is not valid GGUF (bad magic, unsupported version, truncated, ...)."""


@dataclass(frozen=True)
class GGUFTensorInfo:
    """Where one tensor lives in a GGUF file.

    ``dims`` is GGUF's order (``ne[0]`` fastest); ``shape`` is the NumPy shape ``reversed(dims)``;
    ``offset`` is absolute in the file; ``n_bytes`` the size of its (possibly quantised) data.
    """

    name: str
    dims: tuple[int, ...]
    shape: tuple[int, ...]
    ggml_type: int
    type_name: str
    offset: int
    n_elements: int
    n_bytes: int


class _Cursor:
    """Sequential little-endian reads over a byte buffer, with truncation errors."""

    def __init__(self, buf, path: str):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, n: int, what: str) -> memoryview:
        end = self.pos + n
        if n < 0 or end > len(self.buf):
            raise GGUFError(
                f"GGUF file {self.path!r} is truncated: reading {what} needs {n} bytes at offset "
                f"{self.pos}, but the file has {len(self.buf)} bytes"
            )
        view = self.buf[self.pos : end]
        self.pos = end
        return view

    def scalar(self, fmt: str, what: str):
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size, what))[0]

    def string(self, what: str) -> str:
        n = self.scalar("<Q", f"the length of {what}")
        raw = self.take(n, what)
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError as err:
            raise GGUFError(f"GGUF file {self.path!r}: {what} is not valid UTF-8") from err

    def value(self, vtype: int, what: str):
        if vtype in _SCALAR_FORMATS:
            return self.scalar(_SCALAR_FORMATS[vtype], what)
        if vtype == _STRING:
            return self.string(what)
        if vtype == _ARRAY:
            etype = self.scalar("<I", f"the element type of {what}")
            count = self.scalar("<Q", f"the length of {what}")
            if etype in _SCALAR_DTYPES:  # numeric array: one vectorised read
                dt = _SCALAR_DTYPES[etype]
                raw = self.take(count * dt.itemsize, what)
                return np.frombuffer(raw, dtype=dt).copy()
            if etype == _STRING:
                return [self.string(f"{what}[{i}]") for i in range(count)]
            if etype == _ARRAY:
                return [self.value(_ARRAY, f"{what}[{i}]") for i in range(count)]
            raise GGUFError(f"GGUF file {self.path!r}: {what} has unknown element type {etype}")
        raise GGUFError(f"GGUF file {self.path!r}: {what} has unknown value type {vtype}")


class GGUFFile:
    """Read a GGUF v2/v3 file: ``.metadata``, ``.tensors`` and dequantised ``.tensor(name)``.

    The header is parsed eagerly; tensor data stays in a read-only ``np.memmap`` and is
    dequantised on request (float32, shape ``reversed(dims)``).

    Metadata values: Python int/float/bool/str for scalars, a NumPy array for numeric arrays,
    a list of str for string arrays (``tokenizer.ggml.tokens``, ``tokenizer.ggml.merges``).

    Inventory: TR-12 (pretrained decoder weights; issue 10, SmolLM2).

    Parameters
    ----------
    path : str or Path
        The ``.gguf`` file.

    Example
    -------
    >>> f = GGUFFile("SmolLM2-135M-Instruct.Q4_1.gguf")            # doctest: +SKIP
    >>> f.tensors["blk.0.attn_q.weight"].type_name                  # doctest: +SKIP
    'Q4_1'
    >>> f.tensor("blk.0.attn_q.weight").shape                       # (out, in)  # doctest: +SKIP
    (576, 576)
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"GGUFFile: path {str(self.path)!r} is not a file")
        size = self.path.stat().st_size
        if size == 0:
            raise GGUFError(f"GGUF file {str(self.path)!r} is empty (0 bytes)")
        self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        cur = _Cursor(memoryview(self._data), str(self.path))
        magic = bytes(cur.take(4, "the magic"))
        if magic != GGUF_MAGIC:
            raise GGUFError(
                f"{str(self.path)!r} is not a GGUF file: magic bytes {magic!r}, expected b'GGUF'"
            )
        self.version = cur.scalar("<I", "the version")
        if self.version not in (2, 3):
            raise GGUFError(
                f"GGUF file {str(self.path)!r}: version {self.version} is not supported "
                "(expected 2 or 3)"
            )
        n_tensors = cur.scalar("<Q", "the tensor count")
        n_kv = cur.scalar("<Q", "the metadata count")
        if n_tensors > size or n_kv > size:  # each entry takes at least one byte
            raise GGUFError(
                f"GGUF file {str(self.path)!r} is corrupt: {n_tensors} tensors and {n_kv} "
                f"metadata entries cannot fit in {size} bytes"
            )
        self.metadata: dict = {}
        for i in range(n_kv):
            key = cur.string(f"metadata key #{i}")
            vtype = cur.scalar("<I", f"the type of {key!r}")
            self.metadata[key] = cur.value(vtype, f"metadata {key!r}")
        self.alignment = int(self.metadata.get("general.alignment", DEFAULT_ALIGNMENT))
        if self.alignment <= 0 or self.alignment & (self.alignment - 1):
            raise GGUFError(
                f"GGUF file {str(self.path)!r}: general.alignment must be a power of two, "
                f"got {self.alignment}"
            )
        raw_infos = []
        for i in range(n_tensors):
            name = cur.string(f"tensor name #{i}")
            n_dims = cur.scalar("<I", f"n_dims of {name!r}")
            if n_dims > 8:
                raise GGUFError(f"GGUF file {str(self.path)!r}: tensor {name!r} has {n_dims} dims")
            dims = tuple(cur.scalar("<Q", f"dims of {name!r}") for _ in range(n_dims))
            ggml_type = cur.scalar("<I", f"the type of {name!r}")
            offset = cur.scalar("<Q", f"the offset of {name!r}")
            raw_infos.append((name, dims, ggml_type, offset))
        self.data_offset = -(-cur.pos // self.alignment) * self.alignment
        self.tensors: dict[str, GGUFTensorInfo] = {}
        for name, dims, ggml_type, offset in raw_infos:
            type_name, block, type_size = GGML_TYPES.get(ggml_type, (f"type{ggml_type}", 1, 0))
            n_el = int(np.prod(dims, dtype=np.int64)) if dims else 1
            n_bytes = n_el // block * type_size
            start = self.data_offset + offset
            if start + n_bytes > size:
                raise GGUFError(
                    f"GGUF file {str(self.path)!r} is truncated: tensor {name!r} needs bytes "
                    f"{start}..{start + n_bytes}, but the file has {size} bytes"
                )
            self.tensors[name] = GGUFTensorInfo(
                name, dims, tuple(reversed(dims)), ggml_type, type_name, start, n_el, n_bytes
            )

    # ------------------------------------------------------------------ access
    def raw(self, name: str) -> np.ndarray:
        """The tensor's bytes as a read-only uint8 view of the file (no copy)."""
        info = self._info(name)
        return self._data[info.offset : info.offset + info.n_bytes]

    def tensor(self, name: str) -> np.ndarray:
        """The tensor dequantised to float32 (integer types keep their dtype), NumPy shape.

        Raises ``NotImplementedError`` naming the type for quantisations not supported here.
        """
        info = self._info(name)
        values = dequantize(self.raw(name), info.ggml_type, info.n_elements)
        return values.reshape(info.shape)

    def _info(self, name: str) -> GGUFTensorInfo:
        try:
            return self.tensors[name]
        except KeyError:
            raise KeyError(
                f"GGUFFile: no tensor named {name!r} in {self.path.name} "
                f"({len(self.tensors)} tensors, e.g. {list(self.tensors)[:3]})"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self.tensors

    def __repr__(self) -> str:
        return (
            f"GGUFFile({self.path.name!r}, version={self.version}, "
            f"tensors={len(self.tensors)}, metadata={len(self.metadata)})"
        )


# ---------------------------------------------------------------------- dequantisation
def _f16(cols: np.ndarray) -> np.ndarray:
    """Two uint8 columns (n, 2) -> float32 (n, 1) via float16."""
    return np.ascontiguousarray(cols).view(np.float16).astype(np.float32)


def _nibbles(qs: np.ndarray) -> np.ndarray:
    """(n, 16) packed bytes -> (n, 32) uint8: low nibbles are elements 0-15, high 16-31."""
    out = np.empty((qs.shape[0], 32), dtype=np.uint8)
    np.bitwise_and(qs, 0x0F, out=out[:, :16])
    np.right_shift(qs, 4, out=out[:, 16:])
    return out


def _high_bits(qh: np.ndarray) -> np.ndarray:
    """(n, 4) bytes of a little-endian u32 -> (n, 32) uint8 with bit j of it at element j."""
    bits = np.unpackbits(qh, axis=1, bitorder="little")  # (n, 32), bit j of byte j // 8
    return bits << 4


def _dequant_q8_0(b):  # (n, 34)
    d = _f16(b[:, :2])  # (n, 1)
    q = b[:, 2:].view(np.int8).astype(np.float32)  # (n, 32)
    q *= d
    return q


def _dequant_q4_0(b):  # (n, 18)
    d = _f16(b[:, :2])
    q = _nibbles(b[:, 2:]).view(np.int8) - np.int8(8)
    return d * q.astype(np.float32)


def _dequant_q4_1(b):  # (n, 20)
    d, m = _f16(b[:, :2]), _f16(b[:, 2:4])
    x = _nibbles(b[:, 4:]).astype(np.float32)  # (n, 32)
    x *= d
    x += m
    return x


def _dequant_q5_0(b):  # (n, 22)
    d = _f16(b[:, :2])
    q = (_nibbles(b[:, 6:]) | _high_bits(b[:, 2:6])).view(np.int8) - np.int8(16)
    return d * q.astype(np.float32)


def _dequant_q5_1(b):  # (n, 24)
    d, m = _f16(b[:, :2]), _f16(b[:, 2:4])
    x = (_nibbles(b[:, 8:]) | _high_bits(b[:, 4:8])).astype(np.float32)
    x *= d
    x += m
    return x


_BLOCK_DEQUANT = {
    2: _dequant_q4_0,
    3: _dequant_q4_1,
    6: _dequant_q5_0,
    7: _dequant_q5_1,
    8: _dequant_q8_0,
}
_PLAIN = {
    0: np.dtype("<f4"),
    1: np.dtype("<f2"),
    24: np.dtype("i1"),
    25: np.dtype("<i2"),
    26: np.dtype("<i4"),
    27: np.dtype("<i8"),
    28: np.dtype("<f8"),
}
_CHUNK_BLOCKS = 1 << 18  # dequantise in chunks of 8M elements to bound temporaries


def dequantize(raw: np.ndarray, ggml_type: int, n_elements: int) -> np.ndarray:
    """Decode ``n_elements`` values of ggml type ``ggml_type`` from the uint8 buffer ``raw``.

    Returns a flat float32 array (F64 -> float64 and integer types keep their dtype).
    Vectorised over blocks (no Python loop per block).

    Example
    -------
    >>> import numpy as np
    >>> block = np.zeros(20, np.uint8)            # Q4_1: d = m = 0 -> 32 zeros
    >>> dequantize(block, 3, 32).shape
    (32,)
    """
    name, block, type_size = GGML_TYPES.get(ggml_type, (f"unknown type {ggml_type}", 1, 0))
    raw = np.asarray(raw, dtype=np.uint8).reshape(-1)
    if ggml_type in _PLAIN:
        dt = _PLAIN[ggml_type]
        out = raw[: n_elements * dt.itemsize].view(dt)
        return out.astype(np.float32) if dt.kind == "f" and dt.itemsize < 8 else out.copy()
    if ggml_type == 30:  # BF16: the high half of a float32
        bits = raw[: 2 * n_elements].view("<u2").astype(np.uint32) << 16
        return bits.view(np.float32)
    if ggml_type not in _BLOCK_DEQUANT:
        supported = ", ".join(GGML_TYPES[t][0] for t in (*_PLAIN, 30, *_BLOCK_DEQUANT))
        raise NotImplementedError(
            f"GGUF: dequantising tensor type {name} is not supported (supported: {supported})"
        )
    if n_elements % block:
        raise GGUFError(
            f"GGUF: {n_elements} elements is not a multiple of the {name} block size {block}"
        )
    n_blocks = n_elements // block
    if raw.size < n_blocks * type_size:
        raise GGUFError(f"GGUF: {name} data too short: {raw.size} bytes for {n_blocks} blocks")
    blocks = raw[: n_blocks * type_size].reshape(n_blocks, type_size)
    fn = _BLOCK_DEQUANT[ggml_type]
    with np.errstate(invalid="ignore", over="ignore"):  # inf/NaN scales decode as they are
        if n_blocks <= _CHUNK_BLOCKS:
            return fn(blocks).reshape(-1)
        out = np.empty((n_blocks, block), dtype=np.float32)
        for start in range(0, n_blocks, _CHUNK_BLOCKS):  # chunks, not blocks: bounded memory
            out[start : start + _CHUNK_BLOCKS] = fn(blocks[start : start + _CHUNK_BLOCKS])
        return out.reshape(-1)
