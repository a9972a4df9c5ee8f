"""A topic quiz lands on a chapter that teaches the topic; the glossary only when nothing else names it."""

from __future__ import annotations

import uuid

from booktutor.graph.quiz_target import teaching_hit
from booktutor.retrieval.types import SearchHit


def _hit(doc_path: str, title: str, lexical_rank: int | None) -> SearchHit:
    return SearchHit(
        chunk_id=uuid.uuid4(),
        book_id="b",
        document_id=uuid.uuid4(),
        doc_path=doc_path,
        language="en",
        chapter_title=title,
        heading_path=[title],
        heading=title,
        anchor="",
        anchor_url="",
        score=1.0,
        text="",
        snippet="",
        lexical_rank=lexical_rank,
    )


def test_the_glossary_gives_way_to_a_chapter_that_names_the_topic() -> None:
    glossary = _hit("reference/glossary.md", "Glossary", 1)
    terms = _hit("reference/terms.md", "Glossary of terms", 2)
    gears = _hit("basics/gears.md", "Gear trains", 3)
    unrelated = _hit("basics/batteries.md", "Batteries", None)
    assert teaching_hit([glossary, terms, gears]) is gears
    assert teaching_hit([glossary, unrelated]) is glossary  # nothing else covers it
