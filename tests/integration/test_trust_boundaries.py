"""Trust boundaries over real HTTP (a live uvicorn server configured like `booktutor serve`) and real
Postgres: proxy headers, request ids in audit rows, body limits after routing and auth, the guest
cookie, /ready detail, /metrics access, guest pruning and reserved checkpoint namespaces."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy import func, select, text
from tests.integration.conftest import build_test_services
from tests.integration.http_helpers import bearer, register, with_settings
from tests.integration.live_server import free_port, live_server, raw_request

from booktutor.api.app import create_app
from booktutor.auth import audit
from booktutor.jobs.maintenance import prune_idle_guests
from booktutor.jobs.queue import PRUNE_GUESTS, build_queue_app
from booktutor.memory.account_models import AuditEvent, Job
from booktutor.memory.database import Database
from booktutor.memory.models import User
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.services import Services

pytestmark = pytest.mark.integration
ADMIN = "root@example.com"


@asynccontextmanager
async def served(services: Services, **overrides) -> AsyncIterator[httpx.AsyncClient]:
    services = with_settings(services, admin_emails=[ADMIN], **overrides)
    app = create_app(services=services, model=ScriptedModel([Turn(text="A scripted answer.")], repeat_last=True))
    async with live_server(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


async def _audit(db: Database, event: str) -> list[AuditEvent]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


async def _failed_logins(http: httpx.AsyncClient, email: str, forwarded: list[str]) -> list[int]:
    statuses = []
    for ip in forwarded:
        response = await http.post(
            "/api/v1/users/login", json={"email": email, "password": "wrong password"}, headers={"X-Forwarded-For": ip}
        )
        statuses.append(response.status_code)
    return statuses


async def _login_ips(db: Database, email: str) -> list[str | None]:
    return [event.ip for event in await _audit(db, "login_failed") if event.details.get("email") == email]


async def test_forwarded_for_counts_only_from_trusted_proxies(services):
    rotating = [f"203.0.113.{n}" for n in range(1, 5)]
    for overrides in ({}, {"trust_forwarded_for": True, "trusted_proxies": ["10.9.9.9"]}):
        email = f"victim-{uuid.uuid4().hex[:6]}@example.com"
        async with served(services, rate_limit_auth_ip="3/minute", **overrides) as http:
            assert await _failed_logins(http, email, rotating) == [401, 401, 401, 429]  # rotating did not help
        assert await _login_ips(services.db, email) == ["127.0.0.1"] * 3
    email = f"proxied-{uuid.uuid4().hex[:6]}@example.com"
    async with served(services, rate_limit_auth_ip="3/minute", trust_forwarded_for=True) as http:  # peer trusted
        assert await _failed_logins(http, email, rotating) == [401] * 4
    assert await _login_ips(services.db, email) == rotating


async def test_long_request_ids_are_bounded_and_every_audit_event_is_stored(services):
    long_id = "r" * 100
    async with served(services) as http:
        admin = bearer(await register(http, ADMIN))
        denied = await http.post("/api/v1/admin/reindex", headers={"X-Request-ID": long_id})
        job = await http.post("/api/v1/admin/reindex", headers={**admin, "X-Request-ID": long_id})
        plain = await http.get("/api/v1/health", headers={"X-Request-ID": "client-id-1"})
    bounded = denied.headers["X-Request-ID"]
    assert denied.status_code == 401 and bounded.startswith("sha256:") and len(bounded) <= 64
    assert job.status_code == 202 and job.headers["X-Request-ID"] == bounded
    assert plain.headers["X-Request-ID"] == "client-id-1"
    [event] = [e for e in await _audit(services.db, "access_denied") if e.request_id == bounded]
    assert event.details["path"] == "/api/v1/admin/reindex"
    async with services.db.session() as session:
        stored = await session.get(Job, uuid.UUID(job.json()["id"]))
    assert stored is not None and stored.request_id == bounded


async def test_an_audit_event_that_cannot_be_stored_is_logged_in_full(test_settings, caplog):
    unreachable = Database.create(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none", test_settings)
    before = REGISTRY.get_sample_value("booktutor_audit_write_failures_total") or 0.0
    try:
        with caplog.at_level(logging.ERROR):
            await audit.record(unreachable, "token_rejected", ip="127.0.0.1", path="/api/v1/x\x00y", reason="expired")
    finally:
        await unreachable.dispose()
    assert REGISTRY.get_sample_value("booktutor_audit_write_failures_total") == before + 1
    logged = caplog.text
    assert "audit_write_failed" in logged and "token_rejected" in logged and "expired" in logged


async def test_bodies_are_refused_after_routing_and_the_admin_check(services):
    big = "Content-Length: 50000000\nContent-Type: multipart/form-data; boundary=b0undary"
    async with served(services, max_body_bytes=1000, max_upload_bytes=5000) as http:
        admin, learner = bearer(await register(http, ADMIN)), bearer(await register(http))
        url = str(http.base_url)

        async def status(path: str, auth: dict[str, str] | None = None) -> int:
            head = f"POST {path} HTTP/1.1\nHost: test\n{big}\n"
            head += "".join(f"{name}: {value}\n" for name, value in (auth or {}).items())
            code, _ = await raw_request(url, head, b"0123456789")  # the rest of the 50 MB never comes
            return code

        upload = "/api/v1/admin/books/upload"
        assert await status("/api/v1/no/such/route") == 404
        assert await status(upload) == 401
        assert await status(upload, {"Authorization": "Bearer not-a-token"}) == 401
        assert await status(upload, learner) == 403
        assert await status(upload, admin) == 413
        assert await status("/api/v1/chatbot/query") == 413

        async def chunks():
            yield b'--b0undary\r\nContent-Disposition: form-data; name="archive"; filename="a.zip"\r\n\r\n'
            for _ in range(10):
                yield b"x" * 1000

        multipart = {**admin, "Content-Type": "multipart/form-data; boundary=b0undary"}
        streamed = await http.post(upload, content=chunks(), headers=multipart)
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "payload_too_large"
    assert len([e for e in await _audit(services.db, "access_denied") if e.details["path"] == upload]) == 2


async def test_the_guest_cookie_is_secure_over_https(services):
    https = {"X-Forwarded-Proto": "https"}
    async with served(services, trust_forwarded_for=True) as http:
        assert "secure" in (await http.get("/api/v1/threads", headers=https)).headers["set-cookie"].lower()
        assert "secure" not in (await http.get("/api/v1/threads")).headers["set-cookie"].lower()
    async with served(services) as http:  # an untrusted X-Forwarded-Proto changes nothing
        assert "secure" not in (await http.get("/api/v1/threads", headers=https)).headers["set-cookie"].lower()


class _UnreachableStore:
    """A vector store whose server refuses connections (its address is what must not leak)."""

    def __getattr__(self, name: str):
        async def refuse(*_, **__):
            raise ConnectionRefusedError("qdrant-internal-7.cluster.local:6333 refused the connection")

        return refuse


async def test_ready_gives_failure_detail_only_to_internal_callers_and_admins(services):
    broken = build_test_services(services.settings, services.db, _UnreachableStore(), services.embedder)
    async with served(broken, internal_networks=[]) as http:
        admin = bearer(await register(http, ADMIN))
        public = await http.get("/api/v1/ready")
        privileged = await http.get("/api/v1/ready", headers=admin)
    assert public.status_code == privileged.status_code == 503
    assert public.json()["components"]["vector_store"] == {"ok": False, "detail": None}
    assert "qdrant-internal-7" not in public.text
    assert "qdrant-internal-7" in privileged.json()["components"]["vector_store"]["detail"]
    async with served(broken) as http:  # loopback is internal by default
        assert "qdrant-internal-7" in (await http.get("/api/v1/ready")).text


async def test_metrics_behind_a_token_or_on_a_port_of_their_own(services):
    async with served(services, metrics_token=SecretStr("scrape-me")) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        scraped = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert scraped.status_code == 200 and "booktutor_http_request_duration_seconds" in scraped.text
    port = free_port()
    async with served(services, metrics_port=port, metrics_host="127.0.0.1") as http:
        assert (await http.get("/metrics")).status_code == 404
        own = await http.get(f"http://127.0.0.1:{port}/metrics")
        assert own.status_code == 200 and "booktutor_jobs" in own.text


async def test_guests_with_nothing_stored_are_pruned_after_the_retention_period(services, ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    async with served(services) as http:
        tokens = []
        for _ in range(4):
            http.cookies.clear()
            tokens.append((await http.get("/api/v1/threads")).headers["X-Guest-Token"])
        http.cookies.clear()
        empty, with_preferences, with_thread, recent = ({"X-Guest-Token": token} for token in tokens)
        saved = await http.post(
            "/api/v1/users/me/preferences", json={"experience_level": "beginner"}, headers=with_preferences
        )
        asked = await http.post("/api/v1/chatbot/query", json={"question": "What is a gear?"}, headers=with_thread)
        assert saved.status_code == 200 and asked.status_code == 200
        ids = [
            (await http.get("/api/v1/users/profile", headers=headers)).json()["id"]
            for headers in (empty, with_preferences, with_thread, recent)
        ]
    async with services.db.session() as session, session.begin():
        await session.execute(
            text("UPDATE users SET created_at = now() - interval '40 days' WHERE id = ANY(:ids)"),
            {"ids": [uuid.UUID(i) for i in ids[:3]]},
        )
    assert await prune_idle_guests(services.db, timedelta(days=30)) == 1
    async with services.db.session() as session:
        left = set(map(str, await session.scalars(select(User.id).where(User.id.in_([uuid.UUID(i) for i in ids])))))
        assert await session.scalar(select(func.count()).select_from(User).where(User.kind == "guest")) >= 3
    assert left == set(ids[1:])
    periodic = build_queue_app(services.db, services.settings).periodic_registry.periodic_tasks
    assert any(task.task.name == PRUNE_GUESTS for task in periodic.values())


async def test_chat_threads_cannot_take_an_internal_checkpoint_namespace(services, ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    async with served(services) as http:
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        quiz = await http.post("/api/v1/books/mini/chapters/basics-gears/quiz", json={"count": 1})
        assert quiz.status_code == 201, quiz.text
        quiz_thread = f"quiz:{quiz.json()['id']}"
        run = {
            "threadId": quiz_thread,
            "runId": "r-ns",
            "state": {},
            "messages": [{"id": "m-ns", "role": "user", "content": "What is a gear?"}],
            "tools": [],
            "context": [],
            "forwardedProps": {"book_id": "mini"},
        }
        for response in (
            await http.post("/api/v1/agent/run", json=run),
            await http.post("/api/v1/chatbot/query", json={"question": "hi", "thread_id": quiz_thread.upper()}),
        ):
            assert response.status_code == 422 and response.json()["error"]["code"] == "reserved_thread_id"
        assert (await http.delete(f"/api/v1/threads/{quiz_thread}")).status_code == 404
        assert (await http.get(f"/api/v1/quizzes/{quiz.json()['id']}")).json()["current"] is not None
