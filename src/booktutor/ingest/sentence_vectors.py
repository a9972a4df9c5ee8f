"""Sentence vectors made once at ingest: the offline answerer's candidates, encoded with the query model.

Fills every current chunk that has none (a new chunk version, a database from before they existed,
or all of them after `booktutor reindex` cleared them), in groups, after the chunks are published.
"""

from __future__ import annotations

from booktutor.extractive.scoring import quotable_texts
from booktutor.memory.database import Database
from booktutor.memory.sentence_vectors import SentenceVectorRepository
from booktutor.providers.embedding_cache import pack_sentence_vectors
from booktutor.providers.embeddings import Embedder

BACKFILL_GROUP_CHUNKS = 256


async def backfill_sentence_vectors(db: Database, embedder: Embedder, *, book_id: str | None = None) -> int:
    """Encode and store the sentence vectors of chunks that lack them; returns how many chunks."""
    done = 0
    while True:
        async with db.session() as session:
            chunks = await SentenceVectorRepository(session).missing(book_id, BACKFILL_GROUP_CHUNKS)
        if not chunks:
            return done
        sentences = [quotable_texts(text) for _, text in chunks]
        unique = list(dict.fromkeys(s for group in sentences for s in group))
        vectors = dict(zip(unique, await embedder.embed_documents(unique), strict=True)) if unique else {}
        blobs = {
            chunk_id: pack_sentence_vectors(texts, [vectors[t] for t in texts])
            for (chunk_id, _), texts in zip(chunks, sentences, strict=True)
        }
        async with db.session() as session, session.begin():
            await SentenceVectorRepository(session).store(blobs)
        done += len(chunks)
