"""Quizzes end to end: authored ingest, the interrupt/resume flow over REST and AG-UI, grading, mastery."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from booktutor.api.app import create_app
from booktutor.memory.tutoring_models import AuthoredQuestionRow, Mastery
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
UR_INTRO = "i18n/ur/docusaurus-plugin-content-docs/current/intro.md"
UR_QUIZ = "\n```quiz\n- id: ur-only\n  type: short\n  question: کیا؟\n  answer: ہاں\n```\n"


@pytest.fixture
async def book(ingestor, book_copy):
    (book_copy / UR_INTRO).write_text((book_copy / UR_INTRO).read_text() + UR_QUIZ)
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    return book_copy


@asynccontextmanager
async def _client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30
    ) as client:
        client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        yield client


@pytest.fixture
async def app(services, book):
    app = create_app(services=services, model=ExtractiveModel(embedder=services.embedder))
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def http(app):
    async with _client(app) as client:
        yield client


async def _start(http, **body) -> dict:
    response = await http.post("/api/v1/books/mini/chapters/basics-gears/quiz", json={"count": 3, **body})
    assert response.status_code == 201, response.text
    return response.json()


def _no_secrets(payload: dict, *secrets: str) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text


async def test_authored_questions_are_ingested_from_the_source_language_only(services, ingestor, book):
    async with services.db.session() as session:
        rows = (await session.scalars(select(AuthoredQuestionRow))).all()
    assert [(r.question_key, r.kind, r.anchor, r.answer) for r in rows] == [("gears-ratio", "mcq", "backlash", 1)]
    assert rows[0].heading_path[-1] == "Backlash" and len(rows[0].content_hash) == 64

    gears = book / "docs/basics/gears.md"
    gears.write_text(gears.read_text().replace("id: gears-ratio", "id: gears-ratio-v2"))
    await ingestor.ingest(book, book_id="mini")
    async with services.db.session() as session:
        keys = (await session.scalars(select(AuthoredQuestionRow.question_key))).all()
    assert keys == ["gears-ratio-v2"]


async def test_quiz_flow_over_rest_with_hints_grading_and_mastery(http):
    quiz = await _start(http)
    current = quiz["current"]
    assert quiz["total"] == 3 and quiz["position"] == 0 and current["id"] == "gears-ratio"
    assert set(current) == {
        "id",
        "kind",
        "style",
        "prompt",
        "choices",
        "position",
        "hints",
        "hints_remaining",
    }
    _no_secrets(quiz, "Driven teeth divided by driving teeth is 40 / 10")

    hints = [await http.post(f"/api/v1/quizzes/{quiz['id']}/hint") for _ in range(4)]
    assert [h.status_code for h in hints] == [200, 200, 200, 409]
    assert hints[3].json()["error"]["code"] == "no_more_hints"
    eliminated = [h.json()["hint"] for h in hints[1:3]]
    assert all(text.startswith("It is not") and "4:1" not in text for text in eliminated)

    wrong = await http.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": 0, "position": 0})
    assert wrong.status_code == 200, wrong.text
    result = wrong.json()["result"]
    assert result["verdict"] == "incorrect" and result["correct_answer"] == "4:1"
    # the block sits in "Backlash" but tests the gear ratio: it cites (and trains) "Gear ratio"
    assert result["citation"]["anchor_url"].endswith("#gear-ratio") and result["hints_used"] == 3
    after = wrong.json()["quiz"]
    assert after["position"] == 1 and after["current"]["hints"] == [] and after["answers"][0]["your_answer"] == "1:4"
    _no_secrets(after["current"], "correct_answer")

    progress = (await http.get("/api/v1/users/me/progress", params={"book_id": "mini"})).json()
    gears = next(c for c in progress["chapters"] if c["chapter_id"] == "basics-gears")
    assert gears["sections"][0]["anchor"] == "gear-ratio" and gears["sections"][0]["p_known"] < 0.2
    assert progress["recommendation"]["anchor"] == "gear-ratio"

    stale = await http.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": 1, "position": 0})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "question_already_answered"


async def test_answers_are_idempotent_and_edge_cases_are_clear_errors(http):
    quiz = await _start(http)
    url = f"/api/v1/quizzes/{quiz['id']}/answers"
    for bad, code in [
        ({"answer": "  "}, "answer_empty"),
        ({"answer": "Z"}, "invalid_choice"),
        ({"answer": "x" * 2001}, "answer_too_long"),
    ]:
        response = await http.post(url, json=bad)
        assert response.status_code == 422 and response.json()["error"]["code"] == code

    first = await http.post(url, json={"answer": "B"}, headers={"Idempotency-Key": "a-1"})
    again = await http.post(url, json={"answer": "B"}, headers={"Idempotency-Key": "a-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["result"]["verdict"] == "correct" and first.json()["quiz"]["position"] == 1

    short = first.json()["quiz"]["current"]
    assert short["kind"] == "short" and "_____" in short["prompt"] and short["choices"] == []
    urdu = await http.post(url, json={"answer": "گیئر کا تناسب"})
    assert urdu.json()["result"]["verdict"] == "ungraded" and "correct_answer" not in urdu.json()["result"]
    assert urdu.json()["quiz"]["position"] == 1  # still open


async def test_learners_cannot_read_or_answer_each_others_quizzes(app, http):
    quiz = await _start(http)
    async with _client(app) as stranger:
        for response in [
            await stranger.get(f"/api/v1/quizzes/{quiz['id']}"),
            await stranger.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": 1}),
            await stranger.post(f"/api/v1/quizzes/{quiz['id']}/hint"),
        ]:
            assert response.status_code == 404 and response.json()["error"]["code"] == "quiz_not_found"
    assert (await http.get(f"/api/v1/quizzes/{uuid.uuid4()}")).status_code == 404
    unknown = await http.post("/api/v1/books/mini/chapters/nope/quiz", json={})
    assert unknown.status_code == 404


async def test_a_quiz_resumes_in_a_new_app_after_a_restart(services, book):
    first = create_app(services=services, model=ExtractiveModel(embedder=services.embedder))
    async with LifespanManager(first), _client(first) as http:
        quiz = await _start(http, count=2)
        await http.post(f"/api/v1/quizzes/{quiz['id']}/hint")
        token = http.headers["X-Guest-Token"]
    second = create_app(services=services, model=ExtractiveModel(embedder=services.embedder))
    async with (
        LifespanManager(second),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=second),
            base_url="http://testserver",
            headers={"X-Guest-Token": token},
        ) as http,
    ):
        view = (await http.get(f"/api/v1/quizzes/{quiz['id']}")).json()
        assert len(view["current"]["hints"]) == 1  # the hint survived the restart in the checkpoint
        answered = await http.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": "4:1"})
        assert answered.json()["result"]["verdict"] == "correct" and answered.json()["result"]["hints_used"] == 1
        cloze = answered.json()["quiz"]["current"]
        reference = "gear ratio" if "ratio" not in cloze["prompt"].split("_____")[0][-20:] else "backlash"
        done = (await http.post(f"/api/v1/quizzes/{quiz['id']}/answers", json={"answer": reference})).json()
        assert done["quiz"]["status"] == "completed" and done["quiz"]["current"] is None
    async with services.db.session() as session:
        mastery = (await session.scalars(select(Mastery))).all()
    assert mastery and all(m.attempts >= 1 for m in mastery)


def _sse_events(raw: str) -> list[dict]:
    return [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: ")]


def _run(text: str, thread: str) -> dict:
    return {
        "threadId": thread,
        "runId": f"r-{uuid.uuid4().hex[:8]}",
        "messages": [{"id": f"m-{uuid.uuid4().hex[:8]}", "role": "user", "content": text}],
        "forwardedProps": {"book_id": "mini"},
    }


async def _chat(http, text: str, thread: str) -> tuple[str, list[dict]]:
    response = await http.post("/api/v1/agent/run", json=_run(text, thread))
    assert response.status_code == 200, response.text
    events = _sse_events(response.text)
    assert events[-1]["type"] == "RUN_FINISHED", events[-3:]
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT"), events


async def test_quiz_in_chat_over_the_agui_stream(http):
    """A chat quiz; a question left waiting ends the run with AG-UI's interrupt outcome, which the next
    run answers with `resume` (as @ag-ui/client does) or with a plain message (as the widget does)."""
    thread = "chat-quiz"
    asked = _run("Quiz me on gears and torque, 2 questions", thread)
    reply, events = await _chat_body(http, asked)
    assert "Question 1 of 2" in reply and "B) 4:1" in reply
    raw = json.dumps(events, ensure_ascii=False)
    assert "Driven teeth divided by driving teeth" not in raw and '"answer"' not in raw
    finished = events[-1]
    (interrupt,) = finished["outcome"]["interrupts"]
    assert finished["outcome"]["type"] == "interrupt" and interrupt["reason"] == "input_required"
    assert interrupt["id"].startswith("quiz-") and interrupt["id"].endswith("-0")
    assert "Question 1 of 2" in interrupt["message"] and "reply" in interrupt["responseSchema"]["properties"]
    assert interrupt["metadata"]["booktutor"]["total"] == 2
    # What resuming needs comes before the interrupt: the conversation with the question in it.
    assert events[-2]["type"] == "MESSAGES_SNAPSHOT"
    question = events[-2]["messages"][-1]
    assert question["id"] == finished["result"]["message_id"] and "Question 1 of 2" in question["content"]

    hint, events = await _chat(http, "Can I have a hint", thread)  # a plain message: the widget's way
    assert hint.startswith("Hint 1:") and events[-1]["outcome"]["interrupts"][0]["id"] == interrupt["id"]
    # A client loading the conversation later (the widget after a page load) finds the question waiting.
    waiting = (await http.get(f"/api/v1/threads/{thread}")).json()["interrupt"]
    assert waiting == events[-1]["outcome"]["interrupts"][0]

    conversation = [*asked["messages"], {"id": question["id"], "role": "assistant", "content": question["content"]}]
    answer = {**_run("", thread), "messages": conversation}
    answer["resume"] = [{"interruptId": interrupt["id"], "status": "resolved", "payload": {"reply": "B"}}]
    feedback, events = await _chat_body(http, answer)
    assert feedback.startswith("Correct.") and "Question 2 of 2" in feedback
    finished = events[-1]
    assert finished["result"]["route"] == "tutor" and finished["result"]["citations"][0]["anchor_url"].endswith(
        "#gear-ratio"
    )
    assert finished["outcome"]["interrupts"][0]["id"] == interrupt["id"][:-1] + "1"

    replayed = await http.post("/api/v1/agent/run", json={**answer, "runId": "r-replayed"})
    assert replayed.status_code == 409 and replayed.json()["error"]["code"] == "interrupt_not_open"
    bad = {
        **answer,
        "runId": "r-bad",
        "resume": [{"interruptId": "x", "status": "resolved", "payload": {"reply": 3.5}}],
    }
    assert (await http.post("/api/v1/agent/run", json=bad)).json()["error"]["code"] == "invalid_resume"

    stopped, events = await _chat(http, "stop the quiz", thread)
    assert stopped.startswith("Quiz stopped") and "outcome" not in events[-1]
    assert (await http.get(f"/api/v1/threads/{thread}")).json()["interrupt"] is None
    nxt, _ = await _chat(http, "What should I study next?", thread)
    assert nxt.startswith("Study next:")
    stored = (await http.get(f"/api/v1/threads/{thread}")).json()["messages"]
    assert [m["content"] for m in stored if m["role"] == "user"][1:3] == ["Can I have a hint", "B"]


async def _chat_body(http, body: dict) -> tuple[str, list[dict]]:
    response = await http.post("/api/v1/agent/run", json=body)
    assert response.status_code == 200, response.text
    events = _sse_events(response.text)
    assert events[0]["type"] == "RUN_STARTED" and events[-1]["type"] == "RUN_FINISHED", events[-3:]
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT"), events
