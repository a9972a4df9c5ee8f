"""A structlog processor that keeps secrets out of logs: passwords, tokens, keys, cookies."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

REDACTED = "[redacted]"
SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|credential|jwt", re.IGNORECASE)
SECRET_TEXT = [
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),  # a JWT anywhere
    re.compile(r"(?i)\b(password|passwd|secret|api[_-]?key|token)=([^\s&]+)"),
    re.compile(r"(?i)(postgres(?:ql)?(?:\+\w+)?://[^:/\s]+:)([^@\s]+)(@)"),  # password in a DSN
]


def _scrub_text(text: str) -> str:
    text = SECRET_TEXT[0].sub(r"\1 " + REDACTED, text)
    text = SECRET_TEXT[1].sub(REDACTED, text)
    text = SECRET_TEXT[2].sub(r"\1=" + REDACTED, text)
    return SECRET_TEXT[3].sub(r"\1" + REDACTED + r"\3", text)


def _scrub(key: str, value: Any) -> Any:
    if SECRET_KEY.search(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub("", v) for v in value]
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    return {key: _scrub(key, value) for key, value in event_dict.items()}
