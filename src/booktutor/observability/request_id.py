"""The request id every response, log line, audit row and job carries (`X-Request-ID`)."""

from __future__ import annotations

import hashlib
import re

MAX_CHARS = 64  # what the audit_events and jobs columns hold
_PLAIN = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{MAX_CHARS}}}")
DIGEST_PREFIX = "sha256:"


def bounded_request_id(value: str) -> str:
    """A client's X-Request-ID as this service uses it: kept when short and plain, else replaced by a
    digest of it (stable, so the client can still correlate, and always storable)."""
    if _PLAIN.fullmatch(value):
        return value
    return DIGEST_PREFIX + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:40]
