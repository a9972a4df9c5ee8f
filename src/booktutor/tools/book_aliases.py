"""The acronyms a book defines ("Quality of service (QoS)"), learned from its chunks and cached per process.

A learner's question may name a thing by its acronym where the book spells it out, or the other way
round: the search's evidence carries the pairs the question names, and the answerer counts either name as
the question's word (`extractive.acronyms`). Looking for the other name in the search itself was measured
and left out: appending "(Robot Operating System 2)" to every "ROS 2" question moved ranks and abstentions
on the development books and found nothing the answerer missed. Ingest changes a book's definitions rarely,
so they are kept for `ALIASES_TTL_S`; reading them scans the book's chunks once per process and period.
"""

from __future__ import annotations

import asyncio
import time
import weakref

import asyncpg

from booktutor.extractive.acronyms import Aliases

ALIASES_TTL_S = 600.0
_DEFINING_SQL = r"""
    SELECT text FROM chunks
    WHERE (CAST($1 AS text) IS NULL OR book_id = $1) AND text ~ '[A-Z][A-Za-z]*[A-Z][ -]?[0-9]*\s*[()]'
    """
"""The chunks that may define an acronym in either order: something like "(QoS)" or "QoS (...)"."""

_CACHE: dict[str | None, tuple[float, Aliases]] = {}
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str | None, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)  # a lock serves one event loop


async def book_aliases(conn: asyncpg.Connection, book_id: str | None) -> Aliases:
    """The book's acronyms; one request per book and period reads them while the others wait for its result,
    and the reading (a scan of every defining chunk: seconds on a large book) runs off the event loop."""
    if (fresh := _fresh(book_id)) is not None:
        return fresh
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    async with locks.setdefault(book_id, asyncio.Lock()):
        if (fresh := _fresh(book_id)) is not None:
            return fresh
        texts = [str(row["text"]) for row in await conn.fetch(_DEFINING_SQL, book_id)]
        aliases = await asyncio.to_thread(Aliases.learn, texts)
        _CACHE[book_id] = (time.monotonic(), aliases)
        return aliases


def _fresh(book_id: str | None) -> Aliases | None:
    cached = _CACHE.get(book_id)
    return cached[1] if cached is not None and time.monotonic() - cached[0] <= ALIASES_TTL_S else None


async def question_aliases(conn: asyncpg.Connection, book_id: str | None, question: str) -> Aliases:
    """The book's acronyms whose either name the question uses."""
    return (await book_aliases(conn, book_id)).named_in_text(question)


def forget() -> None:
    """Drop every cached book's acronyms (tests; a process whose books were replaced)."""
    _CACHE.clear()
