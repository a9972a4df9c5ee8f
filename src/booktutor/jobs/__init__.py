"""Background jobs: book ingestion, reindexing and pre-generating chapter variants.

A job is a row in `jobs` (what it is for, status, progress, result) plus a procrastinate job that
carries it through the Postgres-backed queue: locks, retries with backoff, worker heartbeats.
Workers run in the API process (the embedded default) or as `booktutor worker` processes.

Status: queued → running → succeeded | failed, with `retrying` between attempts; a job whose worker
stopped goes back to `queued` and runs again (ingestion and reindexing are idempotent).
"""

from booktutor.jobs.handlers import JobDeps
from booktutor.jobs.progress import JobProgress
from booktutor.jobs.queue import JobQueue
from booktutor.jobs.worker import JobWorker

__all__ = ["JobDeps", "JobProgress", "JobQueue", "JobWorker"]
