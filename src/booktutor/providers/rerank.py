"""Rerankers: reorder search candidates by relevance to the query (Cohere when configured)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from booktutor.config import Settings
from booktutor.observability.outbound import async_http_client

RERANK_TIMEOUT_S = 10.0  # reranking sits on the search path; a failure only skips it


@runtime_checkable
class Reranker(Protocol):
    async def rerank(self, query: str, texts: list[str], top_n: int) -> list[tuple[int, float]]:
        """(index into ``texts``, relevance score) pairs, most relevant first, at most ``top_n``."""


class CohereReranker:
    """Cohere's rerank API; ``client`` is a ``cohere.AsyncClientV2`` or anything shaped like it."""

    def __init__(self, client: Any, model: str) -> None:
        self._client = client
        self._model = model

    async def rerank(self, query: str, texts: list[str], top_n: int) -> list[tuple[int, float]]:
        if not texts or top_n <= 0:
            return []
        response = await self._client.rerank(
            model=self._model, query=query, documents=texts, top_n=min(top_n, len(texts))
        )
        ranked = sorted(response.results, key=lambda r: r.relevance_score, reverse=True)
        return [(r.index, float(r.relevance_score)) for r in ranked]


def build_reranker(settings: Settings) -> Reranker | None:
    if not settings.rerank_enabled or settings.cohere_api_key is None:
        return None
    import cohere

    client = cohere.AsyncClientV2(
        api_key=settings.cohere_api_key.get_secret_value(), httpx_client=async_http_client(RERANK_TIMEOUT_S)
    )
    return CohereReranker(client, settings.cohere_rerank_model)
