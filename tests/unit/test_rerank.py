"""Cohere reranking behind a fake client, and when a reranker is built at all."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pydantic import SecretStr

from booktutor.config import Settings
from booktutor.providers.rerank import CohereReranker, Reranker, build_reranker


class FakeRerankClient:
    def __init__(self, scores: list[float]) -> None:
        self.scores = scores
        self.calls: list[dict[str, Any]] = []

    async def rerank(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        results = [SimpleNamespace(index=i, relevance_score=s) for i, s in enumerate(self.scores)]
        return SimpleNamespace(results=results[: kwargs["top_n"]])


async def test_cohere_reranker_returns_indices_best_first() -> None:
    client = FakeRerankClient([0.1, 0.9, 0.5])
    reranker = CohereReranker(client, "rerank-v3.5")

    ranked = await reranker.rerank("servo", ["a", "b", "c"], top_n=10)

    assert ranked == [(1, 0.9), (2, 0.5), (0, 0.1)]
    assert client.calls == [{"model": "rerank-v3.5", "query": "servo", "documents": ["a", "b", "c"], "top_n": 3}]


async def test_cohere_reranker_skips_the_call_without_texts() -> None:
    client = FakeRerankClient([])

    assert await CohereReranker(client, "rerank-v3.5").rerank("q", [], top_n=5) == []
    assert client.calls == []


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)


def test_build_reranker_needs_the_flag_and_a_key() -> None:
    key = SecretStr("test-key")
    assert build_reranker(Settings(_env_file=None, rerank_enabled=False, cohere_api_key=key)) is None
    assert build_reranker(Settings(_env_file=None, rerank_enabled=True, cohere_api_key=None)) is None

    reranker = build_reranker(Settings(_env_file=None, rerank_enabled=True, cohere_api_key=key))
    assert isinstance(reranker, CohereReranker)
    assert isinstance(reranker, Reranker)
