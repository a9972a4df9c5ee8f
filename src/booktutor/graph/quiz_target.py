"""Where a chat quiz starts: "quiz me on chapter 2", "quiz me on gears" (a topic: found by search,
so it lands on the chapter and section that teach it), or plain "quiz me" (the page the learner is
on, else the section they know least)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from booktutor.errors import ChapterNotFound
from booktutor.graph.state import RunDeps
from booktutor.ingest.purpose import is_glossary_page
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Chapter
from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.types import SearchHit
from booktutor.tools.chapter_names import PART_NUMBER, part_patterns
from booktutor.tools.tutoring import resolve_chapter
from booktutor.tutoring.mastery import Recommendation

_CHAPTER_NUMBER = re.compile(r"\bchapter\s+\d{1,3}\b(?!\.\d)", re.IGNORECASE)
_NUMBERED_PART = re.compile(rf"\b(module|unit|lesson|part|week|chapter)\s+({PART_NUMBER})\b", re.IGNORECASE)
"""A part named by its kind and number ("lesson 2.2", "unit 3"); "chapter 2" is the book's second chapter, and
"chapter 2.3" a lesson or section numbered 2.3, whatever the book calls it (`_PART_KINDS`)."""
_PART_KINDS = ("lesson", "section", "module", "unit", "chapter", "part")
_COUNT = re.compile(r"[,;:]?\s*\b(\d{1,2})\s+questions?\b", re.IGNORECASE)
_TITLED = re.compile(r"\b(?:on|about)\s+(?:the\s+)?(.+?)[?.!]*$", re.IGNORECASE)
_TOPIC = re.compile(r"\b(?:on|about)\s+(?:the\s+)?(?:chapter\s+)?(.+?)[?.!]*$", re.IGNORECASE)
_VAGUE = re.compile(r"^(this|this page|this chapter|this section|it|that|here|what i(?:'m| am) reading)$", re.I)
TOPIC_HITS = 8
OTHER_CHAPTERS = 2  # the other chapters among the hits whose questions are looked at for the topic
ASK_FOR_CHAPTER = "Which chapter should the quiz cover? For example: “quiz me on chapter 2”."


@dataclass(frozen=True, slots=True)
class QuizTarget:
    chapter: str  # chapter key
    focus: str = ""  # section anchor whose questions come first
    topic: str = ""  # what the learner asked to be quizzed on, when not a chapter's name
    from_page: bool = False  # the page the learner is on, not a chapter or topic they named


def requested_count(text: str, default: int) -> int:
    found = _COUNT.search(text)
    return min(max(int(found.group(1)), 1), 20) if found else default


async def quiz_target(deps: RunDeps, user_id: uuid.UUID, book_id: str, text: str, doc_path: str | None) -> QuizTarget:
    titled = _TITLED.search(_COUNT.sub("", text).strip(" ,;:"))
    if titled and _CHAPTER_NUMBER.match(titled[1]) and (chapter := await _titled(deps, book_id, titled[1].strip())):
        return QuizTarget(chapter.key)  # "quiz me on Chapter 12: Sim-to-Real": its title, not the 12th chapter
    number = _CHAPTER_NUMBER.search(text)
    if number:
        return QuizTarget(await resolve_chapter(deps.services, book_id, number.group(0)))
    part = _NUMBERED_PART.search(text)
    if part and (numbered := await _numbered_part(deps, book_id, part[1].lower(), part[2])) is not None:
        return QuizTarget(numbered.key)
    if part and "." in part[2]:  # no topic either: "2.3" names a part the book does not have
        raise ChapterNotFound(f"I could not find a {part[1].lower()} {part[2]} in the book.")
    topic = _TOPIC.search(_COUNT.sub("", text).strip(" ,;:"))
    if topic and not _VAGUE.match(topic.group(1).strip()):
        return await _by_topic(deps, book_id, topic.group(1).strip())
    if doc_path:
        async with deps.services.db.session() as session:
            chapter = await BookRepository(session).get_chapter(book_id, _page_path(doc_path))
        if chapter is not None:
            return QuizTarget(chapter.key, from_page=True)
    if deps.quizzes is not None:
        weakest = await deps.quizzes.recommend_next(user_id, book_id)
        if weakest is not None:
            return QuizTarget(weakest.chapter_key, weakest.anchor)
    raise ChapterNotFound(ASK_FOR_CHAPTER)


async def instead_of_page(deps: RunDeps, user_id: uuid.UUID, book_id: str, page: QuizTarget) -> Recommendation | None:
    """Where to practise when the page the learner is on has no questions (a glossary whose terms the
    chapters teach, a page of links): the section they know least, if it is elsewhere."""
    if deps.quizzes is None:
        return None
    weakest = await deps.quizzes.recommend_next(user_id, book_id)
    return weakest if weakest is not None and weakest.chapter_key != page.chapter else None


async def _by_topic(deps: RunDeps, book_id: str, topic: str) -> QuizTarget:
    """A chapter named exactly (key, path or title), else where the book teaches the topic."""
    if (exact := await _titled(deps, book_id, topic)) is not None:
        return QuizTarget(exact.key)
    found = await deps.services.searcher.search(SearchQuery(text=topic, k=TOPIC_HITS, book_id=book_id))
    if found.hits:
        hit = await _asking_hit(deps, book_id, found.hits, topic)
        async with deps.services.db.session() as session:
            chapter = await BookRepository(session).get_chapter(book_id, hit.doc_path)
        if chapter is not None:
            return QuizTarget(chapter.key, hit.anchor, topic)
    return QuizTarget(await resolve_chapter(deps.services, book_id, topic), topic=topic)


async def _asking_hit(deps: RunDeps, book_id: str, hits: list[SearchHit], topic: str) -> SearchHit:
    """The teaching hit, unless none of its chapter's questions names a word of the topic (the chapter holds
    the topic only in code or a figure) and another teaching chapter among the hits asks about the whole
    topic: then that chapter's best hit."""
    first = teaching_hit(hits)
    if deps.quizzes is None or await deps.quizzes.asks_about(book_id, first.doc_path, topic, every_word=False):
        return first
    others = [h for h in hits if _teaches(h) and h.doc_path != first.doc_path]
    for doc_path in list(dict.fromkeys(h.doc_path for h in others))[:OTHER_CHAPTERS]:
        if await deps.quizzes.asks_about(book_id, doc_path, topic, every_word=True):
            return next(h for h in others if h.doc_path == doc_path)
    return first


async def _titled(deps: RunDeps, book_id: str, name: str) -> Chapter | None:
    """The chapter `name` names exactly: its key, path or title."""
    async with deps.services.db.session() as session:
        books = BookRepository(session)
        exact = await books.get_chapter(book_id, name)
        if exact is None:
            chapters = await books.list_chapters(book_id)
            exact = next((c for c in chapters if name.lower() in _title_of(c).lower().split(" / ")), None)
    return exact


async def _numbered_part(deps: RunDeps, book_id: str, kind: str, number: str) -> Chapter | None:
    """The page of the part named; for a dotted number ("chapter 2.3") under another kind's name when the book
    calls it otherwise ("Lesson 2.3 — …"): a learner names a course's numbered lessons as chapters."""
    kinds = [kind, *(other for other in _PART_KINDS if other != kind)] if "." in number else [kind]
    for each in kinds:
        if (numbered := await _numbered(deps, book_id, each, number)) is not None:
            return numbered
    return None


async def _numbered(deps: RunDeps, book_id: str, kind: str, number: str) -> Chapter | None:
    """The one page whose path or title carries the part's kind and number ("unit-2/lesson-2-2-….mdx",
    "Lesson 2.2 — …"); None when none or several do ("unit 2": its lessons)."""
    path, title, _ = (re.compile(pattern, re.IGNORECASE) for pattern in part_patterns(kind, number))
    async with deps.services.db.session() as session:
        chapters = await BookRepository(session).list_chapters(book_id)
    found = [c for c in chapters if path.search(c.source_path) or any(map(title.search, _title_of(c).split(" / ")))]
    return found[0] if len(found) == 1 else None


def teaching_hit(hits: list[SearchHit]) -> SearchHit:
    """The best hit on a chapter that teaches the topic: a glossary page only restates terms in brief
    (its questions would be about every term in the book), so it is used only when nothing else covers it."""
    return next((h for h in hits if _teaches(h)), hits[0])


def _teaches(hit: SearchHit) -> bool:
    return hit.lexical_rank is not None and not _on_glossary(hit)


def _on_glossary(hit: SearchHit) -> bool:
    return is_glossary_page(hit.doc_path) or is_glossary_page(hit.chapter_title)


def _page_path(doc_path: str) -> str:
    return doc_path.split("#", 1)[0].strip()


def _title_of(chapter: Chapter) -> str:
    return " / ".join(d.title for d in chapter.documents if d.version > 0) or chapter.key
