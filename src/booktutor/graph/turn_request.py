"""What a conversation turn asks for, read from an AG-UI `RunAgentInput` (its `forwardedProps` / `state`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ag_ui.core import RunAgentInput

from booktutor.errors import BadRequest, BookNotFound
from booktutor.graph.state import Mode
from booktutor.memory.books import BookRepository
from booktutor.services import Services


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


async def read_turn_request(services: Services, run_input: RunAgentInput) -> TurnRequest:
    props = {**_as_dict(run_input.state), **_as_dict(run_input.forwarded_props)}
    last = run_input.messages[-1] if run_input.messages else None
    if last is None or last.role != "user":
        raise BadRequest("The last message must be the learner's.", code="validation_error")
    question = _message_text(last).strip()
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
    return TurnRequest(
        question=question,
        message_id=last.id or f"msg-{uuid.uuid4().hex}",
        book_id=await _book_id(services, props.get("book_id") or props.get("bookId")),
        mode=mode,
        selected_text=selected.strip(),
        doc_path=props.get("doc_path") or props.get("docPath"),
        language=str(props["language"])[:16] if props.get("language") else None,
        profile=props.get("profile") or None,
    )


async def _book_id(services: Services, requested: str | None) -> str:
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
