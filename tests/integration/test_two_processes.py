"""Two API processes against one Postgres and one Redis, each with its own copy of the vector index
(the layout `booktutor serve --workers N` runs with servers): a run started on one process is resumed
and cancelled through the other."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select
from tests.integration.live_server import free_port
from tests.integration.redis_helpers import REDIS_URL, needs_redis
from tests.integration.test_streaming import SseReader, assert_well_formed, types_of

from booktutor.api.serving import process_count
from booktutor.config import Settings
from booktutor.memory.models import Run

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STREAM = "/api/v1/threads/{thread}/runs/{run}/stream"
CANCEL = "/api/v1/threads/{thread}/runs/{run}/cancel"


@pytest.fixture
def environment(clean_db, database_url, tmp_path) -> Iterator[dict[str, str]]:
    prefix = f"test-procs-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKTUTOR_")}
    env.update(
        BOOKTUTOR_DATABASE_URL=database_url.render_as_string(hide_password=False),
        BOOKTUTOR_REDIS_URL=REDIS_URL,
        BOOKTUTOR_RATE_LIMIT_PREFIX=prefix,
        BOOKTUTOR_SECRET_KEY="two-processes-share-this-secret-key-0123456789",
        BOOKTUTOR_EMBEDDING_PROVIDER="fake",
        BOOKTUTOR_LOG_LEVEL="WARNING",
        BOOKTUTOR_STREAM_DISCONNECT_GRACE_S="2",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        HF_HUB_OFFLINE="1",
    )
    yield env
    asyncio.run(_delete_keys(prefix))


async def _delete_keys(prefix: str) -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def _booktutor(env: dict[str, str], data_dir: Path, *args: str) -> None:
    command = [sys.executable, "-c", "from booktutor.cli import app; app()", *args]
    subprocess.run(command, env={**env, "BOOKTUTOR_DATA_DIR": str(data_dir)}, cwd=ROOT, check=True, timeout=300)


@asynccontextmanager
async def api_process(env: dict[str, str], data_dir: Path, log: Path) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.integration.two_process_app:create"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = await asyncio.to_thread(_start, command, {**env, "BOOKTUTOR_DATA_DIR": str(data_dir)}, log)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        await _wait_ready(client, process, log)
        yield client
    finally:
        await client.aclose()
        await asyncio.to_thread(_stop, process)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


async def _wait_ready(client: httpx.AsyncClient, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        assert process.poll() is None, await asyncio.to_thread(log.read_text)
        try:
            if (await client.get("/api/v1/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"the API process never became ready:\n{await asyncio.to_thread(log.read_text)}")


def _run_body(thread_id: str, run_id: str) -> dict:
    return {
        "threadId": thread_id,
        "runId": run_id,
        "state": {},
        "messages": [{"id": f"u-{uuid.uuid4().hex}", "role": "user", "content": "What does a gear ratio do?"}],
        "tools": [],
        "context": [],
        "forwardedProps": {"bookId": "mini"},
    }


@needs_redis
async def test_a_run_started_on_one_process_is_resumed_and_cancelled_through_the_other(environment, tmp_path, clean_db):
    first, second = tmp_path / "first", tmp_path / "second"
    await asyncio.to_thread(_booktutor, environment, first, "ingest", str(FIXTURES / "mini_book"), "--book-id", "mini")
    await asyncio.to_thread(shutil.copytree, first, second)  # each process reads its own copy of the index
    thread_id, run_id = f"t-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"

    async with (
        api_process(environment, first, tmp_path / "first.log") as a,
        api_process(environment, second, tmp_path / "second.log") as b,
    ):
        guest = (await a.get("/api/v1/threads")).headers["X-Guest-Token"]
        auth = {"X-Guest-Token": guest}
        async with a.stream("POST", "/api/v1/agent/run", json=_run_body(thread_id, run_id), headers=auth) as started:
            assert started.status_code == 200
            on_a = SseReader(started)
            head = [await on_a.next()]
            while head[-1] is not None and head[-1].data["type"] != "TEXT_MESSAGE_CONTENT":
                head.append(await on_a.next())

            url = STREAM.format(thread=thread_id, run=run_id)
            async with b.stream("GET", url, headers=auth) as resumed:
                assert resumed.status_code == 200
                on_b = SseReader(resumed)
                replayed = await on_b.take(len(head))
                assert [m.data for m in replayed] == [m.data for m in head]  # the same events, from Redis

                cancel = await b.post(CANCEL.format(thread=thread_id, run=run_id), headers=auth)
                assert cancel.status_code == 202 and cancel.json()["status"] == "cancelling"
                tail_b = await on_b.rest()
            tail_a = await on_a.rest()

    for messages in (head + tail_a, replayed + tail_b):
        assert_well_formed(types_of(messages))
        assert messages[-1].data["outcome"] == {"type": "cancelled"}
    assert [m.data for m in tail_a] == [m.data for m in tail_b]

    async def run_status() -> str | None:
        async with clean_db.session() as session:
            return await session.scalar(select(Run.status).where(Run.id == run_id))

    statuses: list[str | None] = []

    async def settled() -> bool:
        statuses.append(await run_status())
        return statuses[-1] not in (None, "running")

    await wait_until_settled(settled)
    assert statuses[-1] in {"cancelled", "interrupted"}


async def wait_until_settled(check) -> None:
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the run never left the running state")


def test_serve_runs_one_process_on_the_embedded_default_and_says_why() -> None:
    embedded = Settings(_env_file=None)
    assert process_count(embedded, 1) == (1, None)
    count, why = process_count(embedded, 4)
    assert count == 1 and why is not None
    for variable in ("BOOKTUTOR_DATABASE_URL", "BOOKTUTOR_QDRANT_URL", "BOOKTUTOR_REDIS_URL"):
        assert variable in why

    servers = Settings(
        _env_file=None,
        database_url="postgresql://db.internal/booktutor",
        qdrant_url="http://qdrant.internal:6333",
        redis_url="redis://redis.internal:6379/0",
    )
    assert process_count(servers, 4) == (4, None)
    count, why = process_count(servers.model_copy(update={"redis_url": None}), 4)
    assert count == 1 and "BOOKTUTOR_REDIS_URL" in why and "QDRANT" not in why
