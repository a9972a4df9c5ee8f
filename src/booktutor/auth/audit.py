"""The audit log of security events, written in its own transaction so that it survives the
failure of the request that caused it.

Whatever a client sent (a long X-Request-ID, a path with a NUL) is made storable first, so that a
write fails only when the database does; then the event goes to the error log in full and to the
`booktutor_audit_write_failures_total` counter: an audit event is never dropped silently.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import structlog
from asgi_correlation_id import correlation_id

from booktutor.memory.account_models import AuditEvent
from booktutor.memory.database import Database
from booktutor.observability.metrics import AUDIT_WRITE_FAILURES
from booktutor.observability.request_id import bounded_request_id

log = structlog.get_logger(__name__)
MAX_TEXT = 1000  # characters of one string in `details`
COLUMN_CHARS = 64  # event, ip and request_id columns


async def record(
    db: Database, event: str, *, user_id: uuid.UUID | None = None, ip: str | None = None, **details: Any
) -> None:
    request_id = correlation_id.get()
    row = {
        "event": _text(event, COLUMN_CHARS),
        "user_id": user_id,
        "ip": _text(ip, COLUMN_CHARS) if ip else None,
        "request_id": bounded_request_id(request_id) if request_id else None,
        "details": storable(details),
    }
    log.info("audit", audit_event=row["event"], user_id=str(user_id) if user_id else None, ip=row["ip"], **details)
    try:
        async with db.session() as session, session.begin():
            session.add(AuditEvent(**row))
    except Exception as exc:  # an audit failure must not turn a 401 into a 500: logged in full instead
        AUDIT_WRITE_FAILURES.inc()
        log.error(
            "audit_write_failed",
            error=type(exc).__name__,
            audit_event=row["event"],
            audit_user_id=str(user_id) if user_id else None,
            audit_ip=row["ip"],
            audit_request_id=row["request_id"],
            audit_details=row["details"],
        )


def storable(value: Any) -> Any:
    """`value` as JSONB can hold it: strings without NUL and bounded, containers walked, the rest as text."""
    if isinstance(value, str):
        return _text(value, MAX_TEXT)
    if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, dict):
        return {_text(str(key), MAX_TEXT): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [storable(item) for item in value]
    return _text(str(value), MAX_TEXT)


def _text(value: str, limit: int) -> str:
    return value.replace("\x00", "\N{REPLACEMENT CHARACTER}")[:limit]
