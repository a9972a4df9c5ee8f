"""Quizzes on a book by another author (tests/fixtures/workshop_book: a quiz page with lettered options
and an answer key, exercises with answers in <details>, no key-terms section, MDX components),
end to end through the HTTP API on real Postgres."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from tests.integration.http_helpers import guest_client

from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
WORKSHOP = Path(__file__).parents[1] / "fixtures/workshop_book"
SECRETS = ("Wobble around the target position", "multiplies the motor torque", "Its teeth engage matching grooves")


@pytest.fixture
async def http(services, ingestor):
    await ingestor.ingest(WORKSHOP, book_id="workshop", title="Workshop")
    async with guest_client(services, model=ExtractiveModel(embedder=services.embedder)) as client:
        yield client


async def _chapters(http) -> dict[str, str]:
    chapters = (await http.get("/api/v1/books/workshop/chapters")).json()["chapters"]
    return {c["doc_path"]: c["id"] for c in chapters}


async def _quiz(http, chapter: str, **body) -> dict:
    response = await http.post(f"/api/v1/books/workshop/chapters/{chapter}/quiz", json={"count": 20, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def _answer_all(http, quiz: dict, answer_for) -> list[dict]:
    results = []
    while quiz["current"] is not None:
        current = quiz["current"]
        response = await http.post(
            f"/api/v1/quizzes/{quiz['id']}/answers",
            json={"answer": answer_for(current), "position": current["position"]},
        )
        assert response.status_code == 200, response.text
        results.append(response.json()["result"])
        quiz = response.json()["quiz"]
    return results


async def test_every_lesson_offers_imported_and_generated_questions_without_leaking_answers(http):
    chapters = await _chapters(http)
    for path in ("drives/gear-trains.mdx", "drives/belts-and-bearings.md", "drives/drives-quiz.md"):
        quiz = await _quiz(http, chapters[path])
        assert quiz["total"] >= 3, path
        raw = json.dumps(quiz, ensure_ascii=False)
        assert not any(secret in raw for secret in SECRETS) and '"answer"' not in raw
        for _ in range(quiz["total"]):  # every question the learner will see, answers hidden
            view = (await http.get(f"/api/v1/quizzes/{quiz['id']}")).json()
            assert "correct_answer" not in json.dumps(view["current"])
            await http.post(
                f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": 0 if view["current"]["choices"] else "x"}
            )
    gears = await _quiz(http, chapters["drives/gear-trains.mdx"], source="generated")
    assert gears["total"] >= 3 and gears["current"]["style"] in ("definition", "cloze", "list", "table", "number")


async def test_quiz_page_questions_are_graded_and_cite_the_section_they_test(http):
    chapters = await _chapters(http)
    quiz = await _quiz(http, chapters["drives/drives-quiz.md"], kinds=["mcq"])
    keys = {"gear ratio": "B", "backlash": "b", "radial": "B", "true or false": "False"}

    def answer_for(current: dict) -> str:
        return next(v for k, v in keys.items() if k in current["prompt"].lower())

    results = await _answer_all(http, quiz, answer_for)
    assert [r["verdict"] for r in results] == ["correct"] * 4
    cited = {r["citation"]["heading"] for r in results}
    assert cited == {"Gear ratio", "Backlash", "Rolling bearings", "Timing belts"}
    progress = (await http.get("/api/v1/users/me/progress", params={"book_id": "workshop"})).json()
    sections = {s["anchor"] for c in progress["chapters"] for s in c["sections"]}
    assert {"gear-ratio", "backlash", "rolling-bearings", "timing-belts"} <= sections


async def test_unsure_grading_lets_the_learner_mark_the_answer(http):
    chapters = await _chapters(http)
    quiz = await _quiz(http, chapters["drives/belts-and-bearings.md"], kinds=["short"], source="authored")
    assert quiz["current"]["prompt"] == "Explain why a timing belt does not slip on its pulleys."
    response = await http.post(
        f"/api/v1/quizzes/{quiz['id']}/answers",
        json={"answer": "The belt does not rely on friction: its teeth engage the pulley grooves."},
    )
    result = response.json()["result"]
    assert result["verdict"] == "unsure" and "model answer" in result["feedback"]
    assert result["correct_answer"].startswith("Its teeth engage matching grooves")
    assert response.json()["quiz"]["score"] == 0

    url = f"/api/v1/quizzes/{quiz['id']}/answers/0/self-assessment"
    marked = await http.post(url, json={"correct": True})
    assert marked.status_code == 200, marked.text
    assert marked.json()["result"]["verdict"] == "correct" and marked.json()["result"]["method"] == "self"
    assert marked.json()["quiz"]["score"] == 1 and marked.json()["quiz"]["correct"] == 1
    again = await http.post(url, json={"correct": False})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_self_assessable"
    progress = (await http.get("/api/v1/users/me/progress", params={"book_id": "workshop"})).json()
    assert any(s["anchor"] for c in progress["chapters"] for s in c["sections"])

    copied = await http.post(
        f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": "Name one sign that a bearing needs replacing."}
    )
    assert (
        copied.json()["result"]["verdict"] == "incorrect"
        and "repeats the question" in copied.json()["result"]["feedback"]
    )
    nothing = await http.post(f"/api/v1/quizzes/{quiz['id']}/answers/1/self-assessment", json={"correct": True})
    assert nothing.status_code == 409


def _run(text: str, thread: str, **props) -> dict:
    return {
        "threadId": thread,
        "runId": f"r-{uuid.uuid4().hex[:8]}",
        "messages": [{"id": f"m-{uuid.uuid4().hex[:8]}", "role": "user", "content": text}],
        "forwardedProps": {"book_id": "workshop", **props},
    }


async def _chat(http, text: str, thread: str, **props) -> tuple[str, dict]:
    response = await http.post("/api/v1/agent/run", json=_run(text, thread, **props))
    assert response.status_code == 200, response.text
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    reply = "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")
    deltas = [op for e in events if e["type"] == "STATE_DELTA" for op in e["delta"] if op["path"] == "/quiz"]
    return reply, {"events": events, "quiz": deltas[-1]["value"] if deltas else None}


async def test_chat_quiz_on_a_topic_the_current_page_or_the_weakest_section(http):
    chapters = await _chapters(http)
    reply, state = await _chat(http, "quiz me on backlash", "t-topic")  # a topic, not a chapter title
    assert reply.startswith("Let's practise!"), reply
    assert state["quiz"]["chapter_id"] == chapters["drives/gear-trains.mdx"]
    first = (await http.post(f"/api/v1/quizzes/{state['quiz']['id']}/answers", json={"answer": 0})).json()
    assert first["result"]["citation"]["heading"] == "Backlash"  # the section the search found comes first

    reply, state = await _chat(http, "quiz me", "t-page", doc_path="drives/belts-and-bearings.md")
    assert reply.startswith("Let's practise!"), reply
    assert state["quiz"]["chapter_id"] == chapters["drives/belts-and-bearings.md"]

    reply, state = await _chat(http, "quiz me", "t-weakest")  # no page: the weakest section so far
    assert reply.startswith("Let's practise!"), reply
    assert state["quiz"]["chapter_id"] in (chapters["drives/gear-trains.mdx"], chapters["drives/belts-and-bearings.md"])


async def test_playing_a_quiz_is_not_counted_as_generation(services, ingestor):
    await ingestor.ingest(WORKSHOP, book_id="workshop", title="Workshop")
    async with guest_client(services, rate_limit_generation="2/minute", rate_limit_default="1000/minute") as http:
        chapters = await _chapters(http)
        url = f"/api/v1/books/workshop/chapters/{chapters['drives/drives-quiz.md']}/quiz"
        quiz = (await http.post(url, json={"count": 4})).json()
        plays = [(await http.get(f"/api/v1/quizzes/{quiz['id']}")).status_code for _ in range(3)]
        plays.append((await http.post(f"/api/v1/quizzes/{quiz['id']}/hint")).status_code)
        plays += [
            (await http.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": "A"})).status_code
            for _ in range(3)
        ]
        assert plays == [200] * 7
        created = [(await http.post(url, json={"count": 4})).status_code for _ in range(2)]
        assert created == [201, 429]
