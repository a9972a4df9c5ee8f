"""Application errors with stable codes; the API renders them in one envelope."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code: str = "internal_error"
    status_code: int = 500

    def __init__(self, message: str, *, details: Any = None, code: str | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class NotFound(AppError):
    code = "not_found"
    status_code = 404


class BookNotFound(NotFound):
    code = "book_not_found"


class ChapterNotFound(NotFound):
    code = "chapter_not_found"


class LanguageNotFound(NotFound):
    code = "language_not_available"


class BadRequest(AppError):
    code = "validation_error"
    status_code = 422


class ServiceUnavailable(AppError):
    code = "service_unavailable"
    status_code = 503


class DatabaseUnavailableError(ServiceUnavailable):
    code = "database_unavailable"


class IndexMismatchError(AppError):
    code = "index_mismatch"
    status_code = 503


class ThreadNotFound(NotFound):
    code = "thread_not_found"


class RunNotFound(NotFound):
    code = "run_not_found"


class Conflict(AppError):
    code = "conflict"
    status_code = 409


class RunInProgress(Conflict):
    code = "run_in_progress"


class RunAlreadyExists(Conflict):
    code = "run_exists"


class MessageAlreadyExists(Conflict):
    code = "message_exists"


class InvalidCursor(BadRequest):
    """A pagination cursor that was not issued by this server (422 validation_error)."""


class RunNotRunning(Conflict):
    code = "run_not_running"
