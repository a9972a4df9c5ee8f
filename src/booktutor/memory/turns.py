"""A chat turn's records in a few plain SQL statements: the hot path of every run.

What `ThreadRepository` does through the ORM in a dozen statements and savepoints (thread, run,
the learner's message, history; then the answer, the summary and the run's outcome), here on one
asyncpg connection: starting the usual turn is one statement (in a transaction: BEGIN, it, COMMIT;
a turn it refuses is undone and retried statement by statement, four of them, for its error),
finishing it one statement. Same rows, same errors; the ORM repository stays the reference for
everything else.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from booktutor.errors import (
    BookNotFound,
    MessageAlreadyExists,
    MessageNotFound,
    ReservedThreadId,
    RunAlreadyExists,
    RunInProgress,
    RunNotFound,
    ThreadNotFound,
)
from booktutor.memory.checkpoint_keys import RESERVED_PREFIXES, is_reserved
from booktutor.memory.database import Database, raw_connection
from booktutor.memory.models import Message, User
from booktutor.memory.threads import make_title

_OPEN = """
WITH ins AS (
  INSERT INTO threads (id, owner_id, book_id, title, summary) VALUES ($1, $2, $3, '', '')
  ON CONFLICT (id) DO NOTHING RETURNING owner_id, summary
), t AS (
  SELECT owner_id, summary, true AS created FROM ins
  UNION ALL SELECT owner_id, summary, false FROM threads WHERE id = $1
)
SELECT t.owner_id, t.summary, t.created,
  (SELECT owner_id FROM runs WHERE id = $4) AS run_owner,
  (SELECT thread_id FROM messages WHERE id = $5) AS message_thread,
  (SELECT to_jsonb(p) FROM user_preferences p WHERE p.user_id = $2) AS preferences,
  $3::text IS NULL OR EXISTS (SELECT 1 FROM books WHERE id = $3) AS book_known
FROM t LIMIT 1
"""
# The happy path of `start_turn` in one statement: checks first, then every write gated on them, so a
# request any check refuses writes nothing (and takes the statements below, which name the error). The
# history is the snapshot's (this statement cannot read its own message): the caller adds the question.
_START = """
WITH chk AS (
  SELECT th.owner_id AS thread_owner, th.summary,
    EXISTS (SELECT 1 FROM runs WHERE id = $4) AS run_used,
    EXISTS (SELECT 1 FROM messages WHERE id = $5) AS message_used,
    $3::text IS NULL OR EXISTS (SELECT 1 FROM books WHERE id = $3) AS book_known
  FROM (SELECT 1) one LEFT JOIN threads th ON th.id = $1
), ok AS (
  SELECT thread_owner IS NULL AS created FROM chk
  WHERE book_known AND NOT run_used AND NOT message_used AND (thread_owner IS NULL OR thread_owner = $2)
), ins AS (
  INSERT INTO threads (id, owner_id, book_id, title, summary, updated_at)
  SELECT $1, $2, $3, $6, '', clock_timestamp() FROM ok WHERE created
  ON CONFLICT (id) DO NOTHING RETURNING id
), run AS (
  INSERT INTO runs (id, thread_id, owner_id, status, owner_process, lease_expires_at)
  SELECT $4, $1, $2, 'running', $7, now() + $8::interval FROM ok WHERE NOT created OR EXISTS (SELECT 1 FROM ins)
  ON CONFLICT DO NOTHING RETURNING id
), upd AS (
  UPDATE threads SET updated_at = clock_timestamp(),
    title = CASE WHEN title = '' AND $6::text <> '' THEN $6::text ELSE title END
  WHERE id = $1 AND EXISTS (SELECT 1 FROM run) AND NOT EXISTS (SELECT 1 FROM ins) RETURNING id
), msg AS (
  INSERT INTO messages (id, thread_id, run_id, role, content, status, citations, abstained, extra)
  SELECT $5, $1, $4, 'user', $9, 'complete', '[]'::jsonb, false, $10::jsonb FROM run
  WHERE EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM upd)
  ON CONFLICT DO NOTHING RETURNING seq
), recent AS (
  SELECT id, role, content, seq FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT $11
)
SELECT chk.summary, chk.thread_owner IS NULL AS created, EXISTS (SELECT 1 FROM msg) AS started,
  (SELECT to_jsonb(p) FROM user_preferences p WHERE p.user_id = $2) AS preferences,
  (SELECT array_agg(id ORDER BY seq) FROM recent) AS ids,
  (SELECT array_agg(role ORDER BY seq) FROM recent) AS roles,
  (SELECT array_agg(content ORDER BY seq) FROM recent) AS contents
FROM chk
"""
_START_RUN = """
INSERT INTO runs (id, thread_id, owner_id, status, owner_process, lease_expires_at)
VALUES ($1, $2, $3, 'running', $4, now() + $5::interval)
ON CONFLICT DO NOTHING RETURNING id
"""
_RUNNING = "SELECT id FROM runs WHERE thread_id = $1 AND status = 'running'"
_RUN_OWNER = "SELECT owner_id FROM runs WHERE id = $1"
_ADD_QUESTION = """
WITH t AS (
  UPDATE threads SET updated_at = clock_timestamp(),
    title = CASE WHEN title = '' AND $6::text <> '' THEN $6::text ELSE title END
  WHERE id = $2 RETURNING id
)
INSERT INTO messages (id, thread_id, run_id, role, content, status, citations, abstained, extra)
SELECT $1, t.id, $3, 'user', $4, 'complete', '[]'::jsonb, false, $5::jsonb FROM t
ON CONFLICT DO NOTHING RETURNING seq
"""
_MESSAGE_THREAD = "SELECT thread_id FROM messages WHERE id = $1"
_THREAD_OWNERS = "SELECT count(DISTINCT owner_id) FROM threads WHERE id = ANY($1::text[])"
_RECENT = "SELECT id, role, content FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT $2"
_FINISH = """
WITH t AS (
  UPDATE threads SET
    updated_at = CASE WHEN $4::bool THEN clock_timestamp() ELSE now() END,
    summary = coalesce($10::text, summary)
  WHERE id = $1 AND ($4::bool OR $10::text IS NOT NULL) RETURNING id
), m AS (
  INSERT INTO messages (id, thread_id, run_id, role, content, status, route, citations, abstained, extra)
  SELECT $3, t.id, $2, 'assistant', $5, $6, $7, $8::jsonb, $9, '{}'::jsonb FROM t WHERE $4::bool
  ON CONFLICT DO NOTHING RETURNING seq
), r AS (
  UPDATE runs SET status = $11, finished_at = clock_timestamp(), partial_answer = NULL, lease_expires_at = NULL,
    route = coalesce($7::text, route), error_code = coalesce($12::text, error_code)
  WHERE id = $2 AND status = 'running' RETURNING id
)
SELECT (SELECT count(*) FROM r) AS finished, EXISTS (SELECT 1 FROM runs WHERE id = $2) AS known
"""
_GUEST = (
    "SELECT id, kind, role, email, display_name, created_at, updated_at FROM users WHERE id = $1 AND kind = 'guest'"
)
BOOK_ID_CHARS = 100  # books.id


@dataclass(frozen=True, slots=True)
class StartedTurn:
    summary: str
    history: list[Message]  # the thread's last messages, oldest first (id, role and content only)
    preferences: dict[str, Any]  # the learner's stored preferences row (empty when none)
    created: bool = False  # the thread is new: this is its first turn


@dataclass(frozen=True, slots=True)
class Answer:
    message_id: str
    text: str
    status: str  # complete | interrupted | failed
    route: str | None
    citations: list[dict[str, Any]]
    abstained: bool


async def start_turn(
    db: Database,
    *,
    thread_id: str,
    owner_id: uuid.UUID,
    book_id: str | None,
    run_id: str,
    owner_process: str,
    lease: timedelta,
    message_id: str,
    question: str,
    extra: dict[str, Any],
    history: int,
) -> StartedTurn:
    """Create the thread if new, record the `running` run and the learner's message, and read the
    history and preferences: one transaction. Errors as ThreadRepository's (404, 409), and 404 for a
    book that does not exist."""
    if book_id is not None and len(book_id) > BOOK_ID_CHARS:  # as a lookup of the book would say
        raise BookNotFound(f"No book with id '{book_id}'.")
    if is_reserved(thread_id):
        raise ReservedThreadId(
            "Thread ids may not start with an internal namespace prefix.",
            details={"reserved_prefixes": list(RESERVED_PREFIXES)},
        )
    turn = _Turn(thread_id, owner_id, book_id, run_id, owner_process, lease, message_id, question, extra, history)
    async with raw_connection(db) as conn:
        return await _start(conn, turn, make_title(question)) or await _start_checked(conn, turn)


@dataclass(frozen=True, slots=True)
class _Turn:
    """What start_turn records: the thread, the run and the learner's message."""

    thread_id: str
    owner_id: uuid.UUID
    book_id: str | None
    run_id: str
    owner_process: str
    lease: timedelta
    message_id: str
    question: str
    extra: dict[str, Any]
    history: int


class _NotStarted(Exception):
    """The one-statement start refused the turn or met a concurrent one: undone, the checked path decides."""


async def _start(conn: asyncpg.Connection, turn: _Turn, title: str) -> StartedTurn | None:
    """The usual turn (a new or own thread, unused run and message ids) in one statement, or None with
    nothing written."""
    try:
        async with conn.transaction():
            row = await conn.fetchrow(
                _START,
                turn.thread_id,
                turn.owner_id,
                turn.book_id,
                turn.run_id,
                turn.message_id,
                title,
                turn.owner_process,
                turn.lease,
                turn.question,
                json.dumps(turn.extra),
                max(turn.history - 1, 0),
            )
            if row is None or not row["started"]:
                raise _NotStarted
    except (_NotStarted, asyncpg.IntegrityConstraintViolationError):  # (a thread deleted meanwhile)
        return None
    ids, roles, contents = row["ids"] or [], row["roles"] or [], row["contents"] or []
    stored = [Message(id=i, role=r, content=c) for i, r, c in zip(ids, roles, contents, strict=True)]
    asked = Message(id=turn.message_id, role="user", content=turn.question)
    preferences = row["preferences"]
    return StartedTurn(
        summary=row["summary"] or "",
        history=[*stored, asked][-turn.history :] if turn.history > 0 else [],
        preferences=dict(preferences) if isinstance(preferences, dict) else {},
        created=row["created"],
    )


async def _start_checked(conn: asyncpg.Connection, turn: _Turn) -> StartedTurn:
    """Every other turn (a retried message, a refused one), statement by statement: the error it gets."""
    async with conn.transaction():
        row = await conn.fetchrow(_OPEN, turn.thread_id, turn.owner_id, turn.book_id, turn.run_id, turn.message_id)
        if row is None:  # created by a concurrent transaction after this statement's snapshot: look again
            row = await conn.fetchrow(_OPEN, turn.thread_id, turn.owner_id, turn.book_id, turn.run_id, turn.message_id)
        if row is not None and not row["book_known"]:
            raise BookNotFound(f"No book with id '{turn.book_id}'.")
        if row is None or row["owner_id"] != turn.owner_id:
            raise ThreadNotFound(f"No thread with id '{turn.thread_id}'.")
        if (run_owner := row.get("run_owner")) is not None:
            raise _run_id_used(turn.run_id, run_owner, turn.owner_id)
        await _insert_run(conn, turn.run_id, turn.thread_id, turn.owner_id, turn.owner_process, turn.lease)
        if row.get("message_thread") is not None:
            await _same_thread(conn, turn.message_id, row["message_thread"], turn.thread_id)
        else:
            await _add_question(conn, turn.message_id, turn.thread_id, turn.run_id, turn.question, turn.extra)
        recent = await conn.fetch(_RECENT, turn.thread_id, turn.history)
    preferences = row.get("preferences")
    return StartedTurn(
        summary=row["summary"],
        history=[Message(id=r["id"], role=r["role"], content=r["content"]) for r in reversed(recent)],
        preferences=dict(preferences) if isinstance(preferences, dict) else {},
        created=row["created"],
    )


async def _insert_run(
    conn: asyncpg.Connection, run_id: str, thread_id: str, owner_id: uuid.UUID, process: str, lease: timedelta
) -> None:
    if await conn.fetchval(_START_RUN, run_id, thread_id, owner_id, process, lease) is not None:
        return
    running = await conn.fetchval(_RUNNING, thread_id)
    if running is not None:
        raise RunInProgress(
            "Another run is in progress on this thread.",
            details={"thread_id": thread_id, "running_run_id": running},
        )
    used_by = await conn.fetchval(_RUN_OWNER, run_id)
    if used_by is not None:
        raise _run_id_used(run_id, used_by, owner_id)
    # The running run finished meanwhile: the thread is free now.
    if await conn.fetchval(_START_RUN, run_id, thread_id, owner_id, process, lease) is None:
        raise RunInProgress("Another run is in progress on this thread.", details={"thread_id": thread_id})


async def _add_question(
    conn: asyncpg.Connection, message_id: str, thread_id: str, run_id: str, question: str, extra: dict[str, Any]
) -> None:
    title = make_title(question)
    if await conn.fetchval(_ADD_QUESTION, message_id, thread_id, run_id, question, json.dumps(extra), title):
        return
    stored = await conn.fetchval(_MESSAGE_THREAD, message_id)  # added concurrently by another transaction
    if stored is None:
        raise ThreadNotFound(f"No thread with id '{thread_id}'.")
    await _same_thread(conn, message_id, stored, thread_id)
    raise MessageAlreadyExists(f"Message id '{message_id}' is already used.")


async def _same_thread(conn: asyncpg.Connection, message_id: str, stored_in: str, thread_id: str) -> None:
    """Nothing if the message is already in this thread (a retried request); 409 if the same user used
    its id in another thread; 404, as for an unknown id, if another user's message has it."""
    if stored_in == thread_id:
        return
    if await conn.fetchval(_THREAD_OWNERS, [stored_in, thread_id]) > 1:
        raise MessageNotFound(f"No message with id '{message_id}'.")
    raise MessageAlreadyExists(f"Message id '{message_id}' is already used.")


def _run_id_used(run_id: str, used_by: uuid.UUID, owner_id: uuid.UUID) -> RunAlreadyExists | RunNotFound:
    """409 if the caller already used this run id; 404, as for an id nobody knows, if another user did."""
    if used_by == owner_id:
        return RunAlreadyExists(f"Run id '{run_id}' was already used.", details={"run_id": run_id})
    return RunNotFound(f"No run with id '{run_id}'.")


async def finish_turn(
    db: Database,
    *,
    thread_id: str,
    run_id: str,
    answer: Answer,
    save_answer: bool,
    summary: str | None,
    run_status: str,
    error_code: str | None = None,
) -> None:
    """Save the answer (when `save_answer`), the thread's summary and the run's outcome in one statement.
    A run that already finished keeps its first outcome."""
    async with raw_connection(db) as conn:
        row = await conn.fetchrow(
            _FINISH,
            thread_id,
            run_id,
            answer.message_id,
            save_answer,
            answer.text,
            answer.status,
            answer.route,
            json.dumps(answer.citations),
            answer.abstained,
            summary,
            run_status,
            error_code,
        )
    if row is not None and not row["finished"] and not row["known"]:
        raise RunNotFound(f"No run with id '{run_id}'.")


async def find_guest(db: Database, user_id: uuid.UUID) -> User | None:
    """The guest with this id, read in one statement (no ORM session), as a detached User."""
    async with raw_connection(db) as conn:
        row = await conn.fetchrow(_GUEST, user_id)
    return None if row is None else User(**dict(row))
