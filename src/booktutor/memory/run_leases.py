"""Leases on running runs: the process that drives a run renews it with heartbeats (saving the
answer streamed so far); a run whose process is gone is recovered as `interrupted`, with that
partial answer, by whichever process notices first.

A process is gone when its lease has expired (any replica sees that), or at once when it ran on
this host and its pid is dead or is this very process under another identity (a restarted server,
or a container whose server is pid 1 again). Methods flush but never commit.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.models import Message, Run

OWNER_GONE = "owner_gone"
LEGACY_STALE_AFTER = timedelta(minutes=10)  # runs recorded before leases existed
_LIVE: set[str] = set()  # identities of the lease holders alive in this process


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    pid: int
    token: str

    @classmethod
    def new(cls) -> ProcessIdentity:
        identity = cls(_host(), os.getpid(), uuid.uuid4().hex[:16])
        _LIVE.add(str(identity))
        return identity

    def retire(self) -> None:
        _LIVE.discard(str(self))

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"

    @classmethod
    def parse(cls, value: str) -> ProcessIdentity | None:
        parts = value.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


def _host() -> str:
    return socket.gethostname()[:120]


def is_gone(owner: str) -> bool:
    """Whether the process behind `owner` is known to be gone (only knowable on its own host)."""
    identity = ProcessIdentity.parse(owner)
    if identity is None or identity.host != _host():
        return False
    if identity.pid == os.getpid():
        return owner not in _LIVE
    return not _pid_alive(identity.pid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class RunLeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def renew(self, owner: str, lease: timedelta, partial: dict[str, str | None]) -> None:
        """Extend the lease of `owner`'s running runs; store the answers streamed so far (None: unchanged).
        One statement however many runs stream (a statement per run made heartbeats the main cost of a
        process streaming hundreds of runs)."""
        if not partial:
            return
        stmt = text(
            "UPDATE runs SET lease_expires_at = now() + CAST(:lease AS interval),"
            " partial_answer = coalesce(v.text, runs.partial_answer)"
            " FROM unnest(CAST(:ids AS text[]), CAST(:texts AS text[])) AS v(id, text)"
            " WHERE runs.id = v.id AND runs.status = 'running' AND runs.owner_process = :owner"
        )
        params = {"lease": lease, "ids": list(partial), "texts": list(partial.values()), "owner": owner}
        await self.session.execute(stmt, params)

    async def recover_orphans(self, keep: Iterable[str] = ()) -> list[str]:
        """Mark the running runs of gone processes interrupted, saving their partial answers;
        the ids recovered. Runs another transaction is recovering are skipped (SKIP LOCKED)."""
        kept = set(keep)
        # Read without locks: only the runs found orphaned are locked, never live runs.
        suspects = select(Run.id, Run.owner_process).where(
            Run.status == "running",
            or_(
                Run.lease_expires_at < func.now(),
                Run.owner_process.like(f"{_host()}:%"),
                and_(Run.owner_process.is_(None), Run.started_at < func.now() - LEGACY_STALE_AFTER),
            ),
        )
        now_expired = Run.lease_expires_at < func.now()
        orphans = [run_id for run_id, owner in (await self.session.execute(suspects)).all() if owner not in kept]
        if not orphans:
            return []
        locked = (
            select(Run, now_expired)
            .where(Run.id.in_(orphans), Run.status == "running")
            .with_for_update(of=Run, skip_locked=True)
            .execution_options(populate_existing=True)
        )
        recovered: list[str] = []
        for run, expired in (await self.session.execute(locked)).all():
            if run.owner_process is not None and not (expired or is_gone(run.owner_process)):
                continue
            await self._interrupt(run)
            recovered.append(run.id)
        return recovered

    async def _interrupt(self, run: Run) -> None:
        if run.partial_answer:
            self.session.add(
                Message(
                    id=f"msg-{uuid.uuid4().hex}",
                    thread_id=run.thread_id,
                    run_id=run.id,
                    role="assistant",
                    content=run.partial_answer,
                    status="interrupted",
                    route=run.route,
                    citations=[],
                    abstained=False,
                    extra={},
                )
            )
        run.status = "interrupted"
        run.error_code = run.error_code or OWNER_GONE
        run.finished_at = func.clock_timestamp()
        run.partial_answer = None
        run.lease_expires_at = None
        await self.session.flush()
