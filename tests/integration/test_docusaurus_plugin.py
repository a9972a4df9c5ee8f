"""docusaurus-plugin-booktutor for real: a Docusaurus 3 site built with the plugin, its docs ingested into
booktutor, the built site and the app both served, and headless Chromium navigating client-side,
asking, rating an answer, copying it and following its citation onto the built site."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select
from tests.integration.test_streaming import wait_until

from booktutor.api.app import create_app
from booktutor.memory.feedback_models import MessageFeedback
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = [pytest.mark.integration, pytest.mark.needs("node", "npm", "chromium", "docusaurus")]
ROOT = Path(__file__).parents[2]
SITE = ROOT / "tests" / "fixtures" / "docusaurus_site"
DOCUSAURUS = SITE / "node_modules" / ".bin" / "docusaurus"  # tests/machine.py checks it is installed
SPEC = ROOT / "tests" / "browser" / "docusaurus.spec.mjs"
ARTIFACTS = ROOT / "test-artifacts" / "docusaurus"
BOOK_ID = "greenhouse"
WIDGET_BUDGET_GZIPPED = 60 * 1024
# Webpack's persistent cache sits in the shared node_modules and goes stale across the per-session copies.
QUIET = {"NO_UPDATE_NOTIFIER": "1", "BROWSERSLIST_IGNORE_OLD_DATA": "1", "DOCUSAURUS_NO_PERSISTENT_CACHE": "1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def api_socket() -> Iterator[socket.socket]:
    """The API's address is baked into the built site, so it is reserved before the build (one app serves it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture(scope="session")
def site_copy(tmp_path_factory) -> Path:
    """The fixture site without its node_modules (linked back), so the build's .docusaurus/ stays out of the tree."""
    target = tmp_path_factory.mktemp("docusaurus") / "site"
    shutil.copytree(SITE, target, ignore=shutil.ignore_patterns("node_modules", ".docusaurus", "build"))
    (target / "node_modules").symlink_to(SITE / "node_modules", target_is_directory=True)
    return target


@pytest.fixture(scope="session")
def built_site(site_copy, api_socket) -> Path:
    """`docusaurus build` once per session, with the plugin pointed at the reserved API address."""
    subprocess.run(["npm", "run", "--silent", "build:widget"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    api_url = f"http://127.0.0.1:{api_socket.getsockname()[1]}"
    env = {**os.environ, **QUIET, "BOOKTUTOR_API_URL": api_url}
    started = time.monotonic()
    built = subprocess.run(
        [str(DOCUSAURUS), "build", "--out-dir", "build"], cwd=site_copy, env=env, capture_output=True, timeout=600
    )
    assert built.returncode == 0, (built.stdout.decode()[-2000:], built.stderr.decode()[-4000:])
    print(f"docusaurus build: {time.monotonic() - started:.1f} s")
    return site_copy / "build"


@pytest.fixture(scope="session")
def site_url(site_copy, built_site) -> Iterator[str]:
    """The built site served the way Docusaurus serves it (`docusaurus serve`)."""
    port = _free_port()
    command = [str(DOCUSAURUS), "serve", "--dir", "build", "--host", "127.0.0.1", "--port", str(port), "--no-open"]
    server = subprocess.Popen(
        command, cwd=site_copy, env={**os.environ, **QUIET}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/docs/intro", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url: str, server: subprocess.Popen, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()[-2000:]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {limit_s} s")


@pytest.fixture
async def api_url(services, ingestor, site_copy, site_url, api_socket) -> AsyncIterator[str]:
    await ingestor.ingest(site_copy, book_id=BOOK_ID, title="Greenhouse Robot Notes")
    settings = services.settings.model_copy(update={"cors_origins": [site_url]})
    app = create_app(settings=settings, services=services, model=ExtractiveModel(embedder=services.embedder))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
    serving = asyncio.create_task(server.serve(sockets=[api_socket]))
    await wait_until(lambda: server.started, limit_s=30)
    try:
        yield f"http://127.0.0.1:{api_socket.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving


def test_built_site_loads_the_widget_from_the_api_with_a_route_map(built_site, api_socket):
    api = f"http://127.0.0.1:{api_socket.getsockname()[1]}"
    page = (built_site / "docs" / "sensors" / "soil-moisture" / "index.html").read_text("utf-8")
    assert f'<script src="{api}/widget.js" defer="defer" data-api="{api}" data-book="{BOOK_ID}">' in page
    assert 'id="calibrating-a-probe"' in page
    bundles = "".join(path.read_text("utf-8") for path in (built_site / "assets" / "js").glob("main.*.js"))
    assert '"docPaths":{"/docs/intro":"intro.md","/docs/sensors/soil-moisture":"sensors/soil-moisture.md"}' in bundles


def test_widget_bundle_stays_within_its_budget(built_site):
    bundle = (ROOT / "widget" / "dist" / "widget.js").read_bytes()
    assert len(gzip.compress(bundle)) <= WIDGET_BUDGET_GZIPPED


@pytest.mark.timeout(600)
async def test_docusaurus_site_with_the_plugin_in_chromium(api_url, site_url, services):
    process = await asyncio.create_subprocess_exec(
        "node",
        str(SPEC),
        site_url,
        api_url,
        str(ARTIFACTS),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=240)
    assert stdout, stderr.decode()[-3000:]
    report = json.loads(stdout)
    print("scenario timings (ms):", report["timings"])
    failed = {name: check["detail"] for name, check in report["checks"].items() if not check["ok"]}
    assert not failed, json.dumps(failed, indent=1, ensure_ascii=False)
    assert not report["errors"], report["errors"]
    assert process.returncode == 0, stderr.decode()[-3000:]
    assert len(report["checks"]) >= 18

    rated = report["rated"]
    async with services.db.session() as session:
        row = await session.get(MessageFeedback, rated["message_id"])
        all_rows = (await session.scalars(select(MessageFeedback))).all()
    assert row is not None and len(all_rows) == 1
    assert (row.thread_id, row.rating, row.comment, row.route) == (
        rated["thread_id"],
        "down",
        rated["comment"],
        "answer",
    )
    assert any(c["anchor_url"] == "/docs/sensors/soil-moisture#calibrating-a-probe" for c in row.citations)
    assert (ARTIFACTS / "narrow-360.png").exists() and (ARTIFACTS / "citation.png").exists()
