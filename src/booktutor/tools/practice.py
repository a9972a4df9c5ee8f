"""The practice sections (exercises, labs, quizzes) of the pages a search ranks first, read from their outline.

Asked whether a chapter has exercises, or what an exercise's steps are, the answer needs the chapter's practice
sections whole: their headings, prompts and steps. A search ranks them poorly (an exercise made of code-only
"Step 1 ..." sub-sections shares few words with any question), so they are read from the pages' structure: a
practice section is one whose heading names an exercise or lab, with all its sub-sections, or a chunk whose
purpose is practice (a quiz page, a section of review questions).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from booktutor.ingest.purpose import PRACTICE, enclosing_practice, is_practice_page, practice_heading
from booktutor.markdown.headings import github_slug
from booktutor.markdown.urls import anchor_url
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow
from booktutor.retrieval.types import SearchHit
from booktutor.text_safety import fence_untrusted
from booktutor.tools.context import Source

PRACTICE_PAGES = 3
"""The practice sections of this many of the best-ranked pages are read."""
PRACTICE_NUMBER_BASE = 61
"""Practice sections are cited from this number up, clear of the hits' and their further sections' numbers."""
MAX_PRACTICE_SECTIONS = 8
MAX_STEPS = 12
MAX_PROMPT_CHARS = 1500


@dataclass
class PracticeSection:
    """One exercise, lab or quiz of a page: its heading and anchor, its own text and its sub-sections' headings."""

    root: tuple[str, ...]
    anchor: str
    purpose: str
    text: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.root[-1]


def practice_root(row: OutlineRow) -> tuple[str, ...] | None:
    """The heading path of the practice section the chunk belongs to, if it belongs to one: the outermost
    section below the page title whose heading names an exercise or lab; else, for a practice chunk, the
    whole page when the page is a quiz or lab (by its name or title), or its own section."""
    path = tuple(row.heading_path)
    if depth := enclosing_practice(path):
        return path[:depth]
    if row.purpose not in PRACTICE or not path:
        return None
    if len(path) == 1 or is_practice_page(row.doc_path) or practice_heading(path[0]):
        return path[:1]
    return path


def practice_sections(rows: Sequence[OutlineRow]) -> list[PracticeSection]:
    """A page's practice sections in book order, from its chunks' outline."""
    found: dict[tuple[str, ...], PracticeSection] = {}
    for row in rows:
        root = practice_root(row)
        if root is None:
            continue
        section = found.get(root)
        if section is None:
            section = found[root] = PracticeSection(root, _root_anchor(rows, root), _purpose_of(root, row))
        own = tuple(row.heading_path) == root
        if own and row.text:
            section.text.append(row.text)
        headings = [str(s.get("heading", "")) for s in row.sections]
        if own:
            headings = headings[1:]  # the section's own heading, then the sub-sections its chunk joins
        elif len(row.heading_path) > len(root) + 1:
            headings = []  # a sub-section's own sub-sections are not steps of the exercise
        for heading in headings:
            if heading and heading not in section.steps and len(section.steps) < MAX_STEPS:
                section.steps.append(heading)
    return list(found.values())


def _root_anchor(rows: Sequence[OutlineRow], root: tuple[str, ...]) -> str:
    """The anchor of the section's own heading: its chunk's, else the one a chunk joining it lists, else the
    heading's slug (an exercise heading with no text of its own has no chunk)."""
    for row in rows:
        if tuple(row.heading_path) == root:
            return row.anchor
    for row in rows:
        for section in row.sections:
            if section.get("heading") == root[-1] and tuple(row.heading_path[: len(root) - 1]) == root[:-1]:
                return str(section.get("anchor", ""))
    return "" if len(root) == 1 else github_slug(root[-1])


def _purpose_of(root: tuple[str, ...], row: OutlineRow) -> str:
    return practice_heading(root[-1]) or (row.purpose if row.purpose in PRACTICE else "exercise")


def practice_pages(hits: Sequence[SearchHit], results: Sequence[Source], language: str) -> list[tuple[uuid.UUID, int]]:
    """The best-ranked pages in the question's language (`PRACTICE_PAGES`), each with the number of its best
    hit's source."""
    pages: dict[uuid.UUID, int] = {}
    for hit, result in zip(hits, results, strict=True):
        if hit.language == language and hit.document_id not in pages and len(pages) < PRACTICE_PAGES:
            pages[hit.document_id] = result["n"]
    return list(pages.items())


async def practice_of_pages(
    conn: asyncpg.Connection, pages: list[tuple[uuid.UUID, int]], first_n: int = PRACTICE_NUMBER_BASE
) -> tuple[list[Source], list[dict[str, Any]]]:
    """The practice sections of the pages as citable sources (numbered from `first_n`), and each page with
    the numbers of its sections (none: the page has no exercise, lab or quiz)."""
    outlines = await chunk_reads.document_outlines(conn, [page for page, _ in pages], sorted(PRACTICE))
    sources: list[Source] = []
    listing: list[dict[str, Any]] = []
    for page, page_n in pages:
        rows = outlines.get(page, [])
        if not rows:
            continue
        numbers: list[int] = []
        for section in practice_sections(rows)[:MAX_PRACTICE_SECTIONS]:
            sources.append(_section_source(first_n + len(sources), rows[0], section))
            numbers.append(sources[-1]["n"])
        listing.append(
            {"doc_path": rows[0].doc_path, "chapter_title": rows[0].chapter_title, "n": page_n, "sections": numbers}
        )
    return sources, listing


def _section_source(n: int, page: OutlineRow, section: PracticeSection) -> Source:
    url = anchor_url(
        page.doc_path,
        page.front_matter,
        section.anchor,
        language=page.language,
        default_language="en",
        permalink=page.permalink,
    )
    text = fence_untrusted("\n\n".join(section.text)[:MAX_PROMPT_CHARS])
    return Source(
        n=n,
        source="book",
        doc_path=page.doc_path,
        chapter_title=page.chapter_title,
        heading=section.heading,
        anchor_url=url,
        text=text,
        snippet=text[:200] or "; ".join(section.steps)[:200],
        score=0.0,
        dense_score=None,
        lexical_rank=None,
        language=page.language,
        purpose=section.purpose,
        steps=list(section.steps),
    )
