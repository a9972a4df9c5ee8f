"""A quiz whose answers are on a page of their own ("Self-check answers"): that page is an answer key, never
practice the tutor offers or quotes; asked for an answer, the tutor shows the quiz's question instead.
(tests/fixtures/network_course)
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, fixture_book_fixtures

from booktutor.tutoring.quiz_pages import ANSWER_KEY_HEADING

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("network_course", book_id="net", title="Connected Sensors 101")
ask = partial(ask_offline, book_id="net")


async def test_asked_for_an_answer_the_tutor_shows_the_question_not_the_answer_page(services, book, guest):
    text, _ = await ask(services, guest, "What is the answer to self-check question 7?")
    assert "At which QoS is the message delivered?" in text, text
    assert "the lower of the two" not in text and "Self-check answers" not in text, text


async def test_the_answer_page_is_not_listed_as_a_quiz(services, book, guest):
    text, _ = await ask(services, guest, "What's in the self-check quiz?")
    assert "Self-check: Units 1 and 2" in text and "Self-check answers" not in text, text


@pytest.mark.parametrize(
    ("title", "is_key"),
    [
        ("Self-check answers", True),
        ("Quiz 1 solutions", True),
        ("Lab 3 answer key", True),
        ("Solutions to the exercises", True),
        ("Questions and answers", False),
        ("Common issues and solutions", False),
        ("Problems and solutions", False),
    ],
)
def test_an_answer_key_is_named_by_its_title_not_by_any_heading_that_ends_in_answers(title, is_key):
    assert bool(ANSWER_KEY_HEADING.match(title)) is is_key
