"""The machine's Redis for tests that share state through it (tests/machine.py: skipped without one, failed in CI)."""

from __future__ import annotations

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"

needs_redis = pytest.mark.needs("redis")
