"""What every `booktutor` command shares: the consoles, one-line errors and exit codes, settings, services.

Exit codes: 0 ok, 1 failure (a service down, a failed eval gate, a missing extra), 2 bad input (unknown book,
empty question, missing path, malformed dataset). A user error prints one line, never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from booktutor.config import Settings, get_settings
from booktutor.errors import AppError, BadRequest, NotFound
from booktutor.log_config import configure_logging

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


def cli_settings() -> Settings:
    settings = get_settings()
    configure_logging("WARNING", settings.log_json)
    return settings


async def with_services(settings: Settings, fn: Callable[[Any], Awaitable[T]]) -> T:
    from booktutor.services import build_services

    services = await build_services(settings)
    try:
        return await fn(services)
    finally:
        await services.close()
