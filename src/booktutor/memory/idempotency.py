"""Idempotency records: one per (owner, key), claimed before a write runs and completed with its response."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.idempotency_models import IdempotencyRecord


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_expired(self, ttl: timedelta) -> None:
        await self.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < func.now() - ttl))

    async def claim(
        self, owner_id: uuid.UUID, key: str, method: str, path: str, request_hash: str
    ) -> IdempotencyRecord | None:
        """Claim the key for a new request: None if claimed now, else the record that already holds it."""
        inserted = await self.session.execute(
            pg_insert(IdempotencyRecord)
            .values(owner_id=owner_id, key=key, method=method, path=path, request_hash=request_hash)
            .on_conflict_do_nothing()
            .returning(IdempotencyRecord.key)
        )
        if inserted.scalar_one_or_none() is not None:
            return None
        return await self.session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key)
        )

    async def complete(self, owner_id: uuid.UUID, key: str, status_code: int, response_body: Any) -> None:
        await self.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key)
            .values(status_code=status_code, response_body=response_body)
        )

    async def release(self, owner_id: uuid.UUID, key: str) -> None:
        await self.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key)
        )
