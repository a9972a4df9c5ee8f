"""The key points of a numbered chapter ("Give me the key points of chapter 2"), read from its pages' outline.

A search for "key points of chapter 2" ranks whatever section says "key" or "points", never the chapter asked
for; the chapter is found by its number in its title or path instead (every chapter of that number when parts
of the book number their chapters anew), and its key points are its summary's (a "Summary" or "Key
Takeaways" section), else each of its sections' opening sentence: the book's own words, each cited. A chapter
named by its title words or as the page in view is found by tools/chapter_names.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from booktutor.extractive.roles import is_generic, is_signpost
from booktutor.extractive.text import split_markdown
from booktutor.ingest.purpose import EXPOSITION, SUMMARY
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.chapter_choices import chapter_choices
from booktutor.tools.chapter_names import (
    INDEX_PAGE,
    PART_NUMBER,
    THIS_PAGE,
    Named,
    asked_by_name,
    asks_points,
    module_folder,
    named_part,
    page_in_view,
    part_patterns,
)
from booktutor.tools.context import MAX_SOURCE_N, Source
from booktutor.tools.practice import practice_root, section_source

POINTS_NUMBER_BASE = 61
"""Key points are cited from this number up (or after other sources' numbers), clear of the hits' and their
sections' numbers."""
MAX_CHAPTERS = 3
MAX_POINTS = 6
MAX_POINT_WORDS = 45
OUTLINE_CHARS = 2000
_IDEAS = (
    r"(?:key|main|core|central|important|essential|big)\s+(?:points?|ideas?|concepts?|takeaways?|lessons?|"
    r"messages?)|takeaways?|summary|recap|overview|outline|gist"
)
_ASKED = re.compile(
    rf"\b(?:{_IDEAS}|summari[sz]e)\b(?:\s+(?:of|from|in|for))?\s+(?:the\s+|this\s+)?"
    rf"(?P<kind>chapter|module|unit|lesson|part|week)\s+(?P<number>{PART_NUMBER})\b",
    re.I,
)
_KINDS = r"(?P<kind>chapter|module|unit|lesson|part|week)"
_BARE = re.compile(rf"^\W*(?:the\s+)?{_KINDS}\s+(?P<number>{PART_NUMBER})\W*$", re.I)
"""A question that only names a numbered part ("lesson 2.1"): asking what it holds."""
_NUMBERED = re.compile(rf"\b{_KINDS}\s+(?P<number>{PART_NUMBER})\b", re.I)


def asked_chapter(question: str) -> tuple[str, str] | None:
    """The numbered part whose key points the question asks for ("chapter", "2"; "lesson", "2.1"), if it asks
    for them."""
    match = _ASKED.search(question) or _BARE.match(question)
    match = match or (_NUMBERED.search(question) if asks_points(question) else None)
    return (match["kind"].lower(), _number(match["number"])) if match else None


def _number(said: str) -> str:
    """A part number as titles and paths write it: "02.1" is "2.1"."""
    return ".".join(str(int(n)) for n in said.split("."))


def numbered_part(question: str) -> tuple[str, str] | None:
    """The part the question names by its number ("objectives of week 3": ("week", "3")), if any."""
    match = _NUMBERED.search(question)
    return (match["kind"].lower(), _number(match["number"])) if match else None


async def chapter_points(
    conn: asyncpg.Connection,
    page: uuid.UUID,
    question: str,
    first_n: int = POINTS_NUMBER_BASE,
    *,
    hit_pages: Sequence[uuid.UUID] = (),
    here: str | None = None,
) -> tuple[list[Source], list[dict[str, Any]]]:
    """The citable sections holding the key points of the chapter asked for, and each chapter of that number
    (in the book and language of `page`), or the part named by its title words or label (tools/chapter_names;
    `hit_pages`: the search's pages) or in view (`here`, its doc path), with its points: the title, the number
    citing its top, and each point's text and number. Asked about "this chapter" with no page in view, the
    book's chapters to choose from instead (`which_chapter`: tools/chapter_choices). Nothing when the question
    asks for no chapter's points, names none clearly, or the book has none."""
    if first_n >= MAX_SOURCE_N:  # no number left for a chapter's top and one point
        return [], []
    if asked := asked_chapter(question):
        pages, title = await numbered_pages(conn, page, *asked)
    elif (by_name := asked_by_name(question)) is None:
        return [], []
    elif by_name[0] == THIS_PAGE and not (in_view := here and await page_in_view(conn, page, here)):
        return await chapter_choices(conn, page, first_n, hit_pages)
    elif named := in_view if by_name[0] == THIS_PAGE else await named_part(conn, page, question, hit_pages):
        pages, title = await _named_pages(conn, page, named)
    else:
        return [], []
    if title is not None and pages:  # a module of several pages: each lesson's first key point
        return _overview(pages, title, first_n)
    sources: list[Source] = []
    listing = []
    for rows in pages[:MAX_CHAPTERS]:
        if first_n + len(sources) >= MAX_SOURCE_N:
            break
        top = _cite(sources, first_n, _top(rows), rows[0].chapter_title)
        points = _points(sources, first_n, rows, MAX_POINTS)
        listing.append({"chapter_title": rows[0].chapter_title, "n": top, "points": points})
    return sources, listing


def _overview(pages: list[list[OutlineRow]], title: str, first_n: int) -> tuple[list[Source], list[dict[str, Any]]]:
    """A folder's (or several pages') key points: each lesson's first, cited at the folder's index page (else at
    none: its pages are cited each)."""
    sources: list[Source] = []
    index = pages[0] if INDEX_PAGE.search(pages[0][0].doc_path) else None
    top = _cite(sources, first_n, _top(index), title or index[0].chapter_title) if index else None
    lessons = [rows for rows in pages if rows is not index and not _GLOSSARY.search(rows[0].doc_path)]
    points = [point for rows in lessons for point in _points(sources, first_n, rows, 1, rows[0].chapter_title)]
    return sources, [{"chapter_title": title or pages[0][0].chapter_title, "n": top, "points": points[:MAX_POINTS]}]


async def _named_pages(
    conn: asyncpg.Connection, page: uuid.UUID, named: Named
) -> tuple[list[list[OutlineRow]], str | None]:
    """The outline of the named page; a folder's pages' (its index page first) with its title, or several pages'
    with the name they share."""
    if folder := named.folder or module_folder(named.paths[0]):
        return await _folder_pages(conn, page, folder), named.title
    outlines = await chunk_reads.document_outlines(conn, list(named.documents), OUTLINE_CHARS)
    pages = [outlines[doc] for doc in named.documents if doc in outlines]
    return pages, (named.title if len(named.documents) > 1 else None)


async def _folder_pages(conn: asyncpg.Connection, page: uuid.UUID, folder: str) -> list[list[OutlineRow]]:
    """The outline of each page of the folder, its index page first."""
    rows = (await chunk_reads.folder_outlines(conn, [(page, folder)], OUTLINE_CHARS)).get((page, folder), [])
    by_doc: dict[str, list[OutlineRow]] = {}
    for row in rows:
        by_doc.setdefault(row.doc_path, []).append(row)
    return sorted(by_doc.values(), key=lambda doc: not INDEX_PAGE.search(doc[0].doc_path))


_OTHER_KINDS = ("module", "unit", "part", "lesson")


async def numbered_pages(
    conn: asyncpg.Connection, page: uuid.UUID, kind: str, number: str
) -> tuple[list[list[OutlineRow]], str | None]:
    """The outline of each page named with the number, by the word the question uses, else (for "chapter",
    which learners say of any part of a book) by another ("chapter 2" of a book made of modules is its module
    2); and, when they are one folder's pages (its index page first: a folder named with the number, or
    whose index page's title names it), its title ("": its first page's)."""
    labels = await chunk_reads.folder_labels(conn, page)
    for word in (kind, *_OTHER_KINDS) if kind == "chapter" else (kind,):
        path, title, folder_path = part_patterns(word, number)
        named = await chunk_reads.documents_named(conn, page, path, title)
        folder = re.compile(folder_path, re.I)
        folders = {m[0] for _, doc, _ in named if (m := folder.match(doc))}
        folders |= {doc.rsplit("/", 1)[0] + "/" for _, doc, _ in named if INDEX_PAGE.search(doc) and "/" in doc}
        folders |= {folder for folder, label in labels.items() if re.search(title, label, re.I)}
        if folders:
            return await _folder_pages(conn, page, min(folders)), labels.get(min(folders), "")
        if named:
            outlines = await chunk_reads.document_outlines(
                conn, [doc for doc, _, _ in named[:MAX_CHAPTERS]], OUTLINE_CHARS
            )
            return list(outlines.values()), None
    return [], None


_GLOSSARY = re.compile(r"(?:^|[-_/])glossary(?:[-_.]|$)", re.I)


def _cite(sources: list[Source], first_n: int, row: OutlineRow, heading: str, text: str = "") -> int:
    sources.append(section_source(first_n + len(sources), row, heading, row.anchor, text))
    return sources[-1]["n"]


def _points(
    sources: list[Source], first_n: int, rows: Sequence[OutlineRow], most: int, lead: str = ""
) -> list[dict[str, Any]]:
    """The page's first `most` key points, each citing its section; `lead`: said before each (a lesson's
    title)."""
    points: list[dict[str, Any]] = []
    for row, sentences in _key_sections(rows):
        if first_n + len(sources) > MAX_SOURCE_N:
            break
        n = _cite(sources, first_n, row, row.heading_path[-1], row.text)
        points += [{"text": f"{lead}: {sentence}" if lead else sentence, "n": n} for sentence in sentences]
        if len(points) >= most:
            break
    return points[:most]


def _top(rows: Sequence[OutlineRow]) -> OutlineRow:
    return next((row for row in rows if len(row.heading_path) == 1), rows[0])


def _key_sections(rows: Sequence[OutlineRow]) -> list[tuple[OutlineRow, list[str]]]:
    """The chapter's summary sections with their sentences; else its opening and each explaining section
    below the title (not an exercise's) with its opening sentence."""
    summaries = [(row, _sentences(row.text, MAX_POINTS)) for row in rows if row.purpose == SUMMARY]
    if found := [(row, sentences) for row, sentences in summaries if sentences]:
        return found
    sections = [
        row for row in rows if len(row.heading_path) <= 2 and row.purpose == EXPOSITION and practice_root(row) is None
    ]
    opening = [(row, _sentences(row.text, 1, openings=True)) for row in sections]
    return [(row, sentences) for row, sentences in opening if sentences][:MAX_POINTS]


def _says_nothing(sentence: str) -> bool:
    return sentence.rstrip().endswith("!") or is_generic(sentence) or is_signpost(sentence)


def _sentences(text: str, most: int, *, openings: bool = False) -> list[str]:
    """The first sentences or list items of a section's prose (no code, no table rows or metadata, no lead-in
    ending in a colon, none too long to be a point). Of a section's opening (`openings`), no greeting or
    signpost either: "Welcome to the world of robot simulation!", "Before we dive into Gazebo, let's
    understand why …" say nothing of the topic (a summary's lines are the author's points as written)."""
    kept = [
        segment.text.strip()
        for segment in split_markdown(text)
        if segment.kind == "sentence"
        and not segment.table_row
        and "|" not in segment.text  # a page's metadata line ("Estimated Time: 60 minutes | Difficulty: ...")
        and not segment.text.rstrip().endswith(":")
        and 3 <= len(segment.text.split()) <= MAX_POINT_WORDS
        and not (openings and _says_nothing(segment.text))
    ]
    return kept[:most]
