"""Repository for books, chapters, their language versions (documents) and chunks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from booktutor.memory.book_records import (
    ChapterPage,
    ChunkContent,
    ChunkRow,
    DocumentContent,
    StoredDocumentState,
)
from booktutor.memory.chapter_refs import exact_chapter_ref, match_chapter
from booktutor.memory.models import Book, Chapter, Chunk, Document

_CURRENT_CHUNKS = select(
    Chunk.id,
    Chunk.book_id,
    Chunk.document_id,
    Document.source_path,
    Chunk.language,
    Document.title,
    Document.front_matter,
    Chunk.heading_path,
    Chunk.anchor,
    Chunk.text,
    Chunk.version,
    Chunk.purpose,
    Chunk.sections,
    Document.slug,
).join(Document, and_(Document.id == Chunk.document_id, Document.version == Chunk.version))
"""The columns of a `ChunkRow`, of the version readers see; built once (statements are immutable)."""


class BookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- books -------------------------------------------------------------------------
    async def upsert_book(self, book_id: str, title: str, default_language: str, source_root: str | None) -> Book:
        stmt = (
            pg_insert(Book)
            .values(id=book_id, title=title, default_language=default_language, source_root=source_root)
            .on_conflict_do_update(
                index_elements=[Book.id],
                set_={
                    "title": title,
                    "default_language": default_language,
                    "source_root": source_root,
                    "updated_at": func.now(),
                },
            )
        )
        await self.session.execute(stmt)
        return await self.session.get_one(Book, book_id, populate_existing=True)

    async def get_book(self, book_id: str) -> Book | None:
        return await self.session.get(Book, book_id)

    async def list_books(self) -> list[Book]:
        return list((await self.session.scalars(select(Book).order_by(Book.title))).all())

    async def book_languages(self, book_id: str) -> list[str]:
        stmt = (
            select(Document.language)
            .where(Document.book_id == book_id, Document.version > 0)
            .distinct()
            .order_by(Document.language)
        )
        return list((await self.session.scalars(stmt)).all())

    async def chapter_count(self, book_id: str) -> int:
        stmt = select(func.count(func.distinct(Document.chapter_id))).where(
            Document.book_id == book_id, Document.version > 0
        )
        return int(await self.session.scalar(stmt) or 0)

    # --- chapters ----------------------------------------------------------------------
    async def ensure_chapter(self, book_id: str, source_path: str, key: str, sort_key: str) -> Chapter:
        stmt = (
            pg_insert(Chapter)
            .values(id=uuid.uuid4(), book_id=book_id, source_path=source_path, key=key, sort_key=sort_key)
            .on_conflict_do_update(index_elements=[Chapter.book_id, Chapter.source_path], set_={"sort_key": sort_key})
            .returning(Chapter.id)
        )
        chapter_id = (await self.session.execute(stmt)).scalar_one()
        return await self.session.get_one(Chapter, chapter_id, populate_existing=True)

    async def list_chapters(self, book_id: str) -> list[Chapter]:
        stmt = (
            select(Chapter)
            .where(Chapter.book_id == book_id)
            .options(selectinload(Chapter.documents))
            .order_by(Chapter.sort_key, Chapter.source_path)
        )
        chapters = (await self.session.scalars(stmt)).all()
        return [c for c in chapters if any(d.version > 0 for d in c.documents)]

    async def get_chapter(self, book_id: str, chapter_ref: str) -> Chapter | None:
        """Find a chapter by key, by source path or by UUID."""
        stmt = (
            select(Chapter)
            .where(Chapter.book_id == book_id, exact_chapter_ref(chapter_ref))
            .options(selectinload(Chapter.documents))
        )
        chapter = (await self.session.scalars(stmt)).first()
        if chapter is None or not any(d.version > 0 for d in chapter.documents):
            return None
        return chapter

    async def resolve_chapter(self, book_id: str, reference: str) -> Chapter | None:
        """A chapter named loosely: key, path or id, "chapter 2" or "2", or title words (`match_chapter`)."""
        exact = await self.get_chapter(book_id, reference.strip())
        return exact or match_chapter(await self.list_chapters(book_id), reference)

    async def chapter_page(self, book_id: str, chapter_ref: str, language: str | None) -> ChapterPage | None:
        """A chapter's published document in `language` (default: the book's), in one round trip;
        None when the book has no such chapter with a published document."""
        other = aliased(Document)
        languages = (
            select(func.array_agg(aggregate_order_by(other.language, other.language)))
            .where(other.chapter_id == Chapter.id, other.version > 0)
            .scalar_subquery()
        )
        wanted = func.coalesce(literal(language), Book.default_language)
        stmt = (
            select(
                Book.default_language,
                Chapter.key,
                Chapter.source_path,
                languages,
                Document.language,
                Document.title,
                Document.front_matter,
                Document.markdown,
                Document.content_hash,
                Document.version,
                Document.updated_at,
                Document.slug,
            )
            .join(Book, Book.id == Chapter.book_id)
            .outerjoin(
                Document, and_(Document.chapter_id == Chapter.id, Document.version > 0, Document.language == wanted)
            )
            .where(Chapter.book_id == book_id, exact_chapter_ref(chapter_ref))
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None or not row[3]:
            return None
        return ChapterPage(*row)

    async def delete_empty_chapters(self, book_id: str) -> None:
        has_docs = select(Document.id).where(Document.chapter_id == Chapter.id).exists()
        await self.session.execute(delete(Chapter).where(Chapter.book_id == book_id, ~has_docs))

    # --- documents ---------------------------------------------------------------------
    async def refresh_permalinks(self, book_id: str, permalinks: dict[tuple[str, str], str]) -> int:
        """Store each (source_path, language)'s permalink where it changed (a new site config or slug
        rule) without re-chunking its document; returns how many changed."""
        stmt = select(Document).where(Document.book_id == book_id)
        changed = 0
        for document in (await self.session.scalars(stmt)).all():
            wanted = permalinks.get((document.source_path, document.language))
            if wanted is not None and document.slug != wanted:
                document.slug = wanted
                changed += 1
        return changed

    async def refresh_sort_keys(self, book_id: str, sort_keys: dict[str, str]) -> int:
        """Store each chapter's place in the reading order where it moved (a new sidebar, a chapter added
        before it) without re-chunking it; returns how many moved."""
        stmt = select(Chapter).where(Chapter.book_id == book_id)
        moved = 0
        for chapter in (await self.session.scalars(stmt)).all():
            wanted = sort_keys.get(chapter.source_path)
            if wanted is not None and chapter.sort_key != wanted:
                chapter.sort_key = wanted
                moved += 1
        return moved

    async def set_folder_labels(self, book_id: str, labels: dict[str, str]) -> None:
        """Store the label each folder of the book has in its sidebar ("sensing/" -> "Part B: Sensing")."""
        await self.session.execute(update(Book).where(Book.id == book_id).values(folder_labels=labels))

    async def document_states(self, book_id: str) -> list[StoredDocumentState]:
        stmt = select(
            Document.id, Document.source_path, Document.language, Document.content_hash, Document.version
        ).where(Document.book_id == book_id)
        return [StoredDocumentState(*row) for row in (await self.session.execute(stmt)).all()]

    async def ensure_document(self, chapter: Chapter, parsed: DocumentContent) -> Document:
        """The document row for a chapter language; a new one starts at version 0 (invisible)."""
        stmt = select(Document).where(Document.chapter_id == chapter.id, Document.language == parsed.language)
        document = (await self.session.scalars(stmt)).first()
        if document is None:
            document = Document(
                id=uuid.uuid4(),
                chapter_id=chapter.id,
                book_id=chapter.book_id,
                language=parsed.language,
                source_path=parsed.source_path,
                title=parsed.title,
                slug=parsed.slug,
                position=parsed.position,
                front_matter={},
                markdown="",
                version=0,
            )
            self.session.add(document)
            await self.session.flush()
        return document

    async def insert_chunks(
        self, document: Document, version: int, chunks: Sequence[ChunkContent], chapter_title: str
    ) -> list[uuid.UUID]:
        ids = [uuid.uuid4() for _ in chunks]
        rows = [
            {
                "id": chunk_id,
                "document_id": document.id,
                "book_id": document.book_id,
                "language": document.language,
                "version": version,
                "position": chunk.position,
                "heading_path": list(chunk.heading_path),
                "anchor": chunk.anchor,
                "title_text": " ".join([chapter_title, *chunk.heading_path]),
                "text": chunk.text,
                "token_count": chunk.token_count,
                "has_code": chunk.has_code,
                "code_languages": list(chunk.code_languages),
                "has_table": chunk.has_table,
                "purpose": chunk.purpose,
                "sections": [{"heading": heading, "anchor": anchor} for heading, anchor in chunk.sections],
            }
            for chunk_id, chunk in zip(ids, chunks, strict=True)
        ]
        if rows:
            await self.session.execute(pg_insert(Chunk), rows)
        return ids

    async def publish_document(
        self, document_id: uuid.UUID, version: int, parsed: DocumentContent, chunk_count: int
    ) -> None:
        """Switch readers to `version` in one statement: the chapter is never half-updated."""
        await self.session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(
                version=version,
                content_hash=parsed.content_hash,
                title=parsed.title,
                slug=parsed.slug,
                position=parsed.position,
                front_matter=parsed.front_matter,
                markdown=parsed.markdown,
                source_path=parsed.source_path,
                chunk_count=chunk_count,
                updated_at=func.now(),
            )
        )

    async def stale_chunk_ids(self, document_id: uuid.UUID, current_version: int) -> list[uuid.UUID]:
        stmt = select(Chunk.id).where(Chunk.document_id == document_id, Chunk.version != current_version)
        return list((await self.session.scalars(stmt)).all())

    async def delete_chunks(self, chunk_ids: Sequence[uuid.UUID]) -> None:
        if chunk_ids:
            await self.session.execute(delete(Chunk).where(Chunk.id.in_(chunk_ids)))

    async def delete_document(self, document_id: uuid.UUID) -> None:
        await self.session.execute(delete(Document).where(Document.id == document_id))

    async def documents_with_stale_chunks(self, book_id: str) -> list[tuple[uuid.UUID, int]]:
        stmt = (
            select(Document.id, Document.version)
            .join(Chunk, Chunk.document_id == Document.id)
            .where(Document.book_id == book_id, Chunk.version != Document.version)
            .distinct()
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    # --- chunks for readers -------------------------------------------------------------
    def _current_chunks(
        self,
    ) -> Select[
        uuid.UUID,
        str,
        uuid.UUID,
        str,
        str,
        str,
        dict[str, Any],
        list[str],
        str,
        str,
        int,
        str,
        list[dict[str, Any]],
        str,
    ]:
        return _CURRENT_CHUNKS

    async def iter_current_chunks(self, batch_size: int = 256) -> AsyncIterator[list[ChunkRow]]:
        stmt = self._current_chunks().order_by(Chunk.id).execution_options(yield_per=batch_size)
        result = await self.session.stream(stmt)
        async for partition in result.partitions(batch_size):
            yield [ChunkRow(*row) for row in partition]

    async def count_current_chunks(self, book_id: str | None = None) -> int:
        stmt = (
            select(func.count())
            .select_from(Chunk)
            .join(Document, and_(Document.id == Chunk.document_id, Document.version == Chunk.version))
        )
        if book_id:
            stmt = stmt.where(Chunk.book_id == book_id)
        return int(await self.session.scalar(stmt) or 0)

    async def chunks_of_document(self, document_id: uuid.UUID) -> list[ChunkRow]:
        stmt = self._current_chunks().where(Chunk.document_id == document_id).order_by(Chunk.position)
        return [ChunkRow(*row) for row in (await self.session.execute(stmt)).all()]
