"""The embedding caches: recent queries, and sentence vectors stored at ingest, in front of a real embedder."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np
import pytest

from booktutor.extractive import AbstentionPolicy, compose_answer
from booktutor.extractive.scoring import quotable_texts
from booktutor.providers.embedding_cache import (
    CachingEmbedder,
    pack_sentence_vectors,
    sentence_key,
    unpack_sentence_vectors,
)
from booktutor.providers.embeddings import FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    """The deterministic fake embedder, recording what it was asked to encode."""

    def __init__(self) -> None:
        super().__init__(dimension=128)
        self.queries: list[str] = []
        self.documents: list[str] = []

    async def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return await super().embed_query(text)

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return await super().embed_documents(texts)


CHUNK = (
    "## The IMU\n\nAn inertial measurement unit (IMU) measures acceleration and angular velocity. "
    "It drifts over time, so robots fuse it with odometry. A Kalman filter weighs both sources by their noise."
)


def _result(text: str = CHUNK) -> dict:
    return {"n": 1, "text": text, "source": "book", "doc_path": "sensors.md", "language": "en", "dense_score": 0.7}


def test_packed_vectors_round_trip_as_float16() -> None:
    texts = ["First sentence here.", "Second sentence here."]
    vectors = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)
    keys, matrix = unpack_sentence_vectors(pack_sentence_vectors(texts, vectors))
    assert keys == [sentence_key(t) for t in texts]
    assert matrix.shape == (2, 8)
    np.testing.assert_allclose(matrix.astype(np.float32), vectors, atol=2e-3)


@pytest.mark.parametrize("blob", [b"", b"\x07garbage", pack_sentence_vectors(["a b c d"], [[0.5] * 4])[:-1]])
def test_malformed_blob_reads_as_empty(blob: bytes) -> None:
    keys, matrix = unpack_sentence_vectors(blob)
    assert keys == [] and matrix.size == 0


def test_a_chunk_without_sentences_packs_to_an_empty_entry() -> None:
    keys, matrix = unpack_sentence_vectors(pack_sentence_vectors([], []))
    assert keys == [] and matrix.size == 0


async def test_query_vectors_are_cached_by_stripped_text() -> None:
    inner = CountingEmbedder()
    cache = CachingEmbedder(inner)
    first = await cache.embed_query("what is an IMU?")
    again = await cache.embed_query("  what is an IMU?\n")
    assert first == again
    assert inner.queries == ["what is an IMU?"]


async def test_query_cache_evicts_the_least_recently_used() -> None:
    inner = CountingEmbedder()
    cache = CachingEmbedder(inner, query_cache_size=2)
    for text in ["a question", "b question", "a question", "c question", "a question", "b question"]:
        await cache.embed_query(text)
    assert inner.queries == ["a question", "b question", "c question", "b question"]


async def test_remembered_sentences_are_not_encoded_again() -> None:
    inner = CountingEmbedder()
    cache = CachingEmbedder(inner)
    texts = quotable_texts(CHUNK)
    stored = await inner.embed_documents(texts)
    chunk_id = uuid.uuid4()
    cache.remember_chunk(chunk_id, pack_sentence_vectors(texts, stored))
    inner.documents.clear()

    matrix = await cache.embed_documents_array([*texts, "A sentence nobody stored before today."])

    assert cache.knows_chunk(chunk_id)
    assert inner.documents == ["A sentence nobody stored before today."]
    np.testing.assert_allclose(matrix[: len(texts)], np.asarray(stored), atol=2e-3)


async def test_vectors_of_another_dimension_are_ignored() -> None:
    inner = CountingEmbedder()
    cache = CachingEmbedder(inner)
    texts = quotable_texts(CHUNK)
    cache.remember_chunk(uuid.uuid4(), pack_sentence_vectors(texts, np.ones((len(texts), 16))))
    inner.documents.clear()
    await cache.embed_documents(texts)
    assert inner.documents == texts


async def test_answer_from_stored_vectors_equals_the_live_one_and_encodes_nothing() -> None:
    question = "What is an inertial measurement unit?"
    live = await compose_answer(question, [_result()], embedder=FakeEmbedder(dimension=128), policy=AbstentionPolicy())

    inner = CountingEmbedder()
    cache = CachingEmbedder(inner)
    texts = quotable_texts(CHUNK)
    cache.remember_chunk(uuid.uuid4(), pack_sentence_vectors(texts, await inner.embed_documents(texts)))
    await cache.embed_query(question)  # the search embedded the question already
    inner.documents.clear()
    inner.queries.clear()

    cached = await compose_answer(question, [_result()], embedder=cache, policy=AbstentionPolicy())

    assert (cached.text, cached.cited, cached.abstained) == (live.text, live.cited, live.abstained)
    assert inner.documents == [] and inner.queries == []


async def test_a_sentence_has_one_vector_whether_stored_or_encoded_now() -> None:
    """The answer must not depend on whether an earlier request loaded the chunk's stored vectors."""
    sentences = ["An IMU drifts over time.", "A Kalman filter weighs both sources by their noise."]
    fresh = CachingEmbedder(CountingEmbedder())
    encoded_now = await fresh.embed_documents_array(sentences)
    stored = CachingEmbedder(CountingEmbedder())
    stored.remember_chunk(uuid.uuid4(), pack_sentence_vectors(sentences, await stored.inner.embed_documents(sentences)))
    from_store = await stored.embed_documents_array(sentences)
    np.testing.assert_array_equal(encoded_now, from_store)


async def test_a_text_asked_twice_in_one_call_is_encoded_once() -> None:
    inner = CountingEmbedder()
    matrix = await CachingEmbedder(inner).embed_documents_array(
        ["Same words here.", "Other words.", "Same words here."]
    )
    assert inner.documents == ["Same words here.", "Other words."]
    np.testing.assert_array_equal(matrix[0], matrix[2])


class BatchingEmbedder(CountingEmbedder):
    """Encodes several queries in one call, as the bundled model does."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    async def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return [await FakeEmbedder.embed_query(self, text) for text in texts]


async def test_queries_not_cached_are_encoded_together_and_remembered() -> None:
    inner = BatchingEmbedder()
    cache = CachingEmbedder(inner)
    first = await cache.embed_query("what is an IMU")
    vectors = await cache.embed_queries(
        ["what is an IMU ", "why does it drift", "how is it fused", "why does it drift"]
    )
    assert inner.batches == [["why does it drift", "how is it fused"]]
    assert vectors[0] == first and vectors[1] == vectors[3]
    assert vectors[2] == await FakeEmbedder(dimension=128).embed_query("how is it fused")
    assert await cache.embed_query("how is it fused") == vectors[2] and inner.queries == ["what is an IMU"]


async def test_an_embedder_without_batches_encodes_queries_one_by_one() -> None:
    inner = CountingEmbedder()
    vectors = await CachingEmbedder(inner).embed_queries(["why does it drift", "how is it fused"])
    assert inner.queries == ["why does it drift", "how is it fused"] and len(vectors) == 2
