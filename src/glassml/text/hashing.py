"""MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes, as used by scikit-learn's hashers.

h = murmur3_32(bytes, seed): blocks of 4 bytes k -> k *= c1; k = rotl(k, 15); k *= c2;
h ^= k; h = rotl(h, 13); h = 5h + 0xe6546b64; then the tail, length and the fmix32 avalanche.
Inventory: TX-09.

Example
-------
>>> murmurhash3_32("foo")
-156908512
"""

from __future__ import annotations

import numpy as np

__all__ = ["murmurhash3_32"]

_C1, _C2, _MASK = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _MASK


def murmurhash3_32(key, seed: int = 0, positive: bool = False) -> int:
    """32-bit MurmurHash3 of ``key`` (str -> UTF-8 bytes, or bytes); signed unless ``positive``."""
    if isinstance(key, str):
        data = key.encode("utf-8")
    elif isinstance(key, bytes):
        data = key
    else:
        raise TypeError(f"key: expected str or bytes, got {type(key).__name__}.")
    h = seed & _MASK
    n_blocks = len(data) // 4
    blocks = np.frombuffer(data[: 4 * n_blocks], dtype="<u4").tolist()  # little-endian words
    for k in blocks:
        k = (k * _C1) & _MASK
        k = _rotl(k, 15)
        k = (k * _C2) & _MASK
        h ^= k
        h = _rotl(h, 13)
        h = (h * 5 + 0xE6546B64) & _MASK
    tail = data[4 * n_blocks :]
    k = 0
    if len(tail) == 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * _C1) & _MASK
        k = _rotl(k, 15)
        k = (k * _C2) & _MASK
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    if positive:
        return h
    return h - (1 << 32) if h >= (1 << 31) else h
