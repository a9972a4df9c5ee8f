"""The caller's conversation threads and their message history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from booktutor.api.deps import CurrentUser, RunSourceDep, SessionDep
from booktutor.api.schemas import error_responses
from booktutor.graph.quiz_interrupt import open_quiz_interrupt
from booktutor.memory.models import Message, Thread
from booktutor.memory.threads import ThreadRepository

router = APIRouter(prefix="/threads", tags=["threads"])
NOT_FOUND = error_responses(404, 422)
ThreadId = Annotated[str, Path(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=500)]


class ThreadOut(BaseModel):
    id: str
    title: str
    book_id: str | None
    created_at: datetime
    updated_at: datetime
    message_count: int


class ThreadList(BaseModel):
    threads: list[ThreadOut]
    next_cursor: str | None


class MessageOut(BaseModel):
    id: str
    role: str
    content: str
    status: str
    run_id: str | None
    route: str | None
    citations: list[dict[str, Any]]
    abstained: bool
    created_at: datetime


class ThreadDetail(BaseModel):
    id: str
    title: str
    book_id: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]
    next_cursor: str | None = None
    interrupt: dict[str, Any] | None = Field(
        default=None,
        description="The chat quiz question waiting for an answer, as the AG-UI interrupt its run ended with "
        "(answer it with `resume` on POST /agent/run); null when nothing waits.",
    )


@router.get("", response_model=ThreadList, responses=error_responses(422))
async def list_threads(user: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None) -> ThreadList:
    """The caller's conversations, most recently active first, paged with `cursor`."""
    page = await ThreadRepository(session).list_threads(user.id, limit=limit, cursor=cursor)
    threads = [
        ThreadOut(
            id=s.thread.id,
            title=s.thread.title,
            book_id=s.thread.book_id,
            created_at=s.thread.created_at,
            updated_at=s.thread.updated_at,
            message_count=s.message_count,
        )
        for s in page.items
    ]
    return ThreadList(threads=threads, next_cursor=page.next_cursor)


@router.get("/{thread_id}", response_model=ThreadDetail, responses=NOT_FOUND)
async def get_thread(
    thread_id: ThreadId,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ThreadDetail:
    """One of the caller's conversations with its messages, oldest first, paged with `cursor`, and the
    quiz question waiting for an answer in it, if any."""
    repo = ThreadRepository(session)
    thread = await repo.get_thread(thread_id, user.id)
    page = await repo.list_messages(thread_id, user.id, limit=limit, cursor=cursor)
    detail = _thread_detail(thread, page.items, page.next_cursor)
    quizzes = getattr(request.app.state, "quizzes", None)
    if quizzes is not None and (waiting := await open_quiz_interrupt(quizzes, user.id, thread_id)) is not None:
        detail.interrupt = waiting.model_dump(mode="json", by_alias=True, exclude_none=True)
    return detail


@router.delete("/{thread_id}", status_code=204, response_class=Response, responses=error_responses(404))
async def delete_thread(thread_id: ThreadId, user: CurrentUser, session: SessionDep, source: RunSourceDep) -> Response:
    """Delete one of the caller's conversations, its messages, runs and checkpoints."""
    await ThreadRepository(session).delete_thread(thread_id, user.id)
    await session.commit()
    if hasattr(source, "forget_thread"):
        await source.forget_thread(thread_id)
    return Response(status_code=204)


def _thread_detail(thread: Thread, messages: list[Message], next_cursor: str | None) -> ThreadDetail:
    return ThreadDetail(
        id=thread.id,
        title=thread.title,
        book_id=thread.book_id,
        created_at=thread.created_at,
        updated_at=thread.updated_at,
        next_cursor=next_cursor,
        messages=[_message_out(message) for message in messages],
    )


def _message_out(m: Message) -> MessageOut:
    return MessageOut(
        id=m.id,
        role=m.role,
        content=m.content,
        status=m.status,
        run_id=m.run_id,
        route=m.route,
        citations=m.citations,
        abstained=m.abstained,
        created_at=m.created_at,
    )
