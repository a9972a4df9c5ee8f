"""What a conversation turn asks for, read from an AG-UI `RunAgentInput`: its `forwardedProps` /
`state`, and its `context` (ambient information such as the page the learner is reading)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from ag_ui.core import RunAgentInput

from booktutor.errors import BadRequest, BookNotFound
from booktutor.graph.quiz_interrupt import resume_text
from booktutor.graph.state import Mode
from booktutor.memory.books import BookRepository
from booktutor.services import Services

MAX_CLIENT_TOOLS = 16
MAX_TOOL_RESULT_CHARS = 8000
_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """What a run asks for, read from AG-UI's `forwardedProps` / `state`."""

    question: str
    message_id: str
    book_id: str
    mode: Mode = "book"
    selected_text: str = ""
    doc_path: str | None = None
    language: str | None = None  # None: the learner's stored preference, else English
    profile: dict[str, Any] | None = None
    context: tuple[tuple[str, str], ...] = ()  # AG-UI `context`: (description, value), bounded
    client_tools: tuple[ClientTool, ...] = ()  # AG-UI `tools`: run in the client, offered to the model
    tool_turns: tuple[ToolTurn, ...] = ()  # the client's results for the tool calls after the question
    resume_id: str | None = None  # the interrupt an AG-UI `resume` answers (the question is its text)


@dataclass(frozen=True, slots=True)
class ClientTool:
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolTurn:
    call_id: str
    name: str
    arguments: str
    output: str


MAX_CONTEXT_ITEMS = 8
MAX_CONTEXT_CHARS = 1000
_PAGE_WORDS = re.compile(r"\b(page|doc|document|path|url|chapter|route|location|reading)\b", re.IGNORECASE)
_PAGE_KEYS = ("doc_path", "docPath", "path", "page", "url")


async def read_turn_request(services: Services, run_input: RunAgentInput, *, verify_book: bool = True) -> TurnRequest:
    """What the run asks for. With `verify_book=False` a requested book id is taken as given: the caller
    checks that the book exists (ChatService does, in the transaction that records the turn)."""
    props = {**_as_dict(run_input.state), **_as_dict(run_input.forwarded_props)}
    question, message_id, resume_id = _the_question(run_input)
    limits = services.settings
    if not question:
        raise BadRequest("The message is empty.")
    if len(question) > limits.max_message_chars:
        raise BadRequest(f"The message is longer than {limits.max_message_chars} characters.", code="message_too_long")
    selected = str(props.get("selected_text") or props.get("selectedText") or "")
    if len(selected) > limits.max_selection_chars:
        raise BadRequest(
            f"The selected text is longer than {limits.max_selection_chars} characters.", code="selection_too_long"
        )
    mode: Mode = "selection" if selected.strip() else "book"
    context = _context_items(run_input)
    return TurnRequest(
        question=question,
        message_id=message_id,
        book_id=await _book_id(services, props.get("book_id") or props.get("bookId"), verify_book),
        mode=mode,
        selected_text=selected.strip(),
        doc_path=props.get("doc_path") or props.get("docPath") or _page_from_context(context),
        language=str(props["language"])[:16] if props.get("language") else None,
        profile=props.get("profile") or None,
        context=context,
        client_tools=client_tools(run_input),
        tool_turns=tool_turns(run_input),
        resume_id=resume_id,
    )


def _the_question(run_input: RunAgentInput) -> tuple[str, str, str | None]:
    """The learner's message (text, id) and the interrupt it answers: an AG-UI `resume` is read as
    the learner's message (quiz_interrupt.py), else the latest user message is the question."""
    if run_input.resume:
        text, interrupt_id = resume_text(run_input.resume)
        return text, f"msg-{uuid.uuid4().hex}", interrupt_id
    last = last_user_message(run_input)
    if last is None:
        raise BadRequest(
            "The last message must be the learner's (or the results of the tools the agent called after it).",
            code="validation_error",
        )
    return _message_text(last).strip(), last.id or f"msg-{uuid.uuid4().hex}", None


def last_user_message(run_input: RunAgentInput) -> Any:
    """The learner's latest message: the last one, or the one before the agent's tool calls and
    the client's results for them (a frontend tool's round trip). None when there is none."""
    messages = run_input.messages
    i = len(messages) - 1
    while i >= 0 and (messages[i].role == "tool" or (messages[i].role == "assistant" and _calls_tools(messages[i]))):
        i -= 1
    if i < len(messages) - 1 and messages[-1].role != "tool":
        return None  # a run continues after tool calls only with their results
    return messages[i] if i >= 0 and messages[i].role == "user" else None


def _calls_tools(message: Any) -> bool:
    return bool(getattr(message, "tool_calls", None))


def tool_turns(run_input: RunAgentInput) -> tuple[ToolTurn, ...]:
    """The tool calls after the learner's latest message with the results the client sent back."""
    calls: dict[str, tuple[str, str]] = {}
    turns: list[ToolTurn] = []
    for message in run_input.messages:
        if message.role == "user":
            calls, turns = {}, []
        elif message.role == "assistant":
            for call in getattr(message, "tool_calls", None) or []:
                calls[call.id] = (call.function.name, call.function.arguments)
        elif message.role == "tool" and message.tool_call_id in calls:
            name, arguments = calls[message.tool_call_id]
            output = getattr(message, "error", None) or _message_text(message)
            turns.append(ToolTurn(message.tool_call_id, name, arguments, output[:MAX_TOOL_RESULT_CHARS]))
    return tuple(turns)


def client_tools(run_input: RunAgentInput) -> tuple[ClientTool, ...]:
    """The frontend tools the client offers (AG-UI `tools`), validated."""
    tools = run_input.tools or []
    if len(tools) > MAX_CLIENT_TOOLS:
        raise BadRequest(f"At most {MAX_CLIENT_TOOLS} tools.", code="invalid_tool")
    out: list[ClientTool] = []
    for tool in tools:
        if not _TOOL_NAME.fullmatch(tool.name):
            raise BadRequest(
                f"Tool name '{tool.name[:80]}' must be 1 to 64 letters, digits, '_' or '-'.", code="invalid_tool"
            )
        parameters = tool.parameters if isinstance(tool.parameters, dict) else {"type": "object", "properties": {}}
        out.append(ClientTool(tool.name, str(tool.description)[:MAX_CONTEXT_CHARS], parameters))
    return tuple(out)


def _context_items(run_input: RunAgentInput) -> tuple[tuple[str, str], ...]:
    """AG-UI `context` entries as (description, value), bounded in number and size."""
    items = run_input.context or []
    if len(items) > MAX_CONTEXT_ITEMS:
        raise BadRequest(f"At most {MAX_CONTEXT_ITEMS} context entries.", code="context_too_large")
    pairs = tuple((str(c.description).strip(), str(c.value).strip()) for c in items)
    if any(len(d) + len(v) > MAX_CONTEXT_CHARS for d, v in pairs):
        raise BadRequest(f"A context entry is longer than {MAX_CONTEXT_CHARS} characters.", code="context_too_large")
    return tuple((d, v) for d, v in pairs if v)


def page_path(value: str) -> str | None:
    """The doc path in a page reference: "actuators.md", "/docs/actuators#drawbacks" or a full URL
    (its host, locale, `/docs/` route base and anchor removed); None when it names no page."""
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    if isinstance(parsed, dict):
        parsed = next((parsed[k] for k in _PAGE_KEYS if isinstance(parsed.get(k), str)), "")
    text = str(parsed).strip()
    if not text or len(text) > 300 or any(c.isspace() for c in text):
        return None
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", text).split("#", 1)[0].split("?", 1)[0]
    path = re.sub(r"^/?(?:[a-z]{2}(?:-[A-Za-z]{2})?/)?docs/", "", path).strip("/")
    return path or None


def _page_from_context(context: tuple[tuple[str, str], ...]) -> str | None:
    """The page the learner is on, from a context entry that says it is one."""
    for description, value in context:
        if _PAGE_WORDS.search(description) and (path := page_path(value)):
            return path
    return None


async def _book_id(services: Services, requested: str | None, verify: bool = True) -> str:
    if requested and not verify:
        return str(requested)
    async with services.db.session() as session:
        repo = BookRepository(session)
        if requested:
            if await repo.get_book(str(requested)) is None:
                raise BookNotFound(f"No book with id '{requested}'.")
            return str(requested)
        default = services.settings.default_book_id
        if await repo.get_book(default):
            return default
        books = await repo.list_books()
    if not books:
        raise BookNotFound("No book has been ingested yet.")
    return books[0].id


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message_text(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts: keep the text ones
        return " ".join(getattr(part, "text", "") or "" for part in content)
    return ""
