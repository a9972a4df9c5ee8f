"""Incremental, atomic ingestion of a book into Postgres (source of truth) and the vector store.

A changed chapter is written as a new chunk version next to the old one; one UPDATE then
switches readers to it, and only afterwards is the old version deleted. A crash at any point
leaves the previous version readable, and the next run cleans up and finishes the job.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.ingest.discover import discover_book
from booktutor.ingest.models import FileProblem, ParsedDocument
from booktutor.ingest.parse import parse_book
from booktutor.ingest.sentence_vectors import backfill_sentence_vectors
from booktutor.markdown.urls import chapter_key
from booktutor.memory.books import BookRepository
from booktutor.memory.database import Database
from booktutor.providers.embeddings import Embedder
from booktutor.retrieval import lexeme_stats
from booktutor.retrieval.types import VectorRecord
from booktutor.retrieval.vector_store import VectorStore

EMBED_GROUP_CHUNKS = 256


class IngestProgress(Protocol):
    def start(self, files: int, chunks: int) -> None: ...

    def advance(self, files: int = 0, chunks: int = 0) -> None: ...


class DocumentPublished(Protocol):
    """Runs in the transaction that publishes a document's new version, so what it stores (a
    chapter's authored quiz questions, say) changes together with the chapter."""

    async def __call__(self, session: AsyncSession, document_id: uuid.UUID, doc: ParsedDocument) -> object: ...


class _NoProgress:
    def start(self, files: int, chunks: int) -> None:
        pass

    def advance(self, files: int = 0, chunks: int = 0) -> None:
        pass


@dataclass
class IngestReport:
    book_id: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    chunks_written: int = 0
    sentence_vectors_refreshed: int = 0  # unchanged chunks whose vectors an older `quotable_texts` split
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def documents_ok(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds else 0.0


def embedding_text(heading_path: Sequence[str], text: str) -> str:
    """What the dense encoder sees: the heading trail, then the chunk."""
    return " › ".join(heading_path) + "\n\n" + text


def default_book_id(root: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-") or "book"


class Ingestor:
    def __init__(
        self,
        db: Database,
        store: VectorStore,
        embedder: Embedder,
        progress: IngestProgress | None = None,
        *,
        on_published: Sequence[DocumentPublished] = (),
    ) -> None:
        self.db = db
        self.store = store
        self.embedder = embedder
        self.progress = progress or _NoProgress()
        self.on_published = list(on_published)

    async def ingest(
        self,
        root: Path,
        *,
        book_id: str | None = None,
        title: str | None = None,
        dry_run: bool = False,
    ) -> IngestReport:
        started = time.perf_counter()
        source = await asyncio.to_thread(discover_book, root)  # file reads: off the event loop
        book_id = book_id or default_book_id(root)
        parsed, problems = await asyncio.to_thread(parse_book, source)
        report = IngestReport(book_id=book_id, problems=problems, dry_run=dry_run)

        async with self.db.session() as session:
            states = {(s.source_path, s.language): s for s in await BookRepository(session).document_states(book_id)}
        changed = [d for d in parsed if _is_changed(d, states)]
        report.unchanged = [_label(d) for d in parsed if d not in changed]
        seen = {(d.source_path, d.language) for d in parsed} | {(p.source_path, p.language) for p in problems}
        removed = [s for key, s in states.items() if key not in seen]
        if dry_run:
            _fill_dry_run(report, changed, removed, states)
            return report

        await self.store.ensure_collection(self.embedder.model_name, self.embedder.dimension)
        resolved_root = await asyncio.to_thread(root.resolve)
        async with self.db.session() as session, session.begin():
            await BookRepository(session).upsert_book(
                book_id, title or source.title, source.default_language, str(resolved_root)
            )
        await self._collect_garbage(book_id)
        sort_keys = await asyncio.to_thread(lambda: source.sort_keys)  # reads every file's front matter
        folder_labels = await asyncio.to_thread(lambda: source.folder_labels)
        self.progress.start(len(changed), sum(len(d.chunks) for d in changed))
        for group in _groups_by_chunk_count(changed, EMBED_GROUP_CHUNKS):
            await self._write_group(book_id, group, sort_keys, states, report)
        await self._remove(book_id, removed, report)
        async with self.db.session() as session, session.begin():
            permalinks = {(d.source_path, d.language): d.slug for d in parsed}
            await BookRepository(session).refresh_permalinks(book_id, permalinks)
            await BookRepository(session).refresh_sort_keys(book_id, sort_keys)
            await BookRepository(session).set_folder_labels(book_id, folder_labels)
        if changed or removed:  # the book's lexeme counts steer its searches (rare words): count them anew
            lexeme_stats.forget(book_id)
        fill = await backfill_sentence_vectors(self.db, self.embedder, book_id=book_id)
        report.sentence_vectors_refreshed = fill.refreshed
        report.seconds = time.perf_counter() - started
        return report

    async def _write_group(self, book_id, group, sort_keys, states, report) -> None:
        texts = [embedding_text(c.heading_path, c.text) for doc in group for c in doc.chunks]
        vectors = await self.embedder.embed_documents(texts) if texts else []
        offset = 0
        for doc in group:
            doc_vectors = vectors[offset : offset + len(doc.chunks)]
            offset += len(doc.chunks)
            await self._write_document(book_id, doc, doc_vectors, sort_keys.get(doc.source_path, ""))
            is_new = (doc.source_path, doc.language) not in states
            (report.added if is_new else report.updated).append(_label(doc))
            report.chunks_written += len(doc.chunks)
            self.progress.advance(files=1, chunks=len(doc.chunks))

    async def _write_document(
        self, book_id: str, doc: ParsedDocument, vectors: list[list[float]], sort_key: str
    ) -> None:
        async with self.db.session() as session, session.begin():
            repo = BookRepository(session)
            chapter = await repo.ensure_chapter(book_id, doc.source_path, chapter_key(doc.source_path), sort_key)
            document = await repo.ensure_document(chapter, doc)
            document_id, new_version = document.id, document.version + 1
            chunk_ids = await repo.insert_chunks(document, new_version, doc.chunks, doc.title)
        await self.store.upsert(
            [
                VectorRecord(
                    chunk_id=cid,
                    vector=vec,
                    book_id=book_id,
                    language=doc.language,
                    document_id=document_id,
                    doc_path=doc.source_path,
                    version=new_version,
                    purpose=chunk.purpose,
                )
                for cid, vec, chunk in zip(chunk_ids, vectors, doc.chunks, strict=True)
            ]
        )
        async with self.db.session() as session, session.begin():
            await BookRepository(session).publish_document(document_id, new_version, doc, len(chunk_ids))
            for hook in self.on_published:
                await hook(session, document_id, doc)
        await self._delete_stale_chunks(document_id, new_version)

    async def _delete_stale_chunks(self, document_id: uuid.UUID, current_version: int) -> None:
        async with self.db.session() as session, session.begin():
            repo = BookRepository(session)
            stale = await repo.stale_chunk_ids(document_id, current_version)
            if stale:
                await self.store.delete_chunks(stale)
                await repo.delete_chunks(stale)

    async def _collect_garbage(self, book_id: str) -> None:
        """Finish what an interrupted run left: chunk versions that readers do not see."""
        async with self.db.session() as session:
            leftovers = await BookRepository(session).documents_with_stale_chunks(book_id)
        for document_id, version in leftovers:
            await self._delete_stale_chunks(document_id, version)

    async def _remove(self, book_id: str, removed, report: IngestReport) -> None:
        if not removed:
            return
        await self.store.delete_documents([s.id for s in removed])
        async with self.db.session() as session, session.begin():
            repo = BookRepository(session)
            for state in removed:
                await repo.delete_document(state.id)
            await repo.delete_empty_chapters(book_id)
        report.removed = [f"{s.language}:{s.source_path}" for s in removed]


def _label(doc: ParsedDocument) -> str:
    return f"{doc.language}:{doc.source_path}"


def _is_changed(doc: ParsedDocument, states: dict) -> bool:
    state = states.get((doc.source_path, doc.language))
    return state is None or state.version == 0 or state.content_hash != doc.content_hash


def _fill_dry_run(report: IngestReport, changed, removed, states) -> None:
    for doc in changed:
        is_new = (doc.source_path, doc.language) not in states
        (report.added if is_new else report.updated).append(_label(doc))
        report.chunks_written += len(doc.chunks)
    report.removed = [f"{s.language}:{s.source_path}" for s in removed]


def _groups_by_chunk_count(docs: list[ParsedDocument], size: int) -> list[list[ParsedDocument]]:
    groups: list[list[ParsedDocument]] = [[]]
    count = 0
    for doc in docs:
        if groups[-1] and count + len(doc.chunks) > size:
            groups.append([])
            count = 0
        groups[-1].append(doc)
        count += len(doc.chunks)
    return [g for g in groups if g]
