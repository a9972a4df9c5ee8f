"""Learner feedback on answers over HTTP with real Postgres: stored with the answer's citations and
route, replaced on re-post, owner-only, and copied to LangSmith (a fake client) when tracing is on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import pytest
from asgi_lifespan import LifespanManager
from langsmith.utils import LangSmithConflictError
from sqlalchemy import select
from tests.integration.http_helpers import bearer, register

from booktutor.api.app import create_app
from booktutor.memory.feedback_models import MessageFeedback
from booktutor.memory.models import User
from booktutor.observability.langsmith_feedback import LangSmithFeedback
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


@asynccontextmanager
async def served(services, langsmith=None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services=services, model=ExtractiveModel(embedder=services.embedder))
    app.state.langsmith_feedback = langsmith
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30) as http,
    ):
        yield http


async def guest(http: httpx.AsyncClient) -> dict[str, str]:
    return {"X-Guest-Token": (await http.get("/api/v1/threads")).headers["X-Guest-Token"]}


async def answered(http: httpx.AsyncClient, headers: dict, question: str = "What is backlash in a gearbox?") -> dict:
    """Ask a question; returns the thread's stored messages (user question, then the answer)."""
    asked = await http.post("/api/v1/chatbot/query", json={"question": question, "book_id": "mini"}, headers=headers)
    assert asked.status_code == 200, asked.text
    thread = await http.get(f"/api/v1/threads/{asked.json()['thread_id']}", headers=headers)
    user_message, answer = thread.json()["messages"]
    assert answer["role"] == "assistant" and answer["citations"], answer
    return {"thread_id": asked.json()["thread_id"], "route": asked.json()["route"], "question": user_message, **answer}


async def rows(services) -> list[MessageFeedback]:
    async with services.db.session() as session:
        return list((await session.scalars(select(MessageFeedback))).all())


async def test_a_rating_is_stored_with_the_answers_citations_and_route_and_replaced_on_repost(services, book):
    async with served(services) as http:
        me = await guest(http)
        answer = await answered(http, me)
        url = f"/api/v1/messages/{answer['id']}/feedback"

        first = await http.post(url, json={"rating": "up", "comment": None}, headers=me)
        assert first.status_code == 200, first.text
        assert first.json()["rating"] == "up" and first.json()["comment"] is None
        again = await http.post(url, json={"rating": "down", "comment": "  Cites the wrong gear.  "}, headers=me)
        assert again.status_code == 200, again.text

        (row,) = await rows(services)
        assert (row.message_id, row.thread_id, row.run_id) == (answer["id"], answer["thread_id"], answer["run_id"])
        assert (row.rating, row.comment) == ("down", "Cites the wrong gear.")
        assert row.citations == answer["citations"] and row.route == answer["route"] == "answer"
        assert row.updated_at > row.created_at
        listed = await http.get(f"/api/v1/threads/{answer['thread_id']}/feedback", headers=me)
        assert listed.status_code == 200
        assert [(f["message_id"], f["rating"]) for f in listed.json()["feedback"]] == [(answer["id"], "down")]

        withdrawn = await http.delete(url, headers=me)
        assert withdrawn.status_code == 204
        assert await rows(services) == []
        assert (await http.get(f"/api/v1/threads/{answer['thread_id']}/feedback", headers=me)).json() == {
            "feedback": []
        }


async def test_invalid_feedback_is_a_validation_error(services, book):
    async with served(services) as http:
        me = await guest(http)
        answer = await answered(http, me)
        url = f"/api/v1/messages/{answer['id']}/feedback"
        for body in (
            {"rating": "meh"},
            {"comment": "no rating"},
            {"rating": "up", "comment": "x" * 2001},
            {"rating": "up", "stars": 5},
            {"rating": None},
        ):
            response = await http.post(url, json=body, headers=me)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["error"]["code"] == "validation_error"
        on_question = await http.post(
            f"/api/v1/messages/{answer['question']['id']}/feedback", json={"rating": "up"}, headers=me
        )
        assert on_question.status_code == 422 and on_question.json()["error"]["code"] == "validation_error"
        assert await rows(services) == []


async def test_only_the_threads_owner_can_rate_read_or_withdraw(services, book):
    async with served(services) as http:
        alice, bob = bearer(await register(http)), bearer(await register(http))
        answer = await answered(http, alice)
        url = f"/api/v1/messages/{answer['id']}/feedback"
        assert (await http.post(url, json={"rating": "up"}, headers=alice)).status_code == 200

        for method, path, body in (
            ("POST", url, {"rating": "down", "comment": "hijack"}),
            ("DELETE", url, None),
            ("POST", "/api/v1/messages/msg-no-such-message/feedback", {"rating": "up"}),
        ):
            response = await http.request(method, path, json=body, headers=bob)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"]["code"] == "message_not_found"
        others = await http.get(f"/api/v1/threads/{answer['thread_id']}/feedback", headers=bob)
        assert others.status_code == 404 and others.json()["error"]["code"] == "thread_not_found"

        (row,) = await rows(services)
        assert (row.rating, row.comment) == ("up", None)


async def test_a_guests_feedback_moves_to_the_account_and_goes_with_the_thread(services, book):
    async with served(services) as http:
        me = await guest(http)
        answer = await answered(http, me)
        rated = await http.post(f"/api/v1/messages/{answer['id']}/feedback", json={"rating": "up"}, headers=me)
        assert rated.status_code == 200
        account = await register(http, headers=me)

        (row,) = await rows(services)
        async with services.db.session() as session:
            owner = await session.get(User, row.owner_id)
        assert owner.email == account["user"]["email"]
        deleted = await http.delete(f"/api/v1/threads/{answer['thread_id']}", headers=bearer(account))
        assert deleted.status_code == 204
        assert await rows(services) == []


class FakeLangSmith:
    """Records what would go to LangSmith; the trace list holds the graph's root run of each answer."""

    def __init__(self, traces: list, fail: bool = False) -> None:
        self.traces, self.fail = traces, fail
        self.created: list[dict] = []
        self.updated: list[tuple] = []
        self.queries: list[dict] = []

    def list_runs(self, **query):
        self.queries.append(query)
        if self.fail:
            raise ConnectionError("LangSmith is unreachable")
        return iter(self.traces)

    def create_feedback(self, **feedback):
        if any(made["feedback_id"] == feedback["feedback_id"] for made in self.created):
            raise LangSmithConflictError("feedback exists")
        self.created.append(feedback)

    def update_feedback(self, feedback_id, **changes):
        self.updated.append((feedback_id, changes))


async def test_feedback_is_copied_to_langsmith_on_the_answers_trace(services, book):
    fake = FakeLangSmith([])
    async with served(services, LangSmithFeedback(fake, "booktutor-tests")) as http:
        me = await guest(http)
        answer = await answered(http, me)
        other_answer_trace = SimpleNamespace(id="trace-other", inputs={"message_id": "msg-other"})
        fake.traces += [other_answer_trace, SimpleNamespace(id="trace-1", inputs={"message_id": answer["id"]})]
        url = f"/api/v1/messages/{answer['id']}/feedback"
        assert (await http.post(url, json={"rating": "up"}, headers=me)).status_code == 200
        assert (await http.post(url, json={"rating": "down", "comment": "Too vague."}, headers=me)).status_code == 200

    (created,) = fake.created
    assert created["run_id"] == "trace-1" and created["key"] == "learner_rating"
    assert (created["score"], created["value"], created["comment"]) == (1, "up", None)
    assert created["source_info"] == {"message_id": answer["id"], "thread_id": answer["thread_id"], "route": "answer"}
    assert fake.updated == [(created["feedback_id"], {"score": 0, "value": "down", "comment": "Too vague."})]
    query = fake.queries[0]
    assert query["project_name"] == "booktutor-tests" and query["is_root"] is True
    assert answer["thread_id"] in query["filter"]


async def test_langsmith_failures_never_fail_the_request(services, book):
    async with served(services, LangSmithFeedback(FakeLangSmith([], fail=True), "p")) as http:
        me = await guest(http)
        answer = await answered(http, me)
        response = await http.post(f"/api/v1/messages/{answer['id']}/feedback", json={"rating": "down"}, headers=me)
    assert response.status_code == 200, response.text
    assert [row.rating for row in await rows(services)] == ["down"]


def test_langsmith_feedback_only_with_tracing_and_a_key(monkeypatch):
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    client = object()
    assert LangSmithFeedback.from_environment(lambda: client) is None
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    assert LangSmithFeedback.from_environment(lambda: client) is None
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2-test-key")
    monkeypatch.setenv("LANGSMITH_PROJECT", "books")
    sender = LangSmithFeedback.from_environment(lambda: client)
    assert sender is not None and (sender.client, sender.project_name) == (client, "books")
