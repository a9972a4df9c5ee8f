"""What some tests need on the machine besides Python and Postgres: Redis, Node with the npm packages,
Chromium, the Docusaurus test site's packages.

A test says so with `@pytest.mark.needs("redis")` (or "node", "npm", "chromium", "docusaurus"). On a developer
machine that lacks one the test is skipped with the reason (shown by `-rs`); in CI (`BOOKTUTOR_CI=1`, set by
`.ci/run`, or `CI=true`) the same lack fails it, so a green CI run has run every test.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REDIS_ADDRESS = ("127.0.0.1", 6379)
CHROMIUM = Path("/usr/bin/chromium")
NPM_PACKAGES = ("@ag-ui/client", "playwright-core", "esbuild")
DOCUSAURUS = ROOT / "tests" / "fixtures" / "docusaurus_site" / "node_modules" / ".bin" / "docusaurus"


def in_ci() -> bool:
    return any(os.environ.get(name, "").lower() in {"1", "true", "yes"} for name in ("BOOKTUTOR_CI", "CI"))


def _redis() -> str | None:
    try:
        socket.create_connection(REDIS_ADDRESS, timeout=0.5).close()
    except OSError:
        return "no Redis on 127.0.0.1:6379"
    return None


def _node() -> str | None:
    return None if shutil.which("node") else "Node.js is not installed"


def _npm() -> str | None:
    if all((ROOT / "node_modules" / name).exists() for name in NPM_PACKAGES):
        return None
    return "npm packages not installed: run `make test` (it bootstraps them)"


def _chromium() -> str | None:
    return None if CHROMIUM.exists() else "Debian chromium is not installed (`make test` installs it)"


def _docusaurus() -> str | None:
    if DOCUSAURUS.exists():
        return None
    return f"Docusaurus is not installed for {DOCUSAURUS.parents[2].relative_to(ROOT)}: run `make bootstrap`"


CHECKS: dict[str, Callable[[], str | None]] = {
    "redis": _redis,
    "node": _node,
    "npm": _npm,
    "chromium": _chromium,
    "docusaurus": _docusaurus,
}


def missing(*tools: str) -> str | None:
    """Why the machine cannot run a test needing `tools`, or None when it has them all."""
    for tool in tools:
        if reason := CHECKS[tool]():
            return reason
    return None
