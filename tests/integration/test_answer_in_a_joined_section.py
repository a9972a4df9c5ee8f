"""A short section the ingest joined to the one before it still answers "what is/are X?" by its own heading:
the check that the quoted sentences name the asked term reads each sentence's own section heading, not only
the chunk's first. Real graph, Postgres, Qdrant Edge and MiniLM over a page written here."""

from __future__ import annotations

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages

pytestmark = pytest.mark.integration

WELDING = """# Welding cells

## Guarding principles

Guards keep people out of the arc's reach while a robot welds.
Light curtains stop the robot when someone reaches into the cell.

### Safety standards

Key standards:
- **WS 410**: Welding robot cells
- **WS 520**: Fume extraction
- **WS 630**: Arc flash screens
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


async def test_a_list_under_its_own_short_heading_answers_what_the_heading_names(services, tmp_path, guest):
    await ingest_pages(services, tmp_path, {"welding.md": WELDING}, book_id="weld")
    text, state = await ask_offline(services, guest, "What are the safety standards for welding cells?", book_id="weld")
    assert "WS 410" in text and not state["abstained"], text
