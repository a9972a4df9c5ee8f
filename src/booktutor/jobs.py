"""Background jobs (book ingestion, reindex): a Postgres `jobs` row per job, run as an asyncio
task in the API process, with honest status: queued → running → succeeded | failed | interrupted.

A job does not survive its process: one found `queued`/`running` with no progress for
`STALE_AFTER` is marked `interrupted` (re-submit it; ingestion is incremental and idempotent).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, update

from booktutor.memory.account_models import Job
from booktutor.memory.database import Database
from booktutor.observability.metrics import JOBS

log = structlog.get_logger(__name__)
STALE_AFTER = timedelta(minutes=10)
FLUSH_EVERY_S = 0.5


class JobProgress:
    """Counters a job updates synchronously (the Ingestor's IngestProgress protocol)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {"files_total": 0, "chunks_total": 0, "files_done": 0, "chunks_done": 0}
        self.changed = False

    def start(self, files: int, chunks: int) -> None:
        self.values.update(files_total=files, chunks_total=chunks)
        self.changed = True

    def advance(self, files: int = 0, chunks: int = 0) -> None:
        self.values["files_done"] += files
        self.values["chunks_done"] += chunks
        self.changed = True


Work = Callable[[JobProgress], Awaitable[dict[str, Any]]]


class JobRunner:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tasks: set[asyncio.Task] = set()

    async def submit(self, kind: str, params: dict[str, Any], created_by: uuid.UUID | None, work: Work) -> Job:
        job = Job(id=uuid.uuid4(), kind=kind, status="queued", params=params, progress={}, created_by=created_by)
        async with self.db.session() as session, session.begin():
            session.add(job)
        JOBS.labels(status="queued").inc()
        task = asyncio.create_task(self._run(job.id, work), name=f"job-{job.id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return job

    async def _run(self, job_id: uuid.UUID, work: Work) -> None:
        progress = JobProgress()
        JOBS.labels(status="queued").dec()
        JOBS.labels(status="running").inc()
        try:
            await self._work(job_id, work, progress)
        finally:
            JOBS.labels(status="running").dec()

    async def _work(self, job_id: uuid.UUID, work: Work, progress: JobProgress) -> None:
        await self._set(job_id, status="running")
        flusher = asyncio.create_task(self._flush_progress(job_id, progress))
        try:
            result = await work(progress)
        except asyncio.CancelledError:
            await asyncio.shield(self._set(job_id, status="interrupted", progress=progress.values,
                                           error="the server stopped while the job was running"))
            raise
        except Exception as exc:
            log.exception("job_failed", job_id=str(job_id))
            await self._set(job_id, status="failed", progress=progress.values, error=f"{type(exc).__name__}: {exc}"[:2000])
        else:
            await self._set(job_id, status="succeeded", progress=progress.values, result=result)
        finally:
            flusher.cancel()

    async def _flush_progress(self, job_id: uuid.UUID, progress: JobProgress) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            if progress.changed:
                progress.changed = False
                await self._set(job_id, progress=dict(progress.values))

    async def _set(self, job_id: uuid.UUID, **values: Any) -> None:
        async with self.db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.id == job_id).values(updated_at=func.now(), **values))

    async def interrupt_stale(self) -> int:
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                update(Job).where(Job.status.in_(("queued", "running")), Job.updated_at < func.now() - STALE_AFTER)
                .values(status="interrupted", error="the process running the job stopped"))
        return result.rowcount or 0

    async def aclose(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
