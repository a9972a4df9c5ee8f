"""The book's chapters to choose from, when a question asks about "this chapter" and no page is in view.

"Summarize this chapter" asked outside the book (no page in the run's context) names no chapter: answering from
whatever the search ranks first would summarize a page the learner never meant. The learner is asked which one,
shown the parts the book is made of in reading order: its modules (folders, by their sidebar label, else their
index page's title), at the first level of the book that has more than one, and its pages beside them; of a book
of many parts, those holding the pages the search ranked first.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from booktutor.memory import chunk_reads
from booktutor.tools.chapter_names import INDEX_PAGE
from booktutor.tools.context import MAX_SOURCE_N, Source
from booktutor.tools.practice import section_source

MAX_CHOICES = 10
TOP_CHARS = 300

_Page = tuple[uuid.UUID, str, str]
"""A page as (id, source path, title)."""


async def chapter_choices(
    conn: asyncpg.Connection, page: uuid.UUID, first_n: int, hit_pages: Sequence[uuid.UUID] = ()
) -> tuple[list[Source], list[dict[str, Any]]]:
    """The book's (of `page`, in its language) chapters to choose from, each cited at its top page: one listing
    entry {"which_chapter": ..., "choices": [{"chapter_title", "n"}]}; nothing when it has fewer than two."""
    parts = _parts(await chunk_reads.book_documents(conn, page), await chunk_reads.folder_labels(conn, page))
    if len(parts) > MAX_CHOICES:
        parts = _nearest(parts, hit_pages)
    parts = parts[: max(0, MAX_SOURCE_N - first_n + 1)]
    outlines = await chunk_reads.document_outlines(conn, [doc for _, doc, _ in parts], TOP_CHARS)
    sources: list[Source] = []
    for title, doc, _ in parts:
        if rows := outlines.get(doc):
            top = next((row for row in rows if len(row.heading_path) == 1), rows[0])
            sources.append(section_source(first_n + len(sources), top, title, top.anchor, top.text))
    if len(sources) < 2:
        return [], []
    choices = [{"chapter_title": source["heading"], "n": source["n"]} for source in sources]
    asked = "No page is in view: ask the learner which chapter they mean."
    return sources, [{"which_chapter": asked, "choices": choices}]


def _parts(documents: list[_Page], labels: dict[str, str]) -> list[tuple[str, uuid.UUID, list[uuid.UUID]]]:
    """The book's parts in reading order as (title, the page citing it, its pages), at its first level of more
    than one folder ("modules/module-1/", … under a lone "modules/")."""
    prefix = ""
    while True:
        groups: dict[str, list[_Page]] = {}
        for doc in documents:
            if doc[1].startswith(prefix):
                rest = doc[1][len(prefix) :]
                groups.setdefault(rest.split("/", 1)[0] + "/" if "/" in rest else rest, []).append(doc)
        folders = [key for key in groups if key.endswith("/")]
        if len(folders) != 1 or len(groups) > 2:
            return [_part(prefix, key, docs, labels) for key, docs in groups.items()]
        prefix += folders[0]


def _part(prefix: str, key: str, docs: list[_Page], labels: dict[str, str]) -> tuple[str, uuid.UUID, list[uuid.UUID]]:
    pages = [doc for doc, _, _ in docs]
    if not key.endswith("/"):
        return docs[0][2], docs[0][0], pages
    depth = prefix.count("/") + 1
    index = next((doc for doc in docs if INDEX_PAGE.search(doc[1]) and doc[1].count("/") == depth), None)
    own = re.sub(r"[-_]+", " ", re.sub(r"^\d+[-_. ]+", "", key.rstrip("/"))).strip().capitalize()
    title = labels.get(prefix + key) or (index[2] if index else own)
    return title, (index or docs[0])[0], pages


def _nearest(
    parts: list[tuple[str, uuid.UUID, list[uuid.UUID]]], hit_pages: Sequence[uuid.UUID]
) -> list[tuple[str, uuid.UUID, list[uuid.UUID]]]:
    """The parts holding the search's best pages first, then the book's first, kept in reading order."""
    rank = {doc: n for n, doc in reversed(list(enumerate(hit_pages)))}
    best = [min((rank[doc] for doc in pages if doc in rank), default=len(rank)) for _, _, pages in parts]
    ranked = sorted(range(len(parts)), key=best.__getitem__)
    return [parts[i] for i in sorted(ranked[:MAX_CHOICES])]
