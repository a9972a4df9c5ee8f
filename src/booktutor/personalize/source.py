"""The book around a chapter as adaptation needs it: who defines which term, and where."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from booktutor.markdown.learner_view import is_quiz_title, learner_markdown
from booktutor.markdown.urls import anchor_url
from booktutor.memory.book_records import document_for
from booktutor.personalize.jargon import GENERIC_WORDS, Definition, chapter_definitions
from booktutor.personalize.notes import AdaptationContext, EarlierChapter, TermSource
from booktutor.rewrite.source import ChapterSource


@dataclass(frozen=True)
class BookPage:
    """One chapter of the book, as adaptation reads it (from the database or from a folder)."""

    key: str
    source_path: str
    title: str
    url: str
    markdown: str


def adaptation_context(source: ChapterSource) -> AdaptationContext:
    """The context of a stored chapter (see `book_context`)."""
    pages: list[BookPage] = []
    current = -1
    for chapter in source.chapters:
        doc = document_for(chapter, source.book.default_language, any_language=True)
        if chapter.id == source.chapter.id:
            current = len(pages)
            pages.append(
                BookPage(chapter.key, chapter.source_path, source.document.title, "", source.document.markdown)
            )
        elif doc is not None:
            url = anchor_url(
                chapter.source_path,
                doc.front_matter,
                "",
                language=doc.language,
                default_language=source.book.default_language,
                permalink=doc.slug,
            )
            pages.append(BookPage(chapter.key, chapter.source_path, doc.title, url, doc.markdown))
    if current < 0:
        current = len(pages)
        pages.append(
            BookPage(
                source.chapter.key, source.chapter.source_path, source.document.title, "", source.document.markdown
            )
        )
    return book_context(pages, current)


def book_context(pages: list[BookPage], current: int) -> AdaptationContext:
    """Every definition in the book (this chapter's first, then in reading order) and the
    earlier chapters that can be prerequisites (never quiz or glossary pages)."""
    own = definitions_in(pages[current].markdown)
    definitions = {key: _own(d) for key, d in own.items()}
    quality = {key: d.quality for key, d in own.items()}
    earlier: list[EarlierChapter] = []
    for index, page in enumerate(pages):
        if index == current or is_quiz_page(page):
            continue
        found = {k: d for k, d in definitions_in(page.markdown).items() if d.quality >= 2}  # real definitions
        for key, definition in found.items():
            if definition.quality > quality.get(key, 0):  # the best definition; the first of equals
                definitions[key], quality[key] = _cited(definition, page.title, page.url), definition.quality
        if index < current and not _is_glossary_page(page):
            earlier.append(EarlierChapter(page.title, page.url, frozenset(d.term for d in found.values())))
    return AdaptationContext(
        definitions=definitions,
        earlier=earlier,
        own_terms=frozenset(own),
        glossary=_is_glossary_page(pages[current]),
    )


@lru_cache(maxsize=512)
def definitions_in(markdown: str) -> dict[str, Definition]:
    """The definitions a stored chapter gives (cached: a book's chapters are read on every miss)."""
    found = chapter_definitions(learner_markdown(markdown))
    return {key: d for key, d in found.items() if key not in GENERIC_WORDS}


def _own(definition: Definition) -> TermSource:
    """A definition this chapter gives, cited by its section."""
    url = f"#{definition.anchor}" if definition.anchor else ""
    return TermSource(definition.term, definition.text, url=url, where=definition.section, anchor=definition.anchor)


def _cited(definition: Definition, title: str, url: str) -> TermSource:
    target = f"{url}#{definition.anchor}" if definition.anchor else url
    return TermSource(definition.term, definition.text, url=target, where=title, anchor=definition.anchor)


def is_quiz_page(page: BookPage) -> bool:
    """A page of questions (its title, or its file name, says quiz/assessment/…)."""
    name = page.source_path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
    return is_quiz_title(page.title) or is_quiz_title(name)


def _is_glossary_page(page: BookPage) -> bool:
    return "glossary" in page.key.lower() or "glossary" in page.title.lower()
