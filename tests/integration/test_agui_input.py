"""AG-UI `RunAgentInput` as the standard says: `context` reaches the agents, client `messages` that
differ from the stored thread are honoured (regenerate, edit), and frontend `tools` round-trip with
a model that can call them or are refused offline. Models are scripted at the provider boundary or
the real offline answerer; Postgres, Qdrant (local mode) and MiniLM are real."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from ag_ui.core import (
    AssistantMessage,
    Context,
    EventType,
    FunctionCall,
    RunAgentInput,
    Tool,
    ToolMessage,
    UserMessage,
)
from ag_ui.core import (
    ToolCall as AgUiToolCall,
)
from tests.integration.test_chat_http import _serve

from booktutor.api.app import create_app
from booktutor.graph.router import IntentRouter
from booktutor.graph.service import ChatService
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn

pytestmark = pytest.mark.integration
BOOK = Path(__file__).parents[1] / "fixtures" / "conversation_book"
PASSAGE = "A hydraulic actuator pushes a piston with pressurised oil."
DIAGRAM_TOOL = Tool(
    name="show_diagram",
    description="Show a diagram of a part on the learner's page.",
    parameters={"type": "object", "properties": {"part": {"type": "string"}}, "required": ["part"]},
)


@pytest.fixture
async def book(services, ingestor, tmp_path) -> None:
    shutil.copytree(BOOK, tmp_path / "book")
    await ingestor.ingest(tmp_path / "book", book_id="robots", title="Robots")


def user(text: str, message_id: str | None = None) -> UserMessage:
    return UserMessage(id=message_id or f"m-{uuid.uuid4().hex[:8]}", role="user", content=text)


def run_input(thread_id: str, messages: list, **fields) -> RunAgentInput:
    return RunAgentInput(
        thread_id=thread_id,
        run_id=f"r-{uuid.uuid4().hex[:8]}",
        messages=messages,
        state={},
        tools=fields.pop("tools", []),
        context=fields.pop("context", []),
        forwarded_props={"book_id": "robots", **fields},
    )


async def run(chat: ChatService, who, request: RunAgentInput) -> list:
    await chat.prepare(request, who)
    return [event async for event in chat.stream(request, who)]


def text_of(events) -> str:
    return "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)


def final_state(events) -> dict:
    return [e for e in events if e.type == EventType.STATE_SNAPSHOT][-1].snapshot


def snapshot_of(events) -> list[tuple[str, str, str | None]]:
    """The run's MESSAGES_SNAPSHOT (right after RUN_STARTED) as (id, role, content)."""
    assert [e.type for e in events[:2]] == [EventType.RUN_STARTED, EventType.MESSAGES_SNAPSHOT]
    return [(m.id, m.role, m.content) for m in events[1].messages]


def thread_id() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def test_the_page_in_context_is_the_selection_doc_and_reaches_the_model(services, book, guest):
    offline = ChatService(services, ExtractiveModel(embedder=services.embedder), IntentRouter(services.embedder))
    page = Context(description="The page the learner is reading", value="/docs/actuators#hydraulic-actuators")
    events = await run(
        offline,
        guest,
        run_input(thread_id(), [user("What does this mean?")], context=[page], selected_text=PASSAGE),
    )

    selection = next(c for c in final_state(events)["citations"] if c["n"] == 1)
    assert selection["doc_path"] == "actuators" and selection["anchor_url"].startswith("/docs/actuators")
    assert "piston" in text_of(events)

    scripted = ScriptedModel([Turn(text="A piston.")])
    chat = ChatService(services, scripted, IntentRouter(services.embedder))
    level = Context(description="Learner level", value="first-year student")
    await run(chat, guest, run_input(thread_id(), [user("What is a hydraulic actuator?")], context=[page, level]))
    seen = json.dumps(scripted.calls[0].input)
    assert "first-year student" in seen and "/docs/actuators#hydraulic-actuators" in seen


async def test_regenerate_continues_the_thread_as_it_was_before_the_old_answer(services, book, guest):
    scripted = ScriptedModel([Turn(text="First answer about oil."), Turn(text="Second answer.")])
    chat = ChatService(services, scripted, IntentRouter(services.embedder))
    thread, question = thread_id(), user("What is a hydraulic actuator?")
    await run(chat, guest, run_input(thread, [question]))

    events = await run(chat, guest, run_input(thread, [question]))  # the same message id again

    assert text_of(events) == "Second answer."
    assert "First answer about oil." not in json.dumps(scripted.calls[1].input)
    assert snapshot_of(events) == [(question.id, "user", "What is a hydraulic actuator?")]


async def test_edited_earlier_messages_replace_the_stored_ones_for_the_run(services, book, guest):
    scripted = ScriptedModel([Turn(text="About springs."), Turn(text="About oil.")])
    chat = ChatService(services, scripted, IntentRouter(services.embedder))
    thread = thread_id()
    await run(chat, guest, run_input(thread, [user("What is a series elastic actuator?")]))

    edited = [
        user("What is a hydraulic actuator?"),
        AssistantMessage(id="a-1", role="assistant", content="It pushes a piston with oil."),
        user("What are its advantages?"),
    ]
    events = await run(chat, guest, run_input(thread, edited))

    seen = json.dumps(scripted.calls[1].input)
    assert "It pushes a piston with oil." in seen and "About springs." not in seen
    assert [message_id for message_id, _, _ in snapshot_of(events)] == [m.id for m in edited]
    assert "hydraulic actuator's advantages" in seen, "the follow-up is resolved against the edited history"


async def test_a_frontend_tool_round_trips_as_agui_tool_calls(services, book, guest):
    scripted = ScriptedModel(
        [Turn(tool_calls=[ToolCall("show_diagram", {"part": "piston"})]), Turn(text="The diagram shows the piston.")]
    )
    chat = ChatService(services, scripted, IntentRouter(services.embedder))
    thread, question = thread_id(), user("What is a hydraulic actuator?")
    events = await run(chat, guest, run_input(thread, [question], tools=[DIAGRAM_TOOL]))

    assert "show_diagram" in scripted.calls[0].tool_names
    start = next(e for e in events if e.type == EventType.TOOL_CALL_START)
    assert start.tool_call_name == "show_diagram"
    args = "".join(
        e.delta for e in events if e.type == EventType.TOOL_CALL_ARGS and e.tool_call_id == start.tool_call_id
    )
    assert json.loads(args) == {"part": "piston"}
    assert not [e for e in events if e.type == EventType.TOOL_CALL_RESULT], "the client runs the tool"
    assert events[-1].type == EventType.RUN_FINISHED

    call = AgUiToolCall(id=start.tool_call_id, function=FunctionCall(name="show_diagram", arguments=args))
    follow = [
        question,
        AssistantMessage(id="a-call", role="assistant", tool_calls=[call]),
        ToolMessage(id="tool-1", role="tool", tool_call_id=start.tool_call_id, content="diagram shown"),
    ]
    events = await run(chat, guest, run_input(thread, follow, tools=[DIAGRAM_TOOL]))

    assert text_of(events) == "The diagram shows the piston."
    assert [(m, role) for m, role, _ in snapshot_of(events)] == [
        (question.id, "user"),
        ("a-call", "assistant"),
        ("tool-1", "tool"),
    ]
    outputs = [i for i in scripted.calls[1].input if isinstance(i, dict) and i.get("type") == "function_call_output"]
    assert outputs == [{"type": "function_call_output", "call_id": start.tool_call_id, "output": "diagram shown"}]


@pytest.fixture
async def offline_http(services, book) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services=services, model=ExtractiveModel(embedder=services.embedder))
    async for url in _serve(app):
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
            yield client


async def test_frontend_tools_are_refused_offline_with_a_stable_code(offline_http):
    body = run_input(thread_id(), [user("What is a hydraulic actuator?")], tools=[DIAGRAM_TOOL])
    response = await offline_http.post("/api/v1/agent/run", json=body.model_dump(by_alias=True, exclude_none=True))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "frontend_tools_unsupported"


async def test_a_run_ending_with_an_assistant_message_is_refused(offline_http):
    body = run_input(thread_id(), [user("Hi"), AssistantMessage(id="a-1", role="assistant", content="Hello")])
    response = await offline_http.post("/api/v1/agent/run", json=body.model_dump(by_alias=True, exclude_none=True))

    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


async def _ask_over_http(client: httpx.AsyncClient, thread: str, text: str) -> str:
    body = run_input(thread, [user(text)]).model_dump(by_alias=True, exclude_none=True)
    response = await client.post("/api/v1/agent/run", json=body)
    assert response.status_code == 200, response.text
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1]["type"] == "RUN_FINISHED"
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")


async def test_follow_ups_over_http_with_the_checkpointed_graph(offline_http):
    thread = thread_id()
    assert "spring" in await _ask_over_http(offline_http, thread, "What is a series elastic actuator?")

    answer = await _ask_over_http(offline_http, thread, "What are its disadvantages?")
    assert "bandwidth" in answer and "drift" not in answer, answer

    greeting = await _ask_over_http(offline_http, thread, "thanks!")
    assert greeting.startswith("You're welcome!") and "quiz" in greeting
    answer = await _ask_over_http(offline_http, thread, "What is a hydraulic actuator?")
    assert "piston" in answer, "the next question is its own, not the previous turn's"
