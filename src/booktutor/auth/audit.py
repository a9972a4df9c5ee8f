"""The audit log of security events, written in its own transaction so that it survives the
failure of the request that caused it."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from asgi_correlation_id import correlation_id

from booktutor.memory.account_models import AuditEvent
from booktutor.memory.database import Database

log = structlog.get_logger(__name__)


async def record(
    db: Database, event: str, *, user_id: uuid.UUID | None = None, ip: str | None = None, **details: Any
) -> None:
    log.info("audit", audit_event=event, user_id=str(user_id) if user_id else None, ip=ip, **details)
    try:
        async with db.session() as session, session.begin():
            session.add(
                AuditEvent(event=event, user_id=user_id, ip=ip, request_id=correlation_id.get(), details=details)
            )
    except Exception as exc:  # an audit failure must not turn a 401 into a 500
        log.warning("audit_write_failed", audit_event=event, error=type(exc).__name__)
