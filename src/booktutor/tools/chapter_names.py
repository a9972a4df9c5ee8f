"""The chapter a question asks the key points of by its title words ("Summarize the sensors chapter", "the
key takeaways of the chapter on perception") or as the page in view ("Summarize this chapter").

A search for "summarize the sensors chapter" ranks any section that names sensors, on any page; the page is
found instead as the one whose title holds every content word of the name, a page the search ranks first
among several such, and the page the learner reads (the widget's doc path) for "this chapter".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import asyncpg

from booktutor.extractive.text import content_terms
from booktutor.memory import chunk_reads

_IDEAS = (
    r"(?:key|main|core|central|important|essential|big)\s+(?:points?|ideas?|concepts?|takeaways?|lessons?|"
    r"messages?)|takeaways?|summary|recap|overview|outline|gist|summari[sz]e"
)
_KIND = r"(?P<kind>chapter|module|unit|lesson|part|week)"
_LEAD = rf"\b(?:{_IDEAS})\b(?:\s+(?:of|from|in|for))?\s+"
_THIS = re.compile(rf"{_LEAD}(?:this|the\s+current)\s+(?:chapter|page|lesson)\b", re.I)
_NAME_BEFORE = re.compile(rf"{_LEAD}(?:the\s+)?(?P<name>(?:[\w'-]+\s+){{1,5}}?){_KIND}\b", re.I)
_NAME_AFTER = re.compile(
    rf"{_LEAD}(?:the\s+)?{_KIND}\s+(?:on|about|covering|called|named)\s+(?P<name>[^?.!,;:]{{2,80}})", re.I
)
_KIND_TERMS = content_terms("chapter module unit lesson part week")
_FOLDER_KINDS = ("module", "unit", "part")
"""Asked for by these words, a page introducing a folder of lessons is meant before a lesson of the same name."""
THIS_PAGE = "this"
INDEX_PAGE = re.compile(r"(?:^|/)(?:index|readme|_index)\.mdx?$", re.I)
"""A folder's index page (a module's or part's overview)."""


def asked_by_name(question: str) -> tuple[str, frozenset[str]] | None:
    """The part the question asks the key points of by name, as its kind and the name's content terms
    ("chapter", {"sensor"}); (THIS_PAGE, {}) for the page in view; None when it asks for no part's points."""
    if _THIS.search(question):
        return THIS_PAGE, frozenset()
    for pattern in (_NAME_AFTER, _NAME_BEFORE):
        if (match := pattern.search(question)) and (terms := content_terms(match["name"]) - _KIND_TERMS):
            return match["kind"].lower(), terms
    return None


async def named_page(
    conn: asyncpg.Connection,
    page: uuid.UUID,
    question: str,
    hit_pages: Sequence[uuid.UUID],
    here: str | None,
) -> tuple[uuid.UUID, str] | None:
    """The page (id, source path) in the book and language of `page` whose key points the question asks for by
    name or as the page in view (`here`, a doc path); None when no page, or no one page, is clearly it."""
    asked = asked_by_name(question)
    if asked is None or (asked[0] == THIS_PAGE and not here):
        return None
    documents = await chunk_reads.book_documents(conn, page)
    if asked[0] == THIS_PAGE:
        return next(((doc, path) for doc, path, _ in documents if _is_page(path, here or "")), None)
    terms = asked[1]
    titled = [(doc, path, content_terms(title) - _KIND_TERMS) for doc, path, title in documents]
    holding = [(doc, path, said) for doc, path, said in titled if terms <= said]
    if asked[0] in _FOLDER_KINDS and (modules := [held for held in holding if module_folder(held[1])]):
        holding = modules
    exact = [(doc, path) for doc, path, said in holding if said == terms]
    if len(exact) == 1:
        return exact[0]
    ranked = {doc: rank for rank, doc in reversed(list(enumerate(hit_pages)))}
    searched = sorted((ranked[doc], doc, path) for doc, path, _ in holding if doc in ranked)
    if searched:
        return searched[0][1], searched[0][2]
    return (holding[0][0], holding[0][1]) if len(holding) == 1 else None


def module_folder(path: str) -> str | None:
    """The folder whose pages a module's index page introduces ("modules/module-1/"), else None."""
    return path.rsplit("/", 1)[0] + "/" if "/" in path and INDEX_PAGE.search(path) else None


def _is_page(source_path: str, doc_path: str) -> bool:
    """Whether the widget's doc path ("basics/gears", "/basics/gears.md", "modules/m1") names the source."""
    wanted = doc_path.strip("/")
    stem = re.sub(r"\.mdx?$", "", source_path)
    folder = stem.rsplit("/", 1)[0]
    return wanted in (source_path, stem) or INDEX_PAGE.search(source_path) is not None and wanted == folder
