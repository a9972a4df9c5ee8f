"""What a client knows of a run after a prefix of its events, so a stream that starts later (a
reconnect, a replay whose start the bounded log dropped) is a valid AG-UI stream on its own.

A resumed stream opens with `RUN_STARTED`, a `MESSAGES_SNAPSHOT` of the conversation as it stood at
the resume point (the run's own snapshot plus what it had streamed: a partial answer, tool calls,
tool results), then reopens every scope still open there (step, text message, tool call, reasoning)
with its original opening event, same ids, before the tail.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ag_ui.core import (
    BaseEvent,
    EventType,
    Message,
    MessagesSnapshotEvent,
    ReasoningEndEvent,
    ReasoningMessageEndEvent,
    RunStartedEvent,
    StepFinishedEvent,
    TextMessageEndEvent,
    ToolCallEndEvent,
)
from pydantic import TypeAdapter

# Scopes a stream opens and must close: opening event type -> (closing event class, the id attribute).
ScopeKey = tuple[type[BaseEvent], str]
SCOPES: dict[EventType, tuple[type[BaseEvent], str]] = {
    EventType.TEXT_MESSAGE_START: (TextMessageEndEvent, "message_id"),
    EventType.TOOL_CALL_START: (ToolCallEndEvent, "tool_call_id"),
    EventType.STEP_STARTED: (StepFinishedEvent, "step_name"),
    EventType.REASONING_START: (ReasoningEndEvent, "message_id"),
    EventType.REASONING_MESSAGE_START: (ReasoningMessageEndEvent, "message_id"),
}
CLOSING_ATTR = {closer: attr for closer, attr in SCOPES.values()}
_MESSAGES: TypeAdapter[list[Message]] = TypeAdapter(list[Message])


def track_scope(scopes: dict[ScopeKey, BaseEvent], event: BaseEvent) -> None:
    """Keep `scopes` (closing class and id -> the opening event, in opening order) up to date."""
    if event.type in SCOPES:
        closer, attr = SCOPES[event.type]
        scopes[(closer, getattr(event, attr))] = event
    elif type(event) in CLOSING_ATTR:
        scopes.pop((type(event), getattr(event, CLOSING_ATTR[type(event)])), None)


@dataclass
class RunView:
    """A run's events folded: whether it started, its open scopes and (after its MESSAGES_SNAPSHOT)
    the conversation, messages as plain dicts keyed by id, in order."""

    started: bool = False
    scopes: dict[ScopeKey, BaseEvent] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] | None = None
    _calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool call id -> its function dict

    def copy(self) -> RunView:
        return copy.deepcopy(self)  # keeps `_calls` pointing into the copied messages

    def apply(self, event: BaseEvent) -> None:
        if event.type == EventType.RUN_STARTED:
            self.started = True
        track_scope(self.scopes, event)
        if event.type == EventType.MESSAGES_SNAPSHOT:
            self.messages = {m.id: m.model_dump(exclude_none=True) for m in getattr(event, "messages", [])}
            self._calls = {
                call["id"]: call["function"]
                for message in self.messages.values()
                for call in message.get("tool_calls", [])
            }
        elif self.messages is not None:
            self._fold_message(event)

    def _fold_message(self, event: BaseEvent) -> None:
        data: dict[str, Any] = vars(event)  # the event's fields by attribute name (pydantic keeps them there)
        if event.type == EventType.TEXT_MESSAGE_START:
            self._message(data["message_id"], data.get("role") or "assistant")
        elif event.type == EventType.TEXT_MESSAGE_CONTENT:
            message = self._message(data["message_id"])
            message["content"] = (message.get("content") or "") + data["delta"]
        elif event.type == EventType.TOOL_CALL_START:
            parent = self._message(data.get("parent_message_id") or data["tool_call_id"])
            function = {"name": data["tool_call_name"], "arguments": ""}
            parent.setdefault("tool_calls", []).append(
                {"id": data["tool_call_id"], "type": "function", "function": function}
            )
            self._calls[data["tool_call_id"]] = function
        elif event.type == EventType.TOOL_CALL_ARGS and data["tool_call_id"] in self._calls:
            self._calls[data["tool_call_id"]]["arguments"] += data["delta"]
        elif event.type == EventType.TOOL_CALL_RESULT:
            assert self.messages is not None
            self.messages[data["message_id"]] = {
                "id": data["message_id"],
                "role": "tool",
                "content": data["content"],
                "tool_call_id": data["tool_call_id"],
            }

    def _message(self, message_id: str, role: str = "assistant") -> dict[str, Any]:
        assert self.messages is not None
        return self.messages.setdefault(message_id, {"id": message_id, "role": role, "content": ""})

    def reopening(self, thread_id: str, run_id: str) -> list[BaseEvent]:
        """What a stream starting here sends first: RUN_STARTED, the conversation so far, and the
        opening event of every scope still open (outermost first)."""
        opening: list[BaseEvent] = [RunStartedEvent(thread_id=thread_id, run_id=run_id)]
        if self.messages is not None:
            opening.append(MessagesSnapshotEvent(messages=_MESSAGES.validate_python(list(self.messages.values()))))
        return [*opening, *self.scopes.values()]
