"""Plain endpoints for the book's frontend: ask a question, or ask about a highlighted passage.

JSON by default; with `Accept: text/event-stream` the same AG-UI stream as /agent/run.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from ag_ui.core import RunAgentInput, RunErrorEvent, StateSnapshotEvent, TextMessageContentEvent, UserMessage
from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from booktutor.api.deps import RunManagerDep, StreamingUser
from booktutor.api.schemas import error_responses, event_stream_response
from booktutor.api.streaming import RunManager, sse_response, wants_event_stream, with_dependency_headers
from booktutor.errors import AppError
from booktutor.graph.state import Citation

router = APIRouter(prefix="/chatbot", tags=["chatbot"])
ThreadId = Annotated[str | None, Field(default=None, min_length=1, max_length=200, pattern=r"^[\w.:-]+$")]


class QueryIn(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    thread_id: ThreadId = None
    book_id: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, min_length=2, max_length=16, pattern=r"^[A-Za-z-]+$")


class ContextIn(QueryIn):
    selected_text: str = Field(min_length=1, max_length=8000)
    doc_path: str | None = Field(default=None, max_length=500)


class AnswerOut(BaseModel):
    answer: str
    citations: list[Citation]
    thread_id: str
    run_id: str
    abstained: bool
    route: str | None = None
    degraded: bool = False


class RunFailed(AppError):
    code = "run_failed"
    status_code = 503


RESPONSES = {**event_stream_response(), **error_responses(404, 409, 503)}


def _run_input(body: QueryIn, props: dict[str, Any]) -> RunAgentInput:
    return RunAgentInput(
        thread_id=body.thread_id or f"thread-{uuid.uuid4().hex}",
        run_id=f"run-{uuid.uuid4().hex}",
        messages=[UserMessage(id=f"msg-{uuid.uuid4().hex}", role="user", content=body.question)],
        forwarded_props={k: v for k, v in {"book_id": body.book_id, "language": body.language, **props}.items() if v},
    )


async def _answer(run_input: RunAgentInput, user, manager: RunManager, accept: str | None, response: Response):
    await manager.start(run_input, user)
    events = manager.subscribe(run_input.run_id, user)
    if wants_event_stream(accept):
        return with_dependency_headers(sse_response(events, run_input.run_id, ping_s=manager.ping_s), response)
    answer, state = "", {}
    async for _seq, event in events:
        if isinstance(event, TextMessageContentEvent):
            answer += event.delta
        elif isinstance(event, StateSnapshotEvent):
            state = event.snapshot
        elif isinstance(event, RunErrorEvent):
            raise RunFailed(event.message, code=event.code or "run_failed")
    return AnswerOut(
        answer=answer,
        citations=state.get("citations", []),
        thread_id=run_input.thread_id,
        run_id=run_input.run_id,
        abstained=bool(state.get("abstained")),
        route=state.get("route"),
        degraded=bool(state.get("degraded")),
    )


@router.post("/query", response_model=AnswerOut, responses=RESPONSES)
async def query(
    body: QueryIn,
    user: StreamingUser,
    manager: RunManagerDep,
    response: Response,
    accept: Annotated[str | None, Header()] = None,
) -> AnswerOut | EventSourceResponse:
    """Ask the whole book a question."""
    return await _answer(_run_input(body, {}), user, manager, accept, response)


@router.post("/context", response_model=AnswerOut, responses=RESPONSES)
async def context(
    body: ContextIn,
    user: StreamingUser,
    manager: RunManagerDep,
    response: Response,
    accept: Annotated[str | None, Header()] = None,
) -> AnswerOut | EventSourceResponse:
    """Ask about a highlighted passage: grounded first on the passage, then on the book."""
    props = {"selected_text": body.selected_text, "doc_path": body.doc_path}
    return await _answer(_run_input(body, props), user, manager, accept, response)
