"""Conversation memory (threads, messages, runs) and its HTTP routes, against real Postgres."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, update
from tests.integration.conftest import build_test_services

from booktutor.api.app import create_app
from booktutor.api.routes import threads as threads_routes
from booktutor.errors import (
    InvalidCursor,
    MessageAlreadyExists,
    RunAlreadyExists,
    RunInProgress,
    RunNotFound,
    ThreadNotFound,
)
from booktutor.memory.database import Database
from booktutor.memory.models import Message, Run
from booktutor.memory.threads import TITLE_MAX_CHARS, ThreadRepository, make_title
from booktutor.memory.users import UserRepository
from booktutor.security import issue_guest_token, server_secret

pytestmark = pytest.mark.integration


async def _new_user(db: Database) -> uuid.UUID:
    async with db.session() as session:
        user = await UserRepository(session).create_guest()
        await session.commit()
        return user.id


async def _seed_thread(
    db: Database, owner: uuid.UUID, thread_id: str, messages: int = 0, book_id: str | None = "mini"
) -> None:
    async with db.session() as session:
        repo = ThreadRepository(session)
        await repo.get_or_create_thread(thread_id, owner, book_id)
        for n in range(messages):
            role = "user" if n % 2 == 0 else "assistant"
            await repo.add_message(
                thread_id, message_id=f"{thread_id}-m{n}", role=role, content=f"message {n}", run_id=None
            )
        await session.commit()


@pytest.fixture
async def owner(clean_db) -> uuid.UUID:
    return await _new_user(clean_db)


# Threads


async def test_get_or_create_is_idempotent_and_hides_other_users_threads(clean_db, owner):
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        created = await repo.get_or_create_thread("t-1", owner, "mini", "Gears")
        again = await repo.get_or_create_thread("t-1", owner, "other-book", "Ignored")
        await session.commit()
    assert (again.id, again.book_id, again.title) == ("t-1", "mini", "Gears")
    assert created.created_at is not None

    stranger = await _new_user(clean_db)
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        with pytest.raises(ThreadNotFound) as caught:
            await repo.get_or_create_thread("t-1", stranger, "mini", None)
        assert caught.value.status_code == 404 and caught.value.code == "thread_not_found"
        with pytest.raises(ThreadNotFound):
            await repo.get_thread("t-1", stranger)
        with pytest.raises(ThreadNotFound):
            await repo.get_thread("missing", owner)
        with pytest.raises(ThreadNotFound):
            await repo.delete_thread("t-1", stranger)
        assert (await repo.get_thread("t-1", owner)).owner_id == owner


async def test_list_threads_most_recently_updated_first_with_keyset_pages(clean_db, owner):
    for name in ("a", "b", "c"):
        await _seed_thread(clean_db, owner, name, messages=1)
    await _seed_thread(clean_db, await _new_user(clean_db), "not-mine", messages=1)
    async with clean_db.session() as session:
        await ThreadRepository(session).add_message(
            "a", message_id="a-late", role="user", content="back again", run_id=None
        )
        await session.commit()

    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        first = await repo.list_threads(owner, limit=2)
        second = await repo.list_threads(owner, limit=2, cursor=first.next_cursor)
    assert [s.thread.id for s in first.items] == ["a", "c"]
    assert [s.message_count for s in first.items] == [2, 1]
    assert [s.thread.id for s in second.items] == ["b"]
    assert first.next_cursor and second.next_cursor is None


async def test_invalid_cursors_are_rejected(clean_db, owner):
    await _seed_thread(clean_db, owner, "t", messages=3)
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        message_cursor = (await repo.list_messages("t", owner, limit=1)).next_cursor
        for bad in ("not-a-cursor", "e30", message_cursor):
            with pytest.raises(InvalidCursor) as caught:
                await repo.list_threads(owner, cursor=bad)
            assert caught.value.status_code == 422 and caught.value.code == "validation_error"
        with pytest.raises(InvalidCursor):
            await repo.list_messages("t", owner, cursor="%%%")


async def test_delete_thread_removes_messages_and_runs(clean_db, owner):
    await _seed_thread(clean_db, owner, "doomed", messages=2)
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        await repo.start_run("run-x", "doomed", owner)
        await repo.delete_thread("doomed", owner)
        await session.commit()
    async with clean_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
        assert await session.scalar(select(func.count()).select_from(Run)) == 0
        with pytest.raises(ThreadNotFound):
            await ThreadRepository(session).get_thread("doomed", owner)


# Messages


async def test_title_comes_from_the_first_user_message(clean_db, owner):
    question = "  How   does a planetary gearbox trade speed for torque?  " * 3
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        thread = await repo.get_or_create_thread("titled", owner, "mini")
        assert thread.title == ""
        for message_id, role, content in (
            ("m0", "assistant", "Welcome!"),
            ("m1", "user", question),
            ("m2", "user", "Second question"),
        ):
            await repo.add_message("titled", message_id=message_id, role=role, content=content, run_id=None)
        await session.commit()
    async with clean_db.session() as session:
        title = (await ThreadRepository(session).get_thread("titled", owner)).title
    assert title == make_title(question)
    assert title.startswith("How does a planetary gearbox") and title.endswith("…")
    assert len(title) <= TITLE_MAX_CHARS and "  " not in title


async def test_adding_a_message_touches_the_thread(clean_db, owner):
    await _seed_thread(clean_db, owner, "t")
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        before = (await repo.get_thread("t", owner)).updated_at
        await repo.add_message("t", message_id="m", role="user", content="hi", run_id=None)
        after = (await repo.get_thread("t", owner)).updated_at
    assert after > before


async def test_messages_are_ordered_and_paginated_oldest_first(clean_db, owner):
    await _seed_thread(clean_db, owner, "t", messages=5)
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        pages, cursor = [], None
        while True:
            page = await repo.list_messages("t", owner, limit=2, cursor=cursor)
            pages.append([m.id for m in page.items])
            if not (cursor := page.next_cursor):
                break
        recent = await repo.recent_messages("t", limit=3)
        with pytest.raises(ThreadNotFound):
            await repo.list_messages("t", await _new_user(clean_db))
    assert pages == [["t-m0", "t-m1"], ["t-m2", "t-m3"], ["t-m4"]]
    assert [m.id for m in recent] == ["t-m2", "t-m3", "t-m4"]
    assert [m.role for m in recent] == ["user", "assistant", "user"]


async def test_message_fields_round_trip_and_ids_are_idempotent(clean_db, owner):
    await _seed_thread(clean_db, owner, "t")
    await _seed_thread(clean_db, owner, "u")
    citations = [{"chunk_id": "c1", "doc_path": "basics/gears.md", "anchor": "backlash"}]
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        await repo.add_message(
            "t",
            message_id="a1",
            role="assistant",
            content="partial",
            run_id="r1",
            status="interrupted",
            route="tutor",
            citations=citations,
            abstained=True,
            extra={"tokens": 12},
        )
        again = await repo.add_message("t", message_id="a1", role="assistant", content="other", run_id="r2")
        assert again.content == "partial"
        with pytest.raises(MessageAlreadyExists):
            await repo.add_message("u", message_id="a1", role="user", content="x", run_id=None)
        with pytest.raises(ValueError):
            await repo.add_message("t", message_id="bad", role="system", content="x", run_id=None)
        await session.commit()
    async with clean_db.session() as session:
        [stored] = (await ThreadRepository(session).list_messages("t", owner)).items
    assert (stored.status, stored.route, stored.citations) == ("interrupted", "tutor", citations)
    assert (stored.abstained, stored.extra, stored.run_id) == (True, {"tokens": 12}, "r1")


# Runs


async def test_only_one_run_may_be_running_per_thread(clean_db, owner):
    await _seed_thread(clean_db, owner, "t")
    await _seed_thread(clean_db, owner, "other")
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        first = await repo.start_run("r1", "t", owner)
        assert first.status == "running" and first.started_at is not None
        await session.commit()
        with pytest.raises(RunInProgress) as caught:
            await repo.start_run("r2", "t", owner)
        assert caught.value.status_code == 409 and caught.value.code == "run_in_progress"
        assert caught.value.details == {"thread_id": "t", "running_run_id": "r1"}
        # The session is still usable after the failed insert, and other threads are unaffected.
        assert (await repo.running_run("t")).id == "r1"
        await repo.start_run("r-other", "other", owner)
        await session.commit()

        finished = await repo.finish_run("r1", "completed", route="tutor")
        assert (finished.status, finished.route) == ("completed", "tutor")
        assert finished.finished_at is not None
        second = await repo.start_run("r2", "t", owner)
        await session.commit()
    assert second.status == "running"
    with pytest.raises(RunAlreadyExists) as reused:
        async with clean_db.session() as session:
            await ThreadRepository(session).start_run("r1", "t", owner)
    assert reused.value.status_code == 409 and reused.value.code == "run_exists"

    # Another user's run id answers like an unknown one: a conflict would reveal that it exists.
    stranger = await _new_user(clean_db)
    await _seed_thread(clean_db, stranger, "s")
    with pytest.raises(RunNotFound) as foreign:
        async with clean_db.session() as session:
            await ThreadRepository(session).start_run("r1", "s", stranger)
    assert foreign.value.status_code == 404 and "r1" not in str(foreign.value.details or "")


async def test_concurrent_run_starts_on_one_thread_admit_exactly_one(clean_db, owner):
    await _seed_thread(clean_db, owner, "t")

    async def attempt(run_id: str) -> str:
        async with clean_db.session() as session:
            await ThreadRepository(session).start_run(run_id, "t", owner)
            await asyncio.sleep(0.05)
            await session.commit()
            return run_id

    results = await asyncio.gather(*(attempt(f"r{n}") for n in range(4)), return_exceptions=True)
    started = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, RunInProgress)]
    assert len(started) == 1 and len(refused) == 3, results
    assert all(r.details["running_run_id"] == started[0] for r in refused)


async def test_finish_run_keeps_the_first_outcome(clean_db, owner):
    await _seed_thread(clean_db, owner, "t")
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        await repo.start_run("r1", "t", owner)
        await repo.finish_run("r1", "failed", error_code="llm_timeout")
        late = await repo.finish_run("r1", "completed")
        assert (late.status, late.error_code) == ("failed", "llm_timeout")
        with pytest.raises(RunNotFound):
            await repo.finish_run("nope", "completed")
        with pytest.raises(ValueError):
            await repo.finish_run("r1", "running")
        await session.commit()
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        assert (await repo.get_run("r1", owner)).status == "failed"
        with pytest.raises(RunNotFound):
            await repo.get_run("r1", await _new_user(clean_db))
        assert await repo.running_run("t") is None


async def test_stale_running_runs_are_marked_interrupted(clean_db, owner):
    await _seed_thread(clean_db, owner, "crashed")
    await _seed_thread(clean_db, owner, "live")
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        await repo.start_run("old", "crashed", owner)
        await repo.start_run("fresh", "live", owner)
        await session.execute(update(Run).where(Run.id == "old").values(started_at=func.now() - timedelta(hours=2)))
        await session.commit()
    async with clean_db.session() as session:
        repo = ThreadRepository(session)
        assert await repo.mark_stale_runs_interrupted(timedelta(minutes=30)) == 1
        await session.commit()
        old = await repo.get_run("old", owner)
        assert (old.status, old.error_code) == ("interrupted", "stale_run")
        assert old.finished_at is not None
        assert (await repo.get_run("fresh", owner)).status == "running"
        await repo.start_run("retry", "crashed", owner)
        await session.commit()


async def test_history_survives_a_new_engine(clean_db, owner, test_settings):
    writer = Database.create(clean_db.url, test_settings)
    async with writer.session() as session:
        repo = ThreadRepository(session)
        await repo.get_or_create_thread("durable", owner, "mini")
        await repo.add_message("durable", message_id="q", role="user", content="What is torque?", run_id="r")
        await repo.start_run("r", "durable", owner)
        await repo.finish_run("r", "completed", route="tutor")
        await session.commit()
    await writer.dispose()

    reader = Database.create(clean_db.url, test_settings)
    try:
        async with reader.session() as session:
            repo = ThreadRepository(session)
            thread = await repo.get_thread("durable", owner)
            messages = (await repo.list_messages("durable", owner)).items
            run = await repo.get_run("r", owner)
    finally:
        await reader.dispose()
    assert thread.title == "What is torque?"
    assert [m.content for m in messages] == ["What is torque?"]
    assert (run.status, run.route) == ("completed", "tutor")


# HTTP


@pytest.fixture
async def client(test_settings, clean_db, local_mode_store, fake_embedder):
    services = build_test_services(test_settings, clean_db, local_mode_store, fake_embedder)
    app = create_app(services=services)
    app.include_router(threads_routes.router, prefix="/api/v1")
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        yield http


async def _guest(db: Database, settings) -> tuple[uuid.UUID, dict[str, str]]:
    user_id = await _new_user(db)
    return user_id, {"X-Guest-Token": issue_guest_token(user_id, server_secret(settings))}


def _error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    return body


async def test_http_list_paginate_get_and_delete(client, clean_db, test_settings):
    owner, headers = await _guest(clean_db, test_settings)
    for name in ("one", "two", "three"):
        await _seed_thread(clean_db, owner, name, messages=3)

    first = (await client.get("/api/v1/threads", params={"limit": 2}, headers=headers)).json()
    assert [t["id"] for t in first["threads"]] == ["three", "two"]
    assert first["threads"][0]["title"] == "message 0"
    assert first["threads"][0]["book_id"] == "mini" and first["threads"][0]["message_count"] == 3
    rest = (
        await client.get("/api/v1/threads", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
    ).json()
    assert [t["id"] for t in rest["threads"]] == ["one"] and rest["next_cursor"] is None

    page = (await client.get("/api/v1/threads/two", params={"limit": 2}, headers=headers)).json()
    assert (page["id"], page["title"], page["book_id"]) == ("two", "message 0", "mini")
    assert [(m["id"], m["role"]) for m in page["messages"]] == [("two-m0", "user"), ("two-m1", "assistant")]
    assert set(page["messages"][0]) == {
        "id",
        "role",
        "content",
        "status",
        "run_id",
        "route",
        "citations",
        "abstained",
        "created_at",
    }
    tail = (await client.get("/api/v1/threads/two", params={"cursor": page["next_cursor"]}, headers=headers)).json()
    assert [m["id"] for m in tail["messages"]] == ["two-m2"] and tail["next_cursor"] is None

    deleted = await client.delete("/api/v1/threads/two", headers=headers)
    assert deleted.status_code == 204 and deleted.content == b""
    _error(await client.get("/api/v1/threads/two", headers=headers), 404, "thread_not_found")
    remaining = (await client.get("/api/v1/threads", headers=headers)).json()["threads"]
    assert [t["id"] for t in remaining] == ["three", "one"]


async def test_http_other_guests_get_404(client, clean_db, test_settings):
    owner, owner_headers = await _guest(clean_db, test_settings)
    _, stranger_headers = await _guest(clean_db, test_settings)
    await _seed_thread(clean_db, owner, "private", messages=1)

    for method in ("GET", "DELETE"):
        response = await client.request(method, "/api/v1/threads/private", headers=stranger_headers)
        _error(response, 404, "thread_not_found")
    assert (await client.get("/api/v1/threads", headers=stranger_headers)).json()["threads"] == []
    mine = await client.get("/api/v1/threads/private", headers=owner_headers)
    assert mine.status_code == 200 and len(mine.json()["messages"]) == 1


async def test_http_new_guest_and_bad_parameters(client, clean_db, test_settings):
    anonymous = await client.get("/api/v1/threads")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"threads": [], "next_cursor": None}
    assert anonymous.headers["X-Guest-Token"]

    owner, headers = await _guest(clean_db, test_settings)
    await _seed_thread(clean_db, owner, "t", messages=1)
    _error(await client.get("/api/v1/threads", params={"cursor": "garbage"}, headers=headers), 422, "validation_error")
    _error(
        await client.get("/api/v1/threads/t", params={"cursor": "garbage"}, headers=headers), 422, "validation_error"
    )
    for limit in (0, 201):
        _error(await client.get("/api/v1/threads/t", params={"limit": limit}, headers=headers), 422, "validation_error")
