"""The app a test's API process serves (`uvicorn --factory tests.integration.two_process_app:create`).

Everything comes from BOOKTUTOR_* variables, like `booktutor serve`; only the model is scripted: per
run, a search_book call, then an answer whose first words stream and whose rest never comes (the run
stays in flight until it is cancelled), so another process can resume and cancel it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from booktutor.api.app import create_app
from booktutor.config import get_settings
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn

FIRST_WORDS = "Gears trade speed for torque [1], and"


class HangingTutorModel(ScriptedModel):
    def __init__(self) -> None:
        search = ToolCall("search_book", {"query": "gear ratio"})
        super().__init__([Turn(tool_calls=[search]), Turn(text=FIRST_WORDS, hang=True)], repeat_last=True)

    def _next_turn(self, system_instructions: str | None, input: Any, tools, streamed: bool) -> Turn:
        answered = not isinstance(input, str) and any(_type(item) == "function_call_output" for item in input)
        return self.turns[1] if answered else self.turns[0]


def _type(item: Any) -> str | None:
    return item.get("type") if isinstance(item, dict) else getattr(item, "type", None)


def create() -> FastAPI:
    return create_app(get_settings(), model=HangingTutorModel())
