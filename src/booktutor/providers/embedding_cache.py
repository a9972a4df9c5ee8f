"""Embedding caches in front of any ``Embedder``: recent queries, and sentence vectors made at ingest.

The offline answerer scores every candidate sentence of the retrieved chunks against the question.
Encoding those sentences per answer costs about half a second of CPU with MiniLM, so ingest encodes
them once (with the same model) and stores them with the chunk (`pack_sentence_vectors`); the
searcher hands the stored vectors of the chunks it returns to `CachingEmbedder.remember_chunk`, and
the answerer's `embed_documents` call then finds them here. A question embedded for search is found
again by the answerer in the query cache. Anything not cached is encoded by the wrapped embedder.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

import numpy as np

from booktutor.providers.embeddings import Embedder, embed_queries

QUERY_CACHE_SIZE = 2048
SENTENCE_CACHE_SIZE = 100_000
CHUNK_CACHE_SIZE = 20_000
_KEY_BYTES = 8
_HEADER = struct.Struct("<HI")  # dimension, count
_MAGIC_VERSION = 1
STORED_DTYPE = np.float16
"""Sentence vectors are stored at half precision beside their chunk."""


def sentence_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_KEY_BYTES).digest()


def pack_sentence_vectors(texts: Sequence[str], vectors: Sequence[Sequence[float]] | np.ndarray) -> bytes:
    """Texts' keys and their vectors (float16) as one blob, stored beside the chunk."""
    matrix = np.asarray(vectors, dtype=STORED_DTYPE).reshape(len(texts), -1) if len(texts) else np.zeros((0, 0))
    keys = b"".join(sentence_key(t) for t in texts)
    return bytes([_MAGIC_VERSION]) + _HEADER.pack(matrix.shape[1], len(texts)) + keys + matrix.tobytes()


def unpack_sentence_vectors(blob: bytes) -> tuple[list[bytes], np.ndarray]:
    """The keys and the (count × dimension) float16 matrix; a malformed blob reads as empty."""
    if not blob or blob[0] != _MAGIC_VERSION or len(blob) < 1 + _HEADER.size:
        return [], np.zeros((0, 0), dtype=np.float16)
    dimension, count = _HEADER.unpack_from(blob, 1)
    start = 1 + _HEADER.size
    vectors_at = start + count * _KEY_BYTES
    if len(blob) != vectors_at + count * dimension * 2:
        return [], np.zeros((0, 0), dtype=np.float16)
    keys = [blob[start + i * _KEY_BYTES : start + (i + 1) * _KEY_BYTES] for i in range(count)]
    matrix = np.frombuffer(blob, dtype=np.float16, offset=vectors_at).reshape(count, dimension)
    return keys, matrix


K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __contains__(self, key: K) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class CachingEmbedder:
    """An ``Embedder`` that remembers recent query vectors and the sentence vectors stored at ingest."""

    def __init__(
        self,
        inner: Embedder,
        *,
        query_cache_size: int = QUERY_CACHE_SIZE,
        sentence_cache_size: int = SENTENCE_CACHE_SIZE,
        chunk_cache_size: int = CHUNK_CACHE_SIZE,
    ) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.languages: frozenset[str] | None = getattr(inner, "languages", None)
        self._queries: _Lru[str, list[float]] = _Lru(query_cache_size)
        self._sentences: _Lru[bytes, np.ndarray] = _Lru(sentence_cache_size)
        self._chunks: _Lru[uuid.UUID, bool] = _Lru(chunk_cache_size)
        self._lock = threading.Lock()  # the answerer and the searcher may run in worker threads

    async def embed_query(self, text: str) -> list[float]:
        key = text.strip()
        with self._lock:
            cached = self._queries.get(key)
        if cached is not None:
            return cached
        vector = await self.inner.embed_query(text)
        with self._lock:
            self._queries.put(key, vector)
        return vector

    async def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Several queries; those not cached are encoded together (`embeddings.embed_queries`)."""
        keys = [text.strip() for text in texts]
        with self._lock:
            found = {key: vector for key in keys if (vector := self._queries.get(key)) is not None}
        missing = list(dict.fromkeys(text for text, key in zip(texts, keys, strict=True) if key not in found))
        if missing:
            encoded = await embed_queries(self.inner, missing)
            with self._lock:
                for text, vector in zip(missing, encoded, strict=True):
                    self._queries.put(text.strip(), vector)
                    found[text.strip()] = vector
        return [found[key] for key in keys]

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        matrix = await self._rows(texts, like_stored=False)
        vectors: list[list[float]] = matrix.tolist()
        return vectors

    async def embed_documents_array(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' vectors as one float32 matrix for the answerer: stored sentence vectors, the rest encoded
        now and rounded to the stored precision (float16), so a sentence's vector, and the answer, do not depend
        on whether an earlier request happened to load its chunk's stored vectors."""
        return await self._rows(texts, like_stored=True)

    async def _rows(self, texts: Sequence[str], *, like_stored: bool) -> np.ndarray:
        rows: list[np.ndarray | None]
        with self._lock:
            rows = [self._sentences.get(sentence_key(t)) for t in texts]
        missing = list(dict.fromkeys(texts[i] for i, row in enumerate(rows) if row is None))
        if missing:
            encoded = np.asarray(await self.inner.embed_documents(missing), dtype=np.float32)
            if like_stored:
                encoded = encoded.astype(STORED_DTYPE).astype(np.float32)
            fresh = dict(zip(missing, encoded, strict=True))
            rows = [fresh[text] if row is None else row for text, row in zip(texts, rows, strict=True)]
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([row for row in rows if row is not None]).astype(np.float32, copy=False)

    def knows_chunk(self, chunk_id: uuid.UUID) -> bool:
        with self._lock:
            return chunk_id in self._chunks

    def remember_chunk(self, chunk_id: uuid.UUID, blob: bytes | None) -> None:
        """Keep a chunk's stored sentence vectors (from `pack_sentence_vectors`) for the answerer."""
        keys, matrix = unpack_sentence_vectors(blob or b"")
        if matrix.shape[1:] not in ((self.dimension,), (0,)):
            keys, matrix = [], matrix[:0]  # another model's: re-encode until `booktutor reindex` remakes them
        with self._lock:
            for key, row in zip(keys, matrix, strict=True):
                self._sentences.put(key, row)
            self._chunks.put(chunk_id, True)
