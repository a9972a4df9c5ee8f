"""A numbered part the question names that the book does not have ("chapter 9" of a book of eight chapters).

The search would answer with whatever ranks best, as if the book had it; instead the learner is told plainly
that it has no such part, and which numbers it has, citing its first and last numbered pages. A part is found
as the key points and practice tools find it: by its number in a page's title or path, by the word the question
uses, else (for "chapter", which learners say of any part of a book) by another.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import asyncpg

from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.chapter_names import INDEX_PAGE
from booktutor.tools.context import MAX_SOURCE_N, Source
from booktutor.tools.practice import section_source

PART_WORDS = ("chapter", "module", "unit", "part", "lesson", "week")
_ASKED = re.compile(rf"\b({'|'.join(PART_WORDS)})\s+(\d+)\b", re.I)
TOP_CHARS = 600


def asked_part(question: str) -> tuple[str, int] | None:
    """The numbered part the question names ("chapter", 9), if any."""
    match = _ASKED.search(question)
    return (match[1].lower(), int(match[2])) if match else None


async def missing_part(
    conn: asyncpg.Connection, page: uuid.UUID, question: str, first_n: int
) -> tuple[list[Source], dict[str, Any] | None]:
    """When the question names a numbered part the book (of `page`, in its language) lacks while it numbers
    its parts: {"asked", "kind", "numbers", "first", "first_title", "last", "last_title"} (the book's word for
    its parts, their numbers, the citation numbers and titles of the first and last numbered pages), with those
    two pages as sources; else nothing."""
    asked = asked_part(question)
    if asked is None or first_n >= MAX_SOURCE_N:
        return [], None
    kind, number = asked
    found: list[tuple[str, dict[int, _Named]]] = []
    for word in (kind, *(w for w in PART_WORDS if w != kind)) if kind == "chapter" else (kind,):
        numbered = await _numbered(conn, page, word)
        if number in numbered:
            return [], None
        if numbered:
            found.append((word, numbered))
    if not found:
        return [], None
    word, numbered = found[0]
    numbers = sorted(numbered)
    ends = [_page_of(numbered[numbers[0]]), _page_of(numbered[numbers[-1]])]
    outlines = await chunk_reads.document_outlines(conn, list(dict.fromkeys(ends)), TOP_CHARS)
    sources = [_top_source(first_n + i, outlines[doc]) for i, doc in enumerate(dict.fromkeys(ends)) if doc in outlines]
    if not sources:
        return [], None
    ends_of = {"first": sources[0], "last": sources[-1]}
    listing: dict[str, Any] = {"asked": f"{kind} {number}", "kind": word, "numbers": numbers}
    for end, source in ends_of.items():
        listing |= {end: source["n"], f"{end}_title": source["chapter_title"]}
    return sources, listing


_Named = list[tuple[uuid.UUID, str, str]]
"""Pages as (id, source path, title)."""


async def _numbered(conn: asyncpg.Connection, page: uuid.UUID, word: str) -> dict[int, _Named]:
    """The book's pages numbered with the word in their title or path, by number."""
    path, title = rf"(^|/){word}[-_ ]?[0-9]+($|[-_./])", rf"^\s*{word}[\s_-]*[0-9]+([^0-9]|$)"
    by_number: dict[int, _Named] = {}
    in_path = re.compile(rf"(?:^|/){word}[-_ ]?0*(\d+)(?=$|[-_./])", re.I)
    in_title = re.compile(rf"^\s*{word}[\s_-]*0*(\d+)(?!\d)", re.I)
    for doc in await chunk_reads.documents_named(conn, page, path, title):
        for match in (in_title.match(doc[2]), in_path.search(doc[1])):
            if match:
                by_number.setdefault(int(match[1]), []).append(doc)
                break
    return by_number


def _page_of(docs: _Named) -> uuid.UUID:
    """The page that stands for a numbered part: its folder's index page, else its first page by path."""
    return next((doc[0] for doc in docs if INDEX_PAGE.search(doc[1])), docs[0][0])


def _top_source(n: int, rows: list[OutlineRow]) -> Source:
    top = next((row for row in rows if len(row.heading_path) == 1), rows[0])
    return section_source(n, top, top.chapter_title, top.anchor, top.text)
