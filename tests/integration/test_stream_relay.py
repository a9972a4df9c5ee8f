"""Two replicas (two apps, one database, separate RunManagers) sharing runs through the real Redis:
resume on the other replica, follow across the grace timer, cancel from the other replica, ownership."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn
from tests.integration.redis_helpers import REDIS_URL, needs_redis
from tests.integration.test_streaming import (
    FULL_ANSWER_TYPES,
    Harness,
    ScriptedRunSource,
    SseReader,
    assert_well_formed,
    run_body,
    seqs_of,
    types_of,
    wait_until,
)

from booktutor.api.app import build_run_relay, create_app
from booktutor.api.run_relay import RunRelay
from booktutor.api.streaming import RunManager
from booktutor.services import Services

pytestmark = pytest.mark.integration
DEAD_REDIS_URL = "redis://127.0.0.1:9/0"


@asynccontextmanager
async def replica(
    services: Services, prefix: str, redis_url: str = REDIS_URL, **manager_options: Any
) -> AsyncIterator[Harness]:
    """One API replica on a real socket whose RunManager mirrors runs to Redis under `prefix`."""
    app = create_app(services=services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_until(lambda: server.started, limit_s=30)
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=10)
    harness = Harness(app, http, services, ScriptedRunSource())
    relay = RunRelay.from_url(redis_url, prefix=prefix, follower_ttl_s=1.5)
    await app.state.run_manager.aclose()  # the lifespan's own manager: replaced by one with the relay
    app.state.run_manager = RunManager(harness.source, relay=relay, **manager_options)
    try:
        yield harness
    finally:
        await http.aclose()
        await harness.manager.aclose()
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test-relay-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def replicas(services, prefix) -> AsyncIterator[tuple[Harness, Harness]]:
    async with (
        replica(services, prefix, disconnect_grace_s=GRACE_S) as a,
        replica(services, prefix, disconnect_grace_s=GRACE_S) as b,
    ):
        yield a, b


GRACE_S = 1.0  # roomy: a loaded CI machine must not turn scheduling delays into cancelled runs
STREAM = "/api/v1/threads/{thread}/runs/{run}/stream"
CANCEL = "/api/v1/threads/{thread}/runs/{run}/cancel"


@needs_redis
async def test_a_run_started_on_one_replica_resumes_on_the_other(replicas, prefix):
    a, b = replicas
    auth = await a.guest()
    body = run_body("t-1", "r-1", chunks=30, delay=0.1)  # outlives A's disconnect grace
    async with a.stream_run(auth, body) as response:
        head = await SseReader(response).take(5)
    async with b.stream_run(auth, body, headers={"Last-Event-ID": "r-1:5"}) as response:
        assert response.status_code == 200
        resumed = await SseReader(response).rest()

    # Valid on its own on the other replica too: the run and its open scopes reopened at seq 5.
    reopened, tail = resumed[:3], resumed[3:]
    assert types_of(reopened) == ["RUN_STARTED", "STEP_STARTED", "TEXT_MESSAGE_START"]
    assert seqs_of(reopened, "r-1") == [5, 5, 5] and reopened[2].data == head[2].data
    assert_well_formed(types_of(resumed))
    assert seqs_of(tail, "r-1") == list(range(6, 6 + len(tail)))
    types = types_of(head + tail)
    assert_well_formed(types)
    assert types == [
        "RUN_STARTED",
        "STEP_STARTED",
        "TEXT_MESSAGE_START",
        *["TEXT_MESSAGE_CONTENT"] * 30,
        "TEXT_MESSAGE_END",
        "STATE_SNAPSHOT",
        "STEP_FINISHED",
        "RUN_FINISHED",
    ]
    assert "outcome" not in tail[-1].data  # finished, not cancelled by A's grace timer
    assert a.source.prepared == ["r-1"] and a.source.cancelled == []
    assert b.source.prepared == []  # B only relayed the run
    async with a.http.stream("GET", STREAM.format(thread="t-1", run="r-1"), headers=auth) as response:
        on_owner = await SseReader(response).rest()
    assert [m.data for m in head + tail] == [m.data for m in on_owner]  # the same JSON as the owner sends

    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    entries = await client.xrange(f"{prefix}:run:r-1")
    meta = await client.hgetall(f"{prefix}:run:r-1:meta")
    ttl = await client.ttl(f"{prefix}:run:r-1")
    await client.aclose()
    assert [int(fields["seq"]) for _, fields in entries] == list(range(1, len(on_owner) + 1))
    assert [json.loads(fields["data"]) for _, fields in entries] == [m.data for m in on_owner]
    assert meta["state"] == "finished" and meta["thread_id"] == "t-1" and int(meta["last_seq"]) == len(on_owner)
    assert 0 < ttl <= 600


@needs_redis
async def test_a_remote_follower_keeps_the_run_alive_and_its_leaving_does_not(replicas):
    a, b = replicas
    auth = await a.guest()
    url = STREAM.format(thread="t-1", run="r-long")
    async with a.stream_run(auth, run_body("t-1", "r-long", chunks=400, delay=0.05)) as response:
        await SseReader(response).take(3)
    async with b.http.stream("GET", url, headers={**auth, "Last-Event-ID": "r-long:3"}) as response:
        reader = SseReader(response)
        followed = await reader.take(80)  # about 4 s: several of A's grace periods
        assert a.source.cancelled == []
    assert types_of(followed)[:3] == ["RUN_STARTED", "STEP_STARTED", "TEXT_MESSAGE_START"]
    assert seqs_of(followed[3:], "r-long") == list(range(4, 81))
    # With no follower anywhere, A's grace timer cancels the run once the follower key expires.
    await wait_until(lambda: a.source.cancelled == ["r-long"], limit_s=15)
    async with b.http.stream("GET", url, headers={**auth, "Last-Event-ID": "r-long:83"}) as response:
        rest = await SseReader(response).rest()
    assert rest[-1].data["outcome"] == {"type": "cancelled"}
    assert seqs_of(rest, "r-long")[:4] == [83, 83, 83, 84]
    assert types_of(rest)[-3:] == ["TEXT_MESSAGE_END", "STEP_FINISHED", "RUN_FINISHED"]


@needs_redis
async def test_cancel_through_another_replica_stops_the_run_where_it_runs(replicas, prefix):
    a, b = replicas
    auth = await a.guest()
    async with a.stream_run(auth, run_body("t-1", "r-1", chunks=200, delay=0.05)) as response:
        reader = SseReader(response)
        head = await reader.take(5)
        cancel = await b.http.post(CANCEL.format(thread="t-1", run="r-1"), headers=auth)
        assert cancel.status_code == 202 and cancel.json() == {"run_id": "r-1", "status": "cancelling"}
        tail = await reader.rest()
    messages = head + tail
    assert_well_formed(types_of(messages))
    assert messages[-1].data["outcome"] == {"type": "cancelled"}
    assert a.source.cancelled == ["r-1"] and a.source.cancel_hooks == ["r-1"]
    assert len(messages) < 50

    relay = RunRelay.from_url(REDIS_URL, prefix=prefix)
    await wait_until_async(lambda: _state(relay, "r-1"), "cancelled")
    await relay.aclose()
    again = await b.http.post(CANCEL.format(thread="t-1", run="r-1"), headers=auth)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "run_not_running")


@needs_redis
async def test_another_user_cannot_see_or_cancel_a_run_on_the_other_replica(replicas):
    a, b = replicas
    owner, stranger = await a.guest(), await a.guest()
    async with a.stream_run(owner, run_body("t-1", "r-1", chunks=40, delay=0.05)) as response:
        reader = SseReader(response)
        await reader.take(2)
        for path, headers in [
            (STREAM.format(thread="t-1", run="r-1"), stranger),
            (STREAM.format(thread="t-other", run="r-1"), owner),
            (STREAM.format(thread="t-1", run="nope"), owner),
            (CANCEL.format(thread="t-1", run="r-1"), stranger),
            (CANCEL.format(thread="t-other", run="r-1"), owner),
        ]:
            method = "POST" if path.endswith("/cancel") else "GET"
            got = await b.http.request(method, path, headers=headers)
            assert (got.status_code, got.json()["error"]["code"]) == (404, "run_not_found"), (method, path)
        messages = await reader.rest()
    assert types_of(messages)[-1] == "RUN_FINISHED" and "outcome" not in messages[-1].data
    assert a.source.cancelled == []


@needs_redis
async def test_a_run_on_a_single_replica_still_streams_exactly_as_before(replicas):
    a, _ = replicas
    auth = await a.guest()
    async with a.stream_run(auth, run_body("t-1", "r-1")) as response:
        messages = await SseReader(response).rest()
    assert types_of(messages) == FULL_ANSWER_TYPES


async def test_an_unreachable_redis_does_not_break_runs(services):
    async with replica(services, "unused", redis_url=DEAD_REDIS_URL) as a:
        auth = await a.guest()
        async with a.stream_run(auth, run_body("t-1", "r-1")) as response:
            messages = await SseReader(response).rest()
        assert types_of(messages) == FULL_ANSWER_TYPES
        gone = await a.http.get(STREAM.format(thread="t-1", run="elsewhere"), headers=auth)
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "run_not_found")


async def test_the_relay_is_built_only_with_a_redis_url(test_settings):
    assert build_run_relay(test_settings) is None
    relay = build_run_relay(test_settings.model_copy(update={"redis_url": REDIS_URL}))
    assert isinstance(relay, RunRelay) and relay.prefix == "booktutor"
    await relay.aclose()


async def _state(relay: RunRelay, run_id: str) -> str | None:
    remote = await relay.lookup(run_id)
    return remote.state if remote else None


async def wait_until_async(probe, expected: str, limit_s: float = 3.0) -> None:
    for _ in range(int(limit_s / 0.02)):
        if await probe() == expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never became {expected!r}")
