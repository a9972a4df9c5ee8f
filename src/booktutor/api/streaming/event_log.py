"""A run's numbered AG-UI events, kept so a client can reconnect with `Last-Event-ID: <run_id>:<seq>`."""

from __future__ import annotations

import re
import time
from collections import deque

from ag_ui.core import (
    BaseEvent,
    EventType,
    ReasoningEndEvent,
    ReasoningMessageEndEvent,
    RunErrorEvent,
    RunFinishedCancelledOutcome,
    RunFinishedEvent,
    RunStartedEvent,
    StepFinishedEvent,
    TextMessageEndEvent,
    ToolCallEndEvent,
)

TERMINAL = frozenset({EventType.RUN_FINISHED, EventType.RUN_ERROR})
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


def now_ms() -> int:
    return int(time.time() * 1000)


class EventLog:
    """The last `max_events` events of one run, numbered from 1, and the scopes still open."""

    def __init__(self, max_events: int) -> None:
        self.entries: deque[tuple[int, BaseEvent]] = deque(maxlen=max_events)
        self.last_seq = 0
        self.started = False
        self.terminal: BaseEvent | None = None
        self._open_scopes: dict[_ScopeKey, str | None] = {}

    @property
    def ended(self) -> bool:
        return self.terminal is not None

    def append(self, event: BaseEvent) -> int:
        """Number and keep `event`; its seq."""
        if event.type == EventType.RUN_STARTED:
            self.started = True
        self._track_scope(event)
        self.last_seq += 1
        self.entries.append((self.last_seq, event))
        if event.type in TERMINAL:
            self.terminal = event
        return self.last_seq

    def next_after(self, cursor: int) -> tuple[int, BaseEvent] | None:
        """The first kept event after `cursor` (the oldest kept one if the cap already dropped it)."""
        if cursor >= self.last_seq or not self.entries:
            return None
        first_seq = self.entries[0][0]
        return self.entries[max(cursor + 1 - first_seq, 0)]

    def cancelled_ending(self, thread_id: str, run_id: str) -> list[BaseEvent]:
        """What ends a cancelled run well-formed: RUN_STARTED if it never came, the end of every
        scope still open (innermost first), then RUN_FINISHED with a cancelled outcome."""
        ids = {"thread_id": thread_id, "run_id": run_id, "timestamp": now_ms()}
        opening = [] if self.started else [RunStartedEvent(**ids)]
        closing = [
            closer(**{_CLOSING_ATTR[closer]: scope_id}, subagent_run_id=subagent, timestamp=ids["timestamp"])
            for (closer, scope_id), subagent in reversed(self._open_scopes.items())
        ]
        return [*opening, *closing, RunFinishedEvent(**ids, outcome=RunFinishedCancelledOutcome())]

    def _track_scope(self, event: BaseEvent) -> None:
        if event.type in _SCOPES:
            closer, attr = _SCOPES[event.type]
            self._open_scopes[(closer, getattr(event, attr))] = getattr(event, "subagent_run_id", None)
        elif type(event) in _CLOSING_ATTR:
            self._open_scopes.pop((type(event), getattr(event, _CLOSING_ATTR[type(event)])), None)


def failed_ending() -> RunErrorEvent:
    """What ends a run whose source failed (or stopped) without a terminal event."""
    return RunErrorEvent(message="The answer could not be completed.", code="internal_error", timestamp=now_ms())


def event_id(run_id: str, seq: int) -> str:
    return f"{run_id}:{seq}"


def parse_last_event_id(value: str | None, run_id: str) -> int:
    """The seq in `<run_id>:<seq>` (or a bare `<seq>`); 0 when absent or for another run."""
    if not value:
        return 0
    prefix, _, seq = value.strip().rpartition(":")
    if prefix and prefix != run_id:
        return 0
    return parse_seq(seq) or 0


_SEQ = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is true), and a bounded number of them
MAX_SEQ = 10**18 - 1


def parse_seq(text: str) -> int | None:
    """A non-negative event or message sequence number written in ASCII digits, else None."""
    return int(text) if _SEQ.fullmatch(text) else None
