"""What a tool call can see: the request's book, mode and selection, and the shared services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from booktutor.services import Services
from booktutor.tutoring.quizzes import QuizService

Mode = Literal["book", "selection"]
MAX_SOURCE_N = 99
"""The highest citation number: markers have at most two digits (booktutor.graph.citations). A tool's sources
are numbered from a base of its own (hits from 1, their further sections from 21, practice from 61, kinds from
81), each after every number already given (`first_free`), and none above this."""


class Source(TypedDict):
    """A passage handed to the model, citable as [n]: a search hit, the selection or a whole chapter."""

    n: int
    source: Literal["book", "selection"]
    doc_path: str
    chapter_title: str
    heading: str
    anchor_url: str
    text: str
    snippet: str
    score: float
    dense_score: float | None
    lexical_rank: int | None
    language: str
    purpose: NotRequired[str]  # what the passage is for (booktutor.ingest.purpose); absent = exposition
    sections: NotRequired[list[dict[str, Any]]]
    """The sections a search hit holds, in order, each with the number that cites it: {n, heading, anchor_url}."""
    steps: NotRequired[list[str]]
    """A practice section's steps in order: its steps' list's items, else its sub-sections' headings
    (booktutor.tools.practice)."""
    numbered_steps: NotRequired[list[str]]
    """The steps "step 3" counts: its headings that number a step at any depth, else its steps' list's items."""
    step_texts: NotRequired[list[str]]
    """What each of `numbered_steps` that is a sub-section says under its heading (else "")."""
    practice_label: NotRequired[str]
    """What a practice section is ("review questions") when only its text shows it, not its heading."""
    practice_kind: NotRequired[str]
    """ "quiz" or "project" when a practice section is one (booktutor.tools.practice)."""
    logistics: NotRequired[list[str]]
    """A practice section's sub-sections on how it is graded or handed in ("What to submit", "Rubric")."""
    questions: NotRequired[list[dict[str, Any]]]
    """A practice section's numbered questions, {number, prompt, choices}: never their answers."""


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
    # Every source handed to the model, by its citation number [n].
    sources: dict[int, Source] = field(default_factory=dict)
    degraded: bool = False
    quizzes: QuizService | None = None
    thread_id: str | None = None  # the chat thread; a quiz started in it belongs to it

    def register_sources(self, sources: list[Source]) -> None:
        for source in sources:
            self.sources[source["n"]] = source


def first_free(base: int, *taken: list[Source]) -> int:
    """The first citation number from `base` up that follows every number already `taken`."""
    return max([base, *(source["n"] + 1 for sources in taken for source in sources)])


def chapter_source(*, doc_path: str, title: str, heading: str, url: str, text: str, language: str) -> Source:
    """A whole (personalized or translated) chapter as citation source [1]."""
    return Source(
        n=1,
        source="book",
        doc_path=doc_path,
        chapter_title=title,
        heading=heading,
        anchor_url=url,
        text=text,
        snippet=text[:200],
        score=1.0,
        dense_score=None,
        lexical_rank=None,
        language=language,
    )
