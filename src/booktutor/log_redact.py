"""A structlog processor that keeps secrets out of logs, by key and by pattern.

A value is hidden when its key names a secret (a whole word such as `password`, `refresh_token`,
`api_key`, `authorization`), not whenever a key merely contains one: `input_tokens`,
`time_to_first_token_s` or `token_count` are numbers worth logging. Inside any string, bearer
credentials, JWTs, `key=value` secrets, DSN passwords and provider API keys are hidden too.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_WORDS = (
    r"pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|cookies?|set[_-]cookie"
    r"|credentials?|jwt|dsn|(?:private|secret|signing)[_-]?key|signature"
)
# the whole key, or its last word (`refresh_token`, `x-guest-token`, `openai_api_key`, `client_secret`)
SECRET_KEY = re.compile(rf"^(?:.*[_.-])?(?:{_SECRET_WORDS})$", re.IGNORECASE)
_TEXT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT anywhere
    (
        re.compile(r"(?i)\b(password|passwd|secret|api[_-]?key|apikey|(?:access_|refresh_|guest_)?token)=([^\s&]+)"),
        r"\1=" + REDACTED,
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)(@)"), r"\1" + REDACTED + r"\3"),  # URL passwords
    (re.compile(r"\b(sk-[A-Za-z0-9_-]{16,}|AIza[A-Za-z0-9_-]{30,})"), REDACTED),  # OpenAI / Google API keys
]


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.match(key))


def scrub_text(text: str) -> str:
    for pattern, replacement in _TEXT_RULES:
        text = pattern.sub(replacement, text)
    return text


def _scrub(key: str, value: Any) -> Any:
    if is_secret_key(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub("", v) for v in value]
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    return {key: _scrub(key, value) for key, value in event_dict.items()}
