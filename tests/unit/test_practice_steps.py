"""A practice section's steps read from its text (tools.practice_steps through tools.practice) and the answer to
"step N of the lab" (extractive.practice_step through extractive.practice): pure parts, no database."""

from __future__ import annotations

import uuid

import pytest

from booktutor.extractive.practice import practice_answer
from booktutor.extractive.practice_keys import LAST
from booktutor.extractive.practice_step import asked_step, step_of
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.practice import practice_sections
from booktutor.tools.practice_steps import is_steps_heading, listed_steps

PAGE = uuid.uuid4()


def row(path: list[str], purpose: str, headings: list[str], text: str, doc: str = "labs/motor.md") -> OutlineRow:
    joined = [{"anchor": h.lower().replace(" ", "-"), "heading": h} for h in headings]
    return OutlineRow(PAGE, doc, path[0], {}, "", "en", path, joined[0]["anchor"], purpose, joined, text)


LAB = "# Lab 2: Spin a Motor\n\nIn this lab, you will drive a motor from a pin.\n\n"


def test_a_labs_steps_are_the_items_under_its_steps_heading_not_the_heading():
    text = (
        LAB
        + "## Procedure\n\n1. Wire the driver to pin 9.\n2. Set the duty cycle to\n   half.\n\n## Notes\n\n- Keep cool"
    )
    headings = ["Lab 2: Spin a Motor", "Procedure", "Notes"]
    (lab,) = practice_sections([row(["Lab 2: Spin a Motor"], "lab", headings, text)])
    assert lab.steps == ["Wire the driver to pin 9.", "Set the duty cycle to half."]
    assert lab.numbered == lab.steps


def test_a_labs_own_numbered_list_is_its_steps_but_an_exercises_is_its_questions():
    text = LAB + "1. Wire the driver to pin 9.\n2. Measure the current.\n"
    (lab,) = practice_sections([row(["Lab 2: Spin a Motor"], "lab", ["Lab 2: Spin a Motor"], text)])
    assert lab.steps == ["Wire the driver to pin 9.", "Measure the current."]
    exercises = "## Exercises\n\n1. Explain why a motor stalls.\n2. Compare two drivers.\n"
    (exercise,) = practice_sections([row(["Motors", "Exercises"], "exercise", ["Exercises"], exercises)])
    assert exercise.steps == [] and exercise.numbered == []


def test_step_headings_stay_the_steps_and_nested_ones_are_what_step_n_counts():
    rows = [
        row(["Motors", "Practical Exercise: Tune"], "exercise", ["Practical Exercise: Tune", "Flow"], "## Flow\n"),
        row(["Motors", "Practical Exercise: Tune", "Flow", "Step 1: Log"], "code", ["Step 1: Log"], "```\nx\n```"),
        row(
            ["Motors", "Practical Exercise: Tune", "Flow", "Step 2: Fit"],
            "code",
            ["Step 2: Fit"],
            "Fit it.\n## Steps\n1. a b",
        ),
    ]
    (exercise,) = practice_sections(rows)
    assert exercise.steps == ["Flow"], "its sections, not its sections' sub-sections"
    assert exercise.numbered == ["Step 1: Log", "Step 2: Fit"]
    assert exercise.step_texts == {"Step 1: Log": "```\nx\n```", "Step 2: Fit": "Fit it."}, "up to its next heading"


def test_a_step_sub_section_is_answered_with_its_own_words():
    section = {
        "n": 61,
        "doc_path": "motors.md",
        "heading": "Practical Exercise: Tune",
        "text": "",
        "steps": ["Flow"],
        "numbered_steps": ["Step 1: Log", "Step 2: Fit"],
        "step_texts": ["Record the speed for ten seconds.", ""],
    }
    listing = [{"doc_path": "motors.md", "chapter_title": "Motors", "n": 1, "sections": [61]}]
    first = practice_answer("What is step 1 of the tune exercise?", [section], listing)
    assert first == "**Practical Exercise: Tune** [61], step 1 of 2: Log.\n\nRecord the speed for ten seconds."
    assert practice_answer("What is step 2 of the tune exercise?", [section], listing) == (
        "**Practical Exercise: Tune** [61], step 2 of 2: Fit."
    )


def test_steps_headings_and_lists():
    for heading in ("Steps", "Procedure", "Instructions", "Your tasks", "Lab steps", "**What to do:**"):
        assert is_steps_heading(heading), heading
    for heading in ("Step-by-Step Flow", "Next Steps", "Step 1: Log", "Tasks of a planner"):
        assert not is_steps_heading(heading), heading
    code = "## Steps\n\n```bash\n1. not a step\n```\n- Run `make`\n  - a sub-item\n"
    assert listed_steps(code, "Lab", own=False) == ["Run make"]


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("What should I do in step 3 of the lab?", 3),
        ("What's the third step of the exercise?", 3),
        ("step 2 of lab 1", 2),
        ("What is the 4th step?", 4),
        ("What is the final step of the lab?", LAST),
        ("What are the next steps?", None),
    ],
)
def test_the_asked_step(question, number):
    assert asked_step(question) == number


def test_a_step_is_the_one_that_says_its_number_else_the_nth():
    assert step_of(["Step 1: Log", "Step 3: Fit"], 3) == (3, "Fit", 1)
    assert step_of(["Step 1: Log", "Step 3: Fit"], 2) is None
    assert step_of(["Wire it", "Run it"], 2) == (2, "Run it", 1)
    assert step_of(["Wire it", "Run it"], LAST) == (2, "Run it", 1)
    assert step_of(["Wire it"], 4) is None


def _lab(n: int, heading: str, steps: list[str]) -> dict:
    return {"n": n, "doc_path": "labs.md", "heading": heading, "text": "", "steps": steps, "numbered_steps": steps}


def test_the_step_is_of_the_lab_the_question_names_else_the_best_ranked():
    results = [
        _lab(61, "Lab 1: Blink", ["Wire the LED", "Upload the sketch"]),
        _lab(62, "Lab 2: Spin a Motor", ["Wire the driver", "Set the duty cycle"]),
        {"n": 63, "doc_path": "labs.md", "heading": "Quiz", "text": "1. Why?", "steps": [], "practice_kind": "quiz"},
    ]
    listing = [{"doc_path": "labs.md", "chapter_title": "Labs", "n": 1, "sections": [63, 61, 62]}]
    named = practice_answer("What do I do in step 2 of the motor lab?", results, listing) or ""
    assert named == "**Lab 2: Spin a Motor** [62], step 2 of 2: Set the duty cycle."
    assert practice_answer("step 2 of lab 2", results, listing) == named
    first = practice_answer("What's the first step of the lab?", results, listing) or ""
    assert first == "**Lab 1: Blink** [61], step 1 of 2: Wire the LED."
    missing = practice_answer("What is step 5 of the blink lab?", results, listing) or ""
    assert missing.startswith("**Lab 1: Blink** [61] has 2 steps, so I found no step 5.")
    assert "- Upload the sketch" in missing
