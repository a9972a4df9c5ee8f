"""Sentence vectors made once at ingest (real MiniLM, real Postgres) and used by the offline answerer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import select, update
from tests.integration.conftest import build_test_services

from booktutor.extractive import AbstentionPolicy, compose_answer
from booktutor.extractive.scoring import quotable_texts
from booktutor.ingest.pipeline import Ingestor
from booktutor.ingest.reindex import reindex
from booktutor.memory.models import Chunk
from booktutor.providers.embedding_cache import CachingEmbedder, sentence_key, unpack_sentence_vectors
from booktutor.retrieval.search import SearchQuery

pytestmark = pytest.mark.integration


class Recording:
    """The real embedder, recording what it was asked to encode (the boundary we observe)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_name, self.dimension = inner.model_name, inner.dimension
        self.documents: list[str] = []

    async def embed_query(self, text: str) -> list[float]:
        return await self.inner.embed_query(text)

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return await self.inner.embed_documents(texts)


@pytest.fixture
def recording(local_embedder) -> Recording:
    return Recording(local_embedder)


@pytest.fixture
def cached_services(test_settings, clean_db, local_mode_store, recording):
    return build_test_services(test_settings, clean_db, local_mode_store, CachingEmbedder(recording))


async def _stored(db) -> dict:
    async with db.session() as session:
        rows = (await session.execute(select(Chunk.id, Chunk.text, Chunk.sentence_vectors))).all()
    return {row[0]: (row[1], row[2]) for row in rows}


async def test_ingest_stores_every_quotable_sentence_vector(cached_services, recording, local_embedder, book_copy):
    await Ingestor(cached_services.db, cached_services.store, cached_services.embedder).ingest(
        book_copy, book_id="mini"
    )

    stored = await _stored(cached_services.db)
    assert stored and all(blob is not None for _, blob in stored.values())
    text, blob = next((t, b) for t, b in stored.values() if quotable_texts(t))
    keys, matrix = unpack_sentence_vectors(blob)
    sentences = quotable_texts(text)
    assert keys == [sentence_key(s) for s in sentences]
    live = np.asarray(await local_embedder.embed_documents(sentences))
    cosine = np.sum(matrix.astype(np.float32) * live, axis=1)
    assert cosine.min() > 0.999, "the same model as the queries, stored with float16 precision"


async def test_answer_after_search_encodes_no_sentence(cached_services, recording, book_copy):
    await Ingestor(cached_services.db, cached_services.store, cached_services.embedder).ingest(
        book_copy, book_id="mini"
    )
    question = "What is a gear ratio?"
    found = await cached_services.searcher.search(SearchQuery(text=question, k=6, book_id="mini"))
    results = [{"n": i, "text": h.text, "source": "book", "doc_path": h.doc_path} for i, h in enumerate(found.hits, 1)]
    recording.documents.clear()

    answer = await compose_answer(question, results, embedder=cached_services.embedder, policy=AbstentionPolicy())

    assert not answer.abstained
    assert recording.documents == []


async def test_missing_vectors_are_backfilled_by_the_next_ingest_and_remade_by_reindex(cached_services, book_copy):
    ingestor = Ingestor(cached_services.db, cached_services.store, cached_services.embedder)
    await ingestor.ingest(book_copy, book_id="mini")
    async with cached_services.db.session() as session, session.begin():
        await session.execute(update(Chunk).values(sentence_vectors=None))  # a database from before they existed

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.chunks_written == 0, "the book is unchanged"
    assert all(blob is not None for _, blob in (await _stored(cached_services.db)).values())
    before = await _stored(cached_services.db)
    await reindex(cached_services.db, cached_services.store, cached_services.embedder)
    after = await _stored(cached_services.db)
    assert after.keys() == before.keys() and all(blob is not None for _, blob in after.values())
