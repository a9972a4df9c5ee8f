"""The book around a chapter as adaptation needs it, and chapter references from free text."""

from __future__ import annotations

import re

from booktutor.markdown.glossary import extract_key_terms
from booktutor.markdown.urls import anchor_url
from booktutor.memory.books import BookRepository, document_for
from booktutor.memory.models import Chapter
from booktutor.personalize.adapt import AdaptationContext, EarlierChapter
from booktutor.rewrite.source import ChapterSource

_CHAPTER_NUMBER = re.compile(r"\bchapter\s+(\d{1,3})\b", re.IGNORECASE)
_WORD = re.compile(r"\w{3,}")
_STOPWORDS = frozenset(
    {
        "the",
        "for",
        "and",
        "this",
        "that",
        "chapter",
        "explain",
        "rewrite",
        "with",
        "into",
        "about",
        "read",
        "show",
        "translate",
        "version",
        "please",
        "make",
        "simpler",
    }
)


def adaptation_context(source: ChapterSource) -> AdaptationContext:
    """The book's glossary and the chapters before this one, as the offline adaptation uses them."""
    glossary: dict[str, str] = {}
    for term, definition in extract_key_terms(source.document.markdown).items():
        glossary.setdefault(term, definition)
    earlier: list[EarlierChapter] = []
    passed = False
    for chapter in source.chapters:
        doc = document_for(chapter, source.book.default_language, any_language=True)
        if doc is None:
            continue
        terms = extract_key_terms(doc.markdown)
        for term, definition in terms.items():
            glossary.setdefault(term, definition)
        if chapter.id == source.chapter.id:
            passed = True
        elif not passed and not _is_glossary_page(chapter):
            url = anchor_url(
                chapter.source_path,
                doc.front_matter,
                "",
                language=doc.language,
                default_language=source.book.default_language,
            )
            earlier.append(EarlierChapter(doc.title, url, frozenset(terms)))
    return AdaptationContext(glossary=glossary, earlier=earlier)


def _is_glossary_page(chapter: Chapter) -> bool:
    return "glossary" in chapter.key


async def resolve_chapter_ref(repo: BookRepository, book_id: str, text: str, fallback: str | None = None) -> str | None:
    """A chapter key from free text: an id or path, "chapter 3", or the best title match."""
    if await repo.get_chapter(book_id, text.strip()):
        return text.strip()
    chapters = await repo.list_chapters(book_id)
    number = _CHAPTER_NUMBER.search(text)
    if number and 1 <= int(number.group(1)) <= len(chapters):
        return chapters[int(number.group(1)) - 1].key
    words = {w.lower() for w in _WORD.findall(text)} - _STOPWORDS
    best, best_score = None, 0
    for chapter in chapters:
        doc = document_for(chapter, "en", any_language=True)
        title_words = {w.lower() for w in _WORD.findall(f"{doc.title} {chapter.key}")} if doc else set()
        score = len(words & title_words)
        if score > best_score:
            best, best_score = chapter.key, score
    if best:
        return best
    if fallback and await repo.get_chapter(book_id, fallback):
        return fallback
    return None
