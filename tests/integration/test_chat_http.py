"""The real conversation engine over HTTP on a real socket: AG-UI runs, chatbot endpoints,
disconnects, double texting, thread history, and a real @ag-ui/client (Node) consumer."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from tests.integration.test_streaming import SseReader, assert_well_formed, types_of, wait_until

from booktutor.api.app import create_app
from booktutor.memory.models import Message
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[2]
NODE_CLIENT = ROOT / "tests" / "node" / "agui_client.mjs"


class _ErrorOnTrigger(ExtractiveModel):
    """The offline answerer, except that a question containing TRIGGER_ERROR makes the provider fail."""

    async def _fail_if_triggered(self, input) -> None:
        if "TRIGGER_ERROR" in json.dumps(input, default=str):
            raise RuntimeError("provider unreachable")

    async def get_response(self, system_instructions, input, *args, **kwargs):
        await self._fail_if_triggered(input)
        return await super().get_response(system_instructions, input, *args, **kwargs)

    async def stream_response(self, system_instructions, input, *args, **kwargs):
        await self._fail_if_triggered(input)
        async for event in super().stream_response(system_instructions, input, *args, **kwargs):
            yield event


async def _serve(app) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_until(lambda: server.started, limit_s=30)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


@pytest.fixture
async def base_url(services, book) -> AsyncIterator[str]:
    app = create_app(services=services, model=_ErrorOnTrigger(embedder=services.embedder))
    async for url in _serve(app):
        yield url


@pytest.fixture
async def http(base_url) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        token = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        client.headers["X-Guest-Token"] = token
        yield client


def body(question: str, thread_id: str = "t-1", run_id: str | None = None, **props) -> dict:
    return {
        "threadId": thread_id,
        "runId": run_id or f"r-{uuid.uuid4().hex[:8]}",
        "messages": [{"id": f"m-{uuid.uuid4().hex[:8]}", "role": "user", "content": question}],
        "forwardedProps": {"book_id": "mini", **props},
    }


async def read_run(http: httpx.AsyncClient, payload: dict) -> list:
    async with http.stream("POST", "/api/v1/agent/run", json=payload) as response:
        assert response.status_code == 200, await response.aread()
        return await SseReader(response).rest()


async def test_agent_run_streams_a_grounded_answer_into_the_thread(http):
    messages = await read_run(http, body("What is backlash in a gearbox?"))

    types = types_of(messages)
    assert_well_formed(types)
    assert types[0] == "RUN_STARTED" and types[-1] == "RUN_FINISHED"
    assert {"STEP_STARTED", "TOOL_CALL_START", "TOOL_CALL_RESULT", "STATE_DELTA"} <= set(types)
    assert types.count("TEXT_MESSAGE_CONTENT") > 3
    snapshot = [m.data for m in messages if m.data["type"] == "STATE_SNAPSHOT"][-1]["snapshot"]
    assert snapshot["route"] == "answer" and snapshot["abstained"] is False
    assert snapshot["citations"][0]["doc_path"] == "basics/gears.md"

    thread = (await http.get("/api/v1/threads/t-1")).json()
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    assert thread["messages"][1]["citations"] == snapshot["citations"]
    assert thread["title"] == "What is backlash in a gearbox?"

    # A client that sends only its new message learns the conversation from MESSAGES_SNAPSHOT.
    second = await read_run(http, body("What about gear ratios?"))
    assert types_of(second)[:2] == ["RUN_STARTED", "MESSAGES_SNAPSHOT"]
    conversation = [(m["id"], m["role"], m["content"]) for m in second[1].data["messages"]]
    stored = [(m["id"], m["role"], m["content"]) for m in thread["messages"]]
    assert conversation[:2] == stored and conversation[2][1:] == ("user", "What about gear ratios?")


async def test_provider_failure_is_a_run_error_with_a_stable_code(http):
    messages = await read_run(http, body("TRIGGER_ERROR what is backlash?"))

    assert types_of(messages)[-1] == "RUN_ERROR"
    assert messages[-1].data["code"] == "internal_error"
    assert "unreachable" not in messages[-1].data["message"]


async def test_chatbot_query_json_and_stream(http):
    answer = await http.post("/api/v1/chatbot/query", json={"question": "What is a gear ratio?", "book_id": "mini"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["abstained"] is False and data["citations"]
    assert {c["doc_path"] for c in data["citations"]} == {"basics/gears.md"}
    assert data["answer"] and data["thread_id"] and data["run_id"]

    async with http.stream(
        "POST",
        "/api/v1/chatbot/query",
        headers={"Accept": "text/event-stream"},
        json={"question": "What is a gear ratio?", "book_id": "mini"},
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert types_of(await SseReader(response).rest())[-1] == "RUN_FINISHED"


async def test_chatbot_context_answers_from_the_selection(http):
    passage = "A pack that will not be used for a month is stored at about 3.3 volts per cell."
    response = await http.post(
        "/api/v1/chatbot/context",
        json={
            "selected_text": passage,
            "question": "Why this voltage?",
            "doc_path": "basics/batteries.mdx",
            "book_id": "mini",
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["citations"][0]["n"] == 1
    assert "3.3 volts" in data["answer"]


async def test_chatbot_validation_and_unknown_book(http):
    empty = await http.post("/api/v1/chatbot/query", json={"question": ""})
    assert empty.json()["error"]["code"] == "validation_error"
    too_long = await http.post("/api/v1/chatbot/context", json={"question": "q", "selected_text": "x" * 8001})
    assert too_long.status_code == 422
    unknown = await http.post("/api/v1/chatbot/query", json={"question": "hi", "book_id": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "book_not_found"
    for book_id in ("nope", "x" * 101):  # AG-UI's forwardedProps are not bounded: longer than any stored id
        run = await http.post("/api/v1/agent/run", json=body("hi", thread_id=f"t-{book_id[:8]}", book_id=book_id))
        assert run.status_code == 404 and run.json()["error"]["code"] == "book_not_found"


async def test_other_users_cannot_read_a_thread(http, base_url):
    await read_run(http, body("What is backlash?", thread_id="private"))
    async with httpx.AsyncClient(base_url=base_url) as stranger:
        response = await stranger.get("/api/v1/threads/private")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "thread_not_found"


@pytest.fixture
async def hanging_url(services, book) -> AsyncIterator[str]:
    model = ScriptedModel(
        [
            Turn(tool_calls=[ToolCall("search_book", {"query": "backlash"})]),
            Turn(text="Backlash is the gap between", hang=True),
        ],
        repeat_last=True,
    )
    app = create_app(services=services, model=model)
    async for url in _serve(app):
        yield url


async def _stored(services, thread_id: str) -> list[Message]:
    async with services.db.session() as session:
        return list(await session.scalars(select(Message).where(Message.thread_id == thread_id).order_by(Message.seq)))


async def test_disconnect_cancels_and_saves_the_partial_answer(services, hanging_url):
    async with (
        httpx.AsyncClient(base_url=hanging_url, timeout=10) as client,
        client.stream("POST", "/api/v1/agent/run", json=body("What is backlash?", "t-cut")) as response,
    ):
        reader = SseReader(response)
        while "TEXT_MESSAGE_CONTENT" not in types_of(await reader.take(1)):
            pass
    await wait_until_async(lambda: _assistant_status(services, "t-cut"), "interrupted", limit_s=3)
    saved = (await _stored(services, "t-cut"))[-1]
    assert saved.role == "assistant" and saved.content.startswith("Backlash")


async def test_second_message_while_running_is_rejected(services, hanging_url):
    async with httpx.AsyncClient(base_url=hanging_url, timeout=10) as client:
        token = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        client.headers["X-Guest-Token"] = token
        async with client.stream("POST", "/api/v1/agent/run", json=body("What is backlash?", "t-busy")) as first:
            await SseReader(first).take(2)
            second = await client.post("/api/v1/agent/run", json=body("And gears?", "t-busy"))
            assert second.status_code == 409
            assert second.json()["error"]["code"] == "run_in_progress"


async def _assistant_status(services, thread_id: str) -> str | None:
    stored = await _stored(services, thread_id)
    return stored[-1].status if stored and stored[-1].role == "assistant" else None


async def wait_until_async(probe, expected, limit_s: float) -> None:
    deadline = asyncio.get_running_loop().time() + limit_s
    while (value := await probe()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"got {value!r}, expected {expected!r}"
        await asyncio.sleep(0.05)


@pytest.mark.needs("node", "npm")
async def test_real_agui_client_consumes_and_verifies_the_streams(base_url):
    """@ag-ui/client's HttpAgent and its own verifier (verifyEvents) on a normal answer, a stream resumed
    mid-answer, and a chat quiz paused with the interrupt outcome and resumed (tests/node/agui_client.mjs)."""
    process = await asyncio.create_subprocess_exec(
        "node", str(NODE_CLIENT), base_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    report = json.loads(stdout)
    answer = report["answer"]
    assert answer["error"] is None
    assert answer["events"][:2] == ["RUN_STARTED", "MESSAGES_SNAPSHOT"] and answer["events"][-1] == "RUN_FINISHED"
    assert "[1]" in answer["text"] or "[2]" in answer["text"]
    assert answer["state"]["citations"][0]["doc_path"] == "basics/gears.md"
    assert answer["messages"][0]["role"] == "user" and answer["messages"][-1]["role"] == "assistant"
    assert report["replay"]["error"] is None and report["replay"]["types"] == answer["events"]

    resumed = report["resumed"]
    assert resumed["error"] is None, "verifyEvents accepts the resumed stream on its own"
    types, events = resumed["types"], resumed["events"]
    assert types[:2] == ["RUN_STARTED", "MESSAGES_SNAPSHOT"] and types[-1] == "RUN_FINISHED"
    first_content = types.index("TEXT_MESSAGE_CONTENT")
    reopened = events[types.index("TEXT_MESSAGE_START")]
    assert types.index("TEXT_MESSAGE_START") < first_content
    assert reopened["messageId"] == events[first_content]["messageId"]
    partial = events[1]["messages"][-1]
    assert (
        partial["id"] == reopened["messageId"] and answer["text"].startswith(partial["content"]) and partial["content"]
    )
    tail = "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")
    assert partial["content"] + tail == answer["text"]

    failure = report["failure"]
    assert failure["error"]["code"] == "internal_error", "RUN_ERROR reaches the onRunErrorEvent callback"

    quiz = report["quiz"]
    asked, answered, stopped = quiz["asked"], quiz["answered"], quiz["stopped"]
    assert asked["error"] is None and asked["outcome"] == "interrupt" and "Question 1 of 2" in asked["text"]
    assert asked["pending"] == [asked["interrupts"][0]["id"]] and asked["interrupts"][0]["reason"] == "input_required"
    assert quiz["askedStream"]["error"] is None and quiz["askedStream"]["types"][-2:] == [
        "MESSAGES_SNAPSHOT",
        "RUN_FINISHED",
    ]
    assert "pending interrupt" in quiz["blocked"], "the client refuses a run that ignores the interrupt"
    assert answered["error"] is None and answered["text"].startswith("Correct.") and answered["outcome"] == "interrupt"
    assert answered["interrupts"][0]["id"] != asked["interrupts"][0]["id"]
    assert quiz["answeredStream"]["error"] is None
    assert stopped["error"] is None and stopped["outcome"] == "success" and stopped["pending"] == []
    assert stopped["text"].startswith("Quiz stopped")


async def test_another_users_run_or_message_id_is_not_found_not_a_conflict(http, base_url):
    """A 409 would tell a stranger that someone else's run or message id exists: they get the 404
    of an unknown id, while the owner reusing their own message id still gets the conflict (the
    repository's tests check the same for run ids)."""
    payload = body("What is backlash in a gearbox?", thread_id="t-owner", run_id="r-owner")
    payload["messages"][0]["id"] = "m-owner"
    assert types_of(await read_run(http, payload))[-1] == "RUN_FINISHED"

    async with httpx.AsyncClient(base_url=base_url, timeout=20) as stranger:
        stranger.headers["X-Guest-Token"] = (await stranger.get("/api/v1/threads")).headers["X-Guest-Token"]
        reused_run = body("What is a gear?", thread_id="t-stranger", run_id="r-owner")
        got = await stranger.post("/api/v1/agent/run", json=reused_run)
        assert (got.status_code, got.json()["error"]["code"]) == (404, "run_not_found"), got.text
        assert "r-owner" not in str(got.json()["error"].get("details"))

        reused_message = body("What is a gear?", thread_id="t-stranger-2")
        reused_message["messages"][0]["id"] = "m-owner"
        got = await stranger.post("/api/v1/agent/run", json=reused_message)
        assert (got.status_code, got.json()["error"]["code"]) == (404, "message_not_found"), got.text

    own_message = body("What is a gear?", thread_id="t-owner-3")
    own_message["messages"][0]["id"] = "m-owner"
    mine = await http.post("/api/v1/agent/run", json=own_message)
    assert (mine.status_code, mine.json()["error"]["code"]) == (409, "message_exists")
