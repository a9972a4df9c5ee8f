"""Background jobs on the Postgres-backed queue: they outlive the process that queued them, retry
after errors, fail for good on bad input, come back after a worker dies or stops, and run in a
separate `booktutor worker` process."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from tests.integration.http_helpers import app_client, bearer, finished_job, register, with_settings

from booktutor.jobs import JobDeps, JobQueue, JobWorker
from booktutor.jobs.queue import build_queue_app
from booktutor.jobs.store import JobStore
from booktutor.memory.books import BookRepository
from booktutor.providers.extractive_model import ExtractiveModel

QUEUE_TABLES = "procrastinate_jobs, procrastinate_workers, procrastinate_periodic_defers, procrastinate_events"


class FailingEmbedder:
    """The embedding provider failing its first `failures` calls, then answering (a network blip)."""

    def __init__(self, inner, failures: int) -> None:
        self.inner, self.failures = inner, failures
        self.model_name, self.dimension = inner.model_name, inner.dimension

    async def embed_documents(self, texts):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("embedding provider unreachable")
        return await self.inner.embed_documents(texts)

    async def embed_query(self, text_):
        return await self.inner.embed_query(text_)


class StuckEmbedder(FailingEmbedder):
    """The embedding provider never answering: the job hangs until its worker stops."""

    def __init__(self, inner) -> None:
        super().__init__(inner, 0)
        self.called = asyncio.Event()

    async def embed_documents(self, texts):
        self.called.set()
        await asyncio.Event().wait()


@pytest.fixture
async def jobs_services(services):
    async with services.db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {QUEUE_TABLES} CASCADE"))
    return with_settings(services, job_retry_wait_s=0, job_shutdown_grace_s=0.2, job_max_attempts=3)


@asynccontextmanager
async def opened_queue(services) -> AsyncIterator:
    async with build_queue_app(services.db, services.settings).open_async() as app:
        yield app


async def drain(app, services, embedder=None) -> None:
    """A worker that stops once the queue is empty."""
    deps = JobDeps(dataclasses.replace(services, embedder=embedder) if embedder else services)
    await JobWorker(app, deps, services.settings).run(wait=False)


async def submit_ingest(app, services, path, book_id: str):
    return await JobQueue(app, services.db).submit("ingest", {"path": str(path), "book_id": book_id}, None)


async def book_exists(services, book_id: str) -> bool:
    async with services.db.session() as session:
        return await BookRepository(session).get_book(book_id) is not None


async def test_a_job_queued_before_a_restart_runs_after_it(jobs_services, book_copy):
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "durable")
    assert job.status == "queued" and job.queue_job_id is not None

    async with opened_queue(jobs_services) as app:  # a new process: nothing in memory survived
        await drain(app, jobs_services)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "succeeded" and done.attempts == 1
    assert done.result["book_id"] == "durable" and done.result["chunks_written"] > 0
    assert done.progress["files_done"] == done.progress["files_total"] > 0
    assert await book_exists(jobs_services, "durable")


async def test_a_failed_attempt_is_retried(jobs_services, book_copy):
    flaky = FailingEmbedder(jobs_services.embedder, failures=1)
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "flaky")
        await drain(app, jobs_services, embedder=flaky)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "succeeded" and done.attempts == 2 and done.error is None
    assert await book_exists(jobs_services, "flaky")


async def test_a_job_fails_after_its_last_attempt(jobs_services, book_copy):
    broken = FailingEmbedder(jobs_services.embedder, failures=100)
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "broken")
        await drain(app, jobs_services, embedder=broken)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "failed" and done.attempts == 3
    assert "ConnectionError" in done.error and broken.failures == 97


async def test_bad_input_fails_at_once_without_retries(jobs_services, tmp_path):
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, tmp_path / "vanished", "gone")
        await drain(app, jobs_services)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "failed" and done.attempts == 1 and "not a Docusaurus site" in done.error
    assert not await book_exists(jobs_services, "gone")


async def test_the_job_of_a_dead_worker_runs_again(jobs_services, book_copy):
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "orphan")
        dead_worker = await app.job_manager.register_worker()
        taken = await app.job_manager.fetch_job(queues=None, worker_id=dead_worker)
        assert taken.id == job.queue_job_id
        async with jobs_services.db.engine.begin() as conn:  # its heartbeats stopped an hour ago
            await conn.execute(
                text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = :id"),
                {"id": dead_worker},
            )
        await drain(app, jobs_services)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "succeeded" and done.attempts == 2
    assert await book_exists(jobs_services, "orphan")


async def test_a_job_running_when_its_worker_stops_goes_back_to_the_queue(jobs_services, book_copy):
    stuck = StuckEmbedder(jobs_services.embedder)
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "interrupted")
        worker = JobWorker(app, JobDeps(dataclasses.replace(jobs_services, embedder=stuck)), jobs_services.settings)
        worker.start()
        await asyncio.wait_for(stuck.called.wait(), 60)
        await worker.stop()
        stopped = await JobStore(jobs_services.db).get(job.id)
        assert stopped.status == "queued" and "will run again" in stopped.error
        assert (await app.job_manager.get_job_status_async(job.queue_job_id)).value == "todo"

        await drain(app, jobs_services)
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "succeeded" and done.attempts == 2


async def test_booktutor_worker_runs_jobs_in_its_own_process(jobs_services, book_copy, tmp_path):
    async with opened_queue(jobs_services) as app:
        job = await submit_ingest(app, jobs_services, book_copy, "elsewhere")
    env = dict(
        os.environ,
        BOOKTUTOR_DATABASE_URL=jobs_services.settings.database_url,
        BOOKTUTOR_DATA_DIR=str(tmp_path / "worker-data"),
        BOOKTUTOR_EMBEDDING_PROVIDER="fake",
        BOOKTUTOR_LLM_PROVIDER="extractive",
        BOOKTUTOR_LOG_LEVEL="WARNING",
    )
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "booktutor.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "succeeded", done.error
    assert await book_exists(jobs_services, "elsewhere")


async def test_pregenerating_fills_the_chapter_cache(jobs_services, ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    model = ExtractiveModel(embedder=jobs_services.embedder)  # no generative model: adapted variants only
    async with app_client(jobs_services, model=model, admin_emails=["admin@example.com"]) as http:
        admin = bearer(await register(http, "admin@example.com"))
        body = {"profiles": [{"software_background": "none", "experience_level": "beginner"}], "languages": ["ur"]}
        submitted = await http.post(
            "/api/v1/admin/books/mini/pregenerate", json=body, headers={**admin, "X-Request-ID": "pregen-request-1"}
        )
        assert submitted.status_code == 202, submitted.text
        assert submitted.headers["Location"] == f"/api/v1/jobs/{submitted.json()['id']}"
        job = await finished_job(http, submitted.json()["id"], admin)
        assert job["status"] == "succeeded", job
        chapters = job["result"]["chapters"]
        assert chapters > 0 and job["result"]["generated"] == chapters
        assert job["progress"] == {"items_total": 2 * chapters, "items_done": 2 * chapters}
        # The book's stored Urdu translations count as done; the other chapters need a translation model
        # this server does not have: each is reported, none is faked
        assert job["result"]["stored"] >= 1
        assert len(job["result"]["failed"]) == chapters - job["result"]["stored"] > 0
        assert {f["variant"] for f in job["result"]["failed"]} == {"translation:ur"}
        saved = await JobStore(jobs_services.db).get(uuid.UUID(job["id"]))
        assert saved.request_id == "pregen-request-1"

        toc = (await http.get("/api/v1/books/mini/chapters")).json()
        first = toc["chapters"][0]["id"]
        read = await http.get(
            f"/api/v1/books/mini/chapters/{first}/personalized",
            params={"software_background": "none", "level": "beginner"},
        )
        assert read.status_code == 200 and read.json()["cache"] == "hit"

        listed = (await http.get("/api/v1/jobs", params={"status": "succeeded"}, headers=admin)).json()["jobs"]
        assert [j["id"] for j in listed] == [job["id"]]


async def test_pregenerate_rejects_what_it_cannot_do(jobs_services, ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini")
    async with app_client(jobs_services, admin_emails=["admin@example.com"]) as http:
        admin = bearer(await register(http, "admin@example.com"))
        reader = bearer(await register(http))
        url = "/api/v1/admin/books/mini/pregenerate"
        nothing = await http.post(url, json={}, headers=admin)
        assert nothing.status_code == 422
        french = await http.post(url, json={"languages": ["fr"]}, headers=admin)
        assert french.status_code == 422 and french.json()["error"]["code"] == "language_not_enabled"
        missing = await http.post(
            "/api/v1/admin/books/no-such-book/pregenerate", json={"languages": ["ur"]}, headers=admin
        )
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "book_not_found"
        forbidden = await http.post(url, json={"languages": ["ur"]}, headers=reader)
        assert forbidden.status_code == 403
        bad_status = await http.get("/api/v1/jobs", params={"status": "exploded"}, headers=admin)
        assert bad_status.status_code == 422


async def test_a_waiting_job_is_cancelled_and_never_runs(jobs_services, book_copy):
    async with opened_queue(jobs_services) as app:
        queue = JobQueue(app, jobs_services.db)
        job = await submit_ingest(app, jobs_services, book_copy, "never")
        cancelled = await queue.cancel(job.id)
        assert cancelled.status == "cancelled"
        await drain(app, jobs_services)
    assert (await JobStore(jobs_services.db).get(job.id)).status == "cancelled"
    assert not await book_exists(jobs_services, "never")


async def test_a_running_job_is_stopped_by_its_worker_and_not_retried(jobs_services, book_copy):
    stuck = StuckEmbedder(jobs_services.embedder)
    async with opened_queue(jobs_services) as app:
        queue = JobQueue(app, jobs_services.db)
        job = await submit_ingest(app, jobs_services, book_copy, "stopped")
        worker = JobWorker(app, JobDeps(dataclasses.replace(jobs_services, embedder=stuck)), jobs_services.settings)
        worker.start()
        try:
            await asyncio.wait_for(stuck.called.wait(), 60)
            # The worker stops it; on a busy machine it may have done so before cancel() reads the status back.
            assert (await queue.cancel(job.id)).status in {"running", "cancelled"}
            for _ in range(300):
                if (await JobStore(jobs_services.db).get(job.id)).status == "cancelled":
                    break
                await asyncio.sleep(0.1)
        finally:
            await worker.stop()
        assert (await app.job_manager.get_job_status_async(job.queue_job_id)).value == "aborted"
    done = await JobStore(jobs_services.db).get(job.id)
    assert done.status == "cancelled" and done.attempts == 1


async def test_cancel_through_the_api(jobs_services, book_copy):
    async with app_client(jobs_services, admin_emails=["admin@example.com"], job_worker_in_process=False) as http:
        admin = bearer(await register(http, "admin@example.com"))
        queued = await http.post("/api/v1/admin/books", headers=admin, json={"path": str(book_copy)})
        job_id = queued.json()["id"]
        cancel = await http.post(f"/api/v1/jobs/{job_id}/cancel", headers=admin)
        assert cancel.status_code == 202 and cancel.json()["status"] == "cancelled"
        again = await http.post(f"/api/v1/jobs/{job_id}/cancel", headers=admin)
        assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
        missing = await http.post(f"/api/v1/jobs/{uuid.uuid4()}/cancel", headers=admin)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"
        reader = bearer(await register(http))
        assert (await http.post(f"/api/v1/jobs/{job_id}/cancel", headers=reader)).status_code == 403
