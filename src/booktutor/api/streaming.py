"""Agent runs in the background and their AG-UI events over SSE.

A `RunManager` (one per process) drives each run as an asyncio task that consumes a `RunSource`'s
events, numbers them and keeps them in a bounded per-run log, so a client can disconnect and resume
with `Last-Event-ID: <run_id>:<seq>`. A run nobody listens to for `disconnect_grace_s` is cancelled.
With a `RunRelay` (Redis) the events are mirrored too, so `resume` and `cancel` work on any replica.

SSE responses must never be compressed or buffered: keep GZip middleware off this app (it would hold
events back) and `X-Accel-Buffering: no` tells nginx the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

import structlog
from ag_ui.core import (
    BaseEvent,
    Event,
    EventType,
    ReasoningEndEvent,
    ReasoningMessageEndEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedCancelledOutcome,
    RunFinishedEvent,
    RunStartedEvent,
    StepFinishedEvent,
    TextMessageEndEvent,
    ToolCallEndEvent,
)
from pydantic import TypeAdapter
from sse_starlette import EventSourceResponse, ServerSentEvent

from booktutor.api.run_relay import RemoteRun, RunRelay, event_json
from booktutor.errors import RunAlreadyExists, RunInProgress, RunNotFound, RunNotRunning
from booktutor.memory.models import User
from booktutor.observability.logfields import user_hash
from booktutor.observability.metrics import RunObserver
from booktutor.observability.tracing import span

log = structlog.get_logger(__name__)

DoubleTextingPolicy = Literal["reject", "interrupt", "enqueue"]
SSE_SEPARATOR = "\n"  # sse-starlette's default "\r\n" breaks @ag-ui/client's parser
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_TERMINAL = frozenset({EventType.RUN_FINISHED, EventType.RUN_ERROR})
# Scopes a cancelled run must close before RUN_FINISHED (AG-UI clients reject a run ending inside
# one): opening event type -> (closing event class, the attribute naming the scope).
_ScopeKey = tuple[type[BaseEvent], str]
_SCOPES: dict[EventType, tuple[type[BaseEvent], str]] = {
    EventType.TEXT_MESSAGE_START: (TextMessageEndEvent, "message_id"),
    EventType.TOOL_CALL_START: (ToolCallEndEvent, "tool_call_id"),
    EventType.STEP_STARTED: (StepFinishedEvent, "step_name"),
    EventType.REASONING_START: (ReasoningEndEvent, "message_id"),
    EventType.REASONING_MESSAGE_START: (ReasoningMessageEndEvent, "message_id"),
}
_CLOSING_ATTR = {closer: attr for closer, attr in _SCOPES.values()}
_EVENTS: TypeAdapter[BaseEvent] = TypeAdapter(Event)


class RunSource(Protocol):
    """What produces a run's events; the graph layer implements it."""

    async def prepare(self, run_input: RunAgentInput, user: User) -> None:
        """Validate, commit the user's message and register the run; raises AppError subclasses."""

    def stream(self, run_input: RunAgentInput, user: User) -> AsyncIterator[BaseEvent]:
        """Events from RUN_STARTED to RUN_FINISHED or RUN_ERROR.

        On CancelledError it saves the partial answer as interrupted and re-raises.
        """

    async def cancel_requested(self, thread_id: str, run_id: str, user: User) -> None:
        """Told when a cancel was requested (by a user or a disconnect); may do nothing."""


class RunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    thread_id: str
    owner_id: str
    state: RunState
    last_seq: int


@dataclass(eq=False)
class _Run:
    run_input: RunAgentInput
    user: User
    owner_id: str
    log: deque[tuple[int, BaseEvent]]
    state: RunState = RunState.RUNNING
    last_seq: int = 0
    started: bool = False
    ended: bool = False
    cancel_requested: bool = False
    subscribers: int = 0
    open_scopes: dict[_ScopeKey, str | None] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    grace_timer: asyncio.TimerHandle | None = None
    evict_timer: asyncio.TimerHandle | None = None
    observer: RunObserver | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def run_id(self) -> str:
        return self.run_input.run_id

    @property
    def thread_id(self) -> str:
        return self.run_input.thread_id

    def info(self) -> RunInfo:
        return RunInfo(self.run_id, self.thread_id, self.owner_id, self.state, self.last_seq)

    def wake(self) -> None:
        self.wakeup.set()
        self.wakeup = asyncio.Event()


class _KeyedLocks:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _now_ms() -> int:
    return int(time.time() * 1000)


class RunManager:
    """Runs agent runs as background tasks and fans their numbered events out to subscribers."""

    def __init__(
        self,
        source: RunSource,
        *,
        double_texting: DoubleTextingPolicy = "reject",
        retention_s: float = 600.0,
        max_events_per_run: int = 10_000,
        disconnect_grace_s: float = 0.75,
        ping_s: float = 15.0,
        relay: RunRelay | None = None,
    ) -> None:
        if max_events_per_run < 1:
            raise ValueError("max_events_per_run must be at least 1")
        self.source = source
        self.double_texting = double_texting
        self.retention_s = retention_s
        self.max_events_per_run = max_events_per_run
        self.disconnect_grace_s = disconnect_grace_s
        self.ping_s = ping_s
        self._runs: dict[str, _Run] = {}
        self._active_by_thread: dict[str, _Run] = {}
        self._thread_locks = _KeyedLocks()
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self.relay = relay
        if relay is not None:
            relay.on_cancel(self._on_remote_cancel)

    # -- queries -------------------------------------------------------------------------------

    def get(self, run_id: str, user: User) -> RunInfo | None:
        """The run if it is known here and owned by `user`, else None."""
        run = self._runs.get(run_id)
        return run.info() if run and run.owner_id == str(user.id) else None

    def require(self, run_id: str, user: User, thread_id: str | None = None) -> RunInfo:
        info = self.get(run_id, user)
        if info is None or (thread_id is not None and info.thread_id != thread_id):
            raise RunNotFound(f"Run {run_id} was not found.")
        return info

    async def locate(self, run_id: str, user: User) -> RunInfo | None:
        """Like `get`, but also finds a run another replica drives (through the relay)."""
        if run_id in self._runs or self.relay is None:
            return self.get(run_id, user)
        remote = await self.relay.lookup(run_id)
        return _remote_info(remote) if remote and remote.owner_id == str(user.id) else None

    async def _require_remote(self, run_id: str, user: User, thread_id: str | None) -> RunInfo:
        info = await self.locate(run_id, user)
        if info is None or (thread_id is not None and info.thread_id != thread_id):
            raise RunNotFound(f"Run {run_id} was not found.")
        return info

    def _is_remote(self, run_id: str) -> bool:
        return self.relay is not None and run_id not in self._runs

    def __len__(self) -> int:
        return len(self._runs)

    # -- starting ------------------------------------------------------------------------------

    async def start(self, run_input: RunAgentInput, user: User) -> RunInfo:
        """Apply the double-texting policy, prepare the run with the source and start it."""
        async with self._thread_locks.hold(run_input.thread_id):
            await self._make_room(run_input.thread_id, user)
            if run_input.run_id in self._runs:
                raise RunAlreadyExists(f"Run {run_input.run_id} already exists.")
            await self.source.prepare(run_input, user)
            run = self._launch(run_input, user)
        return run.info()

    async def _make_room(self, thread_id: str, user: User) -> None:
        running = self._active_by_thread.get(thread_id)
        if running is None or running.owner_id != str(user.id):
            return
        if self.double_texting == "reject":
            raise RunInProgress("This conversation already has a running answer.", details={"run_id": running.run_id})
        if self.double_texting == "interrupt":
            self._request_cancel(running, reason="interrupted")
        await running.done.wait()

    def _launch(self, run_input: RunAgentInput, user: User) -> _Run:
        run = _Run(run_input=run_input, user=user, owner_id=str(user.id), log=deque(maxlen=self.max_events_per_run))
        self._runs[run.run_id] = run
        self._active_by_thread[run.thread_id] = run
        if self.relay is not None:
            self.relay.open(run.run_id, run.owner_id, run.thread_id)
        run.observer = RunObserver()
        run.task = asyncio.create_task(self._drive(run), name=f"run:{run.run_id}")
        run.task.add_done_callback(lambda task: self._on_task_done(run, task))
        self._arm_grace_timer(run)  # a run nobody ever subscribes to is abandoned too
        log.info("run_started", run_id=run.run_id, thread_id=run.thread_id)
        return run

    async def _drive(self, run: _Run) -> None:
        with (
            structlog.contextvars.bound_contextvars(run_id=run.run_id, user=user_hash(run.owner_id)),
            span("agent.run", run_id=run.run_id, thread_id=run.thread_id),
        ):
            async for event in self.source.stream(run.run_input, run.user):
                self._append(run, event)

    # -- the event log ---------------------------------------------------------------------------

    def _append(self, run: _Run, event: BaseEvent) -> None:
        if run.ended:
            log.warning("event_after_run_end", run_id=run.run_id, event_type=str(event.type))
            return
        if event.type == EventType.RUN_STARTED:
            run.started = True
        _track_scope(run.open_scopes, event)
        if run.observer is not None:
            run.observer.event(event.type.value, getattr(event, "step_name", None))
        run.last_seq += 1
        run.log.append((run.last_seq, event))
        if event.type in _TERMINAL:
            run.ended = True
            run.state = _final_state(event)
        if self.relay is not None:
            self.relay.publish(run.run_id, run.last_seq, event, str(run.state) if run.ended else None)
        run.wake()

    def _on_task_done(self, run: _Run, task: asyncio.Task[None]) -> None:
        if not run.ended:
            for event in self._closing_events(run, task):
                self._append(run, event)
        self._cancel_grace_timer(run)
        if self._active_by_thread.get(run.thread_id) is run:
            del self._active_by_thread[run.thread_id]
        run.done.set()
        run.wake()
        if run.run_id in self._runs:
            loop = asyncio.get_running_loop()
            run.evict_timer = loop.call_later(self.retention_s, self._evict, run)
        summary = run.observer.finish(str(run.state)) if run.observer is not None else {}
        log.info("run_ended", run_id=run.run_id, state=str(run.state), user=user_hash(run.owner_id), **summary)

    def _closing_events(self, run: _Run, task: asyncio.Task[None]) -> list[BaseEvent]:
        """The terminal event(s) the manager adds when the source did not end the run itself."""
        ids = {"thread_id": run.thread_id, "run_id": run.run_id, "timestamp": _now_ms()}
        if task.cancelled() or run.cancel_requested:
            opening = [] if run.started else [RunStartedEvent(**ids)]
            closing = _closing_scope_events(run.open_scopes, ids["timestamp"])
            finished = RunFinishedEvent(**ids, outcome=RunFinishedCancelledOutcome())
            return [*opening, *closing, finished]
        error = task.exception()
        if error is not None:
            log.error("run_failed", run_id=run.run_id, exc_info=error)
        else:
            log.error("run_ended_without_terminal_event", run_id=run.run_id)
        return [
            RunErrorEvent(
                message="The answer could not be completed.", code="internal_error", timestamp=ids["timestamp"]
            )
        ]

    def _evict(self, run: _Run) -> None:
        if self._runs.get(run.run_id) is run:
            del self._runs[run.run_id]

    # -- subscribing ------------------------------------------------------------------------------

    def subscribe(
        self, run_id: str, user: User, after_seq: int = 0, thread_id: str | None = None
    ) -> AsyncGenerator[tuple[int, BaseEvent], None]:
        """(seq, event) after `after_seq`: the logged ones, then live ones until the run ends.

        Raises RunNotFound now (not on first iteration) for an unknown or foreign run.
        """
        self.require(run_id, user, thread_id)
        return self._follow(self._runs[run_id], after_seq)

    async def resume(
        self, run_id: str, user: User, after_seq: int = 0, thread_id: str | None = None
    ) -> AsyncGenerator[tuple[int, BaseEvent], None]:
        """`subscribe`, for a run driven here or (with a relay) on another replica."""
        if not self._is_remote(run_id):
            return self.subscribe(run_id, user, after_seq, thread_id)
        await self._require_remote(run_id, user, thread_id)
        return self._follow_remote(run_id, after_seq)

    async def _follow_remote(self, run_id: str, cursor: int) -> AsyncGenerator[tuple[int, BaseEvent], None]:
        assert self.relay is not None
        events = self.relay.read(run_id, cursor)
        async with _closing(events):
            async for seq, data in events:
                yield seq, _EVENTS.validate_json(data)

    async def _follow(self, run: _Run, cursor: int) -> AsyncGenerator[tuple[int, BaseEvent], None]:
        self._attach(run)
        try:
            while True:
                waiter = run.wakeup
                item = _next_after(run, cursor)
                if item is not None:
                    cursor = item[0]
                    yield item
                elif run.ended or run.done.is_set():
                    return
                else:
                    await waiter.wait()
        finally:
            self._detach(run)

    def _attach(self, run: _Run) -> None:
        run.subscribers += 1
        self._cancel_grace_timer(run)

    def _detach(self, run: _Run) -> None:
        run.subscribers -= 1
        if run.subscribers == 0 and not run.ended:
            self._arm_grace_timer(run)

    def _arm_grace_timer(self, run: _Run) -> None:
        self._cancel_grace_timer(run)
        loop = asyncio.get_running_loop()
        run.grace_timer = loop.call_later(self.disconnect_grace_s, self._on_grace_expired, run)

    def _cancel_grace_timer(self, run: _Run) -> None:
        if run.grace_timer is not None:
            run.grace_timer.cancel()
            run.grace_timer = None

    def _on_grace_expired(self, run: _Run) -> None:
        run.grace_timer = None
        if run.subscribers == 0 and not run.ended:
            if self.relay is None:
                self._request_cancel(run, reason="disconnected")
            else:
                self._spawn(self._cancel_unless_followed(run))

    async def _cancel_unless_followed(self, run: _Run) -> None:
        """A replica following the run through the relay keeps it alive like a local subscriber."""
        assert self.relay is not None
        followed = await self.relay.has_follower(run.run_id)
        if run.subscribers or run.ended or run.grace_timer is not None:
            return  # a local subscriber came (and maybe went) meanwhile
        if followed:
            self._arm_grace_timer(run)
        else:
            self._request_cancel(run, reason="disconnected")

    # -- cancelling -------------------------------------------------------------------------------

    async def cancel(self, run_id: str, user: User, *, thread_id: str | None = None, wait: bool = False) -> RunInfo:
        """Cancel a running run (else RunNotFound / RunNotRunning); optionally wait for its end."""
        if self._is_remote(run_id):
            return await self._cancel_remote(run_id, user, thread_id, wait)
        self.require(run_id, user, thread_id)
        run = self._runs[run_id]
        if run.ended or run.done.is_set():
            raise RunNotRunning(f"Run {run_id} is not running.", details={"state": str(run.state)})
        self._request_cancel(run, reason="requested")
        if wait:
            await run.done.wait()
        return run.info()

    async def _cancel_remote(self, run_id: str, user: User, thread_id: str | None, wait: bool) -> RunInfo:
        assert self.relay is not None
        info = await self._require_remote(run_id, user, thread_id)
        if info.state != RunState.RUNNING:
            raise RunNotRunning(f"Run {run_id} is not running.", details={"state": str(info.state)})
        await self.relay.request_cancel(run_id)
        log.info("run_cancel_relayed", run_id=run_id)
        if wait:
            async for _ in self._follow_remote(run_id, info.last_seq):
                pass
            info = await self._require_remote(run_id, user, thread_id)
        return info

    def _on_remote_cancel(self, run_id: str) -> None:
        """A replica relayed a cancel request (it checked the owner); act if the run is ours."""
        run = self._runs.get(run_id)
        if run is not None and not run.ended:
            self._request_cancel(run, reason="requested")

    def _request_cancel(self, run: _Run, *, reason: str) -> None:
        if run.cancel_requested or run.task is None or run.task.done():
            return
        log.info("run_cancel_requested", run_id=run.run_id, reason=reason)
        run.cancel_requested = True
        run.task.cancel()
        self._spawn_hook(run)

    def _spawn_hook(self, run: _Run) -> None:
        async def notify() -> None:
            try:
                await self.source.cancel_requested(run.thread_id, run.run_id, run.user)
            except Exception:
                log.exception("cancel_hook_failed", run_id=run.run_id)

        self._spawn(notify())

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self._hook_tasks.add(task)
        task.add_done_callback(self._hook_tasks.discard)

    async def aclose(self) -> None:
        """Cancel every running run and wait for them (app shutdown)."""
        running = [run for run in self._runs.values() if run.task and not run.task.done()]
        for run in running:
            self._request_cancel(run, reason="shutdown")
        await asyncio.gather(*(run.done.wait() for run in running))
        await asyncio.gather(*self._hook_tasks, return_exceptions=True)
        for run in self._runs.values():
            if run.evict_timer is not None:
                run.evict_timer.cancel()
        self._runs.clear()
        if self.relay is not None:
            await self.relay.aclose()


def _remote_info(remote: RemoteRun) -> RunInfo:
    return RunInfo(remote.run_id, remote.thread_id, remote.owner_id, RunState(remote.state), remote.last_seq)


def _next_after(run: _Run, cursor: int) -> tuple[int, BaseEvent] | None:
    """The first logged event after `cursor` (the oldest kept one if the cap already dropped it)."""
    if cursor >= run.last_seq or not run.log:
        return None
    first_seq = run.log[0][0]
    return run.log[max(cursor + 1 - first_seq, 0)]


def _track_scope(open_scopes: dict[_ScopeKey, str | None], event: BaseEvent) -> None:
    if event.type in _SCOPES:
        closer, attr = _SCOPES[event.type]
        open_scopes[(closer, getattr(event, attr))] = getattr(event, "subagent_run_id", None)
    elif type(event) in _CLOSING_ATTR:
        open_scopes.pop((type(event), getattr(event, _CLOSING_ATTR[type(event)])), None)


def _closing_scope_events(
    open_scopes: dict[_ScopeKey, str | None],
    timestamp: int,
) -> list[BaseEvent]:
    """End events for every scope still open, innermost first."""
    return [
        closer(**{_CLOSING_ATTR[closer]: scope_id}, subagent_run_id=subagent, timestamp=timestamp)
        for (closer, scope_id), subagent in reversed(open_scopes.items())
    ]


def _final_state(event: BaseEvent) -> RunState:
    if event.type == EventType.RUN_ERROR:
        return RunState.FAILED
    outcome = getattr(event, "outcome", None)
    cancelled = isinstance(outcome, RunFinishedCancelledOutcome)
    return RunState.CANCELLED if cancelled else RunState.FINISHED


# -- SSE ------------------------------------------------------------------------------------------


def event_id(run_id: str, seq: int) -> str:
    return f"{run_id}:{seq}"


def parse_last_event_id(value: str | None, run_id: str) -> int:
    """The seq in `<run_id>:<seq>` (or a bare `<seq>`); 0 when absent or for another run."""
    if not value:
        return 0
    prefix, _, seq = value.strip().rpartition(":")
    if prefix and prefix != run_id:
        return 0
    return int(seq) if seq.isdigit() else 0


def encode_event(run_id: str, seq: int, event: BaseEvent) -> ServerSentEvent:
    """One SSE message: `id` and camelCase JSON `data`; no `event:` (AG-UI reads data only)."""
    return ServerSentEvent(data=event_json(event), id=event_id(run_id, seq), sep=SSE_SEPARATOR)


def sse_response(
    events: AsyncIterator[tuple[int, BaseEvent]],
    run_id: str,
    *,
    ping_s: float = 15.0,
    headers: dict[str, str] | None = None,
) -> EventSourceResponse:
    """Stream numbered AG-UI events as SSE with `\\n` separators and keep-alive comments."""

    async def body() -> AsyncIterator[ServerSentEvent]:
        async with _closing(events):
            async for seq, event in events:
                yield encode_event(run_id, seq, event)

    return EventSourceResponse(body(), ping=ping_s, sep=SSE_SEPARATOR, headers={**SSE_HEADERS, **(headers or {})})


@contextlib.asynccontextmanager
async def _closing(events: AsyncIterator[object]) -> AsyncIterator[None]:
    """Close the inner generator too when the response stops early (client gone)."""
    try:
        yield
    finally:
        aclose: Callable[[], object] | None = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()  # type: ignore[misc]
