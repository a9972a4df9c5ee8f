"""Search hits carry what each chunk is for, the section that explains leads, and the key terms and the
quiz that repeat its words are still found below it (real Postgres full-text, Qdrant Edge and MiniLM).
The purpose factors' effect on a tie is asserted in tests/unit/test_fusion_purposes.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from booktutor.retrieval.search import HybridSearcher, SearchQuery

pytestmark = pytest.mark.integration

BOOK = Path(__file__).parent.parent / "fixtures" / "ranking_book"
QUESTION = "Why does a wide deadband make a servo stop away from its target?"


async def test_the_explaining_section_leads_and_key_terms_and_quiz_are_still_found(ingestor, services):
    await ingestor.ingest(BOOK, book_id="servos")

    found = await services.searcher.search(SearchQuery(text=QUESTION, book_id="servos", k=6))

    ranked = [(h.anchor, h.purpose) for h in found.hits]
    assert ranked[0] == ("holding-a-position", "exposition"), ranked
    assert ("key-terms", "definition") in ranked, ranked
    assert ("servo-quiz", "exercise") in ranked, ranked
    scores = [h.score for h in found.hits]
    assert scores == sorted(scores, reverse=True), "hits in the order of their weighed scores"


async def test_the_purpose_factors_reorder_the_returned_sections_and_never_push_one_out(ingestor, services):
    """What the fused scores return at k stays returned (a book's glossary is a relevant page too); the
    factors only decide which of those leads."""
    await ingestor.ingest(BOOK, book_id="servos")
    searcher = services.searcher
    neutral = HybridSearcher(
        services.db, services.store, services.embedder, weights=replace(searcher.weights, restating=1.0, not_answer=1.0)
    )

    for k in (2, 3, 4):
        query = SearchQuery(text=QUESTION, book_id="servos", k=k)
        unweighted = await neutral.search(query)
        weighted = await searcher.search(query)

        assert {h.anchor for h in weighted.hits} == {h.anchor for h in unweighted.hits}, k
        explaining = [h.anchor for h in weighted.hits if h.purpose == "exposition"]
        if explaining:
            assert weighted.hits[0].purpose == "exposition", [(h.anchor, h.purpose) for h in weighted.hits]
