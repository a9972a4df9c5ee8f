"""Search hits carry what each chunk is for, the section that explains leads, and the key terms and the
quiz that repeat its words are still found below it (real Postgres full-text, Qdrant Edge and MiniLM).
The purpose factors' effect on a tie is asserted in tests/unit/test_fusion_purposes.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktutor.retrieval.search import SearchQuery

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
