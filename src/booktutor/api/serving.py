"""How uvicorn serves the app (`booktutor serve`, and the tests' live servers)."""

from __future__ import annotations

from typing import Any


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's own proxy-header handling is off (it trusts loopback peers by default): the app honours
    X-Forwarded-* itself, only per BOOKTUTOR_TRUST_FORWARDED_FOR and BOOKTUTOR_TRUSTED_PROXIES. Its
    access log is off too: the app writes one JSON line per request. Logging is the app's."""
    return {"proxy_headers": False, "access_log": False, "log_config": None}
