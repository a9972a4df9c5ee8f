"""The acronyms a book defines, learned from its chunks at search time: a question's 'MDS' is the glossary's
'Message delivery settings' though the search returns no section that says both. Real Postgres, Qdrant Edge
and MiniLM over pages written here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ingest_pages

from booktutor.memory.database import raw_connection
from booktutor.tools import book_aliases
from booktutor.tools.book import search_book_results
from booktutor.tools.context import ToolContext

pytestmark = pytest.mark.integration

LINKS = """---
title: Links
---

# Links

## Links and readers

A link carries samples from one writer to every reader that subscribes to it.

## Message delivery settings

A lossy writer paired with a strict reader never pairs up, and nothing flows between them.
"""
GLOSSARY = """---
title: Glossary
---

# Glossary

- **Message delivery settings (MDS)**: the per-link rules for how samples are delivered.
- **Sample Rate Limiter (SRL)**: caps how many samples a writer sends each second.
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    docs = await ingest_pages(services, tmp_path, {"links.md": LINKS, "glossary.md": GLOSSARY}, book_id="links")
    book_aliases.forget()
    return docs


async def _aliases(services, question: str) -> list[list[str]]:
    ctx = ToolContext(services=services, user_id=None, book_id="links")
    return (await search_book_results(ctx, question))["evidence"]["aliases"]


async def test_the_search_carries_the_books_names_for_what_the_question_names(services, book):
    assert await _aliases(services, "Which MDS makes a reader miss samples?") == [["MDS", "Message delivery settings"]]
    assert await _aliases(services, "How do message delivery settings work?") == [["MDS", "Message delivery settings"]]
    assert await _aliases(services, "How does a link carry samples?") == []


class _CountingConnection:
    """A real connection whose scans are counted (each request would bring its own)."""

    def __init__(self, conn) -> None:
        self.conn, self.fetches = conn, 0

    async def fetch(self, *args):
        self.fetches += 1
        return await self.conn.fetch(*args)


async def test_requests_arriving_together_read_the_books_acronyms_once(services, book):
    async with raw_connection(services.db) as conn:
        counting = _CountingConnection(conn)
        found = await asyncio.gather(*(book_aliases.book_aliases(counting, "links") for _ in range(5)))
    assert counting.fetches == 1
    assert all(a.named_in_text("What are MDS?").pairs for a in found)
