"""Body-size limits, security headers, CORS, log redaction, and admin ingestion jobs."""

from __future__ import annotations

import io
import tarfile

import pytest
import structlog
from tests.integration.http_helpers import app_client, bearer, finished_job, register

from booktutor.log_redact import REDACTED, redact_secrets

pytestmark = pytest.mark.integration


async def test_oversized_bodies_are_413_with_or_without_content_length(services):
    async with app_client(services, max_body_bytes=1000) as http:
        big = await http.post("/api/v1/chatbot/query", json={"question": "x" * 2000})
        assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"

        async def chunks():
            for _ in range(3):
                yield b"x" * 600

        streamed = await http.post(
            "/api/v1/chatbot/query", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
    async with app_client(services) as http:
        long_question = await http.post("/api/v1/chatbot/query", json={"question": "x" * 5000})
        assert long_question.status_code == 422


async def test_security_headers_and_cors(services):
    async with app_client(services) as http:
        response = await http.get("/api/v1/health", headers={"Origin": "http://testserver"})
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Access-Control-Allow-Origin"] == "http://testserver"
        foreign = await http.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in foreign.headers
        preflight = await http.options(
            "/api/v1/chatbot/query", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 400


def test_logs_never_carry_secrets():
    event = redact_secrets(
        None,
        None,
        {
            "event": "calling with Authorization: Bearer abc.def.ghi and postgresql://u:hunter2@db/x",
            "password": "hunter2",
            "refresh_token": "r-123",
            "headers": {"authorization": "Bearer x"},
            "note": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig in text",
            "count": 3,
        },
    )
    text = str(event)
    assert "hunter2" not in text and "r-123" not in text and "abc.def.ghi" not in text
    assert "eyJhbGciOiJIUzI1NiJ9" not in text
    assert event["password"] == REDACTED and event["count"] == 3
    assert structlog  # configured pipeline includes the processor (see log_config)


async def test_admin_ingests_an_uploaded_book_as_a_job(services, book_copy):
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        tar.add(book_copy, arcname="site")
    async with app_client(services, admin_emails=["admin@example.com"]) as http:
        admin = bearer(await register(http, "admin@example.com"))
        upload = await http.post(
            "/api/v1/admin/books/upload",
            headers=admin,
            data={"book_id": "uploaded"},
            files={"archive": ("book.tar.gz", archive.getvalue(), "application/gzip")},
        )
        assert upload.status_code == 202, upload.text
        job = await finished_job(http, upload.json()["id"], admin)
        assert job["status"] == "succeeded", job
        assert job["result"]["book_id"] == "uploaded" and job["result"]["chunks_written"] > 0
        assert job["progress"]["files_done"] == job["progress"]["files_total"] > 0
        books = (await http.get("/api/v1/books")).json()["books"]
        assert "uploaded" in {b["id"] for b in books}

        by_path = await http.post(
            "/api/v1/admin/books", headers=admin, json={"path": str(book_copy), "book_id": "pathbook"}
        )
        assert by_path.status_code == 202
        assert (await finished_job(http, by_path.json()["id"], admin))["status"] == "succeeded"
        bad = await http.post("/api/v1/admin/books", headers=admin, json={"path": "/nonexistent/place"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "book_path_invalid"
        junk = await http.post(
            "/api/v1/admin/books/upload",
            headers=admin,
            files={"archive": ("x.zip", b"not an archive", "application/zip")},
        )
        assert junk.status_code == 422 and junk.json()["error"]["code"] == "bad_archive"
        missing = await http.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000", headers=admin)
        assert missing.status_code == 404
        reindexed = await http.post("/api/v1/admin/reindex", headers=admin)
        assert (await finished_job(http, reindexed.json()["id"], admin))["status"] == "succeeded"
