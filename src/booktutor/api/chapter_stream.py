"""AG-UI text events for a generated chapter, streamed section by section over SSE."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from ag_ui.core import (
    BaseEvent,
    CustomEvent,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
)
from sse_starlette import EventSourceResponse

from booktutor.api.streaming.sse import sse_response
from booktutor.errors import AppError
from booktutor.graph.events import now_ms
from booktutor.rewrite.segments import split_sections

SectionSink = Callable[[str], Awaitable[None]]
Compute = Callable[[SectionSink], Coroutine[Any, Any, Any]]


def chapter_event_stream(
    compute: Compute, *, thread_id: str, event_name: str, ping_s: float = 15.0
) -> EventSourceResponse:
    """Run `compute(sink)`; every section it passes to `sink` becomes a TEXT_MESSAGE_CONTENT.

    A result served from the cache (or shared with a concurrent request) is streamed after the
    fact, split into the same sections. Its metadata ends the run as a CUSTOM event and as the
    RUN_FINISHED result.
    """
    run_id = f"run-{uuid.uuid4().hex}"
    events = _numbered(_events(compute, thread_id, run_id, event_name))
    return sse_response(events, run_id, ping_s=ping_s)


async def _numbered(events: AsyncIterator[BaseEvent]) -> AsyncIterator[tuple[int, BaseEvent]]:
    seq = 0
    async for event in events:
        seq += 1
        yield seq, event


async def _events(compute: Compute, thread_id: str, run_id: str, event_name: str) -> AsyncIterator[BaseEvent]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    task = asyncio.create_task(compute(queue.put))
    task.add_done_callback(lambda _: queue.put_nowait(None))
    message_id = f"msg-{uuid.uuid4().hex}"
    try:
        yield RunStartedEvent(thread_id=thread_id, run_id=run_id, timestamp=now_ms())
        yield TextMessageStartEvent(message_id=message_id, role="assistant", timestamp=now_ms())
        streamed = False
        while (section := await queue.get()) is not None:
            if section:
                streamed = True
                yield TextMessageContentEvent(message_id=message_id, delta=section, timestamp=now_ms())
        try:
            result = await task
        except AppError as error:
            yield TextMessageEndEvent(message_id=message_id, timestamp=now_ms())
            yield RunErrorEvent(message=error.message, code=error.code, timestamp=now_ms())
            return
        payload = result.to_json()
        if not streamed:
            for part in split_sections(payload["markdown"]):
                if part.text:
                    yield TextMessageContentEvent(message_id=message_id, delta=part.text, timestamp=now_ms())
        yield TextMessageEndEvent(message_id=message_id, timestamp=now_ms())
        meta = {k: v for k, v in payload.items() if k != "markdown"}
        yield CustomEvent(name=event_name, value=meta, timestamp=now_ms())
        yield RunFinishedEvent(thread_id=thread_id, run_id=run_id, result=meta, timestamp=now_ms())
    finally:
        if not task.done():
            task.cancel()  # the shared computation itself is shielded and still fills the cache
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
