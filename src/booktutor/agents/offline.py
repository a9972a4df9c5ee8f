"""Offline stand-in for a specialist agent's model: call its one service tool, relay its answer.

The extractive model only ever calls `search_book`. The personalization and translation agents
need their own tools instead, so offline they run on this model: turn 1 calls the tool with the
learner's message, turn 2 streams the honest, pre-composed `answer` from the tool's JSON (or,
lacking one, the extractive answer built from the tool's `text`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from agents import Model, Tool
from agents.items import TResponseInputItem, TResponseOutputItem

from booktutor.providers.capabilities import lead_model, needs_tool_first_stand_in
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.model_input import TurnState
from booktutor.providers.responses_events import function_call, text_message


class ToolFirstModel(ExtractiveModel):
    def __init__(self, inner: ExtractiveModel, tool_name: str, arguments: Callable[[str], dict[str, Any]]) -> None:
        super().__init__(
            inner.embedder,
            inner.policy,
            words_per_delta=inner.words_per_delta,
            delta_delay_s=inner.delta_delay_s,
            model_name=inner.model_name,
        )
        self.tool_name = tool_name
        self.arguments = arguments

    async def plan(self, input: str | list[TResponseInputItem], tools: Sequence[Tool]) -> list[TResponseOutputItem]:
        state = TurnState(input)
        output = state.output_of(self.tool_name)
        offered = any(getattr(tool, "name", None) == self.tool_name for tool in tools)
        if output is None and offered and state.question.strip():
            return [function_call(self.tool_name, self.arguments(state.question.strip()))]
        answer = _answer_field(output)
        if answer:
            return [text_message(answer)]
        return await super().plan(input, [])


def tool_first_stand_in(
    model: Model, tool_name: str, arguments: Callable[[str], dict[str, Any]]
) -> ToolFirstModel | None:
    """The stand-in for `model` when it calls tools but cannot write (alone or first in a fallback
    chain); None when it can write and runs the agent itself."""
    offline = lead_model(model)
    if not needs_tool_first_stand_in(offline) or not isinstance(offline, ExtractiveModel):
        return None
    return ToolFirstModel(offline, tool_name, arguments)


def _answer_field(output: str | None) -> str | None:
    try:
        payload = json.loads(output) if output else None
    except json.JSONDecodeError:
        return None
    answer = payload.get("answer") if isinstance(payload, dict) else None
    return answer if isinstance(answer, str) and answer.strip() else None
