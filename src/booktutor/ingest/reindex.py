"""Rebuild the vector index from Postgres, e.g. after switching the embedding model."""

from __future__ import annotations

from booktutor.ingest.pipeline import IngestProgress, embedding_text
from booktutor.ingest.sentence_vectors import backfill_sentence_vectors
from booktutor.memory.books import BookRepository
from booktutor.memory.database import Database
from booktutor.memory.sentence_vectors import SentenceVectorRepository
from booktutor.providers.embeddings import Embedder
from booktutor.retrieval.types import VectorRecord
from booktutor.retrieval.vector_store import VectorStore


async def reindex(db: Database, store: VectorStore, embedder: Embedder, progress: IngestProgress | None = None) -> int:
    """Drop the collection and re-embed every chunk readers currently see (and its sentences). Returns the count."""
    async with db.session() as session:
        total = await BookRepository(session).count_current_chunks()
    if progress:
        progress.start(0, total)
    await store.drop()
    await store.ensure_collection(embedder.model_name, embedder.dimension)
    written = 0
    async with db.session() as session:
        async for rows in BookRepository(session).iter_current_chunks(batch_size=256):
            vectors = await embedder.embed_documents([embedding_text(r.heading_path, r.text) for r in rows])
            await store.upsert(
                [
                    VectorRecord(
                        chunk_id=r.id,
                        vector=v,
                        book_id=r.book_id,
                        language=r.language,
                        document_id=r.document_id,
                        doc_path=r.doc_path,
                        version=r.version,
                        purpose=r.purpose,
                    )
                    for r, v in zip(rows, vectors, strict=True)
                ]
            )
            written += len(rows)
            if progress:
                progress.advance(chunks=len(rows))
    async with db.session() as session, session.begin():
        await SentenceVectorRepository(session).clear()
    await backfill_sentence_vectors(db, embedder)
    return written
