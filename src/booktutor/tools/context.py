"""What a tool call can see: the request's book, mode and selection, and the shared services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from booktutor.services import Services

Mode = Literal["book", "selection"]


@dataclass
class ToolContext:
    services: Services
    user_id: uuid.UUID | None
    book_id: str
    language: str = "en"
    mode: Mode = "book"
    selected_text: str = ""
    doc_path: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    # Every search result handed to the model, by its citation number [n].
    sources: dict[int, dict[str, Any]] = field(default_factory=dict)
    degraded: bool = False
    # Per-run extras from the graph: "quizzes" (QuizService) and the chat "thread_id".
    extra: dict[str, Any] = field(default_factory=dict)

    def register_sources(self, results: list[dict[str, Any]]) -> None:
        for result in results:
            self.sources[result["n"]] = result


def chapter_source(*, doc_path: str, title: str, heading: str, url: str, text: str, language: str) -> dict[str, Any]:
    """A whole (personalized or translated) chapter as citation source [1]."""
    return {
        "n": 1,
        "source": "book",
        "doc_path": doc_path,
        "chapter_title": title,
        "heading": heading,
        "anchor_url": url,
        "text": text,
        "snippet": text[:200],
        "score": 1.0,
        "dense_score": None,
        "lexical_rank": None,
        "language": language,
    }
