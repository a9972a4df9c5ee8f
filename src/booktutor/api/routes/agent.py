"""Agent runs over AG-UI: start a run and stream it (SSE), resume a stream, cancel a run."""

from __future__ import annotations

from typing import Annotated

from ag_ui.core import Message, RunAgentInput
from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from booktutor.api.deps import CurrentUser, RunCaller, RunManagerDep
from booktutor.api.schemas import event_stream_response
from booktutor.api.streaming import parse_last_event_id, sse_response, with_dependency_headers
from booktutor.api.streaming.event_log import MAX_SEQ
from booktutor.errors import BadRequest
from booktutor.graph.turn_request import last_user_message

router = APIRouter(tags=["agent"])

_SSE_DOC = event_stream_response("AG-UI events as SSE.")
LastEventId = Annotated[str | None, Header(alias="Last-Event-ID", max_length=300)]
MAX_ID_CHARS = 200  # what the threads, runs and messages tables hold
ClientId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)]


class AgentRunInput(RunAgentInput):
    """AG-UI's RunAgentInput with the bounds this server stores ids with (the schema says so too)."""

    thread_id: Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
    run_id: Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
    messages: Annotated[list[Message], Field(min_length=1)]


class CancelAccepted(BaseModel):
    run_id: str
    status: str = "cancelling"


def _check_messages(run_input: RunAgentInput) -> None:
    if not run_input.messages:
        raise BadRequest("A run needs at least one message.", details=[{"loc": ["body", "messages"]}])
    if not run_input.resume and last_user_message(run_input) is None:
        raise BadRequest(
            "The last message must be the user's, or the results of the frontend tools called after it.",
            details=[{"loc": ["body", "messages", -1, "role"]}],
        )
    ids: list[tuple[list[str | int], str]] = [
        (["body", "threadId"], run_input.thread_id),
        (["body", "runId"], run_input.run_id),
        (["body", "messages", -1, "id"], run_input.messages[-1].id),
    ]
    for i, entry in enumerate(run_input.resume or []):
        ids.append((["body", "resume", i, "interruptId"], entry.interrupt_id))
    for loc, value in ids:
        if not is_valid_client_id(value):
            raise BadRequest(
                f"{'.'.join(map(str, loc[1:]))} must be 1 to {MAX_ID_CHARS} printable characters.",
                code="invalid_id",
                details=[{"loc": loc}],
            )


def is_valid_client_id(value: str) -> bool:
    """Thread, run and message ids chosen by clients are stored: bounded, printable (no NUL)."""
    return 0 < len(value) <= MAX_ID_CHARS and value.isprintable()


@router.post("/agent/run", response_class=EventSourceResponse, responses=_SSE_DOC)
async def run_agent(
    run_input: AgentRunInput,
    user: RunCaller,
    response: Response,
    manager: RunManagerDep,
    last_event_id: LastEventId = None,
) -> EventSourceResponse:
    """Start a run and stream its events; a known runId (a client reconnecting) resumes that run."""
    _check_messages(run_input)
    if await manager.locate(run_input.run_id, user) is not None:
        after = parse_last_event_id(last_event_id, run_input.run_id)
        events = await manager.resume(run_input.run_id, user, after, thread_id=run_input.thread_id)
    else:
        await manager.start(run_input, user)
        events = manager.subscribe(run_input.run_id, user)
    stream = sse_response(events, run_input.run_id, ping_s=manager.ping_s)
    return with_dependency_headers(stream, response)


@router.get("/threads/{thread_id}/runs/{run_id}/stream", response_class=EventSourceResponse, responses=_SSE_DOC)
async def stream_run(
    thread_id: ClientId,
    run_id: ClientId,
    user: RunCaller,
    response: Response,
    manager: RunManagerDep,
    last_event_id: LastEventId = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="Resume after this event seq.")] = None,
) -> EventSourceResponse:
    """The rest of a run's events (all of them without a cursor), live until the run ends."""
    after_seq = after if after is not None else parse_last_event_id(last_event_id, run_id)
    events = await manager.resume(run_id, user, after_seq, thread_id=thread_id)
    stream = sse_response(events, run_id, ping_s=manager.ping_s)
    return with_dependency_headers(stream, response)


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", status_code=202)
async def cancel_run(
    thread_id: ClientId,
    run_id: ClientId,
    user: CurrentUser,
    manager: RunManagerDep,
) -> CancelAccepted:
    """Ask a running run to stop; its stream ends with RUN_FINISHED (outcome cancelled)."""
    await manager.cancel(run_id, user, thread_id=thread_id)
    return CancelAccepted(run_id=run_id)
