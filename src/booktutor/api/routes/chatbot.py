"""Plain endpoints for the book's frontend: ask a question, or ask about a highlighted passage.

JSON by default; with `Accept: text/event-stream` the same AG-UI stream as /agent/run.

With an `Idempotency-Key`, a retried JSON request gets the stored answer (see api/idempotency.py) and
a retried stream re-attaches to the run the key started (its events from the first one) while the
server still holds that run.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from ag_ui.core import RunAgentInput, RunErrorEvent, StateSnapshotEvent, TextMessageContentEvent, UserMessage
from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from booktutor.api.deps import IdempotencyDep, RunManagerDep, StreamingUser
from booktutor.api.idempotency import Idempotency
from booktutor.api.schemas import error_responses, event_stream_response
from booktutor.api.streaming import RunManager, sse_response, wants_event_stream, with_dependency_headers
from booktutor.api.streaming.manager import NumberedEvents
from booktutor.errors import AppError
from booktutor.graph.state import Citation
from booktutor.memory.models import User

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


def _run_input(body: QueryIn, props: dict[str, Any], run_id: str) -> RunAgentInput:
    return RunAgentInput(
        thread_id=body.thread_id or f"thread-{uuid.uuid4().hex}",
        run_id=run_id,
        messages=[UserMessage(id=f"msg-{uuid.uuid4().hex}", role="user", content=body.question)],
        forwarded_props={k: v for k, v in {"book_id": body.book_id, "language": body.language, **props}.items() if v},
    )


def _run_id(user: User, key: str | None) -> str:
    """A new run's id; for a stream with an Idempotency-Key, the same id for every retry by the caller."""
    if key is None:
        return f"run-{uuid.uuid4().hex}"
    return f"run-{uuid.uuid5(uuid.NAMESPACE_URL, f'booktutor:chatbot:{user.id}:{key}').hex}"


async def _answer(
    body: QueryIn,
    props: dict[str, Any],
    user: User,
    manager: RunManager,
    accept: str | None,
    response: Response,
    idempotency: Idempotency,
) -> Response:
    if wants_event_stream(accept):
        run_input = _run_input(body, props, _run_id(user, idempotency.key))
        if idempotency.key is not None and await manager.locate(run_input.run_id, user) is not None:
            events = await manager.resume(run_input.run_id, user)  # a retried stream: the same run again
        else:
            await manager.start(run_input, user)
            events = manager.subscribe(run_input.run_id, user)
        return with_dependency_headers(sse_response(events, run_input.run_id, ping_s=manager.ping_s), response)

    run_input = _run_input(body, props, _run_id(user, None))  # a retry after a failure runs anew

    async def compute() -> tuple[int, AnswerOut]:
        await manager.start(run_input, user)
        return 200, await _collect(run_input, manager.subscribe(run_input.run_id, user))

    return await idempotency.run(compute)


async def _collect(run_input: RunAgentInput, events: NumberedEvents) -> AnswerOut:
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
    idempotency: IdempotencyDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Ask the whole book a question."""
    return await _answer(body, {}, user, manager, accept, response, idempotency)


@router.post("/context", response_model=AnswerOut, responses=RESPONSES)
async def context(
    body: ContextIn,
    user: StreamingUser,
    manager: RunManagerDep,
    response: Response,
    idempotency: IdempotencyDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Ask about a highlighted passage: grounded first on the passage, then on the book."""
    props = {"selected_text": body.selected_text, "doc_path": body.doc_path}
    return await _answer(body, props, user, manager, accept, response, idempotency)
