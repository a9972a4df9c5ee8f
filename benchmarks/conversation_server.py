"""booktutor's real app for the conversation benchmarks, with an instant scripted model.

  uvicorn --factory benchmarks.conversation_server:create_bench_app

Settings come from BOOKTUTOR_* variables (database, data dir, fake embedder); BENCH_MODEL picks the
model: `instant` (one search_book call, then a short answer) or `hang` (the same, but the answer
stops after its first words and never finishes: for holding streams open).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from booktutor.api.app import create_app
from booktutor.config import get_settings
from booktutor.log_config import configure_logging
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn

ANSWER = "A robot senses, plans and acts in a loop [1]. Each pass refines its estimate of the world [1]."
SEARCH = ToolCall("search_book", {"query": "what does a robot do in its control loop"})


class InstantTutorModel(ScriptedModel):
    """Per run: a search_book call first, then the answer once a tool output is in the input.

    (ScriptedModel's script is global across runs and records every call; a shared benchmark model
    must decide per call and keep nothing.)
    """

    def __init__(self, *, hang: bool = False) -> None:
        super().__init__([Turn(tool_calls=[SEARCH]), Turn(text=ANSWER, hang=hang)], repeat_last=True)

    def _next_turn(self, system_instructions: str | None, input: Any, tools, streamed: bool) -> Turn:
        return self.turns[1] if _has_tool_output(input) else self.turns[0]


def _has_tool_output(input: Any) -> bool:
    if isinstance(input, str):
        return False
    return any(_item_type(item) == "function_call_output" for item in input)


def _item_type(item: Any) -> str | None:
    return item.get("type") if isinstance(item, dict) else getattr(item, "type", None)


def create_bench_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings, model=InstantTutorModel(hang=os.environ.get("BENCH_MODEL") == "hang"))
