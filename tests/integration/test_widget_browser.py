"""The widget and the demo site in real headless Chromium (playwright-core) against the real app."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.integration.test_chat_http import _serve

from booktutor.api.app import create_app
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn

pytestmark = [pytest.mark.integration, pytest.mark.needs("node", "npm", "chromium")]
ROOT = Path(__file__).parents[2]
SPEC = ROOT / "tests" / "browser" / "widget.spec.mjs"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
FIRMWARE_CHAPTER = """---
title: Firmware notes
---

## Flashing firmware

Flashing firmware writes a new program onto the robot's microcontroller. When flashing fails
the tool prints `<script>window.__xss=1</script>` and `<img src=x onerror="window.__xss=1">` to the
console.
See the [flashing guide](javascript:window.__xss=1) before flashing firmware.
"""
# What a careless LLM might write quoting a hostile book: the widget must show it as inert text.
MODEL_PAYLOAD = (
    'The manual says: <img src=x onerror="window.__xss=1"> '
    "<script>window.__xss=1</script> [guide](javascript:window.__xss=1) "
    "![p](javascript:window.__xss=1) "
    '<a href="javascript:window.__xss=1">a</a> <svg onload="window.__xss=1"></svg> '
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe> '
    "<JAVASCRIPT:window.__xss=1> [1]"
)


class BrowserTestModel(ExtractiveModel):
    """The offline answerer, except: "SLOW" questions stream slowly, a "FLAKY" question fails on its
    first run, and "QUOTE_RAW" gets MODEL_PAYLOAD verbatim."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.flaked = False

    def _flags(self, input) -> tuple[bool, bool]:
        text = json.dumps(input, default=str)
        return "SLOW" in text, "FLAKY" in text

    async def get_response(self, system_instructions, input, *args, **kwargs):
        self._maybe_fail(input)
        return await super().get_response(system_instructions, input, *args, **kwargs)

    async def stream_response(self, system_instructions, input, *args, **kwargs):
        self._maybe_fail(input)
        slow, _ = self._flags(input)
        if "QUOTE_RAW" in json.dumps(input, default=str):
            async for event in ScriptedModel([Turn(text=MODEL_PAYLOAD)]).stream_response(
                system_instructions, input, *args, **kwargs
            ):
                yield event
            return
        async for event in super().stream_response(system_instructions, input, *args, **kwargs):
            if slow:
                await asyncio.sleep(0.06)
            yield event

    def _maybe_fail(self, input) -> None:
        _, flaky = self._flags(input)
        if flaky and not self.flaked:
            self.flaked = True
            raise RuntimeError("provider unreachable")


@pytest.fixture(scope="module")
def widget_bundle() -> Path:
    """Build the widget from source so the browser runs the code under test."""
    subprocess.run(["npm", "run", "--silent", "build:widget"], cwd=ROOT, check=True, capture_output=True, timeout=60)
    return ROOT / "widget" / "dist" / "widget.js"


@pytest.fixture
async def site_url(services, ingestor, book_copy, widget_bundle) -> AsyncIterator[str]:
    (book_copy / "docs" / "basics" / "firmware.md").write_text(FIRMWARE_CHAPTER, encoding="utf-8")
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    app = create_app(services=services, model=BrowserTestModel(embedder=services.embedder))
    async for url in _serve(app):
        yield url


async def test_site_pages_and_widget_bundle_are_served(site_url):
    async with httpx.AsyncClient(base_url=site_url) as client:
        home = await client.get("/")
        gears = await client.get("/docs/basics/gears")
        urdu = await client.get("/ur/docs/intro")
        missing = await client.get("/docs/no/such/chapter")
        bundle = await client.get("/widget.js")
    assert home.status_code == 307 and home.headers["location"] == "/docs/intro"
    assert gears.status_code == 200 and '<h2 id="backlash">Backlash</h2>' in gears.text
    assert '<script src="/widget.js" data-book="mini" defer></script>' in gears.text
    assert "script-src 'self'" in gears.headers["content-security-policy"]
    assert '<html lang="ur" dir="rtl">' in urdu.text and "ورکشاپ روبوٹ" in urdu.text
    assert missing.status_code == 404
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")


async def test_widget_in_a_real_browser(site_url):
    process = await asyncio.create_subprocess_exec(
        "node", str(SPEC), site_url, str(ARTIFACTS), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=150)
    assert stdout, stderr.decode()[-3000:]
    report = json.loads(stdout)
    print("scenario timings (ms):", report["timings"])
    failed = {name: check["detail"] for name, check in report["checks"].items() if not check["ok"]}
    assert not failed, json.dumps(failed, indent=1, ensure_ascii=False)
    assert not report["errors"], report["errors"]
    assert process.returncode == 0, stderr.decode()[-3000:]
    assert len(report["checks"]) >= 30
    assert (ARTIFACTS / "answer.png").exists() and (ARTIFACTS / "site-urdu.png").exists()
