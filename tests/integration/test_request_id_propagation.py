"""The incoming `X-Request-ID` travels on every outside HTTP call: the real provider clients, built from
settings, talk to a local server standing in for OpenAI, Cohere and Qdrant, which records the id it gets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial

import cohere
import httpx
import pytest
from agents import Agent, Runner
from asgi_correlation_id import correlation_id
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from tests.integration.http_helpers import app_client, with_settings
from tests.integration.test_chat_http import _serve

from booktutor.observability.outbound import async_http_client
from booktutor.providers.embeddings import COHERE_DIMENSIONS, CohereEmbedder
from booktutor.providers.registry import build_model
from booktutor.providers.rerank import build_reranker
from booktutor.retrieval.qdrant_server_store import QdrantServerStore

pytestmark = pytest.mark.integration
ROUTE_DECISION = json.dumps({"route": "answer", "reason": "a question about the book"})
ANSWER = "Gears trade speed for torque."
EMBED_MODEL = "embed-multilingual-v3.0"


@dataclass
class FakeUpstream:
    """What the outside APIs received: (path, X-Request-ID or None) per call."""

    url: str = ""
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def ids(self, path_suffix: str) -> list[str | None]:
        return [request_id for path, request_id in self.calls if path.endswith(path_suffix)]


def _completion(body: dict) -> Response:
    if body.get("stream"):
        chunks = [
            {"delta": {"role": "assistant", "content": ANSWER}, "finish_reason": None},
            {"delta": {}, "finish_reason": "stop"},
        ]
        lines = [f"data: {json.dumps(_chunk(c))}\n\n" for c in chunks] + ["data: [DONE]\n\n"]
        return StreamingResponse(iter(lines), media_type="text/event-stream")
    message = {"role": "assistant", "content": ROUTE_DECISION}
    return JSONResponse(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def _chunk(choice: dict) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, **choice}],
    }


def _upstream_app(upstream: FakeUpstream) -> Starlette:
    async def handle(request: Request) -> Response:
        path = request.url.path
        upstream.calls.append((path, request.headers.get("X-Request-ID")))
        if path.endswith("/chat/completions"):
            return _completion(await request.json())
        if path == "/v2/rerank":
            return JSONResponse({"id": "rr-1", "results": [{"index": 0, "relevance_score": 0.9}]})
        if path == "/v2/embed":
            body = await request.json()
            vectors = [[0.0] * COHERE_DIMENSIONS[EMBED_MODEL] for _ in body["texts"]]
            return JSONResponse({"id": "em-1", "embeddings": {"float": vectors}, "texts": body["texts"]})
        if path.endswith("/exists"):
            return JSONResponse({"result": {"exists": False}, "status": "ok", "time": 0.0})
        return JSONResponse({"error": f"unexpected {path}"}, status_code=404)

    return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST"])])


@pytest.fixture
async def upstream() -> AsyncIterator[FakeUpstream]:
    recorder = FakeUpstream()
    async for url in _serve(_upstream_app(recorder)):
        recorder.url = url
        yield recorder


@pytest.fixture
def provider_settings(test_settings, upstream, monkeypatch):
    """Settings that pick the OpenAI-compatible model and Cohere; Cohere's API address points at the fake."""
    monkeypatch.setattr(cohere, "AsyncClientV2", partial(cohere.AsyncClientV2, base_url=upstream.url))
    return test_settings.model_copy(
        update={
            "llm_provider": "openai",
            "llm_fallbacks": [],
            "openai_base_url": f"{upstream.url}/v1",
            "cohere_api_key": SecretStr("test-key"),
            "rerank_enabled": True,
            "cohere_embed_model": EMBED_MODEL,
        }
    )


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def test_a_chat_request_sends_its_id_to_the_model_provider(services, book, provider_settings, upstream):
    services = with_settings(services, **provider_settings.model_dump(include={"llm_provider", "openai_base_url"}))
    async with app_client(services, model=build_model(services.settings)) as http:
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        response = await http.post(
            "/api/v1/chatbot/query",
            headers={"X-Request-ID": "req-chat-7"},
            json={"question": "What is a gear ratio?", "book_id": "mini"},
        )

    assert response.status_code == 200, response.text
    assert response.json()["answer"] == ANSWER
    assert response.headers["X-Request-ID"] == "req-chat-7"
    model_calls = upstream.ids("/v1/chat/completions")
    assert len(model_calls) >= 2  # the router's decision, then the streamed answer
    assert set(model_calls) == {"req-chat-7"}


@pytest.mark.parametrize("request_id", ["job-42", None], ids=["with-id", "no-current-request"])
async def test_provider_clients_carry_the_current_id_and_nothing_else(provider_settings, upstream, request_id):
    settings = provider_settings.model_copy(update={"qdrant_url": upstream.url})
    token = correlation_id.set(request_id)
    try:
        await Runner.run(Agent(name="probe", model=build_model(settings)), "hello", max_turns=1)
        assert await build_reranker(settings).rerank("gears", ["a gear", "a wheel"], top_n=1) == [(0, 0.9)]
        vector = await CohereEmbedder.from_settings(settings).embed_query("gears")
        store = QdrantServerStore(settings.qdrant_url, None, "chunks", settings.qdrant_timeout_s)
        assert await store.count() == 0
        await store.close()
    finally:
        correlation_id.reset(token)

    assert len(vector) == COHERE_DIMENSIONS[EMBED_MODEL]
    paths = {path for path, _ in upstream.calls}
    assert paths == {"/v1/chat/completions", "/v2/rerank", "/v2/embed", "/collections/chunks/exists"}
    assert {request_id for _, request_id in upstream.calls} == {request_id}


async def test_an_id_the_caller_set_itself_is_kept():
    seen: list[str | None] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("X-Request-ID"))
        return httpx.Response(204)

    token = correlation_id.set("req-outer")
    try:
        async with async_http_client(5.0, transport=httpx.MockTransport(record)) as client:
            await client.get("http://upstream.test/", headers={"X-Request-ID": "chosen-by-caller"})
            await client.get("http://upstream.test/")
    finally:
        correlation_id.reset(token)

    assert seen == ["chosen-by-caller", "req-outer"]
