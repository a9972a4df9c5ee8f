"""Prometheus /metrics, opt-in OpenTelemetry spans and LangSmith being off by default."""

from __future__ import annotations

import httpx
import pytest
from agents.tracing import get_trace_provider
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from tests.integration.test_chat_http import body
from tests.integration.test_streaming import SseReader, types_of

from booktutor.api.app import create_app
from booktutor.observability.agents_tracing import configure_tracing
from booktutor.observability.langsmith_setup import langsmith_enabled
from booktutor.observability.tracing import build_provider, instrument, uninstrument, use_provider
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn
from booktutor.providers.fallback import FallbackModel, ModelSlot
from booktutor.providers.resilience import RetryPolicy

pytestmark = pytest.mark.integration


def _answering_model() -> FallbackModel:
    broken = ScriptedModel([Turn(error=RuntimeError("provider down"))], repeat_last=True)
    working = ScriptedModel(
        [
            Turn(tool_calls=[ToolCall("search_book", {"query": "backlash"})]),
            Turn(text="Backlash is play between gear teeth [1]."),
        ]
    )
    return FallbackModel(
        [ModelSlot("broken", broken), ModelSlot("scripted", working)],
        timeout_s=5,
        retry=RetryPolicy(attempts=1),
    )


@pytest.fixture
async def book(ingestor, book_copy) -> None:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def _scrape(http: httpx.AsyncClient) -> dict[tuple[str, frozenset], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _chat_and_search(http: httpx.AsyncClient, thread_id: str) -> list:
    http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
    async with http.stream("POST", "/api/v1/agent/run", json=body("What is backlash?", thread_id)) as run:
        assert run.status_code == 200
        events = await SseReader(run).rest()
    assert types_of(events)[-1] == "RUN_FINISHED"
    assert (await http.get("/api/v1/search", params={"q": "gear ratio", "book_id": "mini"})).status_code == 200
    return events


async def test_metrics_after_a_chat_run_and_a_search(services, book):
    app = create_app(services=services, model=_answering_model())
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60) as http,
    ):
        before = await _scrape(http)
        await _chat_and_search(http, "t-metrics")
        await http.get("/no/such/page/12345")
        after = await _scrape(http)
        openapi = (await http.get("/api/v1/openapi.json")).json()

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    run_route = {"method": "POST", "route": "/api/v1/agent/run", "status": "200"}
    assert delta("booktutor_http_request_duration_seconds_count", **run_route) == 1
    assert (
        delta(
            "booktutor_http_request_duration_seconds_count",
            method="GET",
            route="/api/v1/search",
            status="200",
        )
        == 1
    )
    assert (
        delta(
            "booktutor_http_request_duration_seconds_count",
            method="GET",
            route="unmatched",
            status="404",
        )
        == 1
    )
    assert not any("12345" in dict(labels).get("route", "") for _, labels in after)
    assert not any(
        name.startswith("booktutor_http") and dict(labels).get("route") == "/metrics" for name, labels in after
    )

    assert delta("booktutor_run_duration_seconds_count", outcome="finished") == 1
    assert delta("booktutor_time_to_first_token_seconds_count") == 1
    ttft = delta("booktutor_time_to_first_token_seconds_sum")
    duration = delta("booktutor_run_duration_seconds_sum", outcome="finished")
    assert 0 < ttft <= duration < 60
    assert _value(after, "booktutor_streams_in_flight") == 0
    assert delta("booktutor_runs_total", route="answer", outcome="finished") == 1

    assert delta("booktutor_llm_provider_errors_total", provider="broken") >= 1
    assert delta("booktutor_llm_fallbacks_total", from_provider="broken") >= 1
    assert delta("booktutor_retrieval_duration_seconds_count") >= 2  # the tool's search and /search
    assert 0 < delta("booktutor_retrieval_duration_seconds_sum") < 30
    assert ("booktutor_jobs", frozenset({("status", "queued")})) in after
    assert "/metrics" not in openapi["paths"]


async def test_spans_for_requests_nodes_agent_runs_tools_sql_and_httpx(services, book):
    exporter = InMemorySpanExporter()
    provider = build_provider(None, processor=SimpleSpanProcessor(exporter))
    app = create_app(services=services, model=_answering_model())
    instrument(app, provider, [services.db.engine])
    use_provider(provider, set_global=False)
    try:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60) as http,
        ):
            await _chat_and_search(http, "t-traces")
        async with httpx.AsyncClient() as outside:  # an outgoing call (nothing listens on port 9)
            with pytest.raises(httpx.ConnectError):
                await outside.get("http://127.0.0.1:9/")
    finally:
        use_provider(None)
        uninstrument(app)
    spans = exporter.get_finished_spans()
    names = {span.name for span in spans}
    assert {
        "agent.run",
        "graph.node.guard",
        "graph.node.router",
        "graph.node.answer",
        "tool.search_book",
        "retrieval.search",
    } <= names
    assert any(name.startswith("POST /api/v1/agent/run") for name in names)
    assert any(span.attributes.get("db.system") == "postgresql" for span in spans)
    assert any(span.name == "GET" and span.kind == SpanKind.CLIENT for span in spans)
    by_id = {span.context.span_id: span for span in spans}
    tool = next(span for span in spans if span.name == "tool.search_book")
    ancestors = []
    parent = tool.parent
    while parent is not None and parent.span_id in by_id:
        ancestors.append(by_id[parent.span_id].name)
        parent = by_id[parent.span_id].parent
    assert "graph.node.answer" in ancestors and "agent.run" in ancestors


def test_langsmith_is_off_and_registers_nothing_by_default(monkeypatch, test_settings):
    for name in (
        "LANGSMITH_TRACING",
        "LANGCHAIN_TRACING_V2",
        "LANGSMITH_API_KEY",
        "LANGCHAIN_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert not langsmith_enabled()
    configure_tracing(test_settings)
    processors = get_trace_provider()._multi_processor._processors  # noqa: SLF001
    assert not any("langsmith" in type(p).__module__ for p in processors)
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    assert not langsmith_enabled()  # a flag without a key stays off
