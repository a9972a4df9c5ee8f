"""A table row or a short entry that names the question's rare words together is found even when the encoder
places it far from the question (real Postgres full text, Qdrant Edge and MiniLM; the book is
tests/fixtures/troubleshooting_book)."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktutor.memory.database import raw_connection
from booktutor.retrieval import lexeme_stats
from booktutor.retrieval.lexical import LexicalSearch
from booktutor.retrieval.search import SearchQuery

pytestmark = pytest.mark.integration

BOOK = Path(__file__).parent.parent / "fixtures" / "troubleshooting_book"
QUESTION = "my arm jitters violently the moment the simulation runs. what is going on?"


@pytest.fixture(autouse=True)
def fresh_counts():
    lexeme_stats.forget()
    yield
    lexeme_stats.forget()


async def test_the_row_naming_the_questions_rare_words_reaches_the_top_hits(ingestor, services):
    await ingestor.ingest(BOOK, book_id="arms")

    found = await services.searcher.search(SearchQuery(text=QUESTION, book_id="arms", k=3, language="en"))

    ranked = [(h.doc_path, h.anchor) for h in found.hits]
    assert ("simulation/model-files.md", "common-mistakes") in ranked, ranked


async def test_rare_pairs_are_chunks_holding_two_rare_words_of_the_question(ingestor, services):
    await ingestor.ingest(BOOK, book_id="arms")
    async with raw_connection(services.db) as conn:
        rare = await lexeme_stats.rare_lexemes(conn, "arms", "en", QUESTION)
        pairs = await LexicalSearch(conn).rare_pairs(QUESTION, limit=3, book_id="arms", language="en")
        lone = await LexicalSearch(conn).rare_pairs("why does my arm jitter?", limit=3, book_id="arms", language="en")
        rows = await conn.fetch("SELECT id, anchor FROM chunks WHERE book_id = 'arms'")
    anchors = {row[0]: row[1] for row in rows}
    assert {"jitter", "violent"} <= set(rare)
    assert "arm" not in rare, "a word in most chunks of the book is not rare"
    assert [anchors[h.chunk_id] for h in pairs] == ["common-mistakes"]
    assert lone == [], "one rare word alone is the full-text list's business"


async def test_counts_are_renewed_when_the_book_is_ingested_again(ingestor, services, tmp_path):
    import shutil

    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    await ingestor.ingest(book, book_id="arms")
    async with raw_connection(services.db) as conn:
        assert "violent" in await lexeme_stats.rare_lexemes(conn, "arms", "en", QUESTION)
    table = book / "docs" / "simulation" / "model-files.md"
    table.write_text(table.read_text().replace("Jitters violently", "Shakes"))
    await ingestor.ingest(book, book_id="arms")
    async with raw_connection(services.db) as conn:
        assert "violent" not in await lexeme_stats.rare_lexemes(conn, "arms", "en", QUESTION)
