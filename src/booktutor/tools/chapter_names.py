"""The part of the book a question names: by its title's words or its folder's sidebar label ("Summarize the
sensors chapter", "What does the Foundations module cover?", "exercise 1 in the mapping chapter"), or as the
page in view ("Summarize this chapter").

A search for "summarize the sensors chapter" ranks any section that names sensors, on any page; the part is
found instead as the page whose title, or the folder whose label, holds every content word of the name (a
folder's label: its `_category_` file's or its sidebar category's, else its index page's title). A name that
several pages' titles hold, and no one page's or folder's title is, names all of them (a folder when they are
all of its pages); the key points tool then gives each page's, the practice tool each page's exercises.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import asyncpg

from booktutor.extractive.text import content_terms
from booktutor.memory import chunk_reads

_IDEAS = (
    r"(?:key|main|core|central|important|essential|big)\s+(?:points?|ideas?|concepts?|takeaways?|lessons?|"
    r"messages?)|takeaways?|summary|recap|overview|outline|gist|summari[sz]e"
)
PART_NUMBER = r"\d+(?:\.\d+)*"
"""A part's number, dotted for a lesson of a unit ("lesson 2.1")."""
_KIND = r"(?P<kind>chapter|module|unit|lesson|part|week)"
_LEAD = rf"\b(?:{_IDEAS})\b(?:\s+(?:of|from|in|for))?\s+"
_PART = rf"(?:chapter|module|unit|lesson|part|week|page)(?:\s+{PART_NUMBER}(?::[\w' -]{{1,60}}?)?)?"
"""A part by its kind word, its number and its title after a colon ("module 2: Perception")."""
_VERBS = r"(?:cover|teach|include|contain|go\s+over|discuss)"
_COVERS = re.compile(
    rf"\bwhat\s+(?:does|do|will|did)\s+(?:[\w':-]+\s+){{0,8}}?{_PART}\s+{_VERBS}\b|"
    rf"\bwhat(?:'s|\s+is)\s+(?:covered\s+)?in\s+(?:[\w':-]+\s+){{1,8}}?{_PART}\s*\??\s*$",
    re.I,
)
_ASKS_POINTS = re.compile(_LEAD, re.I)
_THIS = re.compile(
    r"\b(?:this|the\s+current)\s+(?:chapter|page|lesson|module|unit|section)\b|\bon\s+this\s+page\b", re.I
)
_WORD = r"(?!(?:the|this|that|a|an|of|in|on|from|to|at|about|for)\b)[\w'-]+"
_NAME_BEFORE = re.compile(rf"(?:\bthe\s+|{_LEAD})(?P<name>(?:{_WORD}\s+){{1,5}}?){_KIND}(?:'s)?\b", re.I)
_NAME_AFTER = re.compile(
    rf"\b{_KIND}\s+(?:on|about|covering|called|named|titled)\s+(?:the\s+)?(?P<name>[^?.!,;:]{{2,80}})", re.I
)
_KIND_TERMS = content_terms("chapter module unit lesson part week")
_NOT_NAMES = content_terms("same next previous last first second third whole entire current other each every")
_FOLDER_KINDS = ("module", "unit", "part")
"""Asked for by these words, a folder of lessons is meant before a lesson of the same name."""
THIS_PAGE = "this"
INDEX_PAGE = re.compile(r"(?:^|/)(?:index|readme|_index)\.mdx?$", re.I)
"""A folder's index page (a module's or part's overview)."""
MAX_NAMED_PAGES = 6


def part_patterns(kind: str, number: str) -> tuple[str, str, str]:
    """POSIX patterns for the source path and the title of the pages of a numbered part ("lesson", "2.1": its
    "lesson-2-1-….md", "Lesson 2.1 — …"), and (Python) for its folder's path. A dotted number is matched whole;
    "lesson 2" holds "lesson 2.1" as well."""
    path_number = "[-_.]".join(f"0*{part}" for part in number.split("."))
    title_number = "[.-]".join(f"0*{part}" for part in number.split("."))
    return (
        rf"(^|/){kind}[-_ ]?{path_number}($|[-_./])",
        rf"^\s*{kind}[\s_-]*{title_number}([^0-9]|$)",
        rf"^(?:.*/)?{kind}[-_ ]?{path_number}(?![0-9])[^/]*/",
    )


@dataclass(frozen=True, slots=True)
class Named:
    """A part of the book a question names: one page, a folder ("sensors/", its pages), or several pages."""

    title: str
    paths: tuple[str, ...]
    """The page's source path, the folder's path (ending in "/") or the pages' paths."""
    documents: tuple[uuid.UUID, ...] = ()
    """The page, the folder's index page (none without one), or the pages."""

    @property
    def folder(self) -> str | None:
        return self.paths[0] if len(self.paths) == 1 and self.paths[0].endswith("/") else None


def asks_points(question: str) -> bool:
    """Whether the question asks for a part's key points or what it covers."""
    return bool(_ASKS_POINTS.search(question) or _COVERS.search(question))


def names_this_page(question: str) -> bool:
    """Whether the question points at the page the learner is reading ("exercise 2 of this chapter")."""
    return bool(_THIS.search(question))


def asked_name(question: str) -> tuple[str, frozenset[str]] | None:
    """The part the question names by its words, as its kind and the name's content terms ("chapter",
    {"sensor"}); None when it names none ("this chapter", "chapter 2", "the next module")."""
    return found[:2] if (found := _asked_name(question)) else None


def _asked_name(question: str) -> tuple[str, frozenset[str], str] | None:
    for pattern in (_NAME_AFTER, _NAME_BEFORE):
        for match in pattern.finditer(question):
            if (terms := content_terms(match["name"]) - _KIND_TERMS) and not terms & _NOT_NAMES:
                return match["kind"].lower(), terms, match["name"].strip()
    return None


def asked_by_name(question: str) -> tuple[str, frozenset[str]] | None:
    """The part whose key points the question asks for: by name, (THIS_PAGE, {}) for the page in view; None when
    it asks for no part's points."""
    if not asks_points(question):
        return None
    if names_this_page(question):
        return THIS_PAGE, frozenset()
    return asked_name(question)


async def page_in_view(conn: asyncpg.Connection, page: uuid.UUID, here: str) -> Named | None:
    """The page of the book (and language) of `page` that the widget's doc path `here` names."""
    documents = await chunk_reads.book_documents(conn, page)
    return next((Named(title, (path,), (doc,)) for doc, path, title in documents if _is_page(path, here)), None)


async def named_part(
    conn: asyncpg.Connection, page: uuid.UUID, question: str, hit_pages: Sequence[uuid.UUID]
) -> Named | None:
    """The part of the book (and language) of `page` the question names by words: the page or folder so titled
    (for "module", "unit" or "part" a folder before a page), else the pages or folder whose titles hold the name
    (the pages among `hit_pages`, the search's, when they are in different places and some were found)."""
    if (asked := _asked_name(question)) is None:
        return None
    kind, terms, name = asked
    documents = await chunk_reads.book_documents(conn, page)
    folders = _folders(documents, await chunk_reads.folder_labels(conn, page))
    pages = [(doc, path, title) for doc, path, title in documents if not INDEX_PAGE.search(path)]
    exact_pages = [Named(t, (p,), (d,)) for d, p, t in pages if _said(t) == terms]
    exact_folders = [folder.named for folder in folders if terms in folder.names]
    named_folders = [folder.named for folder in folders if any(terms <= said for said in folder.names)]
    first = (exact_folders, named_folders, exact_pages) if kind in _FOLDER_KINDS else (exact_pages, exact_folders)
    if found := next((found[0] for found in first if len(found) == 1), None):
        return found
    holding = [(d, p, t) for d, p, t in pages if terms <= _said(t)]
    if len(holding) > 1:
        return _several(holding, folders, hit_pages, f"the {kind}s on {name}")
    if holding:
        return Named(holding[0][2], (holding[0][1],), (holding[0][0],))
    return named_folders[0] if len(named_folders) == 1 else None


@dataclass(frozen=True, slots=True)
class _Folder:
    named: Named
    names: tuple[frozenset[str], ...]
    """The term sets that name it: of its label, its index page's title, its own name."""
    pages: frozenset[str]
    """Its pages' (and its sub-folders' pages') source paths, but index pages."""


def _several(
    holding: list[tuple[uuid.UUID, str, str]], folders: list[_Folder], hits: Sequence[uuid.UUID], title: str
) -> Named:
    """Pages whose titles all hold the name: the folder they make up, else those of them the search found."""
    paths = {path for _, path, _ in holding}
    if made := next((folder.named for folder in folders if folder.pages == paths), None):
        return made
    kept = ([held for held in holding if held[0] in hits] or holding)[:MAX_NAMED_PAGES]
    return Named(title, tuple(path for _, path, _ in kept), tuple(doc for doc, _, _ in kept))


def _folders(documents: list[tuple[uuid.UUID, str, str]], labels: dict[str, str]) -> list[_Folder]:
    """Each folder holding pages, with the names it goes by."""
    found: dict[str, tuple[list[str], list[uuid.UUID], set[str]]] = {}
    for doc, path, title in documents:
        for depth, parent in enumerate(PurePosixPath(path).parents):
            if str(parent) == ".":
                break
            titles, index, pages = found.setdefault(str(parent) + "/", ([], [], set()))
            if not INDEX_PAGE.search(path):
                pages.add(path)
            elif depth == 0:
                titles.append(title)
                index.append(doc)
    folders = []
    for folder, (titles, index, pages) in found.items():
        own = re.sub(r"^\d+[-_. ]+|[-_]+", " ", folder.rstrip("/").rsplit("/", 1)[-1])
        names = [labels.get(folder, ""), *titles, own]
        title = next(name for name in names if name.strip())
        said = tuple(terms for name in names if (terms := _said(name)))
        folders.append(_Folder(Named(title, (folder,), tuple(index[:1])), said, frozenset(pages)))
    return folders


def _said(title: str) -> frozenset[str]:
    return content_terms(title) - _KIND_TERMS


def module_folder(path: str) -> str | None:
    """The folder whose pages a module's index page introduces ("modules/module-1/"), else None."""
    return path.rsplit("/", 1)[0] + "/" if "/" in path and INDEX_PAGE.search(path) else None


def _is_page(source_path: str, doc_path: str) -> bool:
    """Whether the widget's doc path ("basics/gears", "/basics/gears.md", "modules/m1") names the source."""
    wanted = doc_path.strip("/")
    stem = re.sub(r"\.mdx?$", "", source_path)
    folder = stem.rsplit("/", 1)[0]
    return wanted in (source_path, stem) or INDEX_PAGE.search(source_path) is not None and wanted == folder
