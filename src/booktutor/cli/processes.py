"""Process commands: `db upgrade`, `serve` and `worker`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from booktutor.cli.app import app, db_app
from booktutor.cli.common import cli_settings, console
from booktutor.cli.remote import remove_server_file, write_server_file
from booktutor.config import get_settings
from booktutor.log_config import configure_logging


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations."""
    from booktutor.memory.database import Database
    from booktutor.memory.migrate import upgrade_to_head

    async def run() -> None:
        settings = cli_settings()
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
    host, port = host or settings.host, port or settings.port
    console.print(f"serving on http://{host}:{port} ({processes} process(es))")
    announced = write_server_file(settings, host, port)  # `search`/`ask` on this data dir come here
    try:
        uvicorn.run(
            "booktutor.api.app:create_default_app",
            factory=True,
            host=host,
            port=port,
            workers=processes if processes > 1 else None,
            **uvicorn_options(),
        )
    finally:
        remove_server_file(announced)


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
