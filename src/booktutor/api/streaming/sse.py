"""Numbered AG-UI events as an SSE response (sse-starlette), and when a client asks for one.

SSE responses must never be compressed or buffered: keep GZip middleware off this app (it would hold
events back) and `X-Accel-Buffering: no` tells nginx the same.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from ag_ui.core import BaseEvent, EventType
from fastapi import Response
from sse_starlette import EventSourceResponse

from booktutor.api.run_relay import event_json
from booktutor.api.streaming.event_log import event_id

EVENT_STREAM = "text/event-stream"
SSE_SEPARATOR = "\n"  # sse-starlette's default "\r\n" breaks @ag-ui/client's parser
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# After a write, the events that follow within this window go out together in the next one (a write is
# a syscall, plus the whole loopback TCP path, per chunk). The stream's first events, its first text
# delta and its end are written at once, so neither the first token nor the end waits.
COALESCE_S = 0.01
_URGENT = frozenset({EventType.RUN_FINISHED, EventType.RUN_ERROR})
Numbered = tuple[int, BaseEvent]


def wants_event_stream(accept: str | None) -> bool:
    """Whether an `Accept` header asks for SSE rather than JSON."""
    return EVENT_STREAM in (accept or "").lower()


def encode_event(run_id: str, seq: int, event: BaseEvent) -> bytes:
    """One SSE message: `id` and camelCase JSON `data`; no `event:` (AG-UI reads data only).

    The bytes sse-starlette's ServerSentEvent would write, built directly (once per event and
    subscriber): compact JSON has no line breaks, and ids are printable (checked at the API)."""
    return f"id: {event_id(run_id, seq)}{SSE_SEPARATOR}data: {event_json(event)}{SSE_SEPARATOR}{SSE_SEPARATOR}".encode()


def sse_response(
    events: AsyncIterator[tuple[int, BaseEvent]],
    run_id: str,
    *,
    ping_s: float = 15.0,
    headers: dict[str, str] | None = None,
) -> EventSourceResponse:
    """Stream numbered AG-UI events as SSE with `\\n` separators and keep-alive comments.

    When `events` also offers `ready()` (the events logged meanwhile, taken without waiting), a write
    carries all of those; with `more(timeout)` too (wait for the next one), every event of its
    `COALESCE_S` window."""

    ready: Callable[[], list[Numbered]] | None = getattr(events, "ready", None)
    more: Callable[[float], Awaitable[bool]] | None = getattr(events, "more", None)

    async def body() -> AsyncIterator[bytes]:
        async with closing(events):
            batches = _batches(events, ready, more) if ready is not None else _single(events)
            async with contextlib.aclosing(batches):
                async for batch in batches:
                    yield b"".join(encode_event(run_id, seq, event) for seq, event in batch)

    return EventSourceResponse(body(), ping=ping_s, sep=SSE_SEPARATOR, headers={**SSE_HEADERS, **(headers or {})})


async def _single(events: AsyncIterator[Numbered]) -> AsyncGenerator[list[Numbered], None]:
    async for item in events:
        yield [item]


async def _batches(
    events: AsyncIterator[Numbered],
    ready: Callable[[], list[Numbered]],
    more: Callable[[float], Awaitable[bool]] | None,
) -> AsyncGenerator[list[Numbered], None]:
    """The events in write-sized batches: each one what was logged by the end of its window (`more`
    returns early for the events that must not wait)."""
    loop = asyncio.get_running_loop()
    not_before = 0.0  # loop time from which the next batch goes out without waiting
    urgent = _Urgent()
    async for item in events:
        batch = [item, *ready()]
        now = urgent.among(batch)
        if not now and more is not None and (left := not_before - loop.time()) > 0 and await more(left):
            added = ready()
            urgent.among(added)  # (a first text delta among them is no longer to come)
            batch += added
        yield batch
        not_before = loop.time() + COALESCE_S


class _Urgent:
    """What goes out at once: the stream's first text delta (its first token) and its end."""

    def __init__(self) -> None:
        self.text_seen = False

    def among(self, items: list[Numbered]) -> bool:
        found = False
        for _, event in items:
            if event.type in _URGENT:
                found = True
            elif event.type == EventType.TEXT_MESSAGE_CONTENT and not self.text_seen:
                self.text_seen = found = True
        return found


def with_dependency_headers(stream: EventSourceResponse, response: Response) -> EventSourceResponse:
    """Carry headers set by dependencies (a new guest's token and cookie) onto the stream."""
    stream.headers.raw.extend(response.headers.raw)
    return stream


@contextlib.asynccontextmanager
async def closing(events: AsyncIterator[object]) -> AsyncIterator[None]:
    """Close the inner generator too when the response stops early (client gone)."""
    try:
        yield
    finally:
        aclose: Callable[[], object] | None = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()  # type: ignore[misc]
