"""Through the real graph: a short practice section the chunker joins to its neighbour ("Exercise 1" with the
"Self-check" after it, review questions with the "Knowledge Check" after them) is still found and cited (practice
is read from every heading a chunk covers); a chapter number the book does not have is said to be missing, with
the numbers it has."""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration


services, book = fixture_book_fixtures("short_practice_book", book_id="drives", title="Drives")
ask = partial(ask_offline, book_id="drives")
cited = cited_sections


async def test_a_self_check_joined_to_an_exercise_is_its_own_practice_section(services, book, guest):
    text, state = await ask(services, guest, "Are there any exercises in the electric motors chapter?")
    assert "**Exercise 1: Reverse a Motor**" in text and "**Self-check**" in text, text
    assert text.find("Exercise 1: Reverse") < text.find("Self-check"), "in book order"
    assert ("motors.md", "self-check") in cited(state)
    assert ("motors.md", "exercise-1-reverse-a-motor") in cited(state)


async def test_a_knowledge_check_joined_to_review_questions_is_a_quiz(services, book, guest):
    text, state = await ask(services, guest, "Is there a quiz in the wheels and slip chapter?")
    assert "Knowledge Check" in text, text
    assert ("wheels.md", "knowledge-check") in cited(state)


@pytest.mark.parametrize(
    "question",
    ["What are the key points of chapter 9?", "What does chapter 9 cover?", "Are there any exercises in chapter 9?"],
)
async def test_a_chapter_the_book_lacks_is_said_to_be_missing(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert text == (
        "The book has no chapter 9: its chapters are numbered 1 and 2, from Chapter 1: Electric Motors [1] to "
        "Chapter 2: Wheels and Slip [2]."
    ), text
    assert cited(state) == {("motors.md", "chapter-1-electric-motors"), ("wheels.md", "chapter-2-wheels-and-slip")}


async def test_a_chapter_the_book_has_is_answered(services, book, guest):
    text, _ = await ask(services, guest, "What are the key points of chapter 2?")
    assert text.startswith("Key points of Chapter 2: Wheels and Slip [1]:"), text
    assert "no chapter" not in text
