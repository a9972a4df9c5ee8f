"""Ingestion against real Postgres, a real Qdrant engine and the real MiniLM encoder."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booktutor.ingest.pipeline import Ingestor
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import SectionPiece
from booktutor.memory.books import BookRepository
from booktutor.memory.database import raw_connection
from booktutor.memory.models import Chunk, Document
from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.vector_store import VectorStoreUnavailable
from booktutor.tutoring.authored import store_authored_questions

pytestmark = pytest.mark.integration


async def _chunk_ids(db) -> set:
    async with db.session() as session:
        return set((await session.scalars(select(Chunk.id))).all())


async def _documents(db) -> dict[tuple[str, str], Document]:
    async with db.session() as session:
        docs = (await session.scalars(select(Document))).all()
        return {(d.language, d.source_path): d for d in docs}


async def test_round_trip_stores_chapters_chunks_and_vectors(ingestor, services, book_copy):
    report = await ingestor.ingest(book_copy, book_id="mini", title="Mini")

    assert sorted(report.added) == [
        "en:basics/batteries.mdx",
        "en:basics/gears.md",
        "en:intro.md",
        "ur:intro.md",
    ]
    assert report.problems == []
    chunk_ids = await _chunk_ids(services.db)
    assert len(chunk_ids) == report.chunks_written > 0
    assert await services.store.count() == len(chunk_ids)
    async with services.db.session() as session:
        repo = BookRepository(session)
        chapters = await repo.list_chapters("mini")
        assert [c.source_path for c in chapters] == ["intro.md", "basics/gears.md", "basics/batteries.mdx"]
        intro = chapters[0]
        assert sorted(d.language for d in intro.documents) == ["en", "ur"]
        gears_doc = next(d for d in chapters[1].documents)
        assert gears_doc.title == "Gears and torque"
        assert gears_doc.front_matter["tags"] == ["mechanics"]
        rows = await repo.chunks_of_document(gears_doc.id)
    anchors = {r.anchor for r in rows}
    assert "backlash" in anchors and anchors <= {"", "gear-ratio", "backlash", "key-terms"}
    assert any("## Gear ratio" in r.text for r in rows), "short sections merge, headings stay searchable"
    assert all("gears-ratio" not in r.text for r in rows), "quiz answers must not be retrievable"
    batteries = (await _documents(services.db))[("en", "basics/batteries.mdx")]
    assert "import Tabs" not in " ".join(r.text for r in rows)
    assert batteries.version == 1
    async with raw_connection(services.db) as conn:
        wanted = [(gears_doc.id, "backlash"), (gears_doc.id, ""), (gears_doc.id, "no-such-anchor")]
        sections = await chunk_reads.section_chunks(conn, wanted)
    assert sections == {
        (gears_doc.id, anchor): [SectionPiece(r.id, r.text, len(r.sections)) for r in rows if r.anchor == anchor]
        for anchor in ("backlash", "")
        if anchor in anchors
    }, "a section's chunks in book order, as the document's chunks list them"


async def test_reingest_unchanged_skips_everything(ingestor, services, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    before = await _chunk_ids(services.db)

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.added == report.updated == report.removed == []
    assert len(report.unchanged) == 4
    assert report.chunks_written == 0
    assert await _chunk_ids(services.db) == before


async def test_changed_document_replaces_its_chunks_everywhere(ingestor, services, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    docs = await _documents(services.db)
    gears_id = docs[("en", "basics/gears.md")].id
    async with services.db.session() as session:
        old_ids = {r.id for r in await BookRepository(session).chunks_of_document(gears_id)}
    gears = book_copy / "docs/basics/gears.md"
    edited = gears.read_text().replace("Backlash is the small gap", "Backlash, also called lash, is the small gap")
    gears.write_text(edited)

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.updated == ["en:basics/gears.md"]
    remaining = await _chunk_ids(services.db)
    assert not (old_ids & remaining)
    assert await services.store.count() == len(remaining)
    assert (await _documents(services.db))[("en", "basics/gears.md")].version == 2
    result = await services.searcher.search(SearchQuery(text="also called lash", book_id="mini", k=3))
    assert "also called lash" in result.hits[0].text


async def test_removed_document_is_deleted_from_both_stores(ingestor, services, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    (book_copy / "docs/basics/batteries.mdx").unlink()

    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.removed == ["en:basics/batteries.mdx"]
    assert ("en", "basics/batteries.mdx") not in await _documents(services.db)
    assert await services.store.count() == len(await _chunk_ids(services.db))
    async with services.db.session() as session:
        assert await BookRepository(session).get_chapter("mini", "basics-batteries") is None


class _FailingStore:
    """Wraps a real store; fails the upsert of one document to simulate a crash mid-ingest."""

    def __init__(self, inner, fail_doc_path: str) -> None:
        self.inner = inner
        self.fail_doc_path = fail_doc_path

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def upsert(self, records):
        if any(r.doc_path == self.fail_doc_path for r in records):
            raise VectorStoreUnavailable("simulated crash")
        await self.inner.upsert(records)


async def test_crash_mid_ingest_keeps_previous_version_and_next_run_finishes(services, book_copy):
    await Ingestor(services.db, services.store, services.embedder, on_published=[store_authored_questions]).ingest(
        book_copy, book_id="mini"
    )
    gears = book_copy / "docs/basics/gears.md"
    original = (await _documents(services.db))[("en", "basics/gears.md")]
    gears.write_text(gears.read_text().replace("GX-40", "GX-41"))

    failing = Ingestor(
        services.db,
        _FailingStore(services.store, "basics/gears.md"),
        services.embedder,
        on_published=[store_authored_questions],
    )
    with pytest.raises(VectorStoreUnavailable):
        await failing.ingest(book_copy, book_id="mini")

    after_crash = (await _documents(services.db))[("en", "basics/gears.md")]
    assert after_crash.version == original.version
    assert "GX-40" in after_crash.markdown
    result = await services.searcher.search(SearchQuery(text="GX-41 gearbox", book_id="mini", k=5))
    assert all("GX-41" not in h.text for h in result.hits), "readers must not see the half-written version"

    report = await Ingestor(
        services.db, services.store, services.embedder, on_published=[store_authored_questions]
    ).ingest(book_copy, book_id="mini")

    assert report.updated == ["en:basics/gears.md"]
    async with services.db.session() as session:
        stale = await BookRepository(session).documents_with_stale_chunks("mini")
        total = await session.scalar(select(func.count()).select_from(Chunk))
    assert stale == []
    assert await services.store.count() == total
    result = await services.searcher.search(SearchQuery(text="GX-41 gearbox", book_id="mini", k=3))
    assert "GX-41" in result.hits[0].text


async def test_bad_files_are_reported_and_skipped(ingestor, services, book_copy):
    docs = book_copy / "docs"
    (docs / "binary.md").write_bytes(b"\x00\x01\x02PNG")
    (docs / "latin1.md").write_bytes("Caf\xe9 robots".encode("latin-1"))
    (docs / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nBody text.\n")
    (docs / "empty.md").write_text("---\ntitle: Empty\n---\n\n")

    report = await ingestor.ingest(book_copy, book_id="mini")

    reasons = {p.source_path: p.reason for p in report.problems}
    assert reasons == {
        "binary.md": "binary",
        "latin1.md": "not_utf8",
        "broken.md": "invalid_front_matter",
        "empty.md": "empty",
    }
    assert len(report.added) == 4


async def test_dry_run_writes_nothing(ingestor, services, book_copy):
    report = await ingestor.ingest(book_copy, book_id="mini", dry_run=True)

    assert len(report.added) == 4 and report.chunks_written > 0
    assert await _chunk_ids(services.db) == set()
    assert await _documents(services.db) == {}


async def test_a_new_sidebar_reorders_unchanged_chapters(ingestor, services, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    async with services.db.session() as session:
        before = [c.source_path for c in await BookRepository(session).list_chapters("mini")]
    assert before.index("basics/gears.md") < before.index("basics/batteries.mdx")  # by sidebar_position

    (book_copy / "sidebars.js").write_text("module.exports = { main: ['basics/batteries', 'intro'] };\n")
    report = await ingestor.ingest(book_copy, book_id="mini")

    assert report.chunks_written == 0  # no chapter's text changed: only their order
    async with services.db.session() as session:
        after = [c.source_path for c in await BookRepository(session).list_chapters("mini")]
    assert after == ["basics/batteries.mdx", "intro.md", *[p for p in before if p not in after[:2]]]
