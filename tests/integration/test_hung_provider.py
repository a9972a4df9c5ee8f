"""Fault test: an OpenAI-compatible server that accepts connections and never answers.

With the offline answerer as fallback, the learner gets the fallback's first token within the
first-token timeout plus 2 s, on a fresh server and with a half-open circuit breaker, and the
stream says which provider answered (issue 19).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from functools import partial

import httpx
import pytest
from tests.integration.test_chat_http import _serve, body
from tests.integration.test_streaming import SseReader, wait_until

from booktutor.api.app import create_app
from booktutor.providers.fallback import FallbackModel
from booktutor.providers.resilience import CircuitBreaker

pytestmark = pytest.mark.integration
FIRST_TOKEN_S = 2.0
GRACE_S = 2.0  # the bound: first-token timeout + 2 s
QUESTION = "What is backlash in a gearbox?"


class NeverAnswers:
    """A TCP server that accepts every connection, reads what it is sent and never replies."""

    def __init__(self) -> None:
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        while await reader.read(65536):
            pass

    async def stop(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def hung_url() -> AsyncIterator[tuple[str, NeverAnswers]]:
    server = NeverAnswers()
    url = await server.start()
    yield url, server
    await server.stop()


@pytest.fixture
async def book(ingestor, book_copy) -> None:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def _first_token(http: httpx.AsyncClient, question: str, thread_id: str) -> tuple[float, list]:
    """Seconds from sending the message to the first answer token, and all the run's events."""
    started = time.monotonic()
    first: float | None = None
    events = []
    async with http.stream("POST", "/api/v1/agent/run", json=body(question, thread_id=thread_id)) as response:
        assert response.status_code == 200, await response.aread()
        reader = SseReader(response)
        while (event := await reader.next()) is not None:
            events.append(event)
            if first is None and event.data["type"] == "TEXT_MESSAGE_CONTENT":
                first = time.monotonic() - started
            if event.data["type"] in ("RUN_FINISHED", "RUN_ERROR"):
                break
    assert first is not None, [e.data["type"] for e in events]
    return first, events


def _is_half_open(breaker: CircuitBreaker) -> bool:
    return breaker.state == "half_open"


def _provider_said(events: list) -> tuple[str | None, str | None]:
    """The provider named by the stream: in the state delta before the text, and in the final snapshot."""
    deltas = [
        op["value"]
        for e in events
        if e.data["type"] == "STATE_DELTA"
        for op in e.data["delta"]
        if op["path"] == "/provider"
    ]
    snapshot = [e.data for e in events if e.data["type"] == "STATE_SNAPSHOT"][-1]["snapshot"]
    return (deltas[0] if deltas else None), snapshot["provider"]


async def _offline_first_token(services) -> float:
    """How long the offline answerer alone takes to its first token on a fresh server, on this
    machine now: the part of the wait that is the fallback's own work, not the hung provider's."""
    async for base_url in _serve(create_app(services=services)):
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
            elapsed, _ = await _first_token(http, QUESTION, "t-offline")
    return elapsed


async def test_a_hung_provider_costs_one_first_token_timeout_fresh_and_half_open(services, book, hung_url):
    """The learner waits at most the first-token timeout + 2 s for the hung provider, beyond what
    the fallback itself takes to answer (under a second on an idle machine; measured here because
    the test machine may be loaded)."""
    url, hung = hung_url
    bound = FIRST_TOKEN_S + GRACE_S + await _offline_first_token(services)
    settings = services.settings.model_copy(
        update={
            "llm_provider": "openai",
            "llm_fallbacks": ["extractive"],
            "openai_base_url": url,
            "llm_timeout_s": FIRST_TOKEN_S,
            "llm_router_timeout_s": 0.5,
            "llm_breaker_cooldown_s": 1.0,
        }
    )
    app = create_app(services=dataclasses.replace(services, settings=settings))
    async for base_url in _serve(app):
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
            model = app.state.run_source.model
            assert isinstance(model, FallbackModel)
            breaker = model.slots[0].breaker

            # A fresh server: the breaker is closed, the provider is tried (router, then the answer).
            elapsed, events = await _first_token(http, QUESTION, "t-fresh")
            assert hung.connections >= 1
            assert elapsed < bound, f"first token after {elapsed:.1f} s on a fresh server (bound {bound:.1f} s)"
            assert _provider_said(events) == ("extractive", "extractive")
            assert events[-1].data["type"] == "RUN_FINISHED"
            text = "".join(e.data["delta"] for e in events if e.data["type"] == "TEXT_MESSAGE_CONTENT")
            assert "backlash" in text.lower()

            # Failures pile up until the circuit opens, then after its cooldown it is half-open.
            for n in range(3):
                if breaker.opened_at is not None:
                    break
                await _first_token(http, QUESTION, f"t-open-{n}")
            assert breaker.opened_at is not None
            await wait_until(partial(_is_half_open, breaker), limit_s=10)

            before, opened_at = hung.connections, breaker.opened_at
            elapsed, events = await _first_token(http, QUESTION, "t-half-open")
            assert hung.connections > before, "the half-open breaker let one trial call through"
            assert elapsed < bound, f"first token after {elapsed:.1f} s with a half-open breaker (bound {bound:.1f} s)"
            assert _provider_said(events) == ("extractive", "extractive")
            assert breaker.opened_at > opened_at, "the failed trial opened the circuit again"
