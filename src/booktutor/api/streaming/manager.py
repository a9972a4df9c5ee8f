"""Agent runs in the background, their events fanned out to subscribers, resumed and cancelled.

A `RunManager` (one per process) drives each run as an asyncio task that consumes a `RunSource`'s
events, numbers them and keeps them in a bounded per-run log, so a client can disconnect and resume
with `Last-Event-ID: <run_id>:<seq>`. A run nobody listens to for `disconnect_grace_s` (or
`first_subscriber_grace_s` after its start) is cancelled.
With a `RunRelay` (Redis) the events are mirrored too, so `resume` and `cancel` work on any replica.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine
from typing import cast

import structlog
from ag_ui.core import BaseEvent, Event, EventType, RunAgentInput, StepStartedEvent
from pydantic import TypeAdapter

from booktutor.api.run_relay import RemoteRun, RunRelay
from booktutor.api.streaming.disconnect import DisconnectGrace
from booktutor.api.streaming.event_log import EventLog, failed_ending
from booktutor.api.streaming.run_view import RunView
from booktutor.api.streaming.runs import (
    DirectRunSource,
    DoubleTextingPolicy,
    Following,
    KeyedLocks,
    NumberedEvent,
    Run,
    RunInfo,
    RunSource,
    RunState,
)
from booktutor.api.streaming.sse import closing
from booktutor.errors import RunAlreadyExists, RunInProgress, RunNotFound, RunNotRunning
from booktutor.memory.models import User
from booktutor.observability.logfields import user_hash
from booktutor.observability.metrics import RunObserver
from booktutor.observability.tracing import span

log = structlog.get_logger(__name__)

_EVENTS: TypeAdapter[BaseEvent] = TypeAdapter(Event)
NumberedEvents = AsyncIterator[tuple[int, BaseEvent]]


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
        first_subscriber_grace_s: float = 10.0,
        ping_s: float = 15.0,
        relay: RunRelay | None = None,
    ) -> None:
        if max_events_per_run < 1:
            raise ValueError("max_events_per_run must be at least 1")
        self.source = source
        self.double_texting = double_texting
        self.retention_s = retention_s
        self.max_events_per_run = max_events_per_run
        self.ping_s = ping_s
        self._runs: dict[str, Run] = {}
        self._active_by_thread: dict[str, Run] = {}
        self._thread_locks = KeyedLocks()
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self._grace = DisconnectGrace(
            disconnect_grace_s, relay, self._request_cancel, self._spawn, first_subscriber_grace_s
        )
        self.relay = relay
        if relay is not None:
            relay.on_cancel(self._on_remote_cancel)

    @property
    def disconnect_grace_s(self) -> float:
        return self._grace.grace_s

    # -- queries -------------------------------------------------------------------------------

    def get(self, run_id: str, user: User) -> RunInfo | None:
        """The run if it is known here and owned by `user`, else None."""
        run = self._runs.get(run_id)
        return run.info() if run and run.owner_id == str(user.id) else None

    def require(self, run_id: str, user: User, thread_id: str | None = None) -> RunInfo:
        return _found(self.get(run_id, user), run_id, thread_id)

    async def locate(self, run_id: str, user: User) -> RunInfo | None:
        """Like `get`, but also finds a run another replica drives (through the relay)."""
        if run_id in self._runs or self.relay is None:
            return self.get(run_id, user)
        remote = await self.relay.lookup(run_id)
        return _remote_info(remote) if remote and remote.owner_id == str(user.id) else None

    def _is_remote(self, run_id: str) -> bool:
        return self.relay is not None and run_id not in self._runs

    def __len__(self) -> int:
        return len(self._runs)

    # -- starting ------------------------------------------------------------------------------

    async def start(self, run_input: RunAgentInput, user: User) -> RunInfo:
        """Apply the double-texting policy, prepare the run with the source and start it."""
        async with self._thread_locks.hold(run_input.thread_id):
            await self._make_room(run_input.thread_id, user)
            if (known := self._runs.get(run_input.run_id)) is not None:
                if known.owner_id != str(user.id):  # as for an unknown id: never tell that it exists
                    raise RunNotFound(f"Run {run_input.run_id} was not found.")
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
            self._request_cancel(running, "interrupted")
        await running.done.wait()

    def _launch(self, run_input: RunAgentInput, user: User) -> Run:
        run = Run(run_input=run_input, user=user, owner_id=str(user.id), events=EventLog(self.max_events_per_run))
        self._runs[run.run_id] = run
        self._active_by_thread[run.thread_id] = run
        if self.relay is not None:
            self.relay.open(run.run_id, run.owner_id, run.thread_id)
        run.observer = RunObserver()
        run.task = asyncio.create_task(self._drive(run), name=f"run:{run.run_id}")
        run.task.add_done_callback(lambda task: self._on_task_done(run, task))
        self._grace.arm_until_first_subscriber(run)  # a run nobody ever subscribes to is abandoned too
        log.info("run_started", run_id=run.run_id, thread_id=run.thread_id)
        return run

    async def _drive(self, run: Run) -> None:
        with (
            structlog.contextvars.bound_contextvars(run_id=run.run_id, user=user_hash(run.owner_id)),
            span("agent.run", run_id=run.run_id, thread_id=run.thread_id),
        ):
            if getattr(self.source, "emits_directly", False):  # its events in order, without a hop each
                direct = cast(DirectRunSource, self.source)
                events = direct.stream(run.run_input, run.user, emit=lambda event: self._append(run, event))
            else:
                events = self.source.stream(run.run_input, run.user)
            async for event in events:
                self._append(run, event)

    def _append(self, run: Run, event: BaseEvent) -> None:
        if run.ended:
            log.warning("event_after_run_end", run_id=run.run_id, event_type=str(event.type))
            return
        if run.observer is not None:  # (a step's name read only from a step: a missing attribute costs)
            step_name = cast(StepStartedEvent, event).step_name if event.type == EventType.STEP_STARTED else None
            run.observer.event(event.type.value, step_name)
        seq = run.events.append(event)
        if self.relay is not None:
            self.relay.publish(run.run_id, seq, event, str(run.state) if run.ended else None)
        run.wake(event)

    def _on_task_done(self, run: Run, task: asyncio.Task[None]) -> None:
        if not run.ended:
            for event in self._closing_events(run, task):
                self._append(run, event)
        self._grace.disarm(run)
        if self._active_by_thread.get(run.thread_id) is run:
            del self._active_by_thread[run.thread_id]
        run.done.set()
        run.wake()
        if run.run_id in self._runs:
            loop = asyncio.get_running_loop()
            run.evict_timer = loop.call_later(self.retention_s, self._evict, run)
        summary = run.observer.finish(str(run.state)) if run.observer is not None else {}
        log.info("run_ended", run_id=run.run_id, state=str(run.state), user=user_hash(run.owner_id), **summary)

    def _closing_events(self, run: Run, task: asyncio.Task[None]) -> list[BaseEvent]:
        """The terminal event(s) the manager adds when the source did not end the run itself."""
        if task.cancelled() or run.cancel_requested:
            return run.events.cancelled_ending(run.thread_id, run.run_id)
        error = task.exception()
        if error is not None:
            log.error("run_failed", run_id=run.run_id, exc_info=error)
        else:
            log.error("run_ended_without_terminal_event", run_id=run.run_id)
        return [failed_ending()]

    def _evict(self, run: Run) -> None:
        if self._runs.get(run.run_id) is run:
            del self._runs[run.run_id]

    # -- subscribing ------------------------------------------------------------------------------

    def subscribe(self, run_id: str, user: User, after_seq: int = 0, thread_id: str | None = None) -> NumberedEvents:
        """(seq, event) after `after_seq`: the logged ones, then live ones until the run ends.

        Raises RunNotFound now (not on first iteration) for an unknown or foreign run.
        """
        self.require(run_id, user, thread_id)
        following = Following(self._runs[run_id], after_seq)
        return following.follow(self._follow(following))

    async def resume(self, run_id: str, user: User, after_seq: int = 0, thread_id: str | None = None) -> NumberedEvents:
        """`subscribe`, for a run driven here or (with a relay) on another replica."""
        if not self._is_remote(run_id):
            return self.subscribe(run_id, user, after_seq, thread_id)
        info = _found(await self.locate(run_id, user), run_id, thread_id)
        return self._follow_remote(run_id, after_seq, info.thread_id)

    async def _follow(self, following: Following) -> AsyncGenerator[NumberedEvent, None]:
        run = following.run
        self._grace.attach(run)
        try:
            for opening in run.events.resumption(following.cursor, run.thread_id, run.run_id):
                yield opening  # a stream resumed mid-run is valid on its own
            following.live = True
            while True:
                waiter = run.wakeup
                item = run.events.next_after(following.cursor)
                if item is not None:
                    following.cursor = item[0]
                    yield item
                elif run.ended or run.done.is_set():
                    return
                else:
                    await waiter.wait()
        finally:
            self._grace.detach(run)

    async def _follow_remote(self, run_id: str, cursor: int, thread_id: str | None = None) -> NumberedEvents:
        """The events after `cursor`; for a client (`thread_id` given) read from the start and
        opened like a local resumed stream (`EventLog.resumption`)."""
        assert self.relay is not None
        events = self.relay.read(run_id, 0 if thread_id else cursor)
        view: RunView | None = RunView() if thread_id else None
        async with closing(events):
            async for seq, data in events:
                event = _EVENTS.validate_json(data)
                if seq <= cursor:
                    if view is not None:
                        view.apply(event)
                    continue
                if view is not None and thread_id:
                    for opening in view.reopening(thread_id, run_id) if seq > 1 else []:
                        yield seq - 1, opening
                    view = None
                yield seq, event

    # -- cancelling -------------------------------------------------------------------------------

    async def cancel(self, run_id: str, user: User, *, thread_id: str | None = None, wait: bool = False) -> RunInfo:
        """Cancel a running run (else RunNotFound / RunNotRunning); optionally wait for its end."""
        if self._is_remote(run_id):
            return await self._cancel_remote(run_id, user, thread_id, wait)
        self.require(run_id, user, thread_id)
        run = self._runs[run_id]
        if run.ended or run.done.is_set():
            raise _not_running(run_id, run.state)
        self._request_cancel(run, "requested")
        if wait:
            await run.done.wait()
        return run.info()

    async def _cancel_remote(self, run_id: str, user: User, thread_id: str | None, wait: bool) -> RunInfo:
        assert self.relay is not None
        info = _found(await self.locate(run_id, user), run_id, thread_id)
        if info.state != RunState.RUNNING:
            raise _not_running(run_id, info.state)
        await self.relay.request_cancel(run_id)
        log.info("run_cancel_relayed", run_id=run_id)
        if wait:
            async for _ in self._follow_remote(run_id, info.last_seq):
                pass
            info = _found(await self.locate(run_id, user), run_id, thread_id)
        return info

    def _on_remote_cancel(self, run_id: str) -> None:
        """A replica relayed a cancel request (it checked the owner); act if the run is ours."""
        run = self._runs.get(run_id)
        if run is not None and not run.ended:
            self._request_cancel(run, "requested")

    def _request_cancel(self, run: Run, reason: str) -> None:
        if run.cancel_requested or run.task is None or run.task.done():
            return
        log.info("run_cancel_requested", run_id=run.run_id, reason=reason)
        run.cancel_requested = True
        run.task.cancel()
        self._spawn(self._notify_cancel(run))

    async def _notify_cancel(self, run: Run) -> None:
        try:
            await self.source.cancel_requested(run.thread_id, run.run_id, run.user)
        except Exception:
            log.exception("cancel_hook_failed", run_id=run.run_id)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self._hook_tasks.add(task)
        task.add_done_callback(self._hook_tasks.discard)

    async def aclose(self) -> None:
        """Cancel every running run and wait for them (app shutdown)."""
        running = [run for run in self._runs.values() if run.task and not run.task.done()]
        for run in running:
            self._request_cancel(run, "shutdown")
        await asyncio.gather(*(run.done.wait() for run in running))
        await asyncio.gather(*self._hook_tasks, return_exceptions=True)
        for run in self._runs.values():
            if run.evict_timer is not None:
                run.evict_timer.cancel()
        self._runs.clear()
        if self.relay is not None:
            await self.relay.aclose()


def _found(info: RunInfo | None, run_id: str, thread_id: str | None) -> RunInfo:
    """`info`, unless the run is unknown (or foreign) or belongs to another thread: RunNotFound."""
    if info is None or (thread_id is not None and info.thread_id != thread_id):
        raise RunNotFound(f"Run {run_id} was not found.")
    return info


def _not_running(run_id: str, state: RunState) -> RunNotRunning:
    return RunNotRunning(f"Run {run_id} is not running.", details={"state": str(state)})


def _remote_info(remote: RemoteRun) -> RunInfo:
    return RunInfo(remote.run_id, remote.thread_id, remote.owner_id, RunState(remote.state), remote.last_seq)
