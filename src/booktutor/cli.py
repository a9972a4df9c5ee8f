"""The `booktutor` command line.

Exit codes: 0 ok, 1 failure (a service down, a failed eval gate), 2 bad input (unknown book,
empty question, missing path, malformed dataset). A user error prints one line, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from booktutor.config import Settings, get_settings
from booktutor.errors import AppError, BadRequest, NotFound
from booktutor.log_config import configure_logging

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(help="booktutor: a conversational tutor for interactive textbooks.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True)
out = Console()

T = TypeVar("T")
EXIT_FAILURE, EXIT_BAD_INPUT = 1, 2

SAMPLE_BOOK_ID = "physical-ai-short-course"
SAMPLE_BOOK_TITLE = "Physical AI & Humanoid Robotics — a short course"


def booktutor_version() -> str:
    try:
        return package_version("booktutor")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"booktutor {booktutor_version()}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """booktutor: a conversational tutor for interactive textbooks."""
    _exit_cleanly_on_sigterm()


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM ends a command like Ctrl-C does, through its cleanup: the embedded database it
    started is stopped (by default SIGTERM kills the process and no exit handler runs)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print one error line to stderr; raise the returned Exit."""
    console.print(f"[red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's work: a user error (unknown book, bad input) exits 2, a service failure 1, in one line."""
    from booktutor.memory.database import is_database_unavailable

    try:
        return asyncio.run(coro)
    except (NotFound, BadRequest) as exc:
        raise fail(str(exc)) from None
    except AppError as exc:
        raise fail(f"{exc} ({exc.code})", EXIT_FAILURE) from None
    except Exception as exc:
        if is_database_unavailable(exc):
            raise fail(f"the database is unavailable: {exc}", EXIT_FAILURE) from None
        raise


def require_text(value: str, what: str) -> str:
    if not value.strip():
        raise fail(f"the {what} is empty")
    return value


async def require_book_id(services: Any, book_id: str | None) -> None:
    """Raise BookNotFound for an unknown --book-id (None: any book)."""
    from booktutor.api.lookups import require_book
    from booktutor.memory.books import BookRepository

    if book_id is not None:
        async with services.db.session() as session:
            await require_book(BookRepository(session), book_id)


def sample_book_path() -> Path:
    return Path(str(files("booktutor") / "sample_book"))


def _settings() -> Settings:
    settings = get_settings()
    configure_logging("WARNING", settings.log_json)
    return settings


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


async def _with_services(settings: Settings, fn):
    from booktutor.services import build_services

    services = await build_services(settings)
    try:
        return await fn(services)
    finally:
        await services.close()


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
    report = run_async(_with_services(_settings(), lambda s: _ingest(s, path, book_id, title, dry_run)))
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


@app.command("reindex")
def reindex_command() -> None:
    """Rebuild the vector index from Postgres (e.g. after changing the embedding model)."""
    from booktutor.ingest.reindex import reindex

    async def run(services):
        with _rate_progress() as progress:
            sink = RichIngestProgress(progress)
            return await reindex(services.db, services.store, services.embedder, sink)

    count = run_async(_with_services(_settings(), run))
    console.print(f"reindexed {count} chunks")


@app.command()
def books(
    as_json: Annotated[bool, typer.Option("--json", help="Print the books as JSON (the API's shape)")] = False,
) -> None:
    """List the ingested books."""
    from booktutor.api.schemas import BookList, BookOut
    from booktutor.memory.books import BookRepository

    async def run(services):
        async with services.db.session() as session:
            repo = BookRepository(session)
            return BookList(
                books=[
                    BookOut(
                        id=b.id,
                        title=b.title,
                        default_language=b.default_language,
                        languages=await repo.book_languages(b.id),
                        chapter_count=await repo.chapter_count(b.id),
                    )
                    for b in await repo.list_books()
                ]
            )

    listing = run_async(_with_services(_settings(), run))
    if as_json:
        sys.stdout.write(listing.model_dump_json(indent=2) + "\n")
        return
    table = Table("id", "title", "languages", "chapters")
    for book in listing.books:
        table.add_row(book.id, book.title, ",".join(book.languages), str(book.chapter_count))
    out.print(table)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for")],
    book_id: Annotated[str | None, typer.Option("--book-id")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50)] = 5,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON")] = False,
) -> None:
    """Hybrid search over the ingested books."""
    from booktutor.api.schemas import SearchResponse
    from booktutor.retrieval.search import SearchQuery

    require_text(query, "query")

    async def run(services):
        await require_book_id(services, book_id)
        await services.check_index()
        return await services.searcher.search(SearchQuery(text=query, k=k, book_id=book_id, language=lang))

    result = run_async(_with_services(_settings(), run))
    if as_json:
        response = SearchResponse(
            query=query,
            book_id=book_id,
            language=lang,
            degraded=result.degraded,
            reranked=result.reranked,
            hits=result.hits,
        )
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    if result.degraded:
        console.print("[yellow]vector store unavailable: full-text results only[/]")
    for rank, hit in enumerate(result.hits, start=1):
        out.print(f"[bold]{rank}.[/] {hit.chapter_title} › {hit.heading}  [dim]{hit.doc_path} {hit.score:.4f}[/]")
        out.print(f"   {hit.anchor_url}\n   {hit.snippet}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question about the book")],
    book_id: Annotated[str | None, typer.Option("--book-id")] = None,
    thread_id: Annotated[str | None, typer.Option("--thread", help="Continue this conversation")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer and citations as JSON")] = False,
) -> None:
    """Ask the tutor one question; the answer streams with its citations (same graph as the API)."""
    require_text(question, "question")
    result = run_async(_with_services(_settings(), lambda s: _ask(s, question, book_id, thread_id, as_json)))
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    for citation in result["citations"]:
        out.print(
            f"[dim][{citation['n']}] {citation['chapter_title']} › {citation['heading']} {citation['anchor_url']}[/]"
        )
    console.print(f"[dim]thread {result['thread_id']} · route {result['route']}[/]")
    if result.get("error"):
        raise typer.Exit(1)


async def _ask(services, question: str, book_id: str | None, thread_id: str | None, as_json: bool) -> dict:
    import uuid

    from ag_ui.core import RunAgentInput, RunErrorEvent, StateSnapshotEvent, TextMessageContentEvent, UserMessage

    from booktutor.graph.factory import build_chat_service

    await require_book_id(services, book_id)
    chat = await build_chat_service(services)
    try:
        user = await _cli_user(services)
        request = RunAgentInput(
            thread_id=thread_id or f"cli-{uuid.uuid4().hex[:12]}",
            run_id=f"run-{uuid.uuid4().hex[:12]}",
            messages=[UserMessage(id=f"msg-{uuid.uuid4().hex}", role="user", content=question)],
            forwarded_props={"book_id": book_id} if book_id else {},
        )
        await chat.prepare(request, user)
        result: dict = {
            "thread_id": request.thread_id,
            "run_id": request.run_id,
            "answer": "",
            "citations": [],
            "abstained": False,
            "route": None,
        }
        async for event in chat.stream(request, user):
            if isinstance(event, TextMessageContentEvent):
                result["answer"] += event.delta
                if not as_json:
                    out.print(event.delta, end="", markup=False, highlight=False)
            elif isinstance(event, StateSnapshotEvent):
                result.update({k: event.snapshot.get(k) for k in ("route", "citations", "abstained")})
            elif isinstance(event, RunErrorEvent):
                result["error"] = {"code": event.code, "message": event.message}
        if not as_json:
            out.print()
        return result
    finally:
        await chat.close()


async def _cli_user(services):
    """The terminal's own guest identity, kept in the data dir so `--thread` finds its history."""
    import uuid

    from booktutor.memory.users import UserRepository

    path = services.settings.data_dir / "cli_user"
    async with services.db.session() as session, session.begin():
        users = UserRepository(session)
        if path.exists():
            user = await users.get(uuid.UUID(path.read_text().strip()))
            if user:
                return user
        user = await users.create_guest()
    path.write_text(str(user.id))
    return user


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations."""
    from booktutor.memory.database import Database
    from booktutor.memory.migrate import upgrade_to_head

    async def run() -> None:
        settings = _settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = await Database.connect(settings)
        try:
            await upgrade_to_head(db.url)
        finally:
            await db.dispose()

    asyncio.run(run())
    console.print("database is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="API processes; needs PostgreSQL, Qdrant and Redis servers.")
    ] = 1,
) -> None:
    """Serve the API (and the widget demo) with uvicorn."""
    import uvicorn

    from booktutor.api.serving import process_count, uvicorn_options

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    processes, why_one = process_count(settings, workers)
    if why_one:
        console.print(f"[yellow]{why_one}[/yellow]")
    console.print(f"serving on http://{host or settings.host}:{port or settings.port} ({processes} process(es))")
    uvicorn.run(
        "booktutor.api.app:create_default_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=processes if processes > 1 else None,
        **uvicorn_options(),
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run the jobs waiting now, then exit.")] = False,
) -> None:
    """Run background jobs (book ingestion, reindex, pre-generation) until stopped (Ctrl-C, SIGTERM).

    The API runs a worker of its own unless BOOKTUTOR_JOB_WORKER_IN_PROCESS=false; run this when
    jobs should have processes of their own."""
    from booktutor.jobs.worker import run_standalone_worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(run_standalone_worker(settings, wait=not once))


from booktutor.evals.cli import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")

if __name__ == "__main__":
    app()
