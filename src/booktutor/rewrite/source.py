"""Loading a chapter to rewrite or translate, with the book around it, from Postgres."""

from __future__ import annotations

from dataclasses import dataclass

from booktutor.errors import BookNotFound, ChapterNotFound
from booktutor.markdown.urls import anchor_url
from booktutor.memory.book_records import document_for, published_documents
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book, Chapter, Document
from booktutor.rewrite.cache import fingerprint


@dataclass
class ChapterSource:
    book: Book
    chapter: Chapter
    document: Document  # the book's default-language version
    chapters: list[Chapter]  # the whole book in reading order

    def url(self, language: str | None = None, anchor: str = "") -> str:
        language = language or self.document.language
        shown = self.document if language == self.document.language else self.document_in(language)
        return anchor_url(
            self.chapter.source_path,
            self.document.front_matter,
            anchor,
            language=language,
            default_language=self.book.default_language,
            permalink=shown.slug if shown is not None else None,
        )

    def document_in(self, language: str) -> Document | None:
        return document_for(self.chapter, language)

    def human_languages(self) -> list[str]:
        return sorted(d.language for d in published_documents(self.chapter) if d.language != self.book.default_language)

    def book_fingerprint(self) -> str:
        """Changes whenever any chapter of the book is re-ingested with new content."""
        hashes = sorted(d.content_hash or "" for c in self.chapters for d in published_documents(c))
        return fingerprint(*hashes)


async def load_chapter(repo: BookRepository, book_id: str, chapter_ref: str) -> ChapterSource:
    book = await repo.get_book(book_id)
    if book is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    chapter = await repo.get_chapter(book_id, chapter_ref)
    if chapter is None:
        raise ChapterNotFound(f"No chapter '{chapter_ref}' in book '{book_id}'.")
    chapters = await repo.list_chapters(book_id)
    document = document_for(chapter, book.default_language, any_language=True)
    if document is None:
        raise ChapterNotFound(f"No chapter '{chapter_ref}' in book '{book_id}'.")
    return ChapterSource(book=book, chapter=chapter, document=document, chapters=chapters)
