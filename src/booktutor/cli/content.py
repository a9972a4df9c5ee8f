"""Content commands: `ingest`, `reindex` and `books`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from booktutor.cli.app import app
from booktutor.cli.common import (
    SAMPLE_BOOK_ID,
    SAMPLE_BOOK_TITLE,
    cli_settings,
    console,
    fail,
    out,
    run_async,
    sample_book_path,
    with_services,
)


class RichIngestProgress:
    """Files and chunks done, with chunks per second."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.files = progress.add_task("files", total=None, rate="")
        self.chunks = progress.add_task("chunks", total=None, rate="")

    def start(self, files: int, chunks: int) -> None:
        self.progress.update(self.files, total=files)
        self.progress.update(self.chunks, total=chunks)

    def advance(self, files: int = 0, chunks: int = 0) -> None:
        self.progress.advance(self.files, files)
        self.progress.advance(self.chunks, chunks)


class _RateProgress(Progress):
    """A progress display that shows each task's throughput (files/s, chunks/s)."""

    def get_renderables(self):
        for task in self.tasks:
            task.fields["rate"] = f"{task.speed or 0.0:6.1f} {task.description}/s"
        yield from super().get_renderables()


def _rate_progress() -> _RateProgress:
    return _RateProgress(
        TextColumn("[bold]{task.description:>6}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[cyan]{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
    )


@app.command()
def ingest(
    path: Annotated[Path | None, typer.Argument(help="Docusaurus site root or folder of .md/.mdx")] = None,
    book_id: Annotated[str | None, typer.Option("--book-id", help="Book id (default: folder name)")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Book title")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change")] = False,
    sample: Annotated[bool, typer.Option("--sample", help="Ingest the bundled sample book")] = False,
) -> None:
    """Ingest a book incrementally: unchanged chapters are skipped, removed ones deleted."""
    if sample:
        path, book_id, title = sample_book_path(), book_id or SAMPLE_BOOK_ID, title or SAMPLE_BOOK_TITLE
    if path is None:
        raise fail("give a PATH or --sample")
    if not path.is_dir():
        raise fail(f"{path} is not a directory" if path.exists() else f"{path} does not exist")
    report = run_async(with_services(cli_settings(), lambda s: _ingest(s, path, book_id, title, dry_run)))
    _print_ingest_report(report)
    if report.documents_ok == 0:
        raise typer.Exit(1)


async def _ingest(services, path, book_id, title, dry_run):
    from booktutor.ingest.pipeline import Ingestor
    from booktutor.ingest.reindex import reindex
    from booktutor.memory.books import BookRepository
    from booktutor.tutoring.authored import store_authored_questions

    with _rate_progress() as progress:
        sink = RichIngestProgress(progress)
        ingestor = Ingestor(
            services.db, services.store, services.embedder, sink, on_published=[store_authored_questions]
        )
        report = await ingestor.ingest(path, book_id=book_id, title=title, dry_run=dry_run)
        if not dry_run:
            async with services.db.session() as session:
                expected = await BookRepository(session).count_current_chunks()
            if await services.store.count() != expected:
                console.print("vector index out of step with the database: rebuilding it")
                await reindex(services.db, services.store, services.embedder, sink)
    return report


def _print_ingest_report(report) -> None:
    for problem in report.problems:
        console.print(
            f"[yellow]skipped[/] {problem.language}:{problem.source_path}: {problem.reason} — {problem.message}"
        )
    verb = "would write" if report.dry_run else "wrote"
    console.print(
        f"[bold]{report.book_id}[/]: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(report.problems)} skipped; {verb} {report.chunks_written} chunks"
        + (f" in {report.seconds:.1f}s ({report.chunks_per_second:.0f} chunks/s)" if report.seconds else "")
    )
    if report.sentence_vectors_refreshed:
        console.print(
            f"refreshed the sentence vectors of {report.sentence_vectors_refreshed} unchanged chunks "
            "(split by an older quotable_texts)"
        )


@app.command("reindex")
def reindex_command() -> None:
    """Rebuild the vector index from Postgres (e.g. after changing the embedding model)."""
    from booktutor.ingest.reindex import reindex

    async def run(services):
        with _rate_progress() as progress:
            sink = RichIngestProgress(progress)
            return await reindex(services.db, services.store, services.embedder, sink)

    count = run_async(with_services(cli_settings(), run))
    console.print(f"reindexed {count} chunks")


@app.command()
def books(
    as_json: Annotated[bool, typer.Option("--json", help="Print the books as JSON (the API's shape)")] = False,
) -> None:
    """List the ingested books."""
    from booktutor.api.lookups import book_listing
    from booktutor.memory.books import BookRepository

    async def run(services):
        async with services.db.session() as session:
            return await book_listing(BookRepository(session))

    listing = run_async(with_services(cli_settings(), run))
    if as_json:
        sys.stdout.write(listing.model_dump_json(indent=2) + "\n")
        return
    table = Table("id", "title", "languages", "chapters")
    for book in listing.books:
        table.add_row(book.id, book.title, ",".join(book.languages), str(book.chapter_count))
    out.print(table)
