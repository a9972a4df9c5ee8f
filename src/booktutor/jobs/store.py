"""The `jobs` rows: what each job is for, its status, progress and outcome."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from booktutor.memory.account_models import Job
from booktutor.memory.database import Database, rows_affected

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE = ("queued", "running", "retrying")


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, kind: str, params: dict[str, Any], created_by: uuid.UUID | None, request_id: str | None
    ) -> Job:
        job = Job(
            id=uuid.uuid4(),
            kind=kind,
            status="queued",
            params=params,
            progress={},
            created_by=created_by,
            request_id=request_id,
        )
        async with self.db.session() as session, session.begin():
            session.add(job)
        return await self.get_existing(job.id)

    async def get(self, job_id: uuid.UUID) -> Job | None:
        async with self.db.session() as session:
            return await session.get(Job, job_id)

    async def get_existing(self, job_id: uuid.UUID) -> Job:
        """A job this process has just written (NoResultFound if it is gone)."""
        async with self.db.session() as session:
            return await session.get_one(Job, job_id)

    async def recent(self, status: str | None = None, limit: int = 20) -> list[Job]:
        """The most recent jobs first, optionally only those with one status."""
        stmt = select(Job).order_by(Job.created_at.desc()).limit(limit)
        if status:
            stmt = stmt.where(Job.status == status)
        async with self.db.session() as session:
            return list(await session.scalars(stmt))

    async def set(self, job_id: uuid.UUID, **values: Any) -> None:
        async with self.db.session() as session, session.begin():
            await session.execute(update(Job).where(Job.id == job_id).values(updated_at=func.now(), **values))

    async def counts_by_status(self) -> dict[str, int]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(Job.status, func.count()).where(Job.status.in_(ACTIVE)).group_by(Job.status)
            )
        return {status: 0 for status in ACTIVE} | {status: count for status, count in rows.all()}

    async def fail_never_queued(self, older_than: timedelta) -> int:
        """Rows whose process stopped between saving the job and queueing it will never run."""
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(Job.status == "queued", Job.queue_job_id.is_(None), Job.created_at < func.now() - older_than)
                .values(
                    status="failed",
                    error="the job was never queued (the server stopped); submit it again",
                    updated_at=func.now(),
                )
            )
        return rows_affected(result)
