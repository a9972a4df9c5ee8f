"""The chunks' stored sentence vectors: which current chunks lack them or hold ones split by other code,
writing and clearing them (the answer path reads them with `chunk_reads.sentence_vectors`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.models import Chunk, Document


@dataclass(frozen=True)
class ChunkSentences:
    """A chunk to (re)fill: its text, and its stored vectors when they carry another stamp."""

    id: uuid.UUID
    text: str
    stored: bytes | None


class SentenceVectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def to_fill(self, book_id: str | None, stamp: int, limit: int) -> list[ChunkSentences]:
        """Chunks readers see whose sentence vectors are not stored, or were stored under another stamp."""
        stmt = (
            select(Chunk.id, Chunk.text, Chunk.sentence_vectors)
            .join(Document, and_(Document.id == Chunk.document_id, Document.version == Chunk.version))
            .where(or_(Chunk.sentence_vectors.is_(None), Chunk.sentence_vectors_stamp.is_distinct_from(stamp)))
            .order_by(Chunk.id)
            .limit(limit)
        )
        if book_id is not None:
            stmt = stmt.where(Chunk.book_id == book_id)
        return [ChunkSentences(*row) for row in (await self.session.execute(stmt)).all()]

    async def store(self, blobs: Mapping[uuid.UUID, bytes], stamp: int) -> None:
        if not blobs:
            return
        rows = [
            {"id": chunk_id, "sentence_vectors": blob, "sentence_vectors_stamp": stamp}
            for chunk_id, blob in blobs.items()
        ]
        await self.session.execute(update(Chunk), rows)  # bulk UPDATE by primary key

    async def clear(self) -> None:
        """Forget every stored vector (the embedding model changed); the next backfill remakes them."""
        await self.session.execute(update(Chunk).values(sentence_vectors=None, sentence_vectors_stamp=None))
