"""Gemini through google-genai, against a local server speaking the Gemini REST API: the real
graph streams its answer after a tool call round trip, the router gets structured output, a
failing or hung Gemini falls back like any provider, and the embeddings index and search a book."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from ag_ui.core import EventType
from asgi_correlation_id import correlation_id
from pydantic import SecretStr
from tests.integration.conftest import build_test_services
from tests.integration.fake_gemini import FakeGemini, Reply
from tests.integration.http_helpers import with_settings
from tests.integration.test_chat_graph import final_state, run_turn, text_of
from tests.integration.test_chat_http import _serve

from booktutor.graph.factory import build_chat_service
from booktutor.graph.router import IntentRouter, LLMRouter
from booktutor.ingest.pipeline import Ingestor
from booktutor.providers.embeddings import build_embedder
from booktutor.providers.registry import build_model
from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.vector_store import IndexMismatch

pytestmark = pytest.mark.integration
ROUTE = Reply(chunks=(json.dumps({"route": "answer", "reason": "a question about the book"}),))
SEARCH = {"name": "search_book", "args": {"query": "backlash"}, "id": "call-1"}
ANSWER_CHUNKS = ("Backlash is the gap ", "between meshing teeth [1].")


@pytest.fixture
async def gemini() -> AsyncIterator[FakeGemini]:
    fake = FakeGemini()
    async for url in _serve(fake.app()):
        fake.url = url
        yield fake
        fake.released.set()


def gemini_settings(settings, fake: FakeGemini, **overrides) -> dict:
    return {
        "llm_provider": "gemini",
        "llm_fallbacks": ["extractive"],
        "gemini_api_key": SecretStr("test-key"),
        "gemini_base_url": fake.url,
        **overrides,
    }


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def ask(services, guest, fake: FakeGemini, question: str = "What is backlash?", **overrides) -> list:
    services = with_settings(services, **gemini_settings(services.settings, fake, **overrides))
    chat = await build_chat_service(services, checkpoint=False)
    try:
        events, _ = await run_turn(chat, guest, question)
    finally:
        await chat.close()
        await chat.model.close()
    return events


async def test_the_graph_streams_gemini_text_after_a_tool_call_round_trip(services, book, guest, gemini):
    gemini.generate = [ROUTE]
    gemini.stream = [Reply(calls=(SEARCH,), signature=b"sig-1"), Reply(chunks=ANSWER_CHUNKS)]

    events = await ask(services, guest, gemini)

    kinds = [e.type for e in events]
    assert kinds[-1] == EventType.RUN_FINISHED, events[-1]
    assert kinds.index(EventType.TOOL_CALL_START) < kinds.index(EventType.TOOL_CALL_RESULT)
    assert kinds.index(EventType.TOOL_CALL_RESULT) < kinds.index(EventType.TEXT_MESSAGE_CONTENT)
    assert text_of(events) == "".join(ANSWER_CHUNKS)
    assert kinds.count(EventType.TEXT_MESSAGE_CONTENT) >= len(ANSWER_CHUNKS), "streamed as it came"
    state = final_state(events)
    assert (state["route"], state["provider"]) == ("answer", "gemini")
    assert [c["doc_path"] for c in state["citations"]] == ["basics/gears.md"]

    router_call, first, second = gemini.of("generateContent")[0], *gemini.of("streamGenerateContent")
    assert router_call.body["generationConfig"]["responseMimeType"] == "application/json"
    assert "route" in router_call.body["generationConfig"]["responseJsonSchema"]["properties"]
    declared = [d["name"] for d in first.body["tools"][0]["functionDeclarations"]]
    assert "search_book" in declared
    assert first.body["systemInstruction"]["parts"][0]["text"]
    model_turn, tool_turn = second.body["contents"][-2:]
    assert model_turn["role"] == "model"
    assert model_turn["parts"][-1]["functionCall"]["id"] == "call-1"
    assert model_turn["parts"][-1]["thoughtSignature"] == base64.b64encode(b"sig-1").decode(), "sent back"
    result = tool_turn["parts"][0]["functionResponse"]
    assert (tool_turn["role"], result["id"], result["name"]) == ("user", "call-1", "search_book")
    assert "Backlash is the small gap" in result["response"]["output"], "Gemini saw the tool's book text"
    assert {call.headers["x-goog-api-key"] for call in gemini.calls} == {"test-key"}


async def test_the_router_decides_with_gemini_structured_output(services, gemini):
    gemini.generate = [Reply(chunks=('{"route": "translate", "reason": "asks for Urdu"}',))]
    update = gemini_settings(services.settings, gemini, gemini_thinking_budget=0)
    model = build_model(services.settings.model_copy(update=update))
    token = correlation_id.set("req-route-1")
    try:
        route, _ = await LLMRouter(model, IntentRouter(services.embedder)).route("Could I get this in my language?")
    finally:
        correlation_id.reset(token)
        await model.close()
    assert route == "translate"
    [call] = gemini.of("generateContent")
    assert call.headers["x-request-id"] == "req-route-1", "the request id travels to Gemini too"
    thinking = call.body["generationConfig"]["thinkingConfig"]  # google-genai 3.6 sends the proto field name
    assert thinking.get("thinkingBudget", thinking.get("thinking_budget")) == 0


@pytest.mark.parametrize(
    ("failure", "retried"),
    [(Reply(hang=True), False), (Reply(status=503), True)],
    ids=["hangs", "unavailable-retried"],
)
async def test_a_failing_gemini_falls_back_to_the_offline_answerer(services, book, guest, gemini, failure, retried):
    """A hung stream costs one first-token timeout; a transient error is retried (the same request
    again) within it. Each of the run's model calls tries Gemini first while its budget and circuit
    allow, as for every provider."""
    gemini.generate = [Reply(status=500)]
    gemini.stream = [failure]

    events = await ask(services, guest, gemini, llm_timeout_s=2.0, llm_router_timeout_s=0.5)

    assert events[-1].type == EventType.RUN_FINISHED, events[-1]
    assert final_state(events)["provider"] == "extractive"
    assert "backlash" in text_of(events).lower()
    calls = gemini.of("streamGenerateContent")
    assert calls, "Gemini was tried first"
    assert any(a.body == b.body for a, b in pairwise(calls)) is retried


async def test_gemini_embeddings_index_and_search_a_book(test_settings, clean_db, local_mode_store, book_copy, gemini):
    settings = test_settings.model_copy(
        update={"embedding_provider": "gemini", "gemini_api_key": SecretStr("k"), "gemini_base_url": gemini.url}
    )
    embedder = build_embedder(settings)
    assert (embedder.model_name, embedder.dimension) == ("gemini-embedding-001", 768)
    services = build_test_services(settings, clean_db, local_mode_store, embedder)

    await Ingestor(clean_db, local_mode_store, embedder).ingest(book_copy, book_id="mini", title="Mini")
    found = await services.searcher.search(SearchQuery(text="gap between meshing gear teeth", book_id="mini", k=3))

    assert not found.degraded
    assert found.hits[0].doc_path == "basics/gears.md" and found.hits[0].dense_score is not None
    requests = [r for call in gemini.of("batchEmbedContents") for r in call.body["requests"]]
    assert {r["taskType"] for r in requests} == {"RETRIEVAL_DOCUMENT", "RETRIEVAL_QUERY"}
    assert {r["model"] for r in requests} == {"models/gemini-embedding-001"}
    vector = await embedder.embed_query("backlash")
    assert len(vector) == 768 and sum(x * x for x in vector) == pytest.approx(1.0, abs=1e-4)

    # Another dimension is another index: refused until `booktutor reindex`.
    wider = build_embedder(settings.model_copy(update={"gemini_embed_dimension": 1536}))
    with pytest.raises(IndexMismatch, match="reindex"):
        await build_test_services(settings, clean_db, local_mode_store, wider).check_index()
