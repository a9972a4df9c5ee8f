"""Opaque page cursors for thread and message listings: URL-safe base64 of a small JSON payload tagged
with its kind, so a thread cursor is never accepted for messages."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from booktutor.errors import InvalidCursor

MAX_MESSAGE_SEQ = 2**31 - 1  # messages.seq is a Postgres integer


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, kind: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise InvalidCursor("The cursor is not valid.", details={"cursor": cursor})
    return payload


def decode_thread_cursor(cursor: str) -> tuple[datetime, str]:
    payload = _decode_cursor(cursor, "t")
    try:
        updated_at = datetime.fromisoformat(payload["u"])
        thread_id = payload["i"]
    except (KeyError, TypeError, ValueError):
        raise InvalidCursor("The cursor is not valid.", details={"cursor": cursor}) from None
    if updated_at.tzinfo is None or not isinstance(thread_id, str):
        raise InvalidCursor("The cursor is not valid.", details={"cursor": cursor})
    return updated_at, thread_id


def decode_message_cursor(cursor: str) -> int:
    seq = _decode_cursor(cursor, "m").get("s")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_MESSAGE_SEQ:
        raise InvalidCursor("The cursor is not valid.", details={"cursor": cursor})
    return seq
