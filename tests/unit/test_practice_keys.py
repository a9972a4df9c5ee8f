"""Asked for the answer to the book's own quiz questions or exercises: the request is recognised (a question about
the topic is not), and a practice section's questions are read with their options and never their answers."""

from __future__ import annotations

import pytest
from tests.unit.fixture_books import fixture_book_pages

from booktutor.extractive.intent import asks_about_practice, asks_for_answer
from booktutor.extractive.practice_keys import LAST, asked_number, shown_questions
from booktutor.ingest.chunker import chunk_markdown
from booktutor.tutoring.question_list import SetQuestion, set_questions


@pytest.mark.parametrize(
    "question",
    [
        "What is the answer to question 2 of the module quiz?",
        "What are the answers to the exercises on belts and bearings?",
        "Show me the answer key of the power transmission quiz",
        "What is the solution to exercise 3?",
        "What are the quiz answers?",
        "Which option is correct for question 3?",
        "Can you solve the exercise for me?",
        "What's the answer to the last question of the quiz?",
    ],
)
def test_a_request_for_the_books_own_answers_is_about_practice(question: str) -> None:
    assert asks_for_answer(question) and asks_about_practice(question)


@pytest.mark.parametrize(
    "question",
    [
        "How does a timing belt work?",
        "What is the answer to the problem of drift?",
        "What is the solution to the inverse kinematics problem?",
        "Why do timing belts not slip?",
    ],
)
def test_a_question_about_the_topic_is_not_a_request_for_an_answer(question: str) -> None:
    assert not asks_for_answer(question)


def test_asked_number() -> None:
    assert asked_number("What is the answer to question 2 of the quiz?") == 2
    assert asked_number("answer for Q3 please") == 3
    assert asked_number("What are the answers to the exercises?") is None
    assert asked_number("What is the answer to the second question of the quiz?") == 2
    assert asked_number("What's the answer to the last question of the quiz?") == LAST


SECTION = """## Self-check

1. Which pulley turns fastest?
   - [ ] The largest
   - [x] The smallest

2. True or false: a chain needs no tension.

   Answer: False

**Exercise 3.** Describe how you would
measure belt stretch.

Model answer

Mark two points on the belt and compare their distance under load.

## Answer key

1. B — the smallest pulley turns fastest.
2. False
"""


def test_a_sections_questions_are_read_without_their_answers() -> None:
    assert set_questions(SECTION) == [
        SetQuestion(1, "Which pulley turns fastest?", ("The largest", "The smallest")),
        SetQuestion(2, "True or false: a chain needs no tension."),
        SetQuestion(3, "Describe how you would measure belt stretch."),
    ]


def test_shown_questions_lists_the_asked_one_with_lettered_options() -> None:
    section = {
        "questions": [
            {"number": q.number, "prompt": q.prompt, "choices": list(q.choices)} for q in set_questions(SECTION)
        ]
    }
    assert shown_questions(section, 1) == (
        "1. Which pulley turns fastest?\n   A) The largest\n   B) The smallest",
        True,
    )
    text, found = shown_questions(section, 7)
    assert not found and text.count("\n") >= 3, "no such number: all its questions"


def test_a_question_the_chunks_of_a_quiz_repeat_is_listed_once():
    """A long quiz is stored as overlapping chunks: the question that ends one opens the next; the listing
    (`set_questions` over the section's chunks) names each question once, with its options."""
    self_check = fixture_book_pages("network_course")["assessment/self-check.mdx"]
    chunks = chunk_markdown(self_check.markdown, title=self_check.title, page=self_check.source_path)
    assert len(chunks) > 1
    listed = set_questions("\n\n".join(chunk.text for chunk in chunks))
    assert [q.number for q in listed] == list(range(1, 11))
    assert [len(q.choices) for q in listed] == [4, 4, 0, 0, 4, 0, 0, 0, 0, 0]


WRAPPED = """## Review questions

A full charge lasts about 300 hours, or roughly
12.5 days, and the report is due on Friday at
17:00. The bench holds two boards and
3. spare cables.

1. How long does a full charge last?
2. Why does a longer interval save power?

### 3. Wiring the sensor

Connect the sensor to the board.

### Question 3: Which pin carries the clock?
"""


def test_a_wrapped_line_or_a_numbered_heading_is_not_a_question():
    """A question starts a list item: its number and a space open the line, in sequence after a line of text; a
    line a paragraph wraps onto ("12.5 days", "17:00", "3. spare cables") goes on that paragraph, and a
    numbered heading is a section, unless it names a question."""
    assert [(q.number, q.prompt) for q in set_questions(WRAPPED)] == [
        (1, "How long does a full charge last?"),
        (2, "Why does a longer interval save power?"),
        (3, "Which pin carries the clock?"),
    ]
