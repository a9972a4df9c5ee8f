"""One attempt at a job, as the queue's task runs it: status, progress, outcome on its row."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from procrastinate.exceptions import JobAborted

from booktutor.errors import AppError
from booktutor.jobs.handlers import HANDLERS, JobDeps, clean_up
from booktutor.jobs.progress import JobProgress
from booktutor.jobs.store import TERMINAL, JobStore

log = structlog.get_logger(__name__)
FLUSH_EVERY_S = 0.5


class PermanentJobError(Exception):
    """A job that cannot succeed by trying again (unknown kind, bad saved parameters)."""


def is_permanent(exc: BaseException) -> bool:
    """Client-side errors (a book path that is not a book, say) fail the same way every time."""
    return isinstance(exc, PermanentJobError) or (isinstance(exc, AppError) and exc.status_code < 500)


@contextmanager
def request_context(request_id: str | None):
    """Logs and outside calls of the job carry the id of the request that submitted it."""
    token = correlation_id.set(request_id) if request_id else None
    try:
        yield
    finally:
        if token is not None:
            correlation_id.reset(token)


class JobAttempt:
    def __init__(
        self,
        deps: JobDeps,
        job_id: uuid.UUID,
        attempt: int,
        max_attempts: int,
        cancelled_by_user: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = JobStore(deps.services.db)
        self.deps = deps
        self.job_id = job_id
        self.attempt = attempt
        self.max_attempts = max_attempts
        self.cancelled_by_user = cancelled_by_user
        self.progress = JobProgress()

    async def run(self) -> None:
        job = await self.store.get(self.job_id)
        if job is None or job.status in TERMINAL:
            log.info("job_skipped", job_id=str(self.job_id), status=job and job.status)
            return
        handler = HANDLERS.get(job.kind)
        if handler is None:
            await self._end(job.params, status="failed", error=f"unknown job kind {job.kind!r}")
            raise PermanentJobError(job.kind)
        with request_context(job.request_id):
            await self.store.set(self.job_id, status="running", attempts=self.attempt, error=None)
            await self._run(handler, job.params)

    async def _run(self, handler, params: dict[str, Any]) -> None:
        flusher = asyncio.create_task(self._flush_progress())
        try:
            result = await handler(self.deps, params, self.progress)
        except asyncio.CancelledError:
            if self.cancelled_by_user():
                await asyncio.shield(self._end(params, status="cancelled", error="cancelled by an administrator"))
                raise JobAborted() from None  # the queue then neither retries nor re-queues it
            await asyncio.shield(self._interrupted(params))
            raise
        except Exception as exc:
            await self._failed(params, exc)
            raise
        else:
            await self._end(params, status="succeeded", result=result)
        finally:
            flusher.cancel()

    async def _failed(self, params: dict[str, Any], exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_permanent(exc) or self.attempt >= self.max_attempts:
            log.exception("job_failed", job_id=str(self.job_id), attempt=self.attempt)
            await self._end(params, status="failed", error=error)
        else:
            log.warning("job_attempt_failed", job_id=str(self.job_id), attempt=self.attempt, error=error)
            await self.store.set(self.job_id, status="retrying", error=error, progress=self.progress.snapshot())

    async def _interrupted(self, params: dict[str, Any]) -> None:
        if self.attempt >= self.max_attempts:
            await self._end(params, status="failed", error="the worker stopped during the last attempt")
        else:
            await self.store.set(
                self.job_id,
                status="queued",
                progress=self.progress.snapshot(),
                error="the worker stopped while running the job; it will run again",
            )

    async def _end(self, params: dict[str, Any], **values: Any) -> None:
        await self.store.set(self.job_id, progress=self.progress.snapshot(), **values)
        await clean_up(params)

    async def _flush_progress(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            if self.progress.changed:
                await self.store.set(self.job_id, progress=self.progress.snapshot())
