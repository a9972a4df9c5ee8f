"""A chapter's practice sections read from its outline (tools.practice) and the answer that names them
(extractive.practice): pure parts, no database."""

from __future__ import annotations

import uuid

from booktutor.extractive.intent import asks_about_practice, asks_which_practice
from booktutor.extractive.practice import practice_answer
from booktutor.ingest.purpose import classify_section, enclosing_practice
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.practice import practice_sections

PAGE = uuid.uuid4()


def row(path: list[str], purpose: str, anchor: str, sections: list[str] | None = None, text: str = "") -> OutlineRow:
    joined = [{"anchor": anchor, "heading": h} for h in (sections or [path[-1]])]
    return OutlineRow(PAGE, "control/loops.md", path[0], {}, "", "en", path, anchor, purpose, joined, text)


def test_a_code_only_step_stays_code_but_lies_within_its_exercise() -> None:
    path = ("Loops", "Practical Exercise: Tune It", "Step 1: Log")
    assert classify_section(path, "```python\nlog = run()\nlog.save('a.csv')\n```") == "code"
    assert enclosing_practice(path) == 2
    assert enclosing_practice(("Lab 3: Motors", "Wiring")) == 0, "the page title is not an enclosing section"


def test_an_exercise_is_its_heading_with_its_steps_in_order() -> None:
    title = "Loops"
    rows = [
        row([title], "exposition", "loops"),
        row([title, "Tuning"], "exposition", "tuning"),
        row([title, "Practical Exercise: Tune It", "Step 1: Log"], "code", "step-1-log"),
        row([title, "Practical Exercise: Tune It", "Step 2: Fit"], "code", "step-2", ["Step 2: Fit", "Step 3: Check"]),
        row([title, "Review Questions"], "exercise", "review-questions", text="1. Why does the loop overshoot?"),
    ]
    exercise, review = practice_sections(rows)
    assert exercise.heading == "Practical Exercise: Tune It" and exercise.anchor == "practical-exercise-tune-it"
    assert exercise.steps == ["Step 1: Log", "Step 2: Fit", "Step 3: Check"] and exercise.text == []
    assert review.anchor == "review-questions" and review.text == ["1. Why does the loop overshoot?"]


def test_the_questions_that_ask_whether_a_chapter_has_practice() -> None:
    assert asks_which_practice("Does the sensor fusion chapter have any exercises?")
    assert asks_which_practice("How many quizzes does module 1 have?")
    assert not asks_which_practice("What will I build in the first robot project?")
    assert asks_about_practice("What are the steps of the sim-to-real practical exercise?")
    assert not asks_about_practice("What are the steps to calibrate a camera?")


def _results() -> list[dict]:
    return [
        {"n": 1, "doc_path": "a.md", "chapter_title": "Loops", "heading": "Tuning", "text": "A loop corrects."},
        {"n": 2, "doc_path": "b.md", "chapter_title": "Filters", "heading": "Filters", "text": "A filter blends."},
        {"n": 61, "heading": "Exercise: Tune It", "text": "", "steps": ["Step 1: Log", "Step 2: Fit"]},
    ]


def test_the_answer_names_the_asked_chapters_exercise_or_says_it_has_none() -> None:
    listing = [
        {"doc_path": "a.md", "chapter_title": "Loops", "n": 1, "sections": [61]},
        {"doc_path": "b.md", "chapter_title": "Filters", "n": 2, "sections": []},
    ]
    text = practice_answer("Are there any exercises in the loops chapter?", _results(), listing) or ""
    assert text.startswith("Loops has a practice section: **Exercise: Tune It** [61].")
    assert text.index("Step 1: Log") < text.index("Step 2: Fit")
    none = practice_answer("Does the filters chapter have exercises?", _results(), listing)
    assert none == "Filters [2] has no exercise, lab or quiz section."
    assert practice_answer("What do I build in the filters chapter project?", _results(), listing) is None
