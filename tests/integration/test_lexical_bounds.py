"""Full-text candidates on a large book: lexemes in a large share of its chunks leave the candidate
match (real Postgres; the size thresholds are lowered so the small test book counts as large)."""

from __future__ import annotations

import pytest

from booktutor.ingest.pipeline import Ingestor
from booktutor.memory.database import raw_connection
from booktutor.retrieval import lexeme_stats
from booktutor.retrieval.lexical import LexicalSearch

pytestmark = pytest.mark.integration


@pytest.fixture
def large_book_thresholds(monkeypatch) -> None:
    lexeme_stats.forget()
    monkeypatch.setattr(lexeme_stats, "FREQUENT_MIN_CHUNKS", 0)
    monkeypatch.setattr(lexeme_stats, "FREQUENT_SHARE", 0.5)
    yield
    lexeme_stats.forget()


async def test_frequent_lexemes_are_the_ones_in_most_chunks(services, book_copy, large_book_thresholds):
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    async with raw_connection(services.db) as conn:
        frequent = await lexeme_stats.frequent_lexemes(conn, "mini", ["gear", "backlash", "nonexistentword"])
        total = await lexeme_stats._book_stats(conn, "mini")
    assert "nonexistentword" not in frequent and "backlash" not in frequent
    assert all(total.counts[lexeme] > total.threshold for lexeme in frequent)


async def test_search_ranks_the_strict_match_first_and_still_finds_rare_words(
    services, book_copy, large_book_thresholds
):
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    async with raw_connection(services.db) as conn:
        strict = await LexicalSearch(conn).search("gear backlash", limit=10, book_id="mini")
        relaxed = await LexicalSearch(conn).search("backlash in a battery", limit=10, book_id="mini")
    assert strict and strict[0].rank >= 1.0  # the whole query matched
    assert relaxed, "a rare word alone still finds its chunks"
    assert [h.rank for h in strict] == sorted((h.rank for h in strict), reverse=True)


async def test_a_small_book_gets_the_same_hits_from_one_statement(services, book_copy, monkeypatch):
    """Small books match strict-or-pair in one statement; the result is the strict-then-pair one."""
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    questions = ["gear backlash", "backlash in a battery", "how does a servo motor work?", "what is odometry"]
    lexeme_stats.forget()
    async with raw_connection(services.db) as conn:
        one_statement = [await LexicalSearch(conn).search(q, limit=10, book_id="mini") for q in questions]
    lexeme_stats.forget()
    monkeypatch.setattr(lexeme_stats, "FREQUENT_MIN_CHUNKS", 0)  # the large-book path ...
    monkeypatch.setattr(lexeme_stats, "FREQUENT_SHARE", 1.0)  # ... with no lexeme left out
    async with raw_connection(services.db) as conn:
        step_by_step = [await LexicalSearch(conn).search(q, limit=10, book_id="mini") for q in questions]
    lexeme_stats.forget()
    assert any(one_statement)
    for one, steps in zip(one_statement, step_by_step, strict=True):  # the same rows and ranks; ties in any order
        assert sorted((round(h.rank, 6), str(h.chunk_id)) for h in one) == sorted(
            (round(h.rank, 6), str(h.chunk_id)) for h in steps
        )
        assert [h.rank for h in one] == sorted((h.rank for h in one), reverse=True)


async def test_full_text_is_planned_for_its_parameters_within_the_search_only(
    services, book_copy, large_book_thresholds
):
    """Past the five executions after which Postgres may switch a prepared statement to its generic
    plan (which ranked every chunk of a large book), the search keeps custom plans and the same hits;
    the setting ends with the search's transaction, so pooled connections do not keep it."""
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    async with raw_connection(services.db) as conn:
        runs = [await LexicalSearch(conn).search("gear backlash", limit=10, book_id="mini") for _ in range(8)]
        after = await conn.fetchval("SHOW plan_cache_mode")
        async with conn.transaction():  # a caller's transaction: the search's setting lasts until its end
            runs.append(await LexicalSearch(conn).search("gear backlash", limit=10, book_id="mini"))
            inside = await conn.fetchval("SHOW plan_cache_mode")
    assert runs[0] and all(run == runs[0] for run in runs)
    assert inside == "force_custom_plan"
    assert after == "auto"


async def test_term_evidence_follows_the_question_word_order(services, book_copy):
    """The answerer reads the evidence in this order: it must not depend on Postgres' plan."""
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    words = ["servo", "backlash", "gear", "battery", "odometry", "backlash", "motor"]
    async with raw_connection(services.db) as conn:
        total, terms = await LexicalSearch(conn).term_evidence(words, book_id="mini", top_chunk_ids=[])
    assert total > 0 and [t[0] for t in terms] == ["servo", "backlash", "gear", "battery", "odometry", "motor"]


async def test_an_ingested_book_leaves_nothing_pending_in_the_full_text_index(services, book_copy):
    """Every full-text search reads GIN's pending list in full until a VACUUM merges it (autovacuum may be
    off): the index has none, so a book is searchable at full speed as soon as it is ingested."""
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    async with raw_connection(services.db) as conn:
        merged_pages = await conn.fetchval("SELECT gin_clean_pending_list('ix_chunks_tsv'::regclass)")
        hits = await LexicalSearch(conn).search("gear backlash", limit=10, book_id="mini")
    assert hits and merged_pages == 0


async def test_the_relaxed_match_weighs_every_lexeme_of_the_question(
    services, book_copy, large_book_thresholds, monkeypatch
):
    """Fewer strict matches than asked for: the question's lexemes (read with the strict match) are
    checked for frequent ones before the relaxed match."""
    from booktutor.retrieval import lexical

    asked: list[list[str]] = []
    original = lexical.frequent_lexemes

    async def recording(conn, book_id, lexemes):  # noqa: ANN001, ANN202
        asked.append(sorted(lexemes))
        return await original(conn, book_id, lexemes)

    monkeypatch.setattr(lexical, "frequent_lexemes", recording)
    await Ingestor(services.db, services.store, services.embedder).ingest(book_copy, book_id="mini")
    async with raw_connection(services.db) as conn:
        hits = await LexicalSearch(conn).search("backlash of a battery zzyzxword", limit=10, book_id="mini")
    assert hits, "the relaxed match finds what the strict one cannot"
    # Stemmed by the English configuration, and as they are by `simple`, which the book's other language uses.
    assert asked == [["a", "backlash", "batteri", "battery", "of", "zzyzxword"]]


async def test_equal_ranks_come_in_the_books_order_so_a_reingested_book_ranks_alike(services, tmp_path):
    """Chunk ids are random at ingest; hits of equal rank are ordered by page and position instead."""
    docs = tmp_path / "docs"
    docs.mkdir()
    paragraph = "A ratchet lets a winch turn one way and holds the load when the crank is released."
    for name in ("c-winches", "a-winches", "b-winches"):  # written out of order
        (docs / f"{name}.md").write_text(f"# {name.title()}\n\n{paragraph}\n")
    await Ingestor(services.db, services.store, services.embedder).ingest(docs, book_id="ties")
    async with raw_connection(services.db) as conn:
        hits = await LexicalSearch(conn).search("ratchet winch", limit=10, book_id="ties")
        paths = {
            row["id"]: row["source_path"]
            for row in await conn.fetch(
                "SELECT ch.id, d.source_path FROM chunks ch JOIN documents d ON d.id = ch.document_id "
                "WHERE ch.book_id = 'ties'"
            )
        }
    assert len({hit.rank for hit in hits}) == 1, "the three pages say the same: one rank"
    assert [paths[hit.chunk_id] for hit in hits] == ["a-winches.md", "b-winches.md", "c-winches.md"]
