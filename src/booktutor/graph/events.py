"""Build AG-UI events from inside graph nodes and hand them to the run: straight to the run's sink when
its driver gave one (`emitting_to`), else to LangGraph's custom stream."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec

from ag_ui.core import (
    BaseEvent,
    StateDeltaEvent,
    StepFinishedEvent,
    StepStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)
from langgraph.config import get_stream_writer

from booktutor.observability.tracing import span

_WORDS = re.compile(r"\S+\s*")
EventSink = Callable[[BaseEvent], None]
_SINK: ContextVar[EventSink | None] = ContextVar("booktutor_event_sink", default=None)


def now_ms() -> int:
    return int(time.time() * 1000)


@contextmanager
def emitting_to(sink: EventSink) -> Iterator[None]:
    """Inside, nodes hand their events to `sink` as they make them, in order (the graph's tasks
    inherit it), instead of LangGraph's custom stream: no queue, task wake-up or stream item per
    event. Never hold it across a `yield` of an async generator."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


def recording(streamed: list[str], emit: EventSink | None) -> EventSink | None:
    """`emit`, also keeping the text deltas in `streamed` (the partial answer saved on cancel)."""
    if emit is None:
        return None

    def record(event: BaseEvent) -> None:
        if isinstance(event, TextMessageContentEvent):
            streamed.append(event.delta)
        emit(event)

    return record


class Emitter:
    """Writes AG-UI events to the run's sink or the graph's custom stream (a no-op outside a run)."""

    def __init__(self) -> None:
        sink = _SINK.get()
        if sink is not None:
            self._write: EventSink = sink
            return
        try:
            self._write = get_stream_writer()
        except RuntimeError:
            self._write = lambda _event: None

    def emit(self, event: BaseEvent) -> None:
        self._write(event)

    def step_started(self, name: str) -> None:
        self.emit(StepStartedEvent(step_name=name, timestamp=now_ms()))

    def step_finished(self, name: str) -> None:
        self.emit(StepFinishedEvent(step_name=name, timestamp=now_ms()))

    def text_start(self, message_id: str) -> None:
        self.emit(TextMessageStartEvent(message_id=message_id, role="assistant"))

    def text_delta(self, message_id: str, delta: str) -> None:
        if delta:
            self.emit(TextMessageContentEvent(message_id=message_id, delta=delta))

    def text_end(self, message_id: str) -> None:
        self.emit(TextMessageEndEvent(message_id=message_id))

    def say(self, message_id: str, text: str) -> None:
        """A fixed text as one assistant message, streamed word by word like a model's answer."""
        self.text_start(message_id)
        for piece in _WORDS.findall(text):
            self.text_delta(message_id, piece)
        self.text_end(message_id)

    def tool_call(self, call_id: str, name: str, arguments: str, parent_message_id: str) -> None:
        self.emit(ToolCallStartEvent(tool_call_id=call_id, tool_call_name=name, parent_message_id=parent_message_id))
        self.emit(ToolCallArgsEvent(tool_call_id=call_id, delta=arguments or "{}"))
        self.emit(ToolCallEndEvent(tool_call_id=call_id))

    def tool_result(self, call_id: str, content: str, message_id: str) -> None:
        self.emit(ToolCallResultEvent(message_id=message_id, tool_call_id=call_id, role="tool", content=content))

    def state_delta(self, **values: Any) -> None:
        ops = [{"op": "replace", "path": f"/{key}", "value": value} for key, value in values.items()]
        self.emit(StateDeltaEvent(delta=ops))


NodeArgs = ParamSpec("NodeArgs")
Node = Callable[NodeArgs, Awaitable[dict[str, Any]]]
WrappedNode = Callable[NodeArgs, Coroutine[Any, Any, dict[str, Any]]]


def step(name: str) -> Callable[[Node[NodeArgs]], WrappedNode[NodeArgs]]:
    """Wrap a node so the client sees STEP_STARTED / STEP_FINISHED around it."""

    def decorate(node: Node[NodeArgs]) -> WrappedNode[NodeArgs]:
        @functools.wraps(node)
        async def wrapped(*args: NodeArgs.args, **kwargs: NodeArgs.kwargs) -> dict[str, Any]:
            emitter = Emitter()
            emitter.step_started(name)
            with span(f"graph.node.{name}", node=name):
                update = await node(*args, **kwargs)
            emitter.step_finished(name)
            return update

        return wrapped

    return decorate
