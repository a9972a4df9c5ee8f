"""How uvicorn serves the app (`booktutor serve`, and the tests' live servers)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from booktutor.config import Settings


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's own proxy-header handling is off (it trusts loopback peers by default): the app honours
    X-Forwarded-* itself, only per BOOKTUTOR_TRUST_FORWARDED_FOR and BOOKTUTOR_TRUSTED_PROXIES. Its
    access log is off too: the app writes one JSON line per request. Logging is the app's."""
    return {"proxy_headers": False, "access_log": False, "log_config": None}


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between young collections (Python's default is 700): a streamed run allocates tens of
thousands of short-lived objects, and each young collection also walks everything still alive."""


@contextmanager
def serving_gc() -> Iterator[None]:
    """While the app serves: the objects built at startup (modules, schemas, models: ~400k) are frozen,
    so full collections no longer walk them, and young collections run less often. Measured with the
    engine benchmark's runs: garbage collection 1.7 -> 0.5 ms of CPU a run. Undone on shutdown."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def process_count(settings: Settings, requested: int) -> tuple[int, str | None]:
    """How many API processes `booktutor serve --workers N` runs, and why it runs one when N were asked.

    Processes share nothing in memory, so each shared part must be a server: PostgreSQL (the embedded
    one is started by, and belongs to, one process), Qdrant (Qdrant Edge is an in-process store that
    only one process may open) and Redis (rate limits, and resuming or cancelling a run that another
    process is running)."""
    if requested <= 1:
        return 1, None
    missing = [
        reason
        for absent, reason in (
            (
                settings.uses_embedded_postgres,
                "BOOKTUTOR_DATABASE_URL (the embedded PostgreSQL belongs to one process)",
            ),
            (not settings.qdrant_url, "BOOKTUTOR_QDRANT_URL (Qdrant Edge is in-process: one process may open it)"),
            (
                not settings.redis_url,
                "BOOKTUTOR_REDIS_URL (rate limits and resuming or cancelling a run on another process need it)",
            ),
        )
        if absent
    ]
    if missing:
        return 1, f"running 1 process instead of {requested}: set " + "; ".join(missing)
    return requested, None
