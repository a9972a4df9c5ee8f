"""Reading a model's input: the learner's latest message and the tool outputs that followed it."""

from __future__ import annotations

from typing import Any, cast

from agents.items import TResponseInputItem


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
        self.earlier_answers = [
            message_text(item.get("content")) for item in items[:start] if item.get("role") == "assistant"
        ]
        """The thread's earlier answers (the bounded history the graph passes), oldest first."""
        names = {item.get("call_id"): item.get("name") for item in items if item.get("type") == "function_call"}
        self.tool_outputs: list[tuple[str, str]] = [
            (str(names.get(item.get("call_id"), "")), tool_output_text(item.get("output")))
            for item in items[start:]
            if item.get("type") == "function_call_output"
        ]

    def output_of(self, tool_name: str) -> str | None:
        return next((text for name, text in reversed(self.tool_outputs) if name == tool_name), None)
