"""The chapter a question about practice names by its title's words ("exercise 1 in the mapping chapter", "the
quiz of the chapter on lidar"): its page, whose exercises the answer reads even when a search for the question
ranks other pages' exercises first (they share the words "exercise 1", not the chapter's topic)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence

import asyncpg

from booktutor.extractive.text import content_terms
from booktutor.memory import chunk_reads

_TITLED = re.compile(
    r"\b(?:in|of|from|for|on|at)\s+the\s+(?P<before>(?:[\w'-]+\s+){1,4}?)(?:chapter|module|unit|lesson)\b|"
    r"\b(?:chapter|module|unit|lesson)\s+(?:on|about)\s+(?:the\s+)?(?P<after>[\w'\s-]{1,40}?)\s*(?:$|[?.!,;])",
    re.I,
)
_NOT_NAMES = frozenset(content_terms("this that same next previous last first whole entire current other each"))
_NO_PATH = "$^"
"""A pattern no source path matches: the chapter is found by its title alone."""
MIN_PREFIX = 3
_THIS_PAGE = re.compile(
    r"\b(?:this|current)\s+(?:chapter|page|lesson|section|module|unit)\b|\bon\s+this\s+page\b", re.I
)


def title_pattern(question: str) -> str | None:
    """A (PostgreSQL) pattern matching the titles that hold every word naming the chapter (by its stem: "mapping"
    names "Mapping with Lidar"); None when the question names no chapter by words ("this chapter", "chapter 2")."""
    if not (found := _TITLED.search(question)):
        return None
    prefixes: list[str] = []
    for word in (found["before"] or found["after"] or "").split():
        terms = content_terms(word) - _NOT_NAMES
        if terms and not word.isdigit():
            prefix = os.path.commonprefix([next(iter(terms)), word.lower()])
            prefixes.append(prefix if len(prefix) >= MIN_PREFIX else word.lower())
    return "^" + "".join(rf"(?=.*\m{re.escape(p)})" for p in prefixes) if prefixes else None


async def titled_chapter(
    conn: asyncpg.Connection, pages: Sequence[uuid.UUID], question: str
) -> list[tuple[str, str, str]]:
    """The page the question names by its title's words, as ("part", its path, its title): the one page so
    titled, else the one of them the search ranked; nothing when none or several are."""
    if not pages or (pattern := title_pattern(question)) is None:
        return []
    named = await chunk_reads.documents_named(conn, pages[0], _NO_PATH, pattern)
    if len(named) > 1:
        named = [doc for doc in named if doc[0] in pages]
    return [("part", doc, title) for _, doc, title in named] if len(named) == 1 else []


def names_this_page(question: str) -> bool:
    """Whether the question points at the page the learner is reading ("exercise 2 of this chapter")."""
    return bool(_THIS_PAGE.search(question))


def reading_first(pages: Sequence[tuple[uuid.UUID, int]], reading: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
    """The pages whose practice is read, the learner's own page first (cited from its best hit when it has one)."""
    n = next((n for page, n in pages if page == reading), 0)
    return [(reading, n), *((page, n) for page, n in pages if page != reading)][: max(len(pages), 1)]
