"""Application errors with stable codes; the API renders them in one envelope."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code: str = "internal_error"
    status_code: int = 500

    def __init__(
        self, message: str, *, details: Any = None, code: str | None = None, status_code: int | None = None
    ) -> None:
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


class MessageNotFound(NotFound):
    code = "message_not_found"


class MessageAlreadyExists(Conflict):
    code = "message_exists"


class InvalidCursor(BadRequest):
    """A pagination cursor that was not issued by this server (422 validation_error)."""


class ReservedThreadId(BadRequest):
    code = "reserved_thread_id"


class RunNotRunning(Conflict):
    code = "run_not_running"


class Unauthorized(AppError):
    code = "unauthorized"
    status_code = 401


class InvalidToken(Unauthorized):
    code = "invalid_token"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"


class EmailTaken(Conflict):
    code = "email_taken"


class Forbidden(AppError):
    code = "forbidden"
    status_code = 403


class AdminRequired(Forbidden):
    code = "admin_required"


class PayloadTooLarge(AppError):
    code = "payload_too_large"
    status_code = 413


class JobNotFound(NotFound):
    code = "job_not_found"


class WidgetNotBuilt(AppError):
    code = "widget_not_built"
    status_code = 503


class TranslationUnavailable(ServiceUnavailable):
    """No stored human translation, and no language model to translate (or its output failed checks)."""

    code = "translation_unavailable"


class QuizNotFound(NotFound):
    code = "quiz_not_found"


class QuizFinished(Conflict):
    code = "quiz_finished"


class QuestionAlreadyAnswered(Conflict):
    code = "question_already_answered"


class NoMoreHints(Conflict):
    code = "no_more_hints"


class NotSelfAssessable(Conflict):
    """Only an answer the offline grader was unsure about can be marked by the learner."""

    code = "not_self_assessable"


class QuizUnavailable(BadRequest):
    code = "quiz_unavailable"
