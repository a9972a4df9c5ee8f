"""`booktutor search` and `ask` while `booktutor serve` holds the data dir's vector index: they go
through the server (hybrid results, `degraded: false`) instead of falling back to full text."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from tests.integration.serve_process import server_env, serving
from typer.testing import CliRunner

from booktutor.cli import app
from booktutor.config import get_settings
from booktutor.ingest.pipeline import Ingestor
from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore


def cli(env: dict[str, str], *args: str) -> str:
    """The command in this process (cheaper than one more Python start); it must go to the server."""
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env={k: v for k, v in env.items() if k.startswith("BOOKTUTOR_")})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "through the running server" in result.stderr, result.output
    return result.stdout


async def _ready(url: str) -> None:
    """/ready green: the server has opened the vector index (and holds its lock)."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(1200):
            if (await http.get("/api/v1/ready")).status_code == 200:
                return
            await asyncio.sleep(0.25)
    raise AssertionError("/ready never turned green")


pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]


async def test_search_and_ask_go_through_the_running_server(
    test_settings, clean_db, local_embedder, tmp_path, book_copy
):
    env = server_env(tmp_path / "data", database_url=test_settings.database_url or "")
    store = QdrantEdgeStore(tmp_path / "data" / "qdrant", test_settings.qdrant_collection)
    try:  # the book into the data dir's own index (as `booktutor ingest` would, without another process)
        await Ingestor(clean_db, store, local_embedder).ingest(book_copy, book_id="mini")
    finally:
        await store.close()
    async with serving(env, tmp_path) as server:
        await _ready(server.url)
        assert json.loads((tmp_path / "data" / "server.json").read_text())["url"].startswith("http://127.0.0.1:")
        found = json.loads(cli(env, "search", "gear ratio torque", "--book-id", "mini", "--json"))
        assert found["degraded"] is False
        assert found["hits"] and found["hits"][0]["dense_rank"] is not None  # the vector index answered
        answered = json.loads(cli(env, "ask", "What is a gear ratio?", "--book-id", "mini", "--json"))
        assert answered["degraded"] is False and answered["answer"] and answered["citations"]
        again = json.loads(cli(env, "ask", "And backlash?", "--thread", answered["thread_id"], "--json"))
        assert again["thread_id"] == answered["thread_id"]
    assert not (tmp_path / "data" / "server.json").exists()
