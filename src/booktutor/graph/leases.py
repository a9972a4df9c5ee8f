"""Keeps the leases of the runs this process drives, and recovers the runs of processes that are gone.

Every `run_heartbeat_s` seconds a heartbeat renews the leases of the runs streaming here and saves the
answer streamed so far. A server (`start`) also marks any running run whose process is gone
(memory/run_leases.py) `interrupted` with its partial answer, so its thread accepts messages again, and
recovers its predecessor's runs when it starts. Without `start` (the CLI, evals) the heartbeat only
keeps this process's own runs and stops when none is streaming.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from booktutor.memory.database import Database
from booktutor.memory.run_leases import ProcessIdentity, RunLeaseRepository

log = structlog.get_logger(__name__)


class LeaseKeeper:
    def __init__(self, db: Database, lease_s: float, heartbeat_s: float) -> None:
        self.db = db
        self.lease = timedelta(seconds=lease_s)
        self.interval_s = min(heartbeat_s, lease_s / 3)
        self.identity = ProcessIdentity.new()
        self.owner = str(self.identity)
        self._streams: dict[str, list[str]] = {}  # run id -> the answer's pieces streamed so far
        self._saved: dict[str, int] = {}  # run id -> how many pieces the database has
        self._task: asyncio.Task[None] | None = None
        self._watching = False  # recovering other processes' orphans: a server's job

    def track(self, run_id: str, pieces: list[str]) -> None:
        """Renew `run_id`'s lease while it streams; `pieces` is the list its text is appended to."""
        self._streams[run_id] = pieces
        self._saved[run_id] = 0
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._beat_forever(), name="run-leases")

    def untrack(self, run_id: str) -> None:
        self._streams.pop(run_id, None)
        self._saved.pop(run_id, None)

    async def recover(self) -> list[str]:
        """Interrupt the runs of gone processes now; their ids."""
        async with self.db.session() as session, session.begin():
            recovered = await RunLeaseRepository(session).recover_orphans(keep={self.owner})
        if recovered:
            log.warning("orphan_runs_recovered", count=len(recovered), run_ids=recovered[:20])
        return recovered

    async def beat(self) -> None:
        """Renew this process's leases, saving what each run has streamed since the last beat."""
        partial: dict[str, str | None] = {}
        counts: dict[str, int] = {}
        for run_id, pieces in list(self._streams.items()):
            counts[run_id] = len(pieces)
            partial[run_id] = "".join(pieces) if len(pieces) != self._saved.get(run_id) else None
        if partial:
            async with self.db.session() as session, session.begin():
                await RunLeaseRepository(session).renew(self.owner, self.lease, partial)
            for run_id, count in counts.items():
                if run_id in self._saved:
                    self._saved[run_id] = count

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            if not self._watching and not self._streams:
                return
            try:
                await self.beat()
                if self._watching:
                    await self.recover()
            except Exception as exc:  # the database may be down for a while: try again next beat
                log.warning("run_lease_heartbeat_failed", error=str(exc))

    async def start(self) -> None:
        """At server start: recover what a previous process left, and keep watching for orphans."""
        self._watching = True
        try:
            await self.recover()
        except Exception as exc:
            log.warning("orphan_run_recovery_failed", error=str(exc))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._beat_forever(), name="run-leases")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.identity.retire()
