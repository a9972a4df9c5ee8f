"""A question that names a part of the book by its number or title is answered from that part
(tools/part_scope.py), through the real graph. tests/fixtures/objectives_book: an introduction with the course's
learning objectives, and three numbered chapters each opening with their own."""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("objectives_book", book_id="kites", title="Kites")
ask = partial(ask_offline, book_id="kites")


@pytest.mark.parametrize(
    ("question", "page", "said"),
    [
        ("What are the learning objectives of chapter 3?", "steady.md", "Lengthen the tail to damp a kite"),
        ("What are the learning objectives of chapter 2?", "frames.md", "Lash the cross so that it stays square"),
        ("What are the learning objectives of the steady flight chapter?", "steady.md", "Move the towing point"),
    ],
)
async def test_a_named_chapters_own_section_answers(services, book, guest, question, page, said):
    text, state = await ask(services, guest, question)
    assert state["route"] == "answer" and not state["abstained"], text
    assert said in text, text
    assert "choose a flying field" not in text, "not the course's objectives"
    assert {doc for doc, _ in cited_sections(state)} == {page}, cited_sections(state)


async def test_the_whole_books_question_still_searches_the_whole_book(services, book, guest):
    text, state = await ask(services, guest, "What are the learning objectives of the course?")
    assert "choose a flying field" in text, text
    assert ("intro.md", "learning-objectives") in cited_sections(state)
