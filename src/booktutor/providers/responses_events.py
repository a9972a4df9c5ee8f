"""Responses-API output items and their event stream, built by hand for models that run locally.

The offline answerer and the scripted test model answer with these, exactly like a hosted LLM, so
``Runner.run_streamed`` drives tools and streaming through its normal code path.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from agents.items import TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseInProgressEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)

WORDS_PER_DELTA = 3


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def text_message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id=new_id("msg"),
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[], logprobs=[])],
    )


def function_call(name: str, arguments: dict[str, Any]) -> ResponseFunctionToolCall:
    call_id = new_id("call")
    return ResponseFunctionToolCall(
        id=call_id,
        call_id=call_id,
        type="function_call",
        name=name,
        arguments=json.dumps(arguments, ensure_ascii=False),
        status="completed",
    )


def text_chunks(text: str, words_per_chunk: int = WORDS_PER_DELTA) -> list[str]:
    """Pieces of ``text`` of a few words each, whitespace kept, so they concatenate back to it."""
    tokens = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(tokens[i : i + words_per_chunk]) for i in range(0, len(tokens), words_per_chunk)]


def build_response(output: Sequence[TResponseOutputItem], model_name: str, *, done: bool) -> Response:
    return Response(
        id=new_id("resp"),
        created_at=0,
        model=model_name,
        object="response",
        output=list(output) if done else [],
        tool_choice="auto",
        tools=[],
        top_p=None,
        parallel_tool_calls=False,
        status="completed" if done else "in_progress",
    )


class ResponseEventStream:
    """Builds the Responses-API event sequence for output items, numbering events as it goes."""

    def __init__(self, model_name: str, words_per_delta: int = WORDS_PER_DELTA) -> None:
        self._model_name = model_name
        self._words_per_delta = words_per_delta
        self._sequence = -1

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def opening(self) -> Iterator[TResponseStreamEvent]:
        response = build_response([], self._model_name, done=False)
        yield ResponseCreatedEvent(type="response.created", response=response, sequence_number=self._next())
        yield ResponseInProgressEvent(type="response.in_progress", response=response, sequence_number=self._next())

    def item(self, item: TResponseOutputItem, index: int) -> Iterator[TResponseStreamEvent]:
        if isinstance(item, ResponseOutputMessage):
            yield from self._message(item, index)
        elif isinstance(item, ResponseFunctionToolCall):
            yield from self._function_call(item, index)
        else:
            raise TypeError(f"cannot stream output item {type(item).__name__}")
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done",
            item=item,
            output_index=index,
            sequence_number=self._next(),
        )

    def completed(self, output: Sequence[TResponseOutputItem]) -> TResponseStreamEvent:
        response = build_response(output, self._model_name, done=True)
        return ResponseCompletedEvent(type="response.completed", response=response, sequence_number=self._next())

    def _message(self, item: ResponseOutputMessage, index: int) -> Iterator[TResponseStreamEvent]:
        pending = item.model_copy(update={"content": [], "status": "in_progress"})
        yield ResponseOutputItemAddedEvent(
            type="response.output_item.added",
            item=pending,
            output_index=index,
            sequence_number=self._next(),
        )
        for content_index, part in enumerate(item.content):
            if not isinstance(part, ResponseOutputText):
                continue
            where = {"item_id": item.id, "output_index": index, "content_index": content_index}
            empty = part.model_copy(update={"text": ""})
            yield ResponseContentPartAddedEvent(
                type="response.content_part.added",
                part=empty,
                sequence_number=self._next(),
                **where,
            )
            for delta in text_chunks(part.text, self._words_per_delta):
                yield ResponseTextDeltaEvent(
                    type="response.output_text.delta",
                    delta=delta,
                    logprobs=[],
                    sequence_number=self._next(),
                    **where,
                )
            yield ResponseTextDoneEvent(
                type="response.output_text.done",
                text=part.text,
                logprobs=[],
                sequence_number=self._next(),
                **where,
            )
            yield ResponseContentPartDoneEvent(
                type="response.content_part.done", part=part, sequence_number=self._next(), **where
            )

    def _function_call(self, item: ResponseFunctionToolCall, index: int) -> Iterator[TResponseStreamEvent]:
        pending = item.model_copy(update={"arguments": "", "status": "in_progress"})
        yield ResponseOutputItemAddedEvent(
            type="response.output_item.added",
            item=pending,
            output_index=index,
            sequence_number=self._next(),
        )
        item_id = item.id or item.call_id
        yield ResponseFunctionCallArgumentsDeltaEvent(
            type="response.function_call_arguments.delta",
            item_id=item_id,
            output_index=index,
            delta=item.arguments,
            sequence_number=self._next(),
        )
        yield ResponseFunctionCallArgumentsDoneEvent.model_validate(
            {
                "type": "response.function_call_arguments.done",
                "item_id": item_id,
                "output_index": index,
                "arguments": item.arguments,
                "name": item.name,
                "sequence_number": self._next(),
            }
        )


async def stream_output(
    output: Sequence[TResponseOutputItem],
    model_name: str,
    *,
    words_per_delta: int = WORDS_PER_DELTA,
    delta_delay_s: float = 0.0,
) -> AsyncIterator[TResponseStreamEvent]:
    """Stream ``output`` as created → items (text in small deltas) → completed."""
    events = ResponseEventStream(model_name, words_per_delta)
    for event in events.opening():
        yield event
    for index, item in enumerate(output):
        for event in events.item(item, index):
            yield event
            if delta_delay_s and isinstance(event, ResponseTextDeltaEvent):
                await asyncio.sleep(delta_delay_s)
    yield events.completed(output)
