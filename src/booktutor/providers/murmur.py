"""MurmurHash3 (x86, 32-bit) in pure Python: the feature hash of the test embedder.

The same function and bucketing as scikit-learn's ``HashingVectorizer`` (signed hash of the UTF-8
bytes, bucket ``abs(h) % n``), so the fake vectors stay what they were without scikit-learn and SciPy
in the core dependencies.
"""

from __future__ import annotations

from functools import lru_cache

_MASK = 0xFFFFFFFF
_C1 = 0xCC9E2D51
_C2 = 0x1B873593


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK


def _mix(k: int) -> int:
    return (_rotl((k * _C1) & _MASK, 15) * _C2) & _MASK


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """Signed 32-bit MurmurHash3_x86_32 of ``data``."""
    h = seed & _MASK
    blocks = len(data) // 4
    for start in range(0, blocks * 4, 4):
        h ^= _mix(int.from_bytes(data[start : start + 4], "little"))
        h = (_rotl(h, 13) * 5 + 0xE6546B64) & _MASK
    tail = data[blocks * 4 :]
    if tail:
        h ^= _mix(int.from_bytes(tail, "little"))
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


@lru_cache(maxsize=1 << 16)
def feature_bucket(feature: str, buckets: int) -> int:
    """The bucket of a feature among ``buckets``, as ``HashingVectorizer(alternate_sign=False)`` puts it."""
    return abs(murmurhash3_32(feature.encode("utf-8"))) % buckets
