"""AG-UI runs over real SSE (uvicorn, loopback): order, resume, cancel, disconnect, double texts."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn
from ag_ui.core import (
    BaseEvent,
    Event,
    RunAgentInput,
    RunFinishedEvent,
    RunStartedEvent,
    StateSnapshotEvent,
    StepFinishedEvent,
    StepStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
)
from fastapi import FastAPI
from pydantic import TypeAdapter

from booktutor.api.app import create_app
from booktutor.api.streaming import RunManager, RunState, parse_last_event_id, sse
from booktutor.api.streaming.runs import Following
from booktutor.memory.models import User
from booktutor.memory.users import UserRepository
from booktutor.security import issue_guest_token, server_secret
from booktutor.services import Services

pytestmark = pytest.mark.integration

EVENT_ADAPTER: TypeAdapter[BaseEvent] = TypeAdapter(Event)
CHUNKS = ("Gears ", "trade ", "speed ", "for ", "torque.")


# -- a scripted RunSource --------------------------------------------------------------------------


@dataclass
class ScriptedRunSource:
    """Emits a fixed AG-UI answer; `forwardedProps` may set chunks, delay and fail_at per run."""

    chunks: tuple[str, ...] = CHUNKS
    delay: float = 0.02
    prepared: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    saved_partial: dict[str, str] = field(default_factory=dict)
    cancel_hooks: list[str] = field(default_factory=list)
    timeline: list[tuple[str, str]] = field(default_factory=list)

    async def prepare(self, run_input: RunAgentInput, user: User) -> None:
        self.prepared.append(run_input.run_id)

    async def stream(self, run_input: RunAgentInput, user: User) -> AsyncIterator[BaseEvent]:
        props = run_input.forwarded_props or {}
        chunks = [f"w{i} " for i in range(props["chunks"])] if "chunks" in props else self.chunks
        delay, fail_at = props.get("delay", self.delay), props.get("fail_at")
        ids = {"thread_id": run_input.thread_id, "run_id": run_input.run_id}
        message_id = f"msg-{run_input.run_id}"
        self.timeline.append(("start", run_input.run_id))
        yield RunStartedEvent(**ids)
        yield StepStartedEvent(step_name="answer")
        yield TextMessageStartEvent(message_id=message_id, role="assistant")
        text = ""
        try:
            for index, chunk in enumerate(chunks):
                await asyncio.sleep(delay)
                if index == fail_at:
                    raise RuntimeError("secret-internal-detail")
                text += chunk
                yield TextMessageContentEvent(message_id=message_id, delta=chunk)
        except asyncio.CancelledError:
            self.cancelled.append(run_input.run_id)
            self.saved_partial[run_input.run_id] = text
            self.timeline.append(("cancelled", run_input.run_id))
            raise
        yield TextMessageEndEvent(message_id=message_id)
        yield StateSnapshotEvent(snapshot={"answer": text})
        yield StepFinishedEvent(step_name="answer")
        yield RunFinishedEvent(**ids)
        self.timeline.append(("end", run_input.run_id))

    async def cancel_requested(self, thread_id: str, run_id: str, user: User) -> None:
        self.cancel_hooks.append(run_id)


# -- SSE over HTTP -------------------------------------------------------------------------------


@dataclass
class SseMessage:
    id: str
    data: dict[str, Any]
    event: BaseEvent


class SseReader:
    """Parses an SSE body incrementally, keeping the raw text for wire-format checks."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.raw = ""
        self._buffer = ""
        self._chunks = response.aiter_text()

    async def next(self) -> SseMessage | None:
        while True:
            while "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                message = _parse_block(block)
                if message is not None:
                    return message
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                return None
            self.raw += chunk
            self._buffer += chunk

    async def take(self, count: int) -> list[SseMessage]:
        return [message for _ in range(count) if (message := await self.next()) is not None]

    async def rest(self) -> list[SseMessage]:
        messages = []
        while (message := await self.next()) is not None:
            messages.append(message)
        return messages


def _parse_block(block: str) -> SseMessage | None:
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        if line.startswith(":"):
            continue  # keep-alive comment
        name, _, value = line.partition(": ")
        assert name in {"id", "data"}, f"unexpected SSE field {name!r}"
        fields[name] = value
    if "data" not in fields:
        return None
    data = json.loads(fields["data"])
    return SseMessage(id=fields["id"], data=data, event=EVENT_ADAPTER.validate_python(data))


def types_of(messages: list[SseMessage]) -> list[str]:
    return [message.data["type"] for message in messages]


def seqs_of(messages: list[SseMessage], run_id: str) -> list[int]:
    assert all(message.id.startswith(f"{run_id}:") for message in messages)
    return [int(message.id.rsplit(":", 1)[1]) for message in messages]


def assert_well_formed(types: list[str]) -> None:
    """RUN_STARTED first, one terminal event last, text messages and steps properly nested."""
    assert types[0] == "RUN_STARTED" and types[-1] in {"RUN_FINISHED", "RUN_ERROR"}
    assert "RUN_STARTED" not in types[1:] and not {"RUN_FINISHED", "RUN_ERROR"} & set(types[:-1])
    open_message = open_step = False
    for event_type in types[1:-1]:
        if event_type == "TEXT_MESSAGE_START":
            assert not open_message
            open_message = True
        elif event_type == "TEXT_MESSAGE_CONTENT":
            assert open_message
        elif event_type == "TEXT_MESSAGE_END":
            assert open_message
            open_message = False
        elif event_type == "STEP_STARTED":
            open_step = True
        elif event_type == "STEP_FINISHED":
            assert open_step
            open_step = False
    if types[-1] == "RUN_FINISHED":
        assert not open_message and not open_step


FULL_ANSWER_TYPES = [
    "RUN_STARTED",
    "STEP_STARTED",
    "TEXT_MESSAGE_START",
    *["TEXT_MESSAGE_CONTENT"] * len(CHUNKS),
    "TEXT_MESSAGE_END",
    "STATE_SNAPSHOT",
    "STEP_FINISHED",
    "RUN_FINISHED",
]


def run_body(thread_id: str, run_id: str, **props: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "threadId": thread_id,
        "runId": run_id,
        "state": {},
        "tools": [],
        "context": [],
        "messages": [{"id": f"u-{run_id}", "role": "user", "content": "What does a gear do?"}],
    }
    if props:
        body["forwardedProps"] = props
    return body


async def wait_until(predicate: Callable[[], bool], limit_s: float = 3.0) -> float:
    """Seconds it took for `predicate` to hold (fails after `limit_s`)."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < limit_s, "condition not reached in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


# -- the app on a real socket ----------------------------------------------------------------------


@dataclass
class Harness:
    app: FastAPI
    http: httpx.AsyncClient
    services: Services
    source: ScriptedRunSource

    def configure(self, **manager_options: Any) -> RunManager:
        manager = RunManager(self.source, **manager_options)
        self.app.state.run_manager = manager
        self.app.state.run_source = self.source
        return manager

    @property
    def manager(self) -> RunManager:
        return self.app.state.run_manager

    async def guest(self) -> dict[str, str]:
        async with self.services.db.session() as session:
            user = await UserRepository(session).create_guest()
            await session.commit()
        return {"X-Guest-Token": issue_guest_token(user.id, server_secret(self.services.settings))}

    def stream_run(self, auth: dict[str, str], body: dict[str, Any], headers: dict[str, str] | None = None):
        return self.http.stream("POST", "/api/v1/agent/run", json=body, headers={**auth, **(headers or {})})


@pytest.fixture
async def harness(services) -> AsyncIterator[Harness]:
    app = create_app(services=services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_until(lambda: server.started, limit_s=30)
    harness = Harness(
        app, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10), services, ScriptedRunSource()
    )
    harness.configure()
    try:
        yield harness
    finally:
        await harness.http.aclose()
        await harness.manager.aclose()
        server.should_exit = True
        await serving
        sock.close()


# -- tests -----------------------------------------------------------------------------------------


async def test_run_streams_valid_ordered_agui_events(harness):
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1"), headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["cache-control"] == "no-cache"
        assert "content-encoding" not in response.headers
        reader = SseReader(response)
        messages = await reader.rest()
    assert types_of(messages) == FULL_ANSWER_TYPES
    assert_well_formed(types_of(messages))
    assert seqs_of(messages, "r-1") == list(range(1, len(messages) + 1))
    assert "\r" not in reader.raw and "\nevent:" not in reader.raw
    assert reader.raw.startswith("id: r-1:1\ndata: {")
    assert messages[0].data == {"type": "RUN_STARTED", "threadId": "t-1", "runId": "r-1"}
    deltas = [m.data["delta"] for m in messages if m.data["type"] == "TEXT_MESSAGE_CONTENT"]
    assert "".join(deltas) == "".join(CHUNKS)
    assert messages[2].data["messageId"] == "msg-r-1"  # camelCase on the wire
    assert harness.source.prepared == ["r-1"] and harness.source.cancelled == []


async def test_keep_alive_pings_are_sse_comments(harness):
    harness.configure(ping_s=0.05)
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1", chunks=4, delay=0.1)) as response:
        reader = SseReader(response)
        messages = await reader.rest()
    assert ": ping" in reader.raw and "\r" not in reader.raw
    assert types_of(messages)[-1] == "RUN_FINISHED"


async def test_new_guest_gets_its_token_with_the_stream(harness):
    async with harness.stream_run({}, run_body("t-1", "r-1")) as response:
        token = response.headers["X-Guest-Token"]
        assert "booktutor_guest" in response.headers["set-cookie"]
        await SseReader(response).rest()
    replay = await harness.http.get("/api/v1/threads/t-1/runs/r-1/stream", headers={"X-Guest-Token": token})
    assert replay.status_code == 200


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [{"id": "a1", "role": "assistant", "content": "Hello"}],
    ],
)
async def test_run_needs_a_final_user_message(harness, messages):
    body = {**run_body("t-1", "r-1"), "messages": messages}
    auth = await harness.guest()
    response = await harness.http.post("/api/v1/agent/run", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert harness.source.prepared == []


async def test_invalid_run_input_is_a_validation_error(harness):
    body = {"threadId": "t-1", "messages": [{"id": "u1", "role": "user", "content": "hi"}]}
    auth = await harness.guest()
    response = await harness.http.post("/api/v1/agent/run", json=body, headers=auth)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(detail["loc"][-1] == "runId" for detail in error["details"])


async def test_reconnect_with_last_event_id_resumes_exactly(harness):
    harness.configure(disconnect_grace_s=5)  # a loaded CI machine may take longer than the default 0.75 s
    headers = await harness.guest()
    body = run_body("t-1", "r-1", chunks=10, delay=0.05)
    async with harness.stream_run(headers, body) as response:
        first = await SseReader(response).take(5)
    # Reconnect inside the disconnect grace period: the run carries on.
    async with harness.stream_run(headers, body, headers={"Last-Event-ID": "r-1:5"}) as response:
        rest = await SseReader(response).rest()
    # The resumed stream is valid on its own: the run and the scopes open at seq 5 (the step, the text
    # message with its id) reopened, numbered 5, then exactly the events after it.
    reopened, tail = rest[:3], rest[3:]
    assert types_of(reopened) == ["RUN_STARTED", "STEP_STARTED", "TEXT_MESSAGE_START"]
    assert seqs_of(reopened, "r-1") == [5, 5, 5]
    assert reopened[0].data == {"type": "RUN_STARTED", "threadId": "t-1", "runId": "r-1"}
    assert reopened[2].data["messageId"] == first[2].data["messageId"] == "msg-r-1"
    assert_well_formed(types_of(rest))
    seqs = seqs_of(first + tail, "r-1")
    assert seqs == list(range(1, len(seqs) + 1))
    assert types_of(first + tail) == [
        "RUN_STARTED",
        "STEP_STARTED",
        "TEXT_MESSAGE_START",
        *["TEXT_MESSAGE_CONTENT"] * 10,
        "TEXT_MESSAGE_END",
        "STATE_SNAPSHOT",
        "STEP_FINISHED",
        "RUN_FINISHED",
    ]
    assert harness.source.prepared == ["r-1"]  # not started twice
    assert harness.source.cancelled == []


async def test_get_stream_replays_a_run(harness):
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1")) as response:
        full = await SseReader(response).rest()
    url = "/api/v1/threads/t-1/runs/r-1/stream"
    async with harness.http.stream("GET", url, headers=headers) as response:
        assert response.headers["x-accel-buffering"] == "no"
        replay = await SseReader(response).rest()
    assert [m.data for m in replay] == [m.data for m in full]
    async with harness.http.stream("GET", url, params={"after": 3}, headers=headers) as response:
        after_3 = await SseReader(response).rest()
    assert seqs_of(after_3, "r-1") == [3, 3, 3, *range(4, len(full) + 1)]
    assert types_of(after_3)[:3] == ["RUN_STARTED", "STEP_STARTED", "TEXT_MESSAGE_START"]
    assert_well_formed(types_of(after_3))
    last_id = {**headers, "Last-Event-ID": f"r-1:{len(full) - 1}"}
    async with harness.http.stream("GET", url, headers=last_id) as response:
        assert types_of(await SseReader(response).rest()) == ["RUN_STARTED", "RUN_FINISHED"]
    everything = {**headers, "Last-Event-ID": f"r-1:{len(full)}"}
    async with harness.http.stream("GET", url, headers=everything) as response:
        assert await SseReader(response).rest() == []  # the client has the whole run


async def test_get_stream_follows_a_live_run(harness):
    headers = await harness.guest()
    body = run_body("t-1", "r-1", chunks=8, delay=0.05)
    async with harness.stream_run(headers, body) as response:
        reader = SseReader(response)
        await reader.take(2)
        url = "/api/v1/threads/t-1/runs/r-1/stream"
        async with harness.http.stream("GET", url, headers=headers) as second:
            follower = await SseReader(second).rest()
        original = await reader.rest()
    assert types_of(follower)[0] == "RUN_STARTED" and types_of(follower)[-1] == "RUN_FINISHED"
    assert seqs_of(follower, "r-1") == list(range(1, 16))
    assert seqs_of(original, "r-1") == list(range(3, 16))


async def test_unknown_or_foreign_runs_are_not_found(harness):
    owner, stranger = await harness.guest(), await harness.guest()
    async with harness.stream_run(owner, run_body("t-1", "r-1", chunks=20, delay=0.05)) as response:
        reader = SseReader(response)
        await reader.take(1)
        for path, headers in [
            ("/threads/t-1/runs/r-1/stream", stranger),
            ("/threads/t-1/runs/nope/stream", owner),
            ("/threads/t-other/runs/r-1/stream", owner),
        ]:
            got = await harness.http.get(f"/api/v1{path}", headers=headers)
            assert (got.status_code, got.json()["error"]["code"]) == (404, "run_not_found"), path
        cancel = await harness.http.post("/api/v1/threads/t-1/runs/r-1/cancel", headers=stranger)
        assert (cancel.status_code, cancel.json()["error"]["code"]) == (404, "run_not_found")
        hijack = await harness.http.post("/api/v1/agent/run", json=run_body("t-1", "r-1"), headers=stranger)
        # As for an unknown id: a conflict would tell the stranger that the owner's run exists.
        assert (hijack.status_code, hijack.json()["error"]["code"]) == (404, "run_not_found")
        messages = await reader.rest()
    assert types_of(messages)[-1] == "RUN_FINISHED"
    assert "outcome" not in messages[-1].data
    assert harness.source.cancelled == []


async def test_cancel_ends_the_stream_with_a_cancelled_outcome(harness):
    headers = await harness.guest()
    body = run_body("t-1", "r-1", chunks=50, delay=0.05)
    async with harness.stream_run(headers, body) as response:
        reader = SseReader(response)
        head = await reader.take(5)
        cancel = await harness.http.post("/api/v1/threads/t-1/runs/r-1/cancel", headers=headers)
        assert cancel.status_code == 202
        assert cancel.json() == {"run_id": "r-1", "status": "cancelling"}
        tail = await reader.rest()
    messages = head + tail
    assert_well_formed(types_of(messages))
    assert types_of(messages)[-3:] == ["TEXT_MESSAGE_END", "STEP_FINISHED", "RUN_FINISHED"]
    assert messages[-1].data["outcome"] == {"type": "cancelled"}
    assert seqs_of(messages, "r-1") == list(range(1, len(messages) + 1))
    assert harness.source.cancelled == ["r-1"] and harness.source.cancel_hooks == ["r-1"]
    streamed = "".join(m.data.get("delta", "") for m in messages)
    assert harness.source.saved_partial["r-1"] == streamed != ""
    assert harness.manager.get("r-1", SimpleNamespace(id=_user_id(headers, harness))).state == RunState.CANCELLED
    again = await harness.http.post("/api/v1/threads/t-1/runs/r-1/cancel", headers=headers)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "run_not_running")


def _user_id(headers: dict[str, str], harness: Harness) -> uuid.UUID:
    from booktutor.security import read_guest_token

    user_id = read_guest_token(headers["X-Guest-Token"], server_secret(harness.services.settings))
    assert user_id is not None
    return user_id


async def test_client_disconnect_cancels_the_run_within_a_second(harness):
    headers = await harness.guest()
    body = run_body("t-1", "r-1", chunks=100, delay=0.05)
    async with harness.stream_run(headers, body) as response:
        await SseReader(response).take(4)
    waited = await wait_until(lambda: harness.source.cancelled == ["r-1"], limit_s=3)
    assert waited < 1.25
    async with harness.http.stream("GET", "/api/v1/threads/t-1/runs/r-1/stream", headers=headers) as response:
        replay = await SseReader(response).rest()
    assert replay[-1].data["outcome"] == {"type": "cancelled"}
    assert_well_formed(types_of(replay))


async def test_double_texting_reject(harness):
    headers = await harness.guest()
    body = run_body("t-1", "r-1", chunks=20, delay=0.05)
    async with harness.stream_run(headers, body) as response:
        reader = SseReader(response)
        await reader.take(2)
        second = await harness.http.post("/api/v1/agent/run", json=run_body("t-1", "r-2"), headers=headers)
        assert second.status_code == 409
        assert second.json()["error"]["code"] == "run_in_progress"
        other_thread = await harness.http.post("/api/v1/agent/run", json=run_body("t-2", "r-3"), headers=headers)
        assert other_thread.status_code == 200
        first = await reader.rest()
    assert types_of(first)[-1] == "RUN_FINISHED" and "outcome" not in first[-1].data
    assert harness.source.prepared == ["r-1", "r-3"]


async def test_double_texting_interrupt(harness):
    harness.configure(double_texting="interrupt")
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1", chunks=50, delay=0.05)) as first:
        reader = SseReader(first)
        await reader.take(4)
        async with harness.stream_run(headers, run_body("t-1", "r-2")) as second:
            newer = await SseReader(second).rest()
        older = await reader.rest()
    assert older[-1].data["outcome"] == {"type": "cancelled"}
    assert types_of(newer) == FULL_ANSWER_TYPES
    assert harness.source.cancelled == ["r-1"]
    assert harness.source.timeline == [("start", "r-1"), ("cancelled", "r-1"), ("start", "r-2"), ("end", "r-2")]


async def test_double_texting_enqueue(harness):
    harness.configure(double_texting="enqueue")
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1", chunks=8, delay=0.05)) as first:
        reader = SseReader(first)
        await reader.take(2)
        async with harness.stream_run(headers, run_body("t-1", "r-2")) as second:
            newer = await SseReader(second).rest()
        older = await reader.rest()
    assert types_of(older)[-1] == "RUN_FINISHED" and "outcome" not in older[-1].data
    assert types_of(newer) == FULL_ANSWER_TYPES
    assert harness.source.cancelled == []
    assert harness.source.timeline == [("start", "r-1"), ("end", "r-1"), ("start", "r-2"), ("end", "r-2")]


async def test_a_failing_source_ends_with_an_internal_error(harness):
    headers = await harness.guest()
    async with harness.stream_run(headers, run_body("t-1", "r-1", fail_at=2)) as response:
        reader = SseReader(response)
        messages = await reader.rest()
    assert types_of(messages)[:3] == ["RUN_STARTED", "STEP_STARTED", "TEXT_MESSAGE_START"]
    assert messages[-1].data["type"] == "RUN_ERROR"
    assert messages[-1].data["code"] == "internal_error"
    assert "secret-internal-detail" not in reader.raw and "Traceback" not in reader.raw
    assert_well_formed(types_of(messages))
    # The thread is free again.
    async with harness.stream_run(headers, run_body("t-1", "r-2")) as response:
        assert types_of(await SseReader(response).rest()) == FULL_ANSWER_TYPES


async def test_event_log_is_bounded_and_finished_runs_are_evicted(harness):
    manager = harness.configure(max_events_per_run=100, retention_s=0.5, disconnect_grace_s=5)
    headers = await harness.guest()
    user = SimpleNamespace(id=_user_id(headers, harness))
    run_input = RunAgentInput.model_validate(run_body("t-1", "r-1", chunks=1000, delay=0))
    await manager.start(run_input, user)
    async for _ in manager.subscribe("r-1", user, after_seq=10_000):
        pass  # returns once the run has ended
    info = manager.get("r-1", user)
    assert info is not None and info.state == RunState.FINISHED and info.last_seq == 1007
    kept = [(seq, event.type.value) async for seq, event in manager.subscribe("r-1", user)]
    # What the cap dropped is summed up: the run and the scopes open before seq 908, reopened.
    assert kept[:3] == [(907, "RUN_STARTED"), (907, "STEP_STARTED"), (907, "TEXT_MESSAGE_START")]
    assert [seq for seq, _ in kept[3:]] == list(range(908, 1008))
    url = "/api/v1/threads/t-1/runs/r-1/stream"
    async with harness.http.stream("GET", url, headers=headers) as response:
        replayed = await SseReader(response).rest()
    assert len(replayed) == 103
    assert_well_formed(types_of(replayed))
    await wait_until(lambda: len(manager) == 0, limit_s=2)
    gone = await harness.http.get(url, headers=headers)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "run_not_found")


async def test_a_subscriber_takes_the_events_logged_meanwhile_at_once(harness):
    manager = harness.configure(disconnect_grace_s=5)
    user = SimpleNamespace(id=uuid.uuid4())
    await manager.start(RunAgentInput.model_validate(run_body("t-1", "r-1", chunks=5, delay=0)), user)
    async for _ in manager.subscribe("r-1", user, after_seq=10_000):
        pass  # returns once the run has ended
    events = manager.subscribe("r-1", user)
    assert isinstance(events, Following)
    assert events.ready() == []  # nothing taken before the stream starts
    first = await anext(events)
    rest = events.ready()
    assert [first[0], *(seq for seq, _ in rest)] == list(range(1, 13))
    assert rest[-1][1].type.value == "RUN_FINISHED"
    assert events.ready() == [] and [item async for item in events] == []


async def test_a_stream_writes_the_events_of_a_window_together_but_not_the_first_token_or_the_end(harness, monkeypatch):
    monkeypatch.setattr(sse, "COALESCE_S", 60.0)  # a window longer than the run: only urgent events end one
    manager = harness.configure(disconnect_grace_s=5)
    user = SimpleNamespace(id=uuid.uuid4())
    await manager.start(RunAgentInput.model_validate(run_body("t-1", "r-1", chunks=8, delay=0.001)), user)
    writes = [
        [json.loads(line[len("data: ") :])["type"] for line in chunk.decode().splitlines() if line.startswith("data: ")]
        async for chunk in sse.sse_response(manager.subscribe("r-1", user), "r-1").body_iterator
    ]
    assert [t for write in writes for t in write] == [
        "RUN_STARTED",
        "STEP_STARTED",
        "TEXT_MESSAGE_START",
        *["TEXT_MESSAGE_CONTENT"] * 8,
        "TEXT_MESSAGE_END",
        "STATE_SNAPSHOT",
        "STEP_FINISHED",
        "RUN_FINISHED",
    ]
    first_token = next(i for i, write in enumerate(writes) if "TEXT_MESSAGE_CONTENT" in write)
    assert writes[first_token][-1] == "TEXT_MESSAGE_CONTENT"  # sent as soon as it came, not held for the window
    rest = [*["TEXT_MESSAGE_CONTENT"] * 7, "TEXT_MESSAGE_END", "STATE_SNAPSHOT", "STEP_FINISHED", "RUN_FINISHED"]
    assert writes[first_token + 1 :] == [rest]  # one write, sent when the run ended, not when the window did


async def test_cancel_before_any_event_still_opens_and_closes_the_run(harness):
    manager = harness.configure()
    user = SimpleNamespace(id=uuid.uuid4())
    await manager.start(RunAgentInput.model_validate(run_body("t-1", "r-1")), user)
    await manager.cancel("r-1", user, wait=True)
    events = [event async for _, event in manager.subscribe("r-1", user)]
    assert [event.type.value for event in events][0] == "RUN_STARTED"
    assert events[-1].outcome.type == "cancelled"


async def test_a_run_waits_longer_for_its_first_subscriber_than_for_a_returning_one(harness):
    """A loaded server may start reading the response after the disconnect grace: the answer is not lost."""
    manager = harness.configure(disconnect_grace_s=0.05, first_subscriber_grace_s=5)
    user = SimpleNamespace(id=uuid.uuid4())
    await manager.start(RunAgentInput.model_validate(run_body("t-1", "r-1", chunks=3, delay=0.1)), user)
    await asyncio.sleep(0.3)  # six disconnect graces without a subscriber
    events = [event async for _, event in manager.subscribe("r-1", user)]
    assert events[-1].type.value == "RUN_FINISHED" and getattr(events[-1], "outcome", None) is None
    assert sum(e.type.value == "TEXT_MESSAGE_CONTENT" for e in events) == 3


async def test_a_run_nobody_ever_reads_is_still_cancelled(harness):
    manager = harness.configure(disconnect_grace_s=0.05, first_subscriber_grace_s=0.1)
    user = SimpleNamespace(id=uuid.uuid4())
    await manager.start(RunAgentInput.model_validate(run_body("t-1", "r-1", chunks=50, delay=0.1)), user)
    await wait_until(lambda: manager.get("r-1", user).state != RunState.RUNNING, limit_s=3)
    events = [event async for _, event in manager.subscribe("r-1", user)]
    assert events[-1].outcome.type == "cancelled"


def test_parse_last_event_id():
    assert parse_last_event_id("r-1:7", "r-1") == 7
    assert parse_last_event_id("7", "r-1") == 7
    assert parse_last_event_id("other:7", "r-1") == 0
    assert parse_last_event_id(None, "r-1") == 0
    assert parse_last_event_id("r-1:x", "r-1") == 0
