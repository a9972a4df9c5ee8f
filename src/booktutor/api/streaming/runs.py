"""What a run is: the source of its events, its state, and the record the RunManager keeps of it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from ag_ui.core import BaseEvent, EventType, RunAgentInput, RunFinishedCancelledOutcome

from booktutor.api.streaming.event_log import TERMINAL as _TERMINAL
from booktutor.api.streaming.event_log import EventLog
from booktutor.memory.models import User
from booktutor.observability.metrics import RunObserver

DoubleTextingPolicy = Literal["reject", "interrupt", "enqueue"]


class RunSource(Protocol):
    """What produces a run's events; the graph layer implements it."""

    async def prepare(self, run_input: RunAgentInput, user: User) -> None:
        """Validate, commit the user's message and register the run; raises AppError subclasses."""

    def stream(self, run_input: RunAgentInput, user: User) -> AsyncIterator[BaseEvent]:
        """Events from RUN_STARTED to RUN_FINISHED or RUN_ERROR.

        On CancelledError it saves the partial answer as interrupted and re-raises. A source with
        `emits_directly = True` also takes `emit=`: a function it may hand some of the events to, as
        it makes them and in order with the ones it yields (no async generator step per event).
        """

    async def cancel_requested(self, thread_id: str, run_id: str, user: User) -> None:
        """Told when a cancel was requested (by a user or a disconnect); may do nothing."""


class DirectRunSource(Protocol):
    """A RunSource whose `stream` takes `emit` (it says so with `emits_directly = True`)."""

    emits_directly: bool

    def stream(
        self, run_input: RunAgentInput, user: User, emit: Callable[[BaseEvent], None] | None = None
    ) -> AsyncIterator[BaseEvent]: ...


class RunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @classmethod
    def ended_by(cls, event: BaseEvent | None) -> RunState:
        if event is None:
            return cls.RUNNING
        if event.type == EventType.RUN_ERROR:
            return cls.FAILED
        cancelled = isinstance(getattr(event, "outcome", None), RunFinishedCancelledOutcome)
        return cls.CANCELLED if cancelled else cls.FINISHED


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    thread_id: str
    owner_id: str
    state: RunState
    last_seq: int


@dataclass(eq=False)
class Run:
    """A run driven by this process: its input, its event log, its task and who listens."""

    run_input: RunAgentInput
    user: User
    owner_id: str
    events: EventLog
    cancel_requested: bool = False
    subscribers: int = 0
    task: asyncio.Task[None] | None = None
    grace_timer: asyncio.TimerHandle | None = None
    evict_timer: asyncio.TimerHandle | None = None
    observer: RunObserver | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    flush: asyncio.Event = field(default_factory=asyncio.Event)  # set by the events not to hold back
    text_started: bool = False

    @property
    def run_id(self) -> str:
        return self.run_input.run_id

    @property
    def thread_id(self) -> str:
        return self.run_input.thread_id

    @property
    def ended(self) -> bool:
        return self.events.ended

    @property
    def state(self) -> RunState:
        return RunState.ended_by(self.events.terminal)

    def info(self) -> RunInfo:
        return RunInfo(self.run_id, self.thread_id, self.owner_id, self.state, self.events.last_seq)

    def wake(self, event: BaseEvent | None = None) -> None:
        """Wake every subscriber waiting for the next event (`event`, or the run's end when None).
        Those holding events back to write them together (`Following.more`) wake only for the
        run's first text delta and its end."""
        self.wakeup.set()
        self.wakeup = asyncio.Event()
        if event is None or event.type in _TERMINAL or self._first_text(event):
            self.flush.set()
            self.flush = asyncio.Event()

    def _first_text(self, event: BaseEvent) -> bool:
        if self.text_started or event.type != EventType.TEXT_MESSAGE_CONTENT:
            return False
        self.text_started = True
        return True


NumberedEvent = tuple[int, BaseEvent]


class Following:
    """One subscriber's events of a run driven here: an async iterator of (seq, event) over the
    generator that waits for them (`follow`), and `ready()`, the events already logged after the
    subscriber's cursor, taken without waiting (so a stream can write several at once)."""

    def __init__(self, run: Run, cursor: int) -> None:
        self.run = run
        self.cursor = cursor  # the last seq taken (the generator and ready() both move it)
        self.live = False  # past the opening events of a resumed stream
        self._events: AsyncGenerator[NumberedEvent, None] | None = None

    def follow(self, events: AsyncGenerator[NumberedEvent, None]) -> Following:
        self._events = events
        return self

    def __aiter__(self) -> Following:
        return self

    def __anext__(self) -> Awaitable[NumberedEvent]:
        assert self._events is not None
        return self._events.__anext__()

    async def aclose(self) -> None:
        if self._events is not None:
            await self._events.aclose()

    def ready(self) -> list[NumberedEvent]:
        items: list[NumberedEvent] = []
        while self.live and (item := self.run.events.next_after(self.cursor)) is not None:
            self.cursor = item[0]
            items.append(item)
        return items

    async def more(self, within: float) -> bool:
        """Let the run log more events for `ready()`: wait `within` seconds, less if the run's first
        text delta or its end comes meanwhile. False, without waiting, when there is nothing to wait
        for: the run is over or the stream not yet live."""
        run = self.run
        if not self.live or run.done.is_set():
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await run.flush.wait()
        return True


class KeyedLocks:
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
