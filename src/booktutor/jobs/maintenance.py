"""Periodic housekeeping run by the job workers."""

from __future__ import annotations

from datetime import timedelta

import structlog

from booktutor.memory.database import Database
from booktutor.memory.users import PRUNE_BATCH, UserRepository

log = structlog.get_logger(__name__)


async def prune_idle_guests(db: Database, older_than: timedelta) -> int:
    """Delete guests older than `older_than` with nothing stored, in short transactions; how many."""
    total = 0
    while True:
        async with db.session() as session, session.begin():
            deleted = await UserRepository(session).prune_idle_guests(older_than)
        total += deleted
        if deleted < PRUNE_BATCH:
            break
    if total:
        log.info("idle_guests_pruned", count=total, older_than_days=older_than.total_seconds() / 86400)
    return total
