"""No IDOR: a second user gets 404 (never the data) on every route that names a first user's resource."""

from __future__ import annotations

import pytest
from tests.integration.http_helpers import app_client, bearer, register

pytestmark = pytest.mark.integration


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def test_a_users_resources_are_invisible_to_another(services, book):
    async with app_client(services) as http:
        alice, bob = bearer(await register(http)), bearer(await register(http))
        asked = await http.post("/api/v1/chatbot/query", json={"question": "What is a gear?"}, headers=alice)
        assert asked.status_code == 200, asked.text
        thread_id, run_id = asked.json()["thread_id"], asked.json()["run_id"]
        quiz = await http.post("/api/v1/books/mini/chapters/basics/gears/quiz", json={"count": 1}, headers=alice)
        routes = [
            ("GET", f"/api/v1/threads/{thread_id}", None),
            ("GET", f"/api/v1/threads/{thread_id}/runs/{run_id}/stream", None),
            ("POST", f"/api/v1/threads/{thread_id}/runs/{run_id}/cancel", None),
            ("DELETE", f"/api/v1/threads/{thread_id}", None),
        ]
        if quiz.status_code == 201:
            quiz_id = quiz.json()["id"]
            routes += [
                ("GET", f"/api/v1/quizzes/{quiz_id}", None),
                ("POST", f"/api/v1/quizzes/{quiz_id}/answers", {"answer": 0}),
                ("POST", f"/api/v1/quizzes/{quiz_id}/hint", None),
                ("POST", f"/api/v1/quizzes/{quiz_id}/answers/0/self-assessment", {"correct": True}),
            ]
        for method, path, body in routes:
            response = await http.request(method, path, json=body, headers=bob)
            assert response.status_code == 404, (method, path, response.text)
            assert "messages" not in response.json()
        # Bob continuing Alice's thread through the chat endpoints is refused too
        hijack = await http.post("/api/v1/chatbot/query", json={"question": "hi", "thread_id": thread_id}, headers=bob)
        assert hijack.status_code == 404
        assert (await http.get("/api/v1/threads", headers=bob)).json()["threads"] == []
        # …and nothing of Alice's was touched
        mine = await http.get(f"/api/v1/threads/{thread_id}", headers=alice)
        assert mine.status_code == 200 and len(mine.json()["messages"]) == 2
        if quiz.status_code == 201:
            assert (await http.get(f"/api/v1/quizzes/{quiz.json()['id']}", headers=alice)).status_code == 200
