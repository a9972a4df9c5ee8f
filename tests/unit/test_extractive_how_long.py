"""Asked how long something takes, an answer needs a span of time: sentences that only share the question's
topic ("The best projects start simple") do not say how long it takes, so the answerer says the book does
not cover it."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.stated import asked_fact_missing

PROJECT = """## Your first rover

Building a rover brings hardware, software and testing together. The best rover projects start simple and
grow one feature at a time. Get the motors turning first, then add the distance sensor.
"""
TIMED_PROJECT = """## Your first rover

Building a rover brings hardware, software and testing together. Most learners finish the rover in two
weekends, about 12 hours of work. Get the motors turning first, then add the distance sensor.
"""


async def test_how_long_a_project_takes_is_not_answered_by_sentences_without_a_span(embedder: Any) -> None:
    composed = await answer(
        "How long does the first rover project take?", [hit(1, PROJECT, "Your first rover")], embedder
    )
    assert composed.abstained


async def test_how_long_a_project_takes_is_answered_by_the_sentence_with_the_span(embedder: Any) -> None:
    results = [hit(1, TIMED_PROJECT, "Your first rover")]
    composed = await answer("How long does the first rover project take?", results, embedder)
    assert not composed.abstained and "about 12 hours of work" in composed.text


def test_a_span_the_question_gives_does_not_answer_it() -> None:
    question = "How long will a 2000 mAh battery last if it sends a reading every 10 minutes?"
    assert asked_fact_missing(question, "general", ["A reading is sent every 10 minutes."])
    assert not asked_fact_missing(question, "general", ["The battery then lasts about 25 days."])
    assert not asked_fact_missing("How long is this course?", "general", ["The course runs for 13 weeks."])
