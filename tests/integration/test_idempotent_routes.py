"""Every write a client may retry honours `Idempotency-Key` (README, *API*): the retry gets the first
response (`Idempotent-Replayed: true`) instead of a second write, and the key with another body is 422."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.integration.http_helpers import app_client, bearer, register

from booktutor.providers.fake import ScriptedModel, Turn

pytestmark = pytest.mark.integration
ADMIN = "admin@example.com"


@dataclass(frozen=True)
class Write:
    path: str
    body: Any
    other_body: Any  # the same key with this body is a conflict; None: the route takes no body
    needs_book: bool = False
    admin: bool = False
    same: Callable[[dict, dict], bool] = lambda first, again: first == again


async def _job_id(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    queued = await http.post("/api/v1/admin/reindex", headers=headers)
    assert queued.status_code == 202, queued.text
    return str(queued.json()["id"])


WRITES = {
    "register": Write(
        "/api/v1/users/register",
        {"email": "retry@example.com", "password": "correct horse battery"},
        {"email": "retry@example.com", "password": "correct horse battery", "display_name": "Other"},
        same=lambda first, again: first["user"] == again["user"],  # new tokens for the same account
    ),
    "chatbot query": Write(
        "/api/v1/chatbot/query", {"question": "What is a gear ratio?"}, {"question": "What is backlash?"}, True
    ),
    "chatbot context": Write(
        "/api/v1/chatbot/context",
        {"question": "Explain this", "selected_text": "Gears trade speed for torque."},
        {"question": "Explain that", "selected_text": "Gears trade speed for torque."},
        True,
    ),
    "translate": Write(
        "/api/v1/translate", {"text": "Gears", "target_language": "ur"}, {"text": "Gear", "target_language": "ur"}
    ),
    "quiz start": Write("/api/v1/books/mini/chapters/basics-gears/quiz", {"count": 2}, {"count": 3}, True),
    "admin ingest": Write("/api/v1/admin/books", {"path": "BOOK", "book_id": "again"}, {"path": "BOOK"}, admin=True),
    "admin reindex": Write("/api/v1/admin/reindex", None, None, admin=True),
    "admin pregenerate": Write(
        "/api/v1/admin/books/mini/pregenerate",
        {"profiles": [{"software_background": "none", "experience_level": "beginner"}]},
        {"profiles": [{"software_background": "professional", "experience_level": "beginner"}]},
        True,
        admin=True,
    ),
    "job cancel": Write("/api/v1/jobs/JOB/cancel", None, None, admin=True),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_retried_write_gets_the_first_response(name, services, ingestor, book_copy):
    write = WRITES[name]
    if write.needs_book:
        await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    model = ScriptedModel([Turn(text="گیئر رفتار کو طاقت میں بدلتے ہیں۔")], repeat_last=True)
    settings = {"admin_emails": [ADMIN], "admin_ingest_roots": [book_copy.parent], "job_worker_in_process": False}
    async with app_client(services, model=model, **settings) as http:
        headers = {"X-Guest-Token": (await http.get("/api/v1/threads")).headers["X-Guest-Token"]}
        if write.admin:
            headers = bearer(await register(http, ADMIN))
        path = write.path.replace("JOB", await _job_id(http, headers)) if "JOB" in write.path else write.path
        body = _fill(write.body, book_copy)
        post: Callable[[Any], Awaitable[httpx.Response]] = lambda json: http.post(  # noqa: E731
            path, json=json, headers={**headers, "Idempotency-Key": f"key-{name}"}
        )
        first, again = await post(body), await post(body)
        assert first.status_code < 300, first.text
        assert again.status_code == first.status_code
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert write.same(first.json(), again.json())
        if write.other_body is not None:
            clash = await post(_fill(write.other_body, book_copy))
            assert clash.status_code == 422, clash.text
            assert clash.json()["error"]["code"] == "idempotency_conflict"
        fresh = await http.post(path, json=body, headers={**headers, "Idempotency-Key": f"other-{uuid.uuid4()}"})
        assert fresh.headers.get("Idempotent-Replayed") is None


def _fill(body: Any, book: Any) -> Any:
    return {k: str(book) if v == "BOOK" else v for k, v in body.items()} if isinstance(body, dict) else body
