"""Numbered AG-UI events as an SSE response (sse-starlette), and when a client asks for one.

SSE responses must never be compressed or buffered: keep GZip middleware off this app (it would hold
events back) and `X-Accel-Buffering: no` tells nginx the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from ag_ui.core import BaseEvent
from fastapi import Response
from sse_starlette import EventSourceResponse

from booktutor.api.run_relay import event_json
from booktutor.api.streaming.event_log import event_id

EVENT_STREAM = "text/event-stream"
SSE_SEPARATOR = "\n"  # sse-starlette's default "\r\n" breaks @ag-ui/client's parser
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


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
    """Stream numbered AG-UI events as SSE with `\\n` separators and keep-alive comments."""

    ready: Callable[[], list[tuple[int, BaseEvent]]] | None = getattr(events, "ready", None)

    async def body() -> AsyncIterator[bytes]:
        async with closing(events):
            async for seq, event in events:
                chunk = encode_event(run_id, seq, event)
                for more in ready() if ready is not None else ():  # logged meanwhile: one write for all
                    chunk += encode_event(run_id, *more)
                yield chunk

    return EventSourceResponse(body(), ping=ping_s, sep=SSE_SEPARATOR, headers={**SSE_HEADERS, **(headers or {})})


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
