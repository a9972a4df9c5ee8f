"""Learners rate answers: thumbs up or down with an optional comment, one rating per answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from booktutor.api.deps import CurrentUser, IdempotencyDep, SessionDep
from booktutor.api.schemas import error_responses
from booktutor.memory.feedback import FeedbackRepository
from booktutor.memory.feedback_models import MessageFeedback
from booktutor.observability.langsmith_feedback import LangSmithFeedback, LearnerFeedback

router = APIRouter(tags=["feedback"])
ERRORS = error_responses(404, 422)
MAX_COMMENT_CHARS = 2000
MessageId = Annotated[str, Path(min_length=1, max_length=200)]
ThreadId = Annotated[str, Path(min_length=1, max_length=200)]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)

    @field_validator("comment")
    @classmethod
    def blank_is_none(cls, comment: str | None) -> str | None:
        return (comment or "").strip() or None


class FeedbackOut(BaseModel):
    message_id: str
    thread_id: str
    run_id: str | None
    rating: str
    comment: str | None
    route: str | None
    citations: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class ThreadFeedback(BaseModel):
    feedback: list[FeedbackOut]


@router.post("/messages/{message_id}/feedback", response_model=FeedbackOut, responses=ERRORS)
async def rate_answer(
    message_id: MessageId,
    body: FeedbackIn,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
    idempotency: IdempotencyDep,
):
    """Rate one of your answers; posting again replaces your rating and comment."""

    async def compute() -> tuple[int, FeedbackOut]:
        stored = _out(await FeedbackRepository(session).record(message_id, user.id, body.rating, body.comment))
        await session.commit()
        exporter = langsmith_exporter(request)
        if exporter is not None:
            background.add_task(exporter.send, _learner_feedback(stored))
        return 200, stored

    return await idempotency.run(compute)


@router.delete("/messages/{message_id}/feedback", status_code=204, response_class=Response, responses=ERRORS)
async def withdraw_rating(message_id: MessageId, user: CurrentUser, session: SessionDep) -> Response:
    """Withdraw the caller's rating of one of their answers."""
    await FeedbackRepository(session).remove(message_id, user.id)
    await session.commit()
    return Response(status_code=204)


@router.get("/threads/{thread_id}/feedback", response_model=ThreadFeedback, responses=ERRORS)
async def thread_feedback(thread_id: ThreadId, user: CurrentUser, session: SessionDep) -> ThreadFeedback:
    """The caller's ratings of the answers in one of their conversations."""
    rows = await FeedbackRepository(session).for_thread(thread_id, user.id)
    return ThreadFeedback(feedback=[_out(row) for row in rows])


def langsmith_exporter(request: Request) -> LangSmithFeedback | None:
    """Built once per app from LangSmith's variables (tests put a fake on `app.state`)."""
    state = request.app.state
    if not hasattr(state, "langsmith_feedback"):
        state.langsmith_feedback = LangSmithFeedback.from_environment()
    return state.langsmith_feedback


def _out(row: MessageFeedback) -> FeedbackOut:
    return FeedbackOut.model_validate(row, from_attributes=True)


def _learner_feedback(stored: FeedbackOut) -> LearnerFeedback:
    return LearnerFeedback(
        message_id=stored.message_id,
        thread_id=stored.thread_id,
        run_id=stored.run_id,
        rating=stored.rating,
        comment=stored.comment,
        route=stored.route,
    )
