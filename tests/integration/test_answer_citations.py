"""Which pages an answer cites, through the real graph: where the page that says it best says it in code,
the answer shows that code and cites only that page.

The offline answerer, real Postgres, Qdrant Edge and MiniLM over a small project-written teams handbook.
"""

from __future__ import annotations

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_fixture_book

pytestmark = pytest.mark.integration


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def handbook(services, tmp_path):
    return await ingest_fixture_book(services, tmp_path, "citation_book", book_id="teams", title="Teams")


async def test_an_example_told_in_code_is_answered_with_its_code_and_cites_only_its_page(services, handbook, guest):
    text, state = await ask_offline(
        services, guest, "What rules do the robots follow in the flocking swarm example?", book_id="teams"
    )
    assert not state["abstained"]
    assert text.startswith("From the book [1]:")
    assert "Separation: keep a distance" in text and "Cohesion" in text
    assert "Role Distribution" not in text, "a weakly related page's list is not quoted beside the code"
    assert [(c["n"], c["doc_path"]) for c in state["citations"]] == [(1, "swarms/flocking.md")]
    assert state["citations"][0]["anchor_url"].endswith("#the-flocking-example")
