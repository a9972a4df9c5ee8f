"""Sentence vectors made once at ingest (real MiniLM, real Postgres) and used by the offline answerer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import select, update
from structlog.testing import capture_logs
from tests.integration.conftest import build_test_services

from booktutor.extractive import AbstentionPolicy, compose_answer
from booktutor.extractive.scoring import QUOTABLE_TEXTS_VERSION, quotable_texts
from booktutor.ingest import sentence_vectors
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


async def _stamped(db) -> dict:
    async with db.session() as session:
        rows = (await session.execute(select(Chunk.id, Chunk.sentence_vectors, Chunk.sentence_vectors_stamp))).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def _older_split(text: str) -> list[str]:
    """What an older `quotable_texts` might have made: each listing and list cut to its first line."""
    return [t.split("\n", 1)[0] for t in quotable_texts(text)]


async def test_vectors_of_an_older_stamp_are_refreshed_by_the_next_ingest(
    cached_services, recording, local_embedder, book_copy, monkeypatch
):
    ingestor = Ingestor(cached_services.db, cached_services.store, cached_services.embedder)
    with monkeypatch.context() as older:
        older.setattr(sentence_vectors, "QUOTABLE_TEXTS_VERSION", QUOTABLE_TEXTS_VERSION - 1)
        older.setattr(sentence_vectors, "quotable_texts", _older_split)
        await ingestor.ingest(book_copy, book_id="mini")
    before = await _stored(cached_services.db)
    texts = {s for text, _ in before.values() for s in quotable_texts(text)}
    changed = texts - {s for text, _ in before.values() for s in _older_split(text)}
    assert changed and changed != texts
    recording.documents.clear()

    with capture_logs() as logs:
        report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.chunks_written == 0, "the book is unchanged"
    assert report.sentence_vectors_refreshed == len(before)
    assert sorted(recording.documents) == sorted(changed), "only the texts the older split lacked are encoded"
    after = await _stamped(cached_services.db)
    for chunk_id, (text, _) in before.items():
        blob, stamp = after[chunk_id]
        keys, matrix = unpack_sentence_vectors(blob)
        assert stamp == QUOTABLE_TEXTS_VERSION and keys == [sentence_key(s) for s in quotable_texts(text)]
        if keys:
            live = np.asarray(await local_embedder.embed_documents(quotable_texts(text)))
            assert np.sum(matrix.astype(np.float32) * live, axis=1).min() > 0.999
    refreshed = [e for e in logs if e["event"] == "sentence_vectors_refreshed"]
    assert [(e["chunks"], e["encoded"]) for e in refreshed] == [(len(before), len(changed))]


async def test_vectors_stored_before_stamps_are_stamped_without_encoding(cached_services, recording, book_copy):
    ingestor = Ingestor(cached_services.db, cached_services.store, cached_services.embedder)
    await ingestor.ingest(book_copy, book_id="mini")
    async with cached_services.db.session() as session, session.begin():
        await session.execute(update(Chunk).values(sentence_vectors_stamp=None))  # a store from before migration 0026
    before = await _stamped(cached_services.db)
    recording.documents.clear()

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.sentence_vectors_refreshed == len(before) and recording.documents == []
    after = await _stamped(cached_services.db)
    assert after == {chunk_id: (blob, QUOTABLE_TEXTS_VERSION) for chunk_id, (blob, _) in before.items()}


async def test_an_ingest_leaves_up_to_date_vectors_untouched(cached_services, recording, book_copy):
    ingestor = Ingestor(cached_services.db, cached_services.store, cached_services.embedder)
    await ingestor.ingest(book_copy, book_id="mini")
    before = await _stamped(cached_services.db)
    assert {stamp for _, stamp in before.values()} == {QUOTABLE_TEXTS_VERSION}
    recording.documents.clear()

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.sentence_vectors_refreshed == 0 and recording.documents == []
    assert await _stamped(cached_services.db) == before
