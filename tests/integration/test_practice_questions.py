"""Asked what a quiz covers or which questions it has, the offline tutor names the quiz (cited) and lists its
questions with their options, never its answer key, and offers a chat quiz; asked about one exercise by its
number (of a chapter named by its number, its title's words or "this chapter" on the page being read), it quotes
that exercise's prompt, cited, and offers hints, never the solution. (tests/fixtures/warehouse_course)
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("warehouse_course", book_id="wc", title="Warehouse")
ask = partial(ask_offline, book_id="wc")

QUIZ = ("checks/module-1-quiz.mdx", "module-1-quiz")
EXERCISES = ("navigation/lidar-mapping.mdx", "exercises")
QUIZ_QUESTIONS = [
    "1. How many ticks do Rover's encoders produce per wheel turn?",
    "C) 2,048",
    "2. What does an occupancy grid store for each cell?",
    "B) The probability that something occupies the cell",
    "3. True or False: Scan matching makes odometry drift grow faster.",
]
EXERCISE_1 = "Rover's lidar returns 720 readings per turn. How many readings does it produce per second?"


@pytest.mark.parametrize(
    "question",
    ["What does the module 1 quiz cover?", "What is on the module 1 quiz?", "What questions are in the Module 1 Quiz?"],
)
async def test_asked_what_a_quiz_has_the_answer_lists_its_questions_without_its_key(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"] and "**Module 1 Quiz**" in text
    positions = [text.find(line) for line in QUIZ_QUESTIONS]
    assert -1 not in positions and positions == sorted(positions), text
    assert "Answer Key" not in text and "1. c" not in text and "3. False" not in text
    assert "Each module builds on the one before it" not in text
    assert "Quiz me" in text
    assert cited_sections(state) == {QUIZ}


@pytest.mark.parametrize(
    "question",
    [
        "What is exercise 1 in the mapping chapter?",
        "Can you help me with exercise 1 in the mapping chapter?",
        "Help me with exercise 1 of chapter 2",
    ],
)
async def test_an_exercise_asked_by_its_number_is_quoted_with_an_offer_of_hints(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert text.startswith("Exercise 1 of **Exercises**") and "Chapter 2: Mapping with Lidar" in text, text
    assert EXERCISE_1 in text and "hint" in text
    assert "Draw the cells" not in text, "the asked exercise alone"
    assert "7,200" not in text, "never its solution"
    assert cited_sections(state) == {EXERCISES}


async def test_an_exercise_of_this_chapter_is_the_read_pages(services, book, guest):
    text, state = await ask(
        services, guest, "Help me with exercise 2 of this chapter", doc_path="navigation/lidar-mapping"
    )
    assert "2. Draw the cells that one beam passes through on a small grid." in text, text
    assert EXERCISE_1 not in text and "7,200" not in text
    assert cited_sections(state) == {EXERCISES}


async def test_a_chapter_named_by_words_it_lacks_an_exercise_of_is_not_given_anothers(services, book, guest):
    text, _ = await ask(services, guest, "What is exercise 1 in the path planning chapter?")
    assert EXERCISE_1 not in text and "How many ticks" not in text
