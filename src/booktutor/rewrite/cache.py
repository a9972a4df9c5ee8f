"""Generated chapters in Postgres, and single-flight so identical requests compute once."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.personalization_models import GeneratedChapter
from booktutor.observability.metrics import record_cache_lookup

T = TypeVar("T")


def fingerprint(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CacheKey:
    kind: str
    book_id: str
    chapter_id: uuid.UUID
    variant_key: str
    model_id: str
    source_hash: str

    def flight(self) -> str:
        return "|".join([self.kind, str(self.chapter_id), self.variant_key, self.model_id, self.source_hash])


class GeneratedChapters:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: CacheKey) -> GeneratedChapter | None:
        stmt = select(GeneratedChapter).where(
            GeneratedChapter.kind == key.kind,
            GeneratedChapter.chapter_id == key.chapter_id,
            GeneratedChapter.variant_key == key.variant_key,
            GeneratedChapter.model_id == key.model_id,
            GeneratedChapter.source_hash == key.source_hash,
        )
        found = (await self.session.scalars(stmt)).first()
        record_cache_lookup(key.kind, hit=found is not None)
        return found

    async def put(self, key: CacheKey, markdown: str, meta: dict[str, Any]) -> None:
        """Store a result and drop the same variant's rows made from older sources."""
        await self.session.execute(
            delete(GeneratedChapter).where(
                GeneratedChapter.kind == key.kind,
                GeneratedChapter.chapter_id == key.chapter_id,
                GeneratedChapter.variant_key == key.variant_key,
                GeneratedChapter.model_id == key.model_id,
                GeneratedChapter.source_hash != key.source_hash,
            )
        )
        await self.session.execute(
            pg_insert(GeneratedChapter)
            .values(
                id=uuid.uuid4(),
                kind=key.kind,
                book_id=key.book_id,
                chapter_id=key.chapter_id,
                variant_key=key.variant_key,
                model_id=key.model_id,
                source_hash=key.source_hash,
                markdown=markdown,
                meta=meta,
            )
            .on_conflict_do_nothing()
        )

    async def count(self, chapter_id: uuid.UUID, kind: str) -> int:
        stmt = select(GeneratedChapter.id).where(
            GeneratedChapter.chapter_id == chapter_id, GeneratedChapter.kind == kind
        )
        return len((await self.session.scalars(stmt)).all())


class SingleFlight(Generic[T]):
    """Concurrent calls with one key share one computation; its caller leaving does not stop it."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[T]] = {}

    async def run(self, key: str, compute: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The result and whether this call joined a computation already under way."""
        task = self._running.get(key)
        joined = task is not None
        if task is None:
            task = asyncio.ensure_future(compute())
            self._running[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task), joined

    def _finished(self, key: str, task: asyncio.Task[T]) -> None:
        self._running.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here so an error nobody awaited is not logged as lost

    def __len__(self) -> int:
        return len(self._running)
