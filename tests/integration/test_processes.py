"""Fault tests on processes: `booktutor serve` stops the embedded PostgreSQL it started however it
stops, and brings its database back when the embedded server dies or an external one returns."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from tests.integration.live_server import live_server
from tests.integration.serve_process import (
    SLOW,
    Server,
    cli,
    postgres_processes,
    server_env,
    serving,
    slow_model_server,
)
from tests.integration.test_chat_http import body
from tests.integration.test_streaming import SseReader

# Generous limits: these tests start and stop real processes (Python with torch, PostgreSQL) on a
# machine that may be shared and loaded, where a start, a crash recovery or a stop can take minutes.
# A limit only turns a hang into a failure with a message; how fast anything happens is never asserted.
WAIT_S = 300.0
# pytest-timeout's 300 s default is too short for a test that starts two servers on such a machine.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]


async def _eventually(
    check: Callable[[], Awaitable[bool]], failure: Callable[[], str], limit_s: float = WAIT_S
) -> None:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < limit_s, failure()
        await asyncio.sleep(0.2)


async def _stopped(server: Server, sig: int) -> int:
    return await asyncio.to_thread(server.kill, sig, WAIT_S)


async def _no_postgres_left(pgdata: Path) -> None:
    async def none_left() -> bool:
        return not postgres_processes(pgdata)

    await _eventually(none_left, lambda: f"postgres still runs: {postgres_processes(pgdata)}")


async def _ready(http: httpx.AsyncClient) -> None:
    """`/ready` green: the database answers and the warm-ups are done (so no model is loading)."""

    async def green() -> bool:
        try:
            return (await http.get("/api/v1/ready")).status_code == 200
        except httpx.TransportError:
            return False

    await _eventually(green, lambda: "/ready never turned green")


async def _started(server: Server) -> None:
    await server.ready(limit_s=WAIT_S)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        await _ready(http)


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    return server_env(tmp_path / "data")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_serve_stops_the_embedded_postgres_it_started(embedded_env, tmp_path, sig):
    pgdata = tmp_path / "data" / "postgres"
    if sig == signal.SIGTERM:  # once (a server start is slow): a server killed before leaves a stale pid
        crashed = Server(embedded_env, tmp_path)
        await crashed.ready()
        assert postgres_processes(pgdata)
        await _stopped(crashed, signal.SIGKILL)  # the database keeps running, the pid stays in its handle file
        assert postgres_processes(pgdata)

    server = Server(embedded_env, tmp_path)
    await _started(server)
    await _stopped(server, sig)
    await _no_postgres_left(pgdata)


async def test_a_failed_startup_stops_the_embedded_postgres(embedded_env, tmp_path):
    pgdata = tmp_path / "data" / "postgres"
    # The database starts and migrates, then the embedding model is refused: the lifespan fails.
    env = {**embedded_env, "BOOKTUTOR_EMBEDDING_MODEL": "no-such-model"}
    server = Server(env, tmp_path)
    code = await asyncio.to_thread(server.process.wait, WAIT_S)
    assert code != 0
    assert "no-such-model" in server.log.read_text()
    await _no_postgres_left(pgdata)


@pytest.fixture
async def model() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """The slow model server's URL, and an event set when a request reaches it."""
    app = slow_model_server()
    asked = asyncio.Event()

    @app.middleware("http")
    async def note(request, call_next):  # noqa: ANN001, ANN202
        asked.set()
        return await call_next(request)

    async with live_server(app) as url:
        yield f"{url}/v1", asked


async def test_a_cli_command_stopped_with_sigterm_stops_the_embedded_postgres(tmp_path, book_copy, model):
    model_url, asked = model
    env = server_env(tmp_path / "data", llm_provider="openai", openai_base_url=model_url)
    pgdata = tmp_path / "data" / "postgres"
    await asyncio.to_thread(cli, env, tmp_path, "ingest", str(book_copy), "--book-id", "mini", "--title", "Mini")
    await _no_postgres_left(pgdata)  # a command that ends stops it
    command = [sys.executable, "-m", "booktutor.cli", "ask", f"Explain gears {SLOW}", "--book-id", "mini"]
    out = asyncio.subprocess.DEVNULL
    ask = await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path, stdout=out, stderr=out)
    try:
        # Its database is up and its answer streams for a minute: it is stopped mid-work.
        await asyncio.wait_for(asked.wait(), WAIT_S)
        assert postgres_processes(pgdata)
        ask.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(ask.wait(), WAIT_S) == 128 + signal.SIGTERM
    finally:
        if ask.returncode is None:
            ask.kill()
    await _no_postgres_left(pgdata)


# ------------------------------------------------------------------ the database dies, then returns


async def _answer(http: httpx.AsyncClient, question: str, thread_id: str, limit_s: float = WAIT_S) -> list:
    """The run's events; a run of this thread still being saved (409) is waited for."""
    started = time.monotonic()
    while True:
        async with http.stream("POST", "/api/v1/agent/run", json=body(question, thread_id)) as response:
            if response.status_code == 409 and time.monotonic() - started < limit_s:
                await asyncio.sleep(0.2)
                continue
            assert response.status_code == 200, await response.aread()
            return await SseReader(response).rest()


async def _chat_through_an_outage(http: httpx.AsyncClient, outage, recover) -> list[dict]:
    """One answer, then a run cut by the outage mid-stream, then the thread answers again."""
    first = await _answer(http, "What is a gear?", "t-outage")
    assert first[-1].data["type"] == "RUN_FINISHED"
    async with http.stream("POST", "/api/v1/agent/run", json=body(f"Explain gears {SLOW}", "t-outage")) as response:
        reader = SseReader(response)
        while (event := await reader.next()) is not None and event.data["type"] != "TEXT_MESSAGE_CONTENT":
            pass
        await outage()
    await recover()
    await _ready(http)
    again = await _answer(http, "And what is backlash?", "t-outage")
    assert again[-1].data["type"] == "RUN_FINISHED", [e.data for e in again[-3:]]
    thread = await http.get("/api/v1/threads/t-outage")
    assert thread.status_code == 200
    return thread.json()["messages"]


def _assert_nothing_committed_was_lost(messages: list[dict]) -> None:
    users = [m["content"] for m in messages if m["role"] == "user"]
    assert users == ["What is a gear?", f"Explain gears {SLOW}", "And what is backlash?"]
    answers = [m["status"] for m in messages if m["role"] == "assistant"]
    assert answers[0] == "complete" and answers[-1] == "complete"


@pytest.fixture
async def model_url() -> AsyncIterator[str]:
    async with live_server(slow_model_server()) as url:
        yield f"{url}/v1"


async def test_the_embedded_postgres_killed_mid_chat_is_restarted(tmp_path, book_copy, model_url):
    env = server_env(tmp_path / "data", llm_provider="openai", openai_base_url=model_url)
    await asyncio.to_thread(cli, env, tmp_path, "ingest", str(book_copy), "--book-id", "mini", "--title", "Mini")
    pgdata = tmp_path / "data" / "postgres"
    async with serving(env, tmp_path) as server, httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]

        killed: list[int] = []

        async def kill_postgres() -> None:
            postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
            os.kill(postmaster, signal.SIGKILL)
            killed.append(postmaster)

        async def wait_for_restart() -> None:
            async def restarted() -> bool:
                return _postmaster(pgdata) not in (None, *killed)

            await _eventually(restarted, lambda: "the embedded database was not restarted")

        messages = await _chat_through_an_outage(http, kill_postgres, wait_for_restart)
    _assert_nothing_committed_was_lost(messages)
    await _no_postgres_left(pgdata)


def _postmaster(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


class Outage:
    """A TCP proxy in front of the test's PostgreSQL that can cut every connection and refuse new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self._pipes: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._pipes += [writer, upstream_writer]
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True)

    async def cut(self) -> None:
        self.down = True
        for writer in self._pipes:
            writer.transport.abort()
        self._pipes.clear()

    async def restore(self) -> None:
        self.down = False

    async def stop(self) -> None:
        await self.cut()
        if self._server is not None:
            self._server.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def test_an_external_database_that_returns_is_used_again(test_settings, tmp_path, ingestor, book_copy, model_url):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    url = make_url(test_settings.database_url or "")
    if not url.host or url.host.startswith("/"):
        pytest.skip("the test database is reached over a Unix socket: no TCP proxy to cut")
    proxy = Outage(url.host, url.port or 5432)
    port = await proxy.start()
    proxied = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    env = server_env(tmp_path / "data", database_url=proxied, llm_provider="openai", openai_base_url=model_url)
    try:
        async with serving(env, tmp_path) as server, httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]

            async def outage() -> None:
                await proxy.cut()
                assert (await http.get("/api/v1/ready")).status_code == 503

            async def returns() -> None:
                await asyncio.sleep(1.0)  # the database stays away for a while
                await proxy.restore()

            messages = await _chat_through_an_outage(http, outage, returns)
    finally:
        await proxy.stop()
    _assert_nothing_committed_was_lost(messages)
