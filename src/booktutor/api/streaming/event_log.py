"""A run's numbered AG-UI events, kept so a client can reconnect with `Last-Event-ID: <run_id>:<seq>`."""

from __future__ import annotations

import re
import time
from collections import deque

from ag_ui.core import (
    BaseEvent,
    EventType,
    RunErrorEvent,
    RunFinishedCancelledOutcome,
    RunFinishedEvent,
    RunStartedEvent,
)

from booktutor.api.streaming.run_view import CLOSING_ATTR, RunView, ScopeKey, track_scope

TERMINAL = frozenset({EventType.RUN_FINISHED, EventType.RUN_ERROR})


def now_ms() -> int:
    return int(time.time() * 1000)


class EventLog:
    """The last `max_events` events of one run, numbered from 1, and the scopes still open.

    Scopes still open are what a cancelled run must close before RUN_FINISHED (AG-UI clients reject
    a run ending inside one). What the cap drops is folded into `_dropped`, so a stream resumed at
    any point can still be made valid on its own (`resumption`).
    """

    def __init__(self, max_events: int) -> None:
        self.entries: deque[tuple[int, BaseEvent]] = deque(maxlen=max_events)
        self.last_seq = 0
        self.started = False
        self.terminal: BaseEvent | None = None
        self._open_scopes: dict[ScopeKey, BaseEvent] = {}
        self._dropped = RunView()  # the events the cap dropped, folded

    @property
    def ended(self) -> bool:
        return self.terminal is not None

    def append(self, event: BaseEvent) -> int:
        """Number and keep `event`; its seq."""
        if event.type == EventType.RUN_STARTED:
            self.started = True
        track_scope(self._open_scopes, event)
        if len(self.entries) == self.entries.maxlen:
            self._dropped.apply(self.entries[0][1])
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
            closer(
                **{CLOSING_ATTR[closer]: scope_id},
                subagent_run_id=getattr(opened, "subagent_run_id", None),
                timestamp=ids["timestamp"],
            )
            for (closer, scope_id), opened in reversed(self._open_scopes.items())
        ]
        return [*opening, *closing, RunFinishedEvent(**ids, outcome=RunFinishedCancelledOutcome())]

    def resumption(self, cursor: int, thread_id: str, run_id: str) -> list[tuple[int, BaseEvent]]:
        """What a stream that delivers the events after `cursor` sends first, numbered `point` (the
        last seq it accounts for): nothing when it starts at the run's first event or after its
        end, else RUN_STARTED, a MESSAGES_SNAPSHOT and the scopes open at that point reopened."""
        first_kept = self.entries[0][0] if self.entries else self.last_seq + 1
        point = min(max(cursor, first_kept - 1), self.last_seq)
        if point == 0 or (self.ended and point == self.last_seq):
            return []
        view = self._dropped.copy()
        for seq, event in self.entries:
            if seq > point:
                break
            view.apply(event)
        return [(point, event) for event in view.reopening(thread_id, run_id)]


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
