"""The book around a chapter as adaptation needs it, and chapter references from free text."""

from __future__ import annotations

from booktutor.markdown.glossary import extract_key_terms
from booktutor.markdown.urls import anchor_url
from booktutor.memory.books import document_for
from booktutor.memory.models import Chapter
from booktutor.personalize.adapt import AdaptationContext, EarlierChapter
from booktutor.rewrite.source import ChapterSource


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
