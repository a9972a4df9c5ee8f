"""A scripted Agents SDK ``Model`` for tests: replays turns, records inputs, can fail or hang."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents import ModelProvider, ModelSettings, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import (
    ModelResponse,
    TResponseInputItem,
    TResponseOutputItem,
    TResponseStreamEvent,
)
from agents.models.interface import Model, ModelTracing
from openai.types.responses import ResponseTextDeltaEvent
from openai.types.responses.response_prompt_param import ResponsePromptParam

from booktutor.providers.capabilities import SCRIPTED, ModelCapabilities
from booktutor.providers.responses_events import (
    ResponseEventStream,
    function_call,
    new_id,
    text_message,
)


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One model call. ``error``/``hang`` take effect after any ``text`` has been streamed."""

    text: str | None = None
    tool_calls: Sequence[ToolCall] = ()
    error: BaseException | None = None
    hang: bool = False


@dataclass(frozen=True)
class RecordedCall:
    system_instructions: str | None
    input: Any
    tool_names: list[str]
    streamed: bool


class ScriptExhaustedError(RuntimeError):
    """The model was called more times than the script has turns."""


class ScriptedModel(Model):
    capabilities: ClassVar[ModelCapabilities] = SCRIPTED

    def __init__(
        self,
        turns: Sequence[Turn],
        *,
        repeat_last: bool = False,
        words_per_delta: int = 2,
        model_name: str = "scripted",
    ) -> None:
        self.turns = list(turns)
        self.repeat_last = repeat_last
        self.words_per_delta = words_per_delta
        self.model_name = model_name
        self.calls: list[RecordedCall] = []

    def _next_turn(self, system_instructions: str | None, input: Any, tools: Sequence[Tool], streamed: bool) -> Turn:
        names = [tool.name for tool in tools]
        self.calls.append(RecordedCall(system_instructions, copy.deepcopy(input), names, streamed))
        index = len(self.calls) - 1
        if index < len(self.turns):
            return self.turns[index]
        if self.repeat_last and self.turns:
            return self.turns[-1]
        raise ScriptExhaustedError(f"call {index + 1} but the script has {len(self.turns)} turns")

    @staticmethod
    def _output(turn: Turn) -> list[TResponseOutputItem]:
        output: list[TResponseOutputItem] = [text_message(turn.text)] if turn.text else []
        output.extend(function_call(call.name, call.arguments) for call in turn.tool_calls)
        return output

    @staticmethod
    async def _fail_or_hang(turn: Turn) -> None:
        if turn.error is not None:
            raise turn.error
        if turn.hang:
            await asyncio.Event().wait()

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
        turn = self._next_turn(system_instructions, input, tools, streamed=False)
        await self._fail_or_hang(turn)
        return ModelResponse(output=self._output(turn), usage=Usage(requests=1), response_id=new_id("resp"))

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
        turn = self._next_turn(system_instructions, input, tools, streamed=True)
        output = self._output(turn)
        events = ResponseEventStream(self.model_name, self.words_per_delta)
        if not turn.text:
            await self._fail_or_hang(turn)
        for event in events.opening():
            yield event
        for index, item in enumerate(output):
            for event in events.item(item, index):
                yield event
                if isinstance(event, ResponseTextDeltaEvent):
                    await asyncio.sleep(0)
            if index == 0 and turn.text:
                await self._fail_or_hang(turn)
        yield events.completed(output)


class ScriptedModelProvider(ModelProvider):
    def __init__(self, model: ScriptedModel) -> None:
        self.model = model

    def get_model(self, model_name: str | None) -> Model:
        return self.model
