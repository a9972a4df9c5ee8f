"""`booktutor search` and `ask` while `booktutor serve` holds the data dir's vector index: they go
through the server (hybrid results, `degraded: false`) instead of falling back to full text."""

from __future__ import annotations

import json

import pytest
from tests.integration.serve_process import cli, server_env, serving

from booktutor.ingest.pipeline import Ingestor
from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore

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
    async with serving(env, tmp_path):
        assert json.loads((tmp_path / "data" / "server.json").read_text())["url"].startswith("http://127.0.0.1:")
        found = json.loads(cli(env, tmp_path, "search", "gear ratio torque", "--book-id", "mini", "--json"))
        assert found["degraded"] is False
        assert found["hits"] and found["hits"][0]["dense_rank"] is not None  # the vector index answered
        answered = json.loads(cli(env, tmp_path, "ask", "What is a gear ratio?", "--book-id", "mini", "--json"))
        assert answered["degraded"] is False and answered["answer"] and answered["citations"]
        again = json.loads(cli(env, tmp_path, "ask", "And backlash?", "--thread", answered["thread_id"], "--json"))
        assert again["thread_id"] == answered["thread_id"]
    assert not (tmp_path / "data" / "server.json").exists()
