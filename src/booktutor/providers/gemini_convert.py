"""Between the Agents SDK's Responses-API items and the Gemini API's contents (google-genai types).

A request: input items become `Content`s (consecutive tool calls, and consecutive tool results,
share one content, as Gemini expects), function tools and handoffs become function declarations,
an output schema becomes JSON mode with that schema. A response: its parts become a message and
function-call items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from agents import FunctionTool, ModelSettings, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.exceptions import UserError
from agents.handoffs import Handoff
from agents.items import TResponseInputItem, TResponseOutputItem
from google.genai import types
from openai.types.responses import ResponseFunctionToolCall

from booktutor.providers.model_input import message_text, tool_output_text
from booktutor.providers.responses_events import new_id, text_message

SKIPPED_ITEMS = frozenset({"reasoning"})
"""Items of another provider's making that Gemini has no use for."""


class GeminiNoAnswerError(RuntimeError):
    """Gemini answered with neither text nor a tool call (e.g. the prompt or answer was blocked)."""


@dataclass(frozen=True)
class GeminiRequest:
    contents: list[types.Content]
    config: types.GenerateContentConfig


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    return cast(dict[str, Any], item.model_dump(exclude_none=True))


def _arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    parsed = json.loads(raw) if isinstance(raw, str) and raw.strip() else {}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


class _Contents:
    """Builds the content list, merging parts that Gemini wants in one turn."""

    def __init__(self, signatures: dict[str, bytes]) -> None:
        self.contents: list[types.Content] = []
        self.system: list[str] = []
        self._signatures = signatures
        self._call_names: dict[str, str] = {}

    def _append(self, role: str, part: types.Part, *, merge: bool) -> None:
        last = self.contents[-1] if self.contents else None
        if merge and last is not None and last.role == role and last.parts:
            last.parts.append(part)
        else:
            self.contents.append(types.Content(role=role, parts=[part]))

    def _ends_with(self, kind: str) -> bool:
        last = self.contents[-1] if self.contents else None
        return bool(last and last.parts and getattr(last.parts[-1], kind) is not None)

    def add(self, item: dict[str, Any]) -> None:
        kind = item.get("type", "message")
        if kind == "message" and item.get("role") in ("system", "developer"):
            self.system.append(message_text(item.get("content")))
        elif kind == "message" and item.get("role") in ("user", "assistant"):
            role = "model" if item["role"] == "assistant" else "user"
            text = message_text(item.get("content"))
            if text:
                self._append(role, types.Part(text=text), merge=role == "model" and self._ends_with("text"))
        elif kind == "function_call":
            self._function_call(item)
        elif kind == "function_call_output":
            self._function_response(item)
        elif kind not in SKIPPED_ITEMS:
            raise UserError(f"The Gemini adapter cannot send a {kind!r} input item.")

    def _function_call(self, item: dict[str, Any]) -> None:
        call_id, name = str(item["call_id"]), str(item["name"])
        self._call_names[call_id] = name
        call = types.FunctionCall(id=call_id, name=name, args=_arguments(item.get("arguments")))
        part = types.Part(function_call=call, thought_signature=self._signatures.get(call_id))
        # A model turn may say something and then call tools: one content.
        self._append("model", part, merge=True)

    def _function_response(self, item: dict[str, Any]) -> None:
        call_id = str(item["call_id"])
        response = types.FunctionResponse(
            id=call_id,
            name=self._call_names.get(call_id, ""),
            response={"output": tool_output_text(item.get("output"))},
        )
        part = types.Part(function_response=response)
        self._append("user", part, merge=self._ends_with("function_response"))


def to_contents(
    input: str | list[TResponseInputItem], signatures: dict[str, bytes]
) -> tuple[list[types.Content], list[str]]:
    """The conversation as Gemini contents, and the system texts found inside it."""
    builder = _Contents(signatures)
    items = [{"role": "user", "content": input}] if isinstance(input, str) else input
    for item in items:
        builder.add(_as_dict(item))
    return builder.contents, builder.system


def _declaration(name: str, description: str | None, schema: dict[str, Any]) -> types.FunctionDeclaration:
    # A tool without arguments is declared without a schema: Gemini may refuse an object without properties.
    parameters = schema if schema.get("properties") else None
    return types.FunctionDeclaration(name=name, description=description, parameters_json_schema=parameters)


def function_declarations(tools: Sequence[Tool], handoffs: Sequence[Handoff]) -> list[types.FunctionDeclaration]:
    declarations = []
    for tool in tools:
        if not isinstance(tool, FunctionTool):
            raise UserError(f"The Gemini adapter supports function tools only, not {type(tool).__name__}.")
        declarations.append(_declaration(tool.name, tool.description, tool.params_json_schema))
    for handoff in handoffs:
        declarations.append(_declaration(handoff.tool_name, handoff.tool_description, handoff.input_json_schema))
    return declarations


def tool_config(choice: Any, has_tools: bool) -> types.ToolConfig | None:
    """ModelSettings.tool_choice in Gemini's terms: auto, required (ANY), none, or one tool by name."""
    if not has_tools or choice in (None, "auto"):
        return None
    mode = types.FunctionCallingConfigMode
    if choice == "required":
        calling = types.FunctionCallingConfig(mode=mode.ANY)
    elif choice == "none":
        calling = types.FunctionCallingConfig(mode=mode.NONE)
    elif isinstance(choice, str):
        calling = types.FunctionCallingConfig(mode=mode.ANY, allowed_function_names=[choice])
    else:
        raise UserError(f"The Gemini adapter cannot use tool_choice {choice!r}.")
    return types.ToolConfig(function_calling_config=calling)


def build_request(
    system_instructions: str | None,
    input: str | list[TResponseInputItem],
    settings: ModelSettings,
    tools: Sequence[Tool],
    output_schema: AgentOutputSchemaBase | None,
    handoffs: Sequence[Handoff],
    signatures: dict[str, bytes],
    thinking: types.ThinkingConfig | None = None,
) -> GeminiRequest:
    contents, system = to_contents(input, signatures)
    system_text = "\n\n".join(text for text in [system_instructions or "", *system] if text)
    declarations = function_declarations(tools, handoffs)
    structured = output_schema is not None and not output_schema.is_plain_text()
    config = types.GenerateContentConfig(
        system_instruction=system_text or None,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_output_tokens=settings.max_tokens,
        presence_penalty=settings.presence_penalty,
        frequency_penalty=settings.frequency_penalty,
        tools=[types.Tool(function_declarations=declarations)] if declarations else None,
        tool_config=tool_config(settings.tool_choice, bool(declarations)),
        response_mime_type="application/json" if structured else None,
        response_json_schema=output_schema.json_schema() if structured and output_schema else None,
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        thinking_config=thinking,
    )
    return GeminiRequest(contents, config)


def answer_parts(response: types.GenerateContentResponse) -> list[types.Part]:
    """The first candidate's parts, without the model's thoughts."""
    candidates = response.candidates or []
    content = candidates[0].content if candidates else None
    return [part for part in (content.parts if content and content.parts else []) if not part.thought]


def no_answer(response: types.GenerateContentResponse | None) -> GeminiNoAnswerError:
    feedback = response.prompt_feedback if response is not None else None
    candidates = (response.candidates if response is not None else None) or []
    if feedback is not None and feedback.block_reason is not None:
        why = f"the prompt was blocked ({feedback.block_reason})"
    elif candidates and candidates[0].finish_reason is not None:
        why = f"it finished with {candidates[0].finish_reason}"
    else:
        why = "the response was empty"
    return GeminiNoAnswerError(f"Gemini gave no answer: {why}.")


def tool_call_item(
    call: types.FunctionCall, signature: bytes | None, signatures: dict[str, bytes]
) -> ResponseFunctionToolCall:
    """A function call as an SDK output item; its thought signature is kept to be sent back with it."""
    call_id = call.id or new_id("call")
    if signature is not None:
        signatures[call_id] = signature
    return ResponseFunctionToolCall(
        id=call_id,
        call_id=call_id,
        type="function_call",
        name=call.name or "",
        arguments=json.dumps(call.args or {}, ensure_ascii=False),
        status="completed",
    )


def output_items(response: types.GenerateContentResponse, signatures: dict[str, bytes]) -> list[TResponseOutputItem]:
    parts = answer_parts(response)
    text = "".join(part.text for part in parts if part.text)
    calls = [tool_call_item(p.function_call, p.thought_signature, signatures) for p in parts if p.function_call]
    if not text and not calls:
        raise no_answer(response)
    items: list[TResponseOutputItem] = [text_message(text)] if text else []
    items.extend(calls)
    return items


def usage_of(responses: Iterable[types.GenerateContentResponse]) -> Usage:
    """The request's token counts: the last response that reported them (a stream's final chunk)."""
    metadata = None
    for response in responses:
        metadata = response.usage_metadata or metadata
    if metadata is None:
        return Usage(requests=1)
    prompt = metadata.prompt_token_count or 0
    output = (metadata.candidates_token_count or 0) + (metadata.thoughts_token_count or 0)
    return Usage(requests=1, input_tokens=prompt, output_tokens=output, total_tokens=metadata.total_token_count or 0)
