"""Asked what a term is, the answer says what it is: the glossary's definition when the chapters only use
the term, the chapter's own definition when it gives one."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.analysis import analyse
from booktutor.extractive.intent import question_intent
from booktutor.extractive.pages import completing_sentences

CHAPTER = """## Tuning the walk

ZMP controllers keep a walking robot upright on uneven floors in the lab.
Engineers tune the ZMP margins on a treadmill before any field test with the robot.
The ZMP controllers run at a higher rate than the footstep planner.
"""
GLOSSARY = """## Zero Moment Point (ZMP)

**Definition**: The point on the ground where the contact forces produce no tipping moment.

**Context**: Walking controllers keep this point inside the support polygon of the feet.
"""
USING_CHAPTER = """## Tuning the walk

Engineers tune ZMP margins daily.
ZMP tracking improves walking robots.
"""
DEFINING_CHAPTER = """## Balance

The ZMP is the point on the ground about which the robot's weight and the contact forces balance.
ZMP controllers keep a walking robot upright on uneven floors in the lab.
"""


def _book(chapter: str) -> list[dict[str, Any]]:
    return [
        hit(1, chapter, "Tuning the walk", doc="book/walking.md"),
        hit(2, GLOSSARY, "Glossary", "definition", doc="book/glossary.md"),
    ]


def test_a_definition_question_knows_its_subject() -> None:
    assert question_intent("What is a ZMP?").subject == frozenset({"zmp"})
    assert question_intent("Why does the ZMP matter?").subject == frozenset()


async def test_the_glossary_definition_answers_when_the_chapters_only_use_the_term(embedder: Any) -> None:
    composed = await answer("What is a ZMP?", _book(CHAPTER), embedder)
    assert composed.text.startswith("Zero Moment Point (ZMP): The point on the ground where the contact forces")
    assert composed.cited[0] == 2


async def test_a_glossary_definition_stays_on_the_glossary_page(embedder: Any) -> None:
    """The chapters only use the term: their sentences share its name, not what it is."""
    composed = await answer("What is a ZMP?", _book(USING_CHAPTER), embedder)
    assert composed.text.startswith("Zero Moment Point (ZMP): The point on the ground")
    assert "ZMP controllers" not in composed.text
    assert set(composed.cited) == {2}


async def test_the_chapter_definition_answers_when_the_chapter_gives_one(embedder: Any) -> None:
    composed = await answer("What is a ZMP?", _book(DEFINING_CHAPTER), embedder)
    assert composed.text.startswith("The ZMP is the point on the ground about which")
    assert "Zero Moment Point (ZMP):" not in composed.text


PROJECT = """## The field trial

In the field trial the rover hears a spoken command, fetch the red wrench, and splits it into steps.
The planner turns the command into a route, a search for the wrench and a grasp.
"""
TRIAL_GLOSSARY = """## Field Trial Scenario

**Example**: In the field trial the rover hears a spoken command and splits it into steps.
"""


async def test_a_glossary_line_of_a_lower_ranked_page_may_not_complete_an_answer_the_body_gives() -> None:
    """It restates the body section the answer quotes; its page would be one more citation of a restatement."""
    results = [
        hit(1, PROJECT, "The field trial", doc="book/field-trial.md"),
        hit(2, TRIAL_GLOSSARY, "Field Trial Scenario", "definition", doc="book/glossary.md"),
    ]
    analysis = await analyse("in the field trial, what command does the rover get?", results, embedder=None)
    body, glossary = (
        next(i for i, c in enumerate(analysis.candidates) if c.doc == doc)
        for doc in (
            "book/field-trial.md",
            "book/glossary.md",
        )
    )
    everything = list(range(len(analysis.candidates)))
    assert glossary in everything
    assert glossary not in completing_sentences(analysis, everything, [body])
    assert glossary in completing_sentences(analysis, everything, [glossary])  # a glossary answer keeps its page


async def test_a_glossary_line_for_a_longer_term_does_not_answer_what_the_shorter_one_is(embedder: Any) -> None:
    results = [
        hit(
            1,
            "Action Plan: An ordered list of ROS 2 actions that a robot runs to reach a goal.",
            "Action Plan",
            "definition",
        ),
        hit(
            2,
            "## Actions\n\nAn action is a long-running task that reports feedback and can be cancelled.",
            "Actions",
        ),
    ]
    result = await answer("What is a ROS 2 action?", results, embedder)

    assert result.text.startswith("An action is a long-running task"), result.text


async def test_a_glossary_line_spelling_out_the_asked_acronym_still_answers(embedder: Any) -> None:
    results = [
        hit(
            1, "Vision-Language-Action (VLA): A framework that joins seeing, language and acting.", "VLA", "definition"
        ),
        hit(2, "## Pipelines\n\nA VLA pipeline runs a camera, a language model and a controller.", "Pipelines"),
    ]
    result = await answer("What is VLA?", results, embedder)

    assert result.text.startswith("Vision-Language-Action (VLA): A framework"), result.text
