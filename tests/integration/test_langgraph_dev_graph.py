"""The graph `langgraph dev` serves in the stream benchmark (benchmarks/langgraph_dev), run in-process: imported
as the dev server imports it, its deps built from BOOKTUTOR_* variables as there, given the benchmark's input,
answering with the benchmark's instant scripted model. No server and no network: a change to RunDeps or to how
the graph is built breaks this test instead of `make bench`."""

from __future__ import annotations

import importlib
import uuid

import pytest
from ag_ui.core import EventType
from benchmarks._common import langgraph_run_input
from benchmarks.conversation_server import ANSWER

from booktutor.config import get_settings
from booktutor.ingest.pipeline import Ingestor

pytestmark = pytest.mark.integration


@pytest.fixture
async def dev_graph(clean_db, database_url, tmp_path, monkeypatch, book_copy):
    """The module langgraph.json names, with its deps built on the test database and the mini book ingested."""
    env = {
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_PROVIDER": "fake",
        "LLM_PROVIDER": "fake",
        "DEFAULT_BOOK_ID": "mini",
    }
    for name, value in env.items():
        monkeypatch.setenv(f"BOOKTUTOR_{name}", value)
    get_settings.cache_clear()
    module = importlib.import_module("benchmarks.langgraph_dev.booktutor_graph")
    try:
        deps = await module.run_deps()
        await Ingestor(deps.services.db, deps.services.store, deps.services.embedder).ingest(book_copy, book_id="mini")
        yield module
    finally:
        if module._deps is not None:
            await module._deps.services.close()
        module._deps = None
        get_settings.cache_clear()


async def test_the_langgraph_dev_graph_answers_a_run_with_the_instant_model(dev_graph):
    thread_id = str(uuid.uuid4())
    question = langgraph_run_input("What is backlash in a gearbox?", "mini", thread_id)

    parts = [
        part
        async for part in dev_graph.graph.astream(
            question, {"configurable": {"thread_id": thread_id}}, stream_mode=["custom", "updates"]
        )
    ]

    streamed = [chunk for mode, chunk in parts if mode == "custom"]
    updates = {node: update for mode, chunk in parts if mode == "updates" for node, update in chunk.items()}
    assert "".join(e.delta for e in streamed if e.type == EventType.TEXT_MESSAGE_CONTENT) == ANSWER
    assert [e.tool_call_name for e in streamed if e.type == EventType.TOOL_CALL_START] == ["search_book"]
    assert updates["router"]["route"] == "answer"
    assert updates["answer"]["answer"] == ANSWER and updates["answer"]["citations"]
