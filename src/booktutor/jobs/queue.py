"""The queue: a procrastinate App on the service's Postgres, its two tasks, and job submission."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import procrastinate
import structlog
from asgi_correlation_id import correlation_id
from procrastinate import JobContext, RetryStrategy
from procrastinate.job_context import AbortReason
from procrastinate.retry import RetryDecision

from booktutor.config import Settings
from booktutor.errors import Conflict, JobNotFound, ServiceUnavailable
from booktutor.jobs.handlers import clean_up
from booktutor.jobs.maintenance import prune_idle_guests
from booktutor.jobs.runner import JobAttempt, is_permanent
from booktutor.jobs.store import TERMINAL, JobStore
from booktutor.memory.account_models import Job
from booktutor.memory.database import Database

log = structlog.get_logger(__name__)
RUN_JOB = "booktutor.run_job"
RECOVER = "booktutor.recover_stalled_jobs"
PRUNE_GUESTS = "booktutor.prune_idle_guests"
STALLED_AFTER_S = 60.0  # no worker heartbeat for this long: its running jobs are stalled
NEVER_QUEUED_AFTER = timedelta(minutes=5)


class QueueUnavailable(ServiceUnavailable):
    code = "job_queue_unavailable"


class JobFinished(Conflict):
    code = "job_finished"


class JobRetryStrategy(RetryStrategy):
    """Backoff retries, except for errors that would fail the same way again."""

    def get_retry_decision(self, *, exception: BaseException, job: procrastinate.jobs.Job) -> RetryDecision | None:
        if is_permanent(exception):
            return None
        return super().get_retry_decision(exception=exception, job=job)


def build_queue_app(db: Database, settings: Settings) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(conninfo=db.libpq_conninfo, min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)
    max_attempts = settings.job_max_attempts

    @app.task(
        name=RUN_JOB,
        pass_context=True,
        queue="booktutor",
        retry=JobRetryStrategy(
            max_attempts=max_attempts, linear_wait=settings.job_retry_wait_s, wait=settings.job_retry_wait_s
        ),
    )
    async def run_job(context: JobContext, job_id: str) -> None:
        def cancelled_by_user() -> bool:
            return context.abort_reason() == AbortReason.USER_REQUEST

        deps = context.additional_context["deps"]
        attempt = JobAttempt(deps, uuid.UUID(job_id), context.job.attempts + 1, max_attempts, cancelled_by_user)
        await attempt.run()

    @app.periodic(cron="*/5 * * * *", periodic_id="recover")
    @app.task(name=RECOVER, pass_context=True, queue="booktutor", queueing_lock=RECOVER)
    async def recover(context: JobContext, timestamp: int) -> None:
        await recover_stalled_jobs(context.app, context.additional_context["deps"].services.db, max_attempts)

    @app.periodic(cron="23 * * * *", periodic_id="prune_guests")
    @app.task(name=PRUNE_GUESTS, pass_context=True, queue="booktutor", queueing_lock=PRUNE_GUESTS)
    async def prune_guests(context: JobContext, timestamp: int) -> None:
        retention = timedelta(days=settings.guest_retention_days)
        await prune_idle_guests(context.additional_context["deps"].services.db, retention)

    return app


async def recover_stalled_jobs(app: procrastinate.App, db: Database, max_attempts: int) -> int:
    """Jobs whose worker died (no heartbeat) run again, or fail once they have used every attempt."""
    store = JobStore(db)
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
    for job in stalled:
        job_id = uuid.UUID(str(job.task_kwargs["job_id"])) if job.task_name == RUN_JOB else None
        if job.attempts + 1 >= max_attempts:
            await app.job_manager.finish_job(job, status=procrastinate.jobs.Status.FAILED, delete_job=False)
            if job_id and (row := await store.get(job_id)) is not None:
                await store.set(job_id, status="failed", error="the worker running the job stopped (last attempt)")
                await clean_up(row.params)
        else:
            await app.job_manager.retry_job(job)
            if job_id:
                await store.set(job_id, status="queued", error="the worker running the job stopped; it will run again")
    never_queued = await store.fail_never_queued(NEVER_QUEUED_AFTER)
    if stalled or never_queued:
        log.warning("stalled_jobs_recovered", stalled=len(stalled), never_queued=never_queued)
    return len(stalled)


class JobQueue:
    """Submits jobs: a `jobs` row for status and progress, then a queue entry a worker will take."""

    def __init__(self, app: procrastinate.App, db: Database) -> None:
        self.app = app
        self.store = JobStore(db)

    async def submit(self, kind: str, params: dict[str, Any], created_by: uuid.UUID | None) -> Job:
        job = await self.store.create(kind, params, created_by, correlation_id.get())
        try:
            queue_job_id = await self.app.configure_task(RUN_JOB).defer_async(job_id=str(job.id))
        except Exception as exc:
            log.exception("job_queue_failed", job_id=str(job.id))
            await self.store.set(job.id, status="failed", error=f"the job could not be queued: {exc}"[:2000])
            raise QueueUnavailable("The job queue is unavailable; try again shortly.") from exc
        await self.store.set(job.id, queue_job_id=queue_job_id)
        return await self.store.get_existing(job.id)

    async def cancel(self, job_id: uuid.UUID) -> Job:
        """A waiting job is cancelled at once; a running one is stopped by its worker, which then
        marks it `cancelled` (its status stays `running` until then)."""
        job = await self.store.get(job_id)
        if job is None:
            raise JobNotFound("No such job.")
        if job.status in TERMINAL:
            raise JobFinished(f"The job has already ended ({job.status}).", details={"status": job.status})
        manager = self.app.job_manager
        if job.queue_job_id is not None and await manager.cancel_job_by_id_async(job.queue_job_id, abort=True):
            status = await manager.get_job_status_async(job.queue_job_id)
            if status == procrastinate.jobs.Status.DOING:
                return job
        await self.store.set(job_id, status="cancelled", error="cancelled by an administrator")
        return await self.store.get_existing(job_id)
