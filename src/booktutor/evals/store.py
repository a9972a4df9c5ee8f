"""An isolated store for one eval run: its own data dir and database.

Without a server (embedded Postgres), the data dir lives under the eval's --out folder, keyed by
the corpus hash, so an unchanged corpus reuses its index and the incremental ingest skips unchanged
documents. With BOOKTUTOR_DATABASE_URL set, the run gets a database of its own on that server,
`booktutor_eval_<corpus hash>_<run id>`, and a data dir to match; both are dropped when the run
ends, so parallel runs over the same corpus (CI jobs, test sessions) never share or drop each
other's store.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from booktutor.config import Settings
from booktutor.ingest.pipeline import Ingestor, IngestReport
from booktutor.ingest.reindex import reindex
from booktutor.memory.books import BookRepository
from booktutor.memory.database import drop_database, ensure_database_exists, to_asyncpg_url
from booktutor.services import Services, build_services
from booktutor.tutoring.authored import store_authored_questions

SectionTexts = dict[tuple[str, str], str]


def corpus_hash(root: Path) -> str:
    """sha256 over every file's relative path and bytes (hidden files and folders skipped)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def eval_settings(out: Path, key: str, server_url: str | None, run_id: str = "") -> Settings:
    """Settings of the eval store; with a server, the database and data dir carry the run id."""
    name = f"{key}_{run_id}" if run_id else key
    database_url = None
    if server_url:
        database_url = to_asyncpg_url(server_url).set(database=f"booktutor_eval_{name}").render_as_string(False)
    return Settings(data_dir=out / "store" / name, database_url=database_url)


async def ensure_database(settings: Settings) -> None:
    if settings.database_url:
        url = to_asyncpg_url(settings.database_url)
        await ensure_database_exists(url.set(database="postgres"), url.database or "")


async def drop_run_store(settings: Settings) -> None:
    """Drop the run's database on the server and its data dir."""
    if settings.database_url:
        url = to_asyncpg_url(settings.database_url)
        await drop_database(url.set(database="postgres"), url.database or "")
    shutil.rmtree(settings.data_dir, ignore_errors=True)


async def ingest_corpus(services: Services, corpus: Path, book_id: str) -> IngestReport:
    """Incremental ingest; rebuild the vector index if it is out of step with the database."""
    ingestor = Ingestor(services.db, services.store, services.embedder, on_published=[store_authored_questions])
    report = await ingestor.ingest(corpus, book_id=book_id)
    async with services.db.session() as session:
        expected = await BookRepository(session).count_current_chunks()
    if await services.store.count() != expected:
        await reindex(services.db, services.store, services.embedder)
    return report


async def section_texts(services: Services) -> SectionTexts:
    """Text of every section, keyed by (doc_path, anchor), all languages joined."""
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    async with services.db.session() as session:
        async for rows in BookRepository(session).iter_current_chunks():
            for row in rows:
                anchors = dict.fromkeys([row.anchor, *(str(s["anchor"]) for s in row.sections)])
                for anchor in anchors:  # a chunk joining short sections is cited by each of them
                    texts[(row.doc_path, anchor)].append(row.text)
    return {key: "\n\n".join(parts) for key, parts in texts.items()}


@asynccontextmanager
async def open_eval_store(
    corpus: Path, out: Path, book_id: str, server_url: str | None, run_id: str | None = None
) -> AsyncIterator[tuple[Services, IngestReport]]:
    """Services over the corpus's own store, ingested and ready; `server_url` None = embedded.

    With a server the store belongs to this run (`run_id`, random by default) and is dropped after."""
    key = corpus_hash(corpus)[:16]
    run = (run_id or uuid.uuid4().hex[:8]) if server_url else ""
    settings = eval_settings(out, key, server_url, run)
    await ensure_database(settings)
    try:
        services = await build_services(settings)
        try:
            report = await ingest_corpus(services, corpus, book_id)
            yield services, report
        finally:
            await services.close()
    finally:
        if server_url:
            await drop_run_store(settings)
