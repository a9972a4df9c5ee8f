"""schemathesis over every route of a live server, as CI runs it: `schemathesis run --checks all`.

No generated request may cause a 5xx, documented responses (status, content type, headers, body) must
match the OpenAPI document, valid input must be accepted and invalid input refused, and admin routes
must refuse requests without (or with wrong) credentials. Examples per operation are bounded so the
run stays within a few minutes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.integration.conftest import build_test_services
from tests.integration.http_helpers import bearer, register
from tests.integration.live_server import live_server

from booktutor.api.app import create_app
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
EXAMPLES_PER_OPERATION = 5
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture
async def live(services, ingestor, book_copy, tmp_path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    quiet = services.settings.model_copy(
        update={"rate_limit_enabled": False, "admin_emails": ["fuzz@example.com"], "data_dir": tmp_path / "data"}
    )
    app_services = build_test_services(quiet, services.db, services.store, services.embedder)
    app = create_app(services=app_services, model=ExtractiveModel(embedder=services.embedder))
    async with live_server(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            admin = bearer(await register(http, "fuzz@example.com"))
        yield url, admin


@pytest.mark.timeout(1500)
async def test_every_route_passes_all_schemathesis_checks(live, tmp_path):
    url, admin = live
    command = [
        str(SCHEMATHESIS),
        f"--config-file={CONFIG}",
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks=all",
        f"--max-examples={EXAMPLES_PER_OPERATION}",
        "--phases=examples,fuzzing,stateful",
        "--workers=1",
        "--seed=19",
        "--generation-deterministic",
        "--suppress-health-check=all",
        "--request-timeout=60",
        "--continue-on-failure",
        "--no-color",
        f"--header=Authorization: {admin['Authorization']}",
        f"--report-dir={tmp_path / 'report'}",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=900)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-20000:]
    assert "No issues found" in text or "passed" in text, text[-3000:]
