"""The kinds a "What kinds of X ...?" question asks for, read from the book's outline (booktutor.extractive.kinds
answers with them): the sub-sections of a section whose heading announces kinds of X ("Types of Sensors"), on a
page the search ranked or, the search having missed it, anywhere in the book, as citable sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from booktutor.extractive.kinds import KIND_WORDS, QUOTED_WAYS, names_kinds_of, quoted_kinds
from booktutor.extractive.text import content_terms, stem
from booktutor.markdown.headings import github_slug
from booktutor.markdown.urls import anchor_url
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow
from booktutor.retrieval.types import SearchHit
from booktutor.text_safety import fence_untrusted
from booktutor.tools.answer_keys import keyless
from booktutor.tools.context import MAX_SOURCE_N, Source

KINDS_NUMBER_BASE = 81
"""The kinds' sources are cited from this number up, clear of the hits' and the practice sections' numbers."""
MAX_KINDS = 8
MAX_BOOK_PAGES = 4
"""The pages with such a heading read beyond the search's (the first by path)."""
OUTLINE_CHARS = 8000
MAX_KIND_CHARS = 1200
_HEADING_LINE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_NOT_A_KIND = re.compile(
    r"^\W*(?:examples?|exercises?|summary|key\s+(?:takeaways|terms)|further\s+reading|quiz|review|references)\b", re.I
)


@dataclass
class _Heading:
    level: int
    title: str
    anchor: str
    row: OutlineRow
    lines: list[str] = field(default_factory=list)
    """Its own text, up to the next heading."""


async def kinds_of(
    conn: asyncpg.Connection,
    hits: Sequence[SearchHit],
    query: str,
    subject: str,
    *,
    book_id: str,
    language: str,
    first_n: int = KINDS_NUMBER_BASE,
) -> dict[str, Any] | None:
    """The section announcing kinds of `subject` that best matches the query, as {"n", "heading", "items":
    [{"n", "sub"}], "sources"}: the section and each kind (its sub-sections, `MAX_KINDS`) citable from
    `first_n` (none past `MAX_SOURCE_N`), with the headings of each kind's own sub-sections; None when the
    pages hold none."""
    ranked = list(dict.fromkeys(h.document_id for h in hits if h.language == language))
    patterns = (rf"\m{KIND_WORDS}\M", rf"\m{re.escape(stem(subject.lower()))}")
    ranked += [d for d in await chunk_reads.documents_headed(conn, book_id, language, patterns, MAX_BOOK_PAGES)]
    ranked = list(dict.fromkeys(ranked))
    outlines = await chunk_reads.document_outlines(conn, ranked, OUTLINE_CHARS)
    pages = [outline(outlines.get(document, [])) for document in ranked]
    found = [
        (parent, kinds, rank) for rank, page in enumerate(pages) for parent, kinds in _kind_sections(page, subject)
    ]
    if found:
        asked = content_terms(query)
        parent, kinds, _ = min(
            found, key=lambda f: (-len(asked & content_terms(f[0].title)), f[0].row.purpose == "glossary", f[2])
        )
        return _listing(parent, kinds[: MAX_SOURCE_N - first_n], first_n) if first_n < MAX_SOURCE_N else None
    return _quoted_section([h for page in pages for h in page], subject, first_n)


def _quoted_section(headings: list[_Heading], subject: str, first_n: int) -> dict[str, Any] | None:
    """The first section (pages in rank order) whose own text lists kinds of the subject, in the best of the
    `QUOTED_WAYS`: {"n", "heading", "sources"}."""
    if first_n > MAX_SOURCE_N:
        return None
    for way in QUOTED_WAYS:
        for heading in headings:
            if quoted_kinds("\n".join(heading.lines), heading.title, subject, way):
                source = _source(first_n, heading)
                return {"n": source["n"], "heading": heading.title, "sources": [source]}
    return None


def outline(rows: Sequence[OutlineRow]) -> list[_Heading]:
    """The headings of a page's chunks in book order, each once with the text under it in every chunk (a
    chunk repeats its section's heading); not the `#` comment lines of code."""
    headings: dict[tuple[int, str], _Heading] = {}
    for row in rows:
        current: _Heading | None = None
        fenced = False
        for line in row.text.splitlines():
            fenced = fenced != bool(_FENCE.match(line))
            match = None if fenced else _HEADING_LINE.match(line)
            if match is None:
                if current is not None:
                    current.lines.append(line)
                continue
            key = (len(match["hashes"]), match["title"])
            current = headings.setdefault(key, _Heading(key[0], key[1], _anchor(row, key[1]), row))
    return list(headings.values())


def _anchor(row: OutlineRow, title: str) -> str:
    wanted = _plain(title)
    named = (str(s.get("anchor") or "") for s in row.sections if _plain(str(s.get("heading") or "")) == wanted)
    return next(named, "") or github_slug(wanted)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


_Kind = tuple[_Heading, list[str]]
"""A kind's heading and the titles of its own sub-sections."""


def _kind_sections(headings: list[_Heading], subject: str) -> list[tuple[_Heading, list[_Kind]]]:
    """Each heading announcing kinds of the subject with its sub-sections (two or more), examples and
    summaries aside."""
    found = []
    for i, heading in enumerate(headings):
        if names_kinds_of(heading.title, subject):
            kinds = [
                (headings[j], [headings[k].title for k in _children(headings, j)])
                for j in _children(headings, i)
                if not _NOT_A_KIND.match(headings[j].title)
            ]
            if len(kinds) >= 2:
                found.append((heading, kinds[:MAX_KINDS]))
    return found


def _children(headings: list[_Heading], parent: int) -> list[int]:
    """The indexes of a heading's direct sub-sections: the shallowest headings below it, up to the next heading
    of its level or above."""
    below: list[int] = []
    for j in range(parent + 1, len(headings)):
        if headings[j].level <= headings[parent].level:
            break
        below.append(j)
    top = min((headings[j].level for j in below), default=0)
    return [j for j in below if headings[j].level == top]


def _listing(parent: _Heading, kinds: list[_Kind], first_n: int) -> dict[str, Any]:
    sources = [_source(first_n + i, h) for i, h in enumerate([parent, *(kind for kind, _ in kinds)])]
    items = [{"n": source["n"], "sub": sub} for source, (_, sub) in zip(sources[1:], kinds, strict=True)]
    return {"n": sources[0]["n"], "heading": parent.title, "items": items, "sources": sources}


def _source(n: int, heading: _Heading) -> Source:
    row = heading.row
    url = anchor_url(
        row.doc_path,
        row.front_matter,
        heading.anchor,
        language=row.language,
        default_language="en",
        permalink=row.permalink,
    )
    text = f"{'#' * heading.level} {heading.title}\n" + "\n".join(heading.lines)[:MAX_KIND_CHARS]
    text = fence_untrusted(keyless(text, row.heading_path, row.doc_path, row.purpose))
    return Source(
        n=n,
        source="book",
        doc_path=row.doc_path,
        chapter_title=row.chapter_title,
        heading=heading.title,
        anchor_url=url,
        text=text,
        snippet=text[:200],
        score=0.0,
        dense_score=None,
        lexical_rank=None,
        language=row.language,
    )
