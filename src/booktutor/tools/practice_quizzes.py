"""A page's ```quiz blocks as one practice section, its quiz: what "What does the sensors chapter's quiz cover?"
reads.

Quiz blocks never reach chunk text (their answers would), so a page's outline shows no quiz where the book has
one. The questions of a page's blocks (stored at ingest; read here without their answers) become one section of
the page, "Quiz", listing them in order, placed (and cited) after the section of its first block.
"""

from __future__ import annotations

import string
import uuid
from dataclasses import replace
from typing import TypeVar

import asyncpg

from booktutor.ingest.purpose import EXERCISE
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow

_Key = TypeVar("_Key")
QUIZ_HEADING = "Quiz"
_Question = tuple[list[str], str, str, list[str]]
"""A quiz block's question as (the heading path of the section it sits in, its anchor, prompt, choices)."""


async def with_quizzes(
    conn: asyncpg.Connection, outlines: dict[_Key, list[OutlineRow]]
) -> dict[_Key, list[OutlineRow]]:
    """The outlines with each page's quiz among its rows."""
    pages = list({row.document_id for rows in outlines.values() for row in rows})
    quizzes: dict[uuid.UUID, list[_Question]] = {}
    for document, heading_path, anchor, prompt, choices in await chunk_reads.authored_questions(conn, pages):
        quizzes.setdefault(document, []).append((list(heading_path), anchor, prompt, list(choices)))
    if not quizzes:
        return outlines
    return {key: _placed(rows, quizzes) for key, rows in outlines.items()}


def _placed(rows: list[OutlineRow], quizzes: dict[uuid.UUID, list[_Question]]) -> list[OutlineRow]:
    placed = list(rows)
    for document, questions in quizzes.items():
        mine = [i for i, row in enumerate(placed) if row.document_id == document]
        path, anchor = questions[0][0], questions[0][1]
        if not mine or not path:
            continue
        within = [i for i in mine if placed[i].heading_path[: len(path)] == path]
        at = (within or mine)[-1]
        quiz = replace(
            placed[at],
            heading_path=[path[0], QUIZ_HEADING],
            anchor=anchor or placed[at].anchor,
            purpose=EXERCISE,
            sections=[],
            text=_listed(questions),
        )
        placed.insert(at + 1, quiz)
    return placed


def _listed(questions: list[_Question]) -> str:
    """The questions numbered, each with its options lettered, as the quiz section's text."""
    lines = []
    for number, (_, _, prompt, choices) in enumerate(questions, start=1):
        lines.append(f"{number}. {prompt}")
        lines += [f"   {letter}) {choice}" for letter, choice in zip(string.ascii_lowercase, choices, strict=False)]
    return "\n".join(lines)
