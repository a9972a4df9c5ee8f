"""The offline grounded answerer as an Agents SDK ``Model``.

Turn 1: call ``search_book`` with the learner's latest message. Turn 2: compose an extractive
answer from the tool output and stream it as Responses-API events, exactly like a hosted LLM,
so ``Runner.run_streamed`` drives tools and streaming through its normal code path.
Also home of the small Responses-event builder shared with the scripted test model.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, cast

from agents import FunctionTool, ModelProvider, ModelSettings, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import (
    ModelResponse,
    TResponseInputItem,
    TResponseOutputItem,
    TResponseStreamEvent,
)
from agents.models.interface import Model, ModelTracing
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
from openai.types.responses.response_prompt_param import ResponsePromptParam

from booktutor.providers.embeddings import Embedder
from booktutor.providers.extractive import AbstentionPolicy, compose_answer

SEARCH_TOOL = "search_book"
WORDS_PER_DELTA = 3
MAX_TOOL_ECHO_WORDS = 120
OFFLINE_HELP = (
    "I'm running offline without a language model, so I can only answer by quoting the book. "
    "Ask me about a topic the book covers, or highlight a passage and ask about it."
)

# ---------------------------------------------------------------- Responses-API items and events


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


# ---------------------------------------------------------------- reading the model input


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    dump = getattr(item, "model_dump", None)
    return cast(dict[str, Any], dump(exclude_none=True)) if callable(dump) else {}


def message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = (_as_dict(part) for part in content)
        return "\n".join(str(p.get("text", "")) for p in parts if p.get("text"))
    return ""


def tool_output_text(output: Any) -> str:
    return output if isinstance(output, str) else message_text(output)


class TurnState:
    """What the model needs from the input: the latest user message and tool outputs after it."""

    def __init__(self, input: str | list[TResponseInputItem]) -> None:
        items = [_as_dict(i) for i in ([{"role": "user", "content": input}] if isinstance(input, str) else input)]
        user_positions = [i for i, item in enumerate(items) if item.get("role") == "user"]
        start = user_positions[-1] if user_positions else 0
        self.question = message_text(items[start].get("content")) if user_positions else ""
        names = {item.get("call_id"): item.get("name") for item in items if item.get("type") == "function_call"}
        self.tool_outputs: list[tuple[str, str]] = [
            (str(names.get(item.get("call_id"), "")), tool_output_text(item.get("output")))
            for item in items[start:]
            if item.get("type") == "function_call_output"
        ]

    def output_of(self, tool_name: str) -> str | None:
        return next((text for name, text in reversed(self.tool_outputs) if name == tool_name), None)


def _tool_names(tools: Sequence[Tool]) -> set[str]:
    return {tool.name for tool in tools if isinstance(tool, FunctionTool)}


def _results_from_payload(payload: Any) -> list[dict[str, Any]] | None:
    """Search-shaped results from a tool's JSON output (search results or one section/chapter)."""
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return [r for r in payload["results"] if isinstance(r, dict)]
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        return [{**payload, "n": payload.get("n", 1), "source": payload.get("source", "book")}]
    return None


def _plain_summary(outputs: Sequence[tuple[str, str]]) -> str:
    words = " ".join(text for _, text in outputs).split()
    clipped = " ".join(words[:MAX_TOOL_ECHO_WORDS]) + (" …" if len(words) > MAX_TOOL_ECHO_WORDS else "")
    return f"Here is what I found:\n\n{clipped}"


# ---------------------------------------------------------------- the model


class ExtractiveModel(Model):
    """Answers only by quoting retrieved book text; no LLM, no network."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        policy: AbstentionPolicy | None = None,
        *,
        words_per_delta: int = WORDS_PER_DELTA,
        delta_delay_s: float = 0.0,
        model_name: str = "extractive",
    ) -> None:
        self.embedder = embedder
        self.policy = policy or AbstentionPolicy()
        self.words_per_delta = words_per_delta
        self.delta_delay_s = delta_delay_s
        self.model_name = model_name

    async def plan(self, input: str | list[TResponseInputItem], tools: Sequence[Tool]) -> list[TResponseOutputItem]:
        """The output items for this turn: a search call, or the composed answer."""
        state = TurnState(input)
        search_output = state.output_of(SEARCH_TOOL)
        if search_output is None and SEARCH_TOOL in _tool_names(tools) and state.question.strip():
            return [function_call(SEARCH_TOOL, {"query": state.question.strip()})]
        outputs = [("search_book", search_output)] if search_output is not None else state.tool_outputs
        return [text_message(await self._answer(state.question, outputs))]

    async def _answer(self, question: str, outputs: Sequence[tuple[str, str]]) -> str:
        if not outputs:
            return OFFLINE_HELP
        results: list[dict[str, Any]] = []
        evidence: dict[str, Any] | None = None
        for _, text in outputs:
            try:
                payload = json.loads(text)
            except json.JSONDecodeError:
                payload = None
            results.extend(_results_from_payload(payload) or [])
            if isinstance(payload, dict) and isinstance(payload.get("evidence"), dict):
                evidence = payload["evidence"]
        if not results:
            return _plain_summary(outputs)
        composed = await compose_answer(
            question, results, embedder=self.embedder, policy=self.policy, evidence=evidence
        )
        return composed.text

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        output = await self.plan(input, tools)
        return ModelResponse(output=output, usage=Usage(requests=1), response_id=new_id("resp"))

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        output = await self.plan(input, tools)
        async for event in stream_output(
            output,
            self.model_name,
            words_per_delta=self.words_per_delta,
            delta_delay_s=self.delta_delay_s,
        ):
            yield event


class ExtractiveModelProvider(ModelProvider):
    """Serves the one extractive model whatever name an agent asks for."""

    def __init__(self, model: ExtractiveModel | None = None) -> None:
        self.model = model or ExtractiveModel()

    def get_model(self, model_name: str | None) -> Model:
        return self.model
