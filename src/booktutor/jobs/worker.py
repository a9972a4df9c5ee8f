"""A worker for the job queue: beside the API (the embedded default) or alone (`booktutor worker`)."""

from __future__ import annotations

import asyncio
import contextlib

import procrastinate
import structlog

from booktutor.config import Settings
from booktutor.jobs.handlers import JobDeps
from booktutor.jobs.queue import recover_stalled_jobs

log = structlog.get_logger(__name__)
QUEUES = ["booktutor"]


class JobWorker:
    def __init__(self, app: procrastinate.App, deps: JobDeps, settings: Settings) -> None:
        self.app = app
        self.deps = deps
        self.settings = settings
        self._task: asyncio.Task | None = None

    async def run(self, *, wait: bool = True, install_signal_handlers: bool = False) -> None:
        """Take jobs until stopped (`wait=False`: until the queue is empty)."""
        await recover_stalled_jobs(self.app, self.deps.services.db, self.settings.job_max_attempts)
        await self.app.run_worker_async(
            queues=QUEUES,
            concurrency=self.settings.job_concurrency,
            wait=wait,
            additional_context={"deps": self.deps},
            install_signal_handlers=install_signal_handlers,
            shutdown_graceful_timeout=self.settings.job_shutdown_grace_s,
            delete_jobs=procrastinate.jobs.DeleteJobCondition.SUCCESSFUL,
        )

    def start(self) -> None:
        """Run in the background of this process's event loop."""
        self._task = asyncio.create_task(self.run(), name="job-worker")
        self._task.add_done_callback(_log_unexpected_stop)

    async def stop(self) -> None:
        """Stop taking jobs; a job still running after the grace period goes back to the queue."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def _log_unexpected_stop(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("job_worker_stopped", error=repr(task.exception()))


async def run_standalone_worker(settings: Settings, *, wait: bool = True) -> None:
    """`booktutor worker`: this process's own services and model, stopped by SIGINT/SIGTERM."""
    from booktutor.jobs.queue import build_queue_app
    from booktutor.providers.registry import build_model
    from booktutor.services import build_services

    services = await build_services(settings, migrate=settings.uses_embedded_postgres)  # see api/app.py
    try:
        model = build_model(settings, embedder=services.embedder)
        async with build_queue_app(services.db, settings).open_async() as app:
            log.info("job_worker_started", concurrency=settings.job_concurrency, wait=wait)
            await JobWorker(app, JobDeps(services, model), settings).run(wait=wait, install_signal_handlers=True)
    finally:
        await services.close()
