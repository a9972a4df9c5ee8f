"""The chunks' stored sentence vectors: which current chunks lack them, writing and clearing them (the answer
path reads them with `chunk_reads.sentence_vectors`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.models import Chunk, Document


class SentenceVectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def missing(self, book_id: str | None, limit: int) -> list[tuple[uuid.UUID, str]]:
        """Chunks readers see whose sentence vectors are not stored yet: (id, text)."""
        stmt = (
            select(Chunk.id, Chunk.text)
            .join(Document, and_(Document.id == Chunk.document_id, Document.version == Chunk.version))
            .where(Chunk.sentence_vectors.is_(None))
            .order_by(Chunk.id)
            .limit(limit)
        )
        if book_id is not None:
            stmt = stmt.where(Chunk.book_id == book_id)
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def store(self, blobs: Mapping[uuid.UUID, bytes]) -> None:
        if not blobs:
            return
        rows = [{"id": chunk_id, "sentence_vectors": blob} for chunk_id, blob in blobs.items()]
        await self.session.execute(update(Chunk), rows)  # bulk UPDATE by primary key

    async def clear(self) -> None:
        """Forget every stored vector (the embedding model changed); the next backfill remakes them."""
        await self.session.execute(update(Chunk).values(sentence_vectors=None))
