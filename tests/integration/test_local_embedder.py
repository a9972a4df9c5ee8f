"""The real bundled all-MiniLM-L6-v2 model, loaded offline on CPU."""

from __future__ import annotations

import numpy as np
import pytest

from booktutor.providers.embeddings import LocalSentenceTransformerEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedder() -> LocalSentenceTransformerEmbedder:
    return LocalSentenceTransformerEmbedder(batch_size=8)


async def test_vectors_are_384d_and_normalised(embedder: LocalSentenceTransformerEmbedder) -> None:
    vectors = await embedder.embed_documents(["A robot arm has joints.", "Sensors read data."])

    assert [len(v) for v in vectors] == [384, 384]
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    assert len(await embedder.embed_query("robot")) == embedder.dimension == 384


async def test_related_sentence_is_closer(embedder: LocalSentenceTransformerEmbedder) -> None:
    query = await embedder.embed_query("How does a robot perceive obstacles?")
    related, unrelated = await embedder.embed_documents(
        [
            "Lidar and depth cameras let a mobile robot detect obstacles in its path.",
            "The recipe calls for two cups of flour and a pinch of salt.",
        ]
    )

    assert float(np.dot(query, related)) > float(np.dot(query, unrelated)) + 0.2


async def test_concurrent_calls_share_one_model(embedder: LocalSentenceTransformerEmbedder) -> None:
    import asyncio

    results = await asyncio.gather(*(embedder.embed_query(f"question {i}") for i in range(4)))

    assert len({tuple(np.round(r, 5)) for r in results}) == 4
