"""Loading a chapter and the book around it (reading order, glossary) from Postgres."""

from __future__ import annotations

from dataclasses import dataclass

from booktutor.errors import BookNotFound, ChapterNotFound
from booktutor.ingest.glossary import extract_key_terms
from booktutor.ingest.urls import anchor_url
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book, Chapter, Document
from booktutor.personalize.adapt import AdaptationContext, EarlierChapter
from booktutor.personalize.cache import fingerprint


@dataclass
class ChapterSource:
    book: Book
    chapter: Chapter
    document: Document  # the book's default-language version
    chapters: list[Chapter]  # the whole book in reading order

    def url(self, language: str | None = None, anchor: str = "") -> str:
        return anchor_url(
            self.chapter.source_path,
            self.document.front_matter,
            anchor,
            language=language or self.document.language,
            default_language=self.book.default_language,
        )

    def document_in(self, language: str) -> Document | None:
        return next((d for d in self.chapter.documents if d.version > 0 and d.language == language), None)

    def human_languages(self) -> list[str]:
        return sorted(
            d.language for d in self.chapter.documents if d.version > 0 and d.language != self.book.default_language
        )

    def book_fingerprint(self) -> str:
        """Changes whenever any chapter of the book is re-ingested with new content."""
        hashes = sorted(d.content_hash or "" for c in self.chapters for d in c.documents if d.version > 0)
        return fingerprint(*hashes)

    def adaptation_context(self) -> AdaptationContext:
        glossary: dict[str, str] = {}
        for term, definition in extract_key_terms(self.document.markdown).items():
            glossary.setdefault(term, definition)
        earlier: list[EarlierChapter] = []
        passed = False
        for chapter in self.chapters:
            doc = default_document(chapter, self.book.default_language)
            if doc is None:
                continue
            terms = extract_key_terms(doc.markdown)
            for term, definition in terms.items():
                glossary.setdefault(term, definition)
            if chapter.id == self.chapter.id:
                passed = True
            elif not passed and not _is_glossary_page(chapter):
                url = anchor_url(
                    chapter.source_path,
                    doc.front_matter,
                    "",
                    language=doc.language,
                    default_language=self.book.default_language,
                )
                earlier.append(EarlierChapter(doc.title, url, frozenset(terms)))
        return AdaptationContext(glossary=glossary, earlier=earlier)


def _is_glossary_page(chapter: Chapter) -> bool:
    return "glossary" in chapter.key


def default_document(chapter: Chapter, language: str) -> Document | None:
    visible = [d for d in chapter.documents if d.version > 0]
    return next((d for d in visible if d.language == language), visible[0] if visible else None)


async def load_chapter(repo: BookRepository, book_id: str, chapter_ref: str) -> ChapterSource:
    book = await repo.get_book(book_id)
    if book is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    chapter = await repo.get_chapter(book_id, chapter_ref)
    if chapter is None:
        raise ChapterNotFound(f"No chapter '{chapter_ref}' in book '{book_id}'.")
    chapters = await repo.list_chapters(book_id)
    document = default_document(chapter, book.default_language)
    return ChapterSource(book=book, chapter=chapter, document=document, chapters=chapters)
