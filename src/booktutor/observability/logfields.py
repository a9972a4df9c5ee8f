"""Log fields that must not identify a person directly."""

from __future__ import annotations

import hashlib


def user_hash(user_id: object) -> str:
    """A stable, non-reversible id for logs (the raw user id stays out of log pipelines)."""
    return hashlib.sha256(f"booktutor-user:{user_id}".encode()).hexdigest()[:16]
