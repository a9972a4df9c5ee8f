"""The practice sections (exercises, labs, quizzes) of the pages a search ranks first, read from their outline.

Asked whether a chapter has exercises, or what an exercise's steps are, the answer needs the chapter's practice
sections whole: their headings, prompts and steps. A search ranks them poorly (an exercise made of code-only
"Step 1 ..." sub-sections shares few words with any question), so they are read from the pages' structure: a
practice section is one whose heading names an exercise or lab, with all its sub-sections, or a chunk whose
purpose is practice (a quiz page, a section of review questions).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from booktutor.extractive.intent import asks_about_whole_book
from booktutor.extractive.practice import practice_topic
from booktutor.ingest.purpose import (
    DEFINITION,
    EXERCISE,
    LAB,
    PRACTICE,
    enclosing_practice,
    has_options,
    is_logistics,
    is_practice_page,
    practice_heading,
)
from booktutor.markdown.headings import github_slug
from booktutor.markdown.urls import anchor_url
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import OutlineRow
from booktutor.retrieval.types import SearchHit
from booktutor.text_safety import fence_untrusted
from booktutor.tools.answer_keys import keyless
from booktutor.tools.chapter_names import PART_NUMBER, named_part, part_patterns
from booktutor.tools.context import MAX_SOURCE_N, Source
from booktutor.tools.practice_outline import split_covered
from booktutor.tools.practice_quizzes import with_quizzes
from booktutor.tools.practice_steps import (
    heading_steps,
    numbered_headings,
    numbered_steps,
    row_steps,
    same_step,
    step_texts,
    work_steps,
)
from booktutor.tutoring.question_list import set_questions
from booktutor.tutoring.quiz_pages import ANSWER_KEY_HEADING

PRACTICE_PAGES = 3
"""The practice sections of this many of the best-ranked pages are read."""
PRACTICE_NUMBER_BASE = 61
"""Practice sections are cited from this number up, clear of the hits' and their further sections' numbers."""
MAX_PRACTICE_SECTIONS = 8
MAX_COURSE_SECTIONS = 20
MAX_STEPS = 12
MAX_PROMPT_CHARS = 1500
_INDEX_PAGE = re.compile(r"(?:^|/)(?:index|readme|_index)\.mdx?$", re.I)
"""A folder's own page ("module-2/index.md"): a module's practice sits in the folder's other pages too."""
_PROJECT = re.compile(
    r"\bcapstone\b|\b(?:final|mini|course|term|group|team|class|guided|practice)[- ]projects?\b|"
    r"\byour\s+(?:[\w-]+\s+){0,2}projects?\b|^\W*projects?(?:\s*\d+\b|\s*[:.\u2013\u2014-]|\s*$)|"
    r"^\W*(?:(?:bonus|extra|stretch|optional|final|mini|weekly)\s+)?challenge(?:\s*\d+\b|\s*[:.\u2013\u2014-]|\s*$)|"
    r"^\W*(?:bonus|extra|stretch|optional|final|mini|weekly)\s+challenges\b",
    re.I,
)
"""A project or challenge set to the learner ("Capstone Project", "Project 2: ...", "Challenge: ..."), not a
section about one ("Project Structure", "The Challenge of ...", "Challenges")."""
_TEXT_LABELS = {EXERCISE: "review questions", LAB: "hands-on steps"}
"""What a section is, said when only its text shows it is practice (its heading does not say so); "quiz
questions" when it offers answers to choose from."""
QUIZ_LABEL = "quiz questions"


@dataclass
class PracticeSection:
    """One exercise, lab or quiz of a page: its heading and anchor, its own text and its sub-sections' headings."""

    root: tuple[str, ...]
    anchor: str
    purpose: str
    doc_path: str
    named: bool = True
    """Its heading or its page's name says it is practice; else only its text does."""
    text: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    """The items of its steps' list (`practice_steps.listed_steps`): its steps, when no heading numbers them."""
    numbered: list[str] = field(default_factory=list)
    """Its headings at any depth that number a step ("Step 3: Plan"), else its listed steps: what "step 3" means."""
    step_texts: dict[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        return self.root[-1]


def practice_kind(heading: str) -> str | None:
    """EXERCISE or LAB when the heading names practice: an exercise, lab or quiz (booktutor.ingest.purpose), or a
    project or challenge set to the learner."""
    return practice_heading(heading) or (EXERCISE if _PROJECT.search(heading) else None)


def _enclosing(path: tuple[str, ...]) -> int:
    """The depth of the outermost section below the page title that names practice (`practice_kind`); 0 if none."""
    return enclosing_practice(path) or next(
        (depth for depth, heading in enumerate(path[1:], start=2) if practice_kind(heading)), 0
    )


def _practice_page(row: OutlineRow) -> bool:
    """A page that is practice as a whole, by its name ("lab-3.md") or its title ("Capstone Project: ...")."""
    return is_practice_page(row.doc_path) or bool(row.heading_path and practice_kind(row.heading_path[0]))


def practice_root(row: OutlineRow) -> tuple[str, ...] | None:
    """The heading path of the practice section the chunk belongs to, if it belongs to one: the outermost
    section below the page title that names practice, with its sub-sections; else the whole page when the page
    is practice by its name or title; else, for a practice chunk, its page's opening or its own section."""
    path = tuple(row.heading_path)
    if not path or row.purpose == DEFINITION:  # a glossary's entry names a term ("Capstone Project Scenario")
        return None
    if depth := _enclosing(path):
        return path[:depth]
    if _practice_page(row):
        return path[:1]
    if row.purpose not in PRACTICE:
        return None
    return path[:1] if len(path) == 1 else path


def practice_sections(rows: Sequence[OutlineRow]) -> list[PracticeSection]:
    """The practice sections of one or more pages in book order, from their chunks' outline: every heading a
    chunk covers, a short section joined to its neighbour's chunk too."""
    rows = [part for row in rows for part in split_covered(row, practice_kind)]
    found: dict[tuple[str, tuple[str, ...]], PracticeSection] = {}
    for row in rows:
        root = practice_root(row)
        if root is None or any(ANSWER_KEY_HEADING.match(heading) for heading in root):
            continue  # an answer key ("Self-check answers") is not practice to offer
        section = found.get((row.doc_path, root))
        if section is None:
            section = found[(row.doc_path, root)] = _new_section(rows, root, row)
        own = tuple(row.heading_path) == root
        if own and row.text:
            section.text.append(row.text)
        for heading in heading_steps(row, root):
            if heading not in section.steps and len(section.steps) < MAX_STEPS:
                section.steps.append(heading)
        section.listed += [s for s in row_steps(row, root, section.purpose) if s not in section.listed]
        section.numbered += [h for h in numbered_headings(row, root) if h not in section.numbered]
        section.step_texts.update(step_texts(row, root, section.purpose))
    for section in found.values():
        if section.listed and not section.numbered:  # "Step 1: ..." sub-sections stay its steps
            section.steps = section.numbered = section.listed[:MAX_STEPS]
    return list(found.values())


def _new_section(rows: Sequence[OutlineRow], root: tuple[str, ...], row: OutlineRow) -> PracticeSection:
    page = [r for r in rows if r.doc_path == row.doc_path]
    named = bool(practice_kind(root[-1]) or _enclosing(root) or _practice_page(row))
    purpose = practice_kind(root[-1]) or (row.purpose if row.purpose in PRACTICE else EXERCISE)
    return PracticeSection(root, _root_anchor(page, root), purpose, row.doc_path, named)


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


def practice_pages(hits: Sequence[SearchHit], results: Sequence[Source], language: str) -> list[tuple[uuid.UUID, int]]:
    """The best-ranked pages in the question's language (`PRACTICE_PAGES`), each with the number of its best
    hit's source."""
    pages: dict[uuid.UUID, int] = {}
    for hit, result in zip(hits, results, strict=True):
        if hit.language == language and hit.document_id not in pages and len(pages) < PRACTICE_PAGES:
            pages[hit.document_id] = result["n"]
    return list(pages.items())


async def practice_of_pages(
    conn: asyncpg.Connection,
    pages: list[tuple[uuid.UUID, int]],
    first_n: int = PRACTICE_NUMBER_BASE,
    *,
    question: str = "",
) -> tuple[list[Source], list[dict[str, Any]]]:
    """The practice sections of the pages as citable sources (numbered from `first_n`), and each page with the
    number citing its own top and the numbers of its sections (none: the page has no exercise, lab or quiz). A
    folder's index page ("module-2/index.md") holds the practice of the folder's other pages too. The listing
    ends with an entry for what the question names as a whole, marked `scope`: "part" for a numbered part
    ("module 2": its folder's pages, found by name), "course" for the course (every page's practice)."""
    outlines = await with_quizzes(
        conn, await chunk_reads.document_outlines(conn, [page for page, _ in pages], MAX_PROMPT_CHARS)
    )
    folders = [(page, _folder(rows[0].doc_path)) for page, rows in outlines.items() if _is_index(rows[0].doc_path)]
    ranked = [page for page, _ in pages]
    wholes = await _whole_asked(conn, ranked, question) if pages and pages[0][0] in outlines else []
    folders += [(pages[0][0], folder) for _, folder, _ in wholes]
    inside = await with_quizzes(conn, await chunk_reads.folder_outlines(conn, folders, MAX_PROMPT_CHARS))
    numbering = _Numbering(first_n)
    listing: list[dict[str, Any]] = []
    for page, _ in pages:
        if rows := outlines.get(page, []):
            held = inside.get((page, _folder(rows[0].doc_path)), []) if _is_index(rows[0].doc_path) else []
            if entry := numbering.entry(rows, held or rows, MAX_PRACTICE_SECTIONS):
                listing.append(entry)
    for scope, folder, title in wholes:
        held = inside.get((pages[0][0], folder), [])
        if held and (entry := numbering.entry(_top_page(held), held, MAX_COURSE_SECTIONS, course=scope == "course")):
            listing.append({**entry, "chapter_title": title or entry["chapter_title"], "scope": scope})
    return numbering.sources, listing


def _top_page(rows: Sequence[OutlineRow]) -> list[OutlineRow]:
    """The rows of the page a folder is cited at: its index page, else its first page."""
    top = next((row.doc_path for row in rows if _is_index(row.doc_path)), rows[0].doc_path)
    return [row for row in rows if row.doc_path == top]


_PART = re.compile(rf"\b(module|chapter|unit|part|lesson|week)\s+({PART_NUMBER})\b", re.I)
MAX_PARTS = 3


async def _whole_asked(
    conn: asyncpg.Connection, pages: Sequence[uuid.UUID], question: str
) -> list[tuple[str, str, str]]:
    """What the question asks about as a whole, as (scope, folder, title): the numbered part it names, the folder
    of the book named after it ("module 2" -> "module-2-navigation/", titled by its index page) or else the
    pages titled with it ("Chapter 4: ...", several when parts of the book number their chapters anew); else the
    course, when it names the course or nothing else ("Are there any exercises?"); else nothing."""
    if part := _PART.search(question):
        kind, number = part[1].lower(), ".".join(str(int(n)) for n in part[2].split("."))
        path, title, folder = part_patterns(kind, number)
        named = await chunk_reads.documents_named(conn, pages[0], path, title)
        folders = sorted({m[0] for _, doc, _ in named if (m := re.match(folder, doc, re.I))})
        if folders:
            index = next((title for _, doc, title in named if _is_index(doc) and doc.startswith(folders[0])), "")
            return [("part", folders[0], index or f"{kind.title()} {number}")]
        parts: list[tuple[str, str, str]] = []
        for _, doc, name_title in sorted(named, key=lambda doc: (not _is_index(doc[1]), doc[0] not in pages)):
            if not any(doc.startswith(folder) for _, folder, _ in parts):  # an index page stands for its folder
                parts.append(("part", _folder(doc) if _is_index(doc) else doc, name_title))
        return parts[:MAX_PARTS]
    if titled := await named_part(conn, pages[0], question, pages):
        if titled.folder:
            return [("part", titled.folder, titled.title)]
        return [("part", path, titled.title if len(titled.paths) == 1 else "") for path in titled.paths[:MAX_PARTS]]
    return [("course", "", "")] if asks_about_whole_book(question) or not practice_topic(question) else []


class _Numbering:
    """The sources cited so far, each practice section numbered once however many entries list it."""

    def __init__(self, first_n: int) -> None:
        self.first_n = first_n
        self.sources: list[Source] = []
        self.numbers: dict[tuple[str, tuple[str, ...]], int] = {}

    def entry(
        self, page: Sequence[OutlineRow], rows: Sequence[OutlineRow], most: int, *, course: bool = False
    ) -> dict[str, Any] | None:
        """The page (cited at its top) with the numbers of the practice sections of `rows`; for the whole
        course, only those that say they are practice or offer answers to choose from (a quiz), not every
        section whose text reads like questions or steps. None, and sections left out, past `MAX_SOURCE_N`."""
        if self.next_n > MAX_SOURCE_N:
            return None
        self.sources.append(_page_source(self.next_n, page))
        entry = {"doc_path": page[0].doc_path, "chapter_title": page[0].chapter_title, "n": self.sources[-1]["n"]}
        sections = [s for s in practice_sections(rows) if not course or s.named or _text_label(s) == QUIZ_LABEL]
        numbers = [self.number(rows, s) for s in sections[:most]]
        return {**entry, "sections": [n for n in numbers if n is not None]}

    def number(self, rows: Sequence[OutlineRow], section: PracticeSection) -> int | None:
        key = (section.doc_path, section.root)
        if key not in self.numbers and self.next_n > MAX_SOURCE_N:
            return None
        if key not in self.numbers:
            owner = next(row for row in rows if row.doc_path == section.doc_path)
            self.sources.append(_section_source(self.next_n, owner, section))
            self.numbers[key] = self.sources[-1]["n"]
        return self.numbers[key]

    @property
    def next_n(self) -> int:
        return self.first_n + len(self.sources)


def _is_index(doc_path: str) -> bool:
    return bool(_INDEX_PAGE.search(doc_path)) and "/" in doc_path


def _folder(doc_path: str) -> str:
    return doc_path.rsplit("/", 1)[0] + "/"


def _page_source(n: int, rows: Sequence[OutlineRow]) -> Source:
    """The page itself, cited at its top: where a learner sees what the chapter holds (or lacks)."""
    page = rows[0]
    title = next((row for row in rows if len(row.heading_path) == 1), None)
    return section_source(n, page, page.chapter_title, title.anchor if title else "", title.text if title else "", "")


def _section_source(n: int, page: OutlineRow, section: PracticeSection) -> Source:
    text = "\n\n".join(section.text)
    work = work_steps(section.steps)
    source = section_source(n, page, section.heading, section.anchor, text, "; ".join(work), purpose=section.purpose)
    source["purpose"] = section.purpose or practice_heading(section.heading) or ""
    source["steps"] = work
    source["numbered_steps"], source["step_texts"] = numbered_steps(section.numbered[:MAX_STEPS], section.step_texts)
    if not section.named:
        source["practice_label"] = _text_label(section)
    if kind := _kind(section):
        source["practice_kind"] = kind
    if handed_in := [step for step in section.steps if is_logistics(step)]:
        source["logistics"] = handed_in
    questions = set_questions(_keyless(text, page, section.heading, section.purpose))  # worked steps aside
    if questions := [q for q in questions if not any(same_step(q.prompt, step) for step in section.listed)]:
        source["questions"] = [{"number": q.number, "prompt": q.prompt, "choices": list(q.choices)} for q in questions]
    return source


_QUIZ = re.compile(r"\bquiz|\bknowledge check|\bself[- ]check|\btest yourself|\bcheck your understanding", re.I)


def _kind(section: PracticeSection) -> str:
    """ "quiz" or "project" when the section is one by its heading (a quiz also by its answers to choose from);
    a project too when it is work handed in and graded ("What to submit", "Rubric" among its sub-sections)."""
    if _QUIZ.search(section.heading) or (not section.named and _text_label(section) == QUIZ_LABEL):
        return "quiz"
    if re.search(r"\b(?:projects?|capstone)\b", section.heading, re.I):
        return "project"
    return "project" if any(is_logistics(step) for step in section.steps) else ""


def _text_label(section: PracticeSection) -> str:
    if section.purpose == EXERCISE and has_options("\n".join(section.text)):
        return QUIZ_LABEL
    return _TEXT_LABELS.get(section.purpose, "")


def section_source(
    n: int, page: OutlineRow, heading: str, anchor: str, text: str, steps: str = "", *, purpose: str = ""
) -> Source:
    """A citable section of the page: its heading, link and (fenced) text, without answer keys."""
    url = anchor_url(
        page.doc_path,
        page.front_matter,
        anchor,
        language=page.language,
        default_language="en",
        permalink=page.permalink,
    )
    fenced = fence_untrusted(
        keyless(text[:MAX_PROMPT_CHARS], (*page.heading_path[:1], heading), page.doc_path, purpose)
    )
    return Source(
        n=n,
        source="book",
        doc_path=page.doc_path,
        chapter_title=page.chapter_title,
        heading=heading,
        anchor_url=url,
        text=fenced,
        snippet=fenced[:200] or steps[:200],
        score=0.0,
        dense_score=None,
        lexical_rank=None,
        language=page.language,
    )


def _keyless(text: str, page: OutlineRow, heading: str, purpose: str) -> str:
    """The section's text without answer keys (booktutor.tools.answer_keys)."""
    return keyless(text, (*page.heading_path[:1], heading), page.doc_path, purpose)


def reading_first(pages: Sequence[tuple[uuid.UUID, int]], reading: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
    """The pages whose practice is read, the learner's own page first (cited from its best hit when it has one)."""
    n = next((n for page, n in pages if page == reading), 0)
    return [(reading, n), *((page, n) for page, n in pages if page != reading)][: max(len(pages), 1)]
