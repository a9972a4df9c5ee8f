"""Conversation memory: threads, their messages and the agent runs on them.

Methods flush but never commit; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, case, delete, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.errors import (
    MessageAlreadyExists,
    MessageNotFound,
    ReservedThreadId,
    RunAlreadyExists,
    RunInProgress,
    RunNotFound,
    ThreadNotFound,
)
from booktutor.memory.checkpoint_keys import QUIZ_PREFIX, RESERVED_PREFIXES, is_reserved
from booktutor.memory.cursors import decode_message_cursor, decode_thread_cursor, encode_cursor
from booktutor.memory.database import rows_affected
from booktutor.memory.models import Message, Run, Thread

T = TypeVar("T")

TITLE_MAX_CHARS = 80
ROLES = frozenset({"user", "assistant"})
MESSAGE_STATUSES = frozenset({"complete", "interrupted", "failed"})
FINAL_RUN_STATUSES = frozenset({"completed", "interrupted", "failed", "cancelled"})
ONE_RUNNING_INDEX = "ix_runs_one_running_per_thread"
STALE_RUN_ERROR = "stale_run"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    thread: Thread
    message_count: int


class ThreadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Threads

    async def get_or_create_thread(
        self, thread_id: str, owner_id: uuid.UUID, book_id: str | None = None, title: str | None = None
    ) -> Thread:
        """The caller's thread with this id, created if new; 404 if another user owns the id."""
        if is_reserved(thread_id):
            raise ReservedThreadId(
                "Thread ids may not start with an internal namespace prefix.",
                details={"reserved_prefixes": list(RESERVED_PREFIXES)},
            )
        insert = (
            pg_insert(Thread)
            .values(
                id=thread_id,
                owner_id=owner_id,
                book_id=book_id,
                title=make_title(title or ""),
                summary="",
            )
            .on_conflict_do_nothing(index_elements=[Thread.id])
        )
        await self.session.execute(insert)
        return await self.get_thread(thread_id, owner_id)

    async def get_thread(self, thread_id: str, owner_id: uuid.UUID) -> Thread:
        stmt = select(Thread).where(Thread.id == thread_id, Thread.owner_id == owner_id)
        thread = await self._one_or_none(stmt)
        if thread is None:
            raise ThreadNotFound(f"No thread with id '{thread_id}'.")
        return thread

    async def list_threads(
        self, owner_id: uuid.UUID, limit: int = 50, cursor: str | None = None
    ) -> Page[ThreadSummary]:
        """The owner's threads, most recently updated first."""
        count = select(func.count()).where(Message.thread_id == Thread.id).correlate(Thread).scalar_subquery()
        stmt = (
            select(Thread, count)
            .where(Thread.owner_id == owner_id)
            .order_by(Thread.updated_at.desc(), Thread.id.desc())
            .limit(limit + 1)
        )
        if cursor:
            updated_at, thread_id = decode_thread_cursor(cursor)
            stmt = stmt.where(tuple_(Thread.updated_at, Thread.id) < tuple_(updated_at, thread_id))
        rows = (await self.session.execute(stmt)).all()
        items = [ThreadSummary(thread=row[0], message_count=row[1]) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = items[-1].thread
            next_cursor = encode_cursor({"k": "t", "u": last.updated_at.isoformat(), "i": last.id})
        return Page(items=items, next_cursor=next_cursor)

    async def delete_thread(self, thread_id: str, owner_id: uuid.UUID) -> None:
        """Delete the thread with its messages and runs (database cascade)."""
        stmt = delete(Thread).where(Thread.id == thread_id, Thread.owner_id == owner_id)
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        if rows_affected(result) == 0:
            raise ThreadNotFound(f"No thread with id '{thread_id}'.")
        cached = self._cached(Thread, thread_id)
        if cached is not None:
            self.session.expunge(cached)

    async def set_summary(self, thread_id: str, summary: str) -> None:
        """The summary of the thread's turns older than those a run sees."""
        await self.session.execute(update(Thread).where(Thread.id == thread_id).values(summary=summary))

    async def stale_checkpoint_threads(self, idle_for: timedelta) -> list[str]:
        """Chat threads with LangGraph checkpoints whose thread is gone or idle longer than `idle_for`.
        Quiz flows (`quiz:<id>`) are not chat threads: they keep theirs until the quiz ends."""
        stmt = text(
            "SELECT DISTINCT c.thread_id FROM checkpoints c WHERE c.thread_id NOT LIKE :quiz "
            "AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = c.thread_id"
            " AND t.updated_at > now() - CAST(:idle AS interval))"
        )
        params = {"idle": idle_for, "quiz": QUIZ_PREFIX + "%"}
        return list((await self.session.execute(stmt, params)).scalars().all())

    # Messages

    async def add_message(
        self,
        thread_id: str,
        *,
        message_id: str,
        role: str,
        content: str,
        run_id: str | None,
        status: str = "complete",
        route: str | None = None,
        citations: Iterable[dict[str, Any]] = (),
        abstained: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> Message:
        """Append a message; re-adding an id already in this thread returns the stored message."""
        _check_choice("role", role, ROLES)
        _check_choice("status", status, MESSAGE_STATUSES)
        existing = await self.session.get(Message, message_id)
        if existing is not None:
            return await self._same_thread(existing, thread_id)
        await self._touch_thread(thread_id, content if role == "user" else None)
        message = Message(
            id=message_id,
            thread_id=thread_id,
            run_id=run_id,
            role=role,
            content=content,
            status=status,
            route=route,
            citations=list(citations),
            abstained=abstained,
            extra=dict(extra or {}),
        )
        try:
            async with self.session.begin_nested():
                self.session.add(message)
        except IntegrityError:  # added concurrently by another transaction
            existing = await self.session.get(Message, message_id)
            if existing is not None:
                await self._same_thread(existing, thread_id)
            raise MessageAlreadyExists(f"Message id '{message_id}' is already used.") from None
        return message

    async def list_messages(
        self, thread_id: str, owner_id: uuid.UUID, limit: int = 50, cursor: str | None = None
    ) -> Page[Message]:
        """The thread's messages, oldest first."""
        await self.get_thread(thread_id, owner_id)
        stmt = select(Message).where(Message.thread_id == thread_id).order_by(Message.seq).limit(limit + 1)
        if cursor:
            stmt = stmt.where(Message.seq > decode_message_cursor(cursor))
        messages = list((await self.session.execute(stmt)).scalars())
        next_cursor = None
        if len(messages) > limit:
            messages = messages[:limit]
            next_cursor = encode_cursor({"k": "m", "s": messages[-1].seq})
        return Page(items=messages, next_cursor=next_cursor)

    async def recent_messages(self, thread_id: str, limit: int = 20) -> list[Message]:
        """The last `limit` messages of the thread, oldest first (for model context)."""
        stmt = select(Message).where(Message.thread_id == thread_id).order_by(Message.seq.desc()).limit(limit)
        messages = list((await self.session.execute(stmt)).scalars())
        messages.reverse()
        return messages

    # Runs

    async def start_run(
        self,
        run_id: str,
        thread_id: str,
        owner_id: uuid.UUID,
        *,
        owner_process: str | None = None,
        lease: timedelta | None = None,
    ) -> Run:
        """Record a new `running` run; 409 if the thread already has one or the id was used.
        `owner_process` holds its lease (memory/run_leases.py) for `lease`."""
        await self.get_thread(thread_id, owner_id)
        await self._check_run_id_free(run_id, owner_id)
        run = Run(id=run_id, thread_id=thread_id, owner_id=owner_id, status="running", owner_process=owner_process)
        if lease is not None:
            run.lease_expires_at = func.now() + lease
        try:
            async with self.session.begin_nested():
                self.session.add(run)
        except IntegrityError as exc:
            if _constraint_name(exc) not in (None, ONE_RUNNING_INDEX):
                raise _run_exists(run_id) from None
            running = await self.running_run(thread_id)
            if running is None:
                await self._check_run_id_free(run_id, owner_id)
                raise  # the running run finished meanwhile; the caller may retry
            raise RunInProgress(
                "Another run is in progress on this thread.",
                details={"thread_id": thread_id, "running_run_id": running.id},
            ) from None
        return run

    async def finish_run(
        self, run_id: str, status: str, route: str | None = None, error_code: str | None = None
    ) -> Run:
        """Mark a running run finished. A run that already finished keeps its first outcome."""
        _check_choice("status", status, FINAL_RUN_STATUSES)
        values: dict[str, Any] = {
            "status": status,
            "finished_at": func.clock_timestamp(),
            "partial_answer": None,
            "lease_expires_at": None,
        }
        if route is not None:
            values["route"] = route
        if error_code is not None:
            values["error_code"] = error_code
        stmt = (
            update(Run)
            .where(Run.id == run_id, Run.status == "running")
            .values(**values)
            .returning(Run)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        run = (await self.session.execute(stmt)).scalar_one_or_none()
        if run is None:
            run = await self.session.get(Run, run_id)
            if run is None:
                raise RunNotFound(f"No run with id '{run_id}'.")
        return run

    async def get_run(self, run_id: str, owner_id: uuid.UUID) -> Run:
        stmt = select(Run).where(Run.id == run_id, Run.owner_id == owner_id)
        run = await self._one_or_none(stmt)
        if run is None:
            raise RunNotFound(f"No run with id '{run_id}'.")
        return run

    async def running_run(self, thread_id: str) -> Run | None:
        stmt = select(Run).where(Run.thread_id == thread_id, Run.status == "running")
        return await self._one_or_none(stmt)

    async def mark_stale_runs_interrupted(self, older_than: timedelta) -> int:
        """After a crash: `running` runs started before now - older_than become interrupted."""
        stmt = (
            update(Run)
            .where(Run.status == "running", Run.started_at < func.now() - older_than)
            .values(
                status="interrupted",
                finished_at=func.clock_timestamp(),
                error_code=func.coalesce(Run.error_code, STALE_RUN_ERROR),
            )
            .execution_options(synchronize_session=False)
        )
        return rows_affected(await self.session.execute(stmt))

    # Helpers

    async def _touch_thread(self, thread_id: str, user_text: str | None) -> None:
        values: dict[str, Any] = {"updated_at": func.clock_timestamp()}
        title = make_title(user_text or "")
        if title:
            values["title"] = case((Thread.title == "", title), else_=Thread.title)
        stmt = (
            update(Thread)
            .where(Thread.id == thread_id)
            .values(**values)
            .returning(Thread.id)
            .execution_options(synchronize_session=False)
        )
        if (await self.session.execute(stmt)).scalar_one_or_none() is None:
            raise ThreadNotFound(f"No thread with id '{thread_id}'.")
        cached = self._cached(Thread, thread_id)
        if cached is not None:
            self.session.expire(cached, ["updated_at", "title"])

    def _cached(self, model: type[Any], key: str) -> Any | None:
        """The object already loaded in this session, without querying."""
        return self.session.identity_map.get(self.session.identity_key(model, key))

    async def _check_run_id_free(self, run_id: str, owner_id: uuid.UUID) -> None:
        """409 if the caller already used this run id; 404, as for an id nobody knows, if another
        user did (a conflict would tell the caller that someone else's run exists)."""
        used_by = await self.session.scalar(select(Run.owner_id).where(Run.id == run_id))
        if used_by is None:
            return
        if used_by == owner_id:
            raise _run_exists(run_id)
        raise RunNotFound(f"No run with id '{run_id}'.")

    async def _one_or_none(self, stmt: Select[T]) -> T | None:
        """One ORM object, refreshed from the database even if already in the session."""
        result = await self.session.execute(stmt.execution_options(populate_existing=True))
        return result.scalar_one_or_none()

    async def _same_thread(self, message: Message, thread_id: str) -> Message:
        """The stored message if it belongs to `thread_id`; 409 if the same user used its id in
        another thread; 404, as for an unknown id, if another user's message has it."""
        if message.thread_id == thread_id:
            return message
        owners = select(Thread.owner_id).where(Thread.id.in_([message.thread_id, thread_id])).distinct()
        if len(list(await self.session.scalars(owners))) > 1:
            raise MessageNotFound(f"No message with id '{message.id}'.")
        raise MessageAlreadyExists(f"Message id '{message.id}' is already used.")


def make_title(text: str, max_chars: int = TITLE_MAX_CHARS) -> str:
    """A one-line title: whitespace collapsed, cut at a word boundary with an ellipsis."""
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= max_chars:
        return line
    cut = line[: max_chars - 1]
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def _check_choice(name: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")


def _run_exists(run_id: str) -> RunAlreadyExists:
    return RunAlreadyExists(f"Run id '{run_id}' was already used.", details={"run_id": run_id})


def _constraint_name(exc: IntegrityError) -> str | None:
    driver_error = getattr(exc.orig, "__cause__", None)
    return getattr(driver_error, "constraint_name", None)
