"""Sentence vectors made once at ingest: the offline answerer's candidates, encoded with the query model.

Fills every current chunk that has none (a new chunk version, a database from before they existed,
or all of them after `booktutor reindex` cleared them), in groups, after the chunks are published.
Chunks whose vectors were split by an older `quotable_texts` (another QUOTABLE_TEXTS_VERSION) are
split again; the texts their stored vectors already hold keep them, only the new texts are encoded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import structlog

from booktutor.extractive.scoring import QUOTABLE_TEXTS_VERSION, quotable_texts
from booktutor.memory.database import Database
from booktutor.memory.sentence_vectors import ChunkSentences, SentenceVectorRepository
from booktutor.providers.embedding_cache import pack_sentence_vectors, sentence_key, unpack_sentence_vectors
from booktutor.providers.embeddings import Embedder

BACKFILL_GROUP_CHUNKS = 256
log = structlog.get_logger(__name__)


@dataclass
class SentenceVectorFill:
    """What a backfill did: chunks that had no vectors, chunks re-split from an older stamp, texts encoded."""

    filled: int = 0
    refreshed: int = 0
    encoded: int = 0


async def backfill_sentence_vectors(
    db: Database, embedder: Embedder, *, book_id: str | None = None
) -> SentenceVectorFill:
    """Encode and store the sentence vectors of chunks that lack them or carry an older stamp."""
    fill = SentenceVectorFill()
    while True:
        async with db.session() as session:
            chunks = await SentenceVectorRepository(session).to_fill(
                book_id, QUOTABLE_TEXTS_VERSION, BACKFILL_GROUP_CHUNKS
            )
        if not chunks:
            break
        blobs, encoded = await _pack(embedder, chunks)
        async with db.session() as session, session.begin():
            await SentenceVectorRepository(session).store(blobs, QUOTABLE_TEXTS_VERSION)
        refreshed = sum(chunk.stored is not None for chunk in chunks)
        fill.refreshed += refreshed
        fill.filled += len(chunks) - refreshed
        fill.encoded += encoded
    if fill.refreshed:
        log.info(
            "sentence_vectors_refreshed",
            book_id=book_id,
            chunks=fill.refreshed,
            encoded=fill.encoded,
            stamp=QUOTABLE_TEXTS_VERSION,
        )
    return fill


async def _pack(embedder: Embedder, chunks: Sequence[ChunkSentences]) -> tuple[dict[uuid.UUID, bytes], int]:
    """Each chunk's blob, and how many texts had to be encoded for them."""
    sentences = [quotable_texts(chunk.text) for chunk in chunks]
    kept = _stored_rows(chunks, embedder.dimension)
    new = list(dict.fromkeys(s for group in sentences for s in group if sentence_key(s) not in kept))
    vectors: dict[bytes, np.ndarray | list[float]] = dict(kept)
    if new:
        vectors.update(zip(map(sentence_key, new), await embedder.embed_documents(new), strict=True))
    blobs = {
        chunk.id: pack_sentence_vectors(texts, np.asarray([vectors[sentence_key(t)] for t in texts], dtype=np.float32))
        for chunk, texts in zip(chunks, sentences, strict=True)
    }
    return blobs, len(new)


def _stored_rows(chunks: Sequence[ChunkSentences], dimension: int) -> dict[bytes, np.ndarray]:
    """The vectors already stored for these chunks, by text key (another model's size is left out)."""
    rows: dict[bytes, np.ndarray] = {}
    for chunk in chunks:
        keys, matrix = unpack_sentence_vectors(chunk.stored or b"")
        if matrix.shape[1:] == (dimension,):
            rows.update(zip(keys, matrix, strict=True))
    return rows
