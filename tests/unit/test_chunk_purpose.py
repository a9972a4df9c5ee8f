"""What each chunk is for, from headings, page names and wording (booktutor.ingest.purpose)."""

from __future__ import annotations

import pytest

from booktutor.ingest.chunker import chunk_markdown
from booktutor.ingest.purpose import classify_section


@pytest.mark.parametrize(
    ("heading", "purpose"),
    [
        ("Review Questions", "exercise"),
        ("Quiz: Kinematics", "exercise"),
        ("Module Assessment", "exercise"),
        ("Check Your Understanding", "exercise"),
        ("Lab 3: Line Following", "lab"),
        ("Hands-on Tutorial", "lab"),
        ("Activity 3: Two Subscribers", "lab"),
        ("Activity 2.1", "lab"),
        ("Class activity: build a gear train", "lab"),
        ("Learning Objectives", "objectives"),
        ("What You'll Learn", "objectives"),
        ("Key Takeaways", "summary"),
        ("Summary", "summary"),
        ("Glossary", "definition"),
        ("Further Reading", "navigation"),
        ("Next Steps", "navigation"),
        ("Prerequisites", "navigation"),
        ("Case Study: A Warehouse Fleet", "example"),
        # topics that merely contain such words stay exposition
        ("Risk Assessment", "exposition"),
        ("Challenges of Legged Locomotion", "exposition"),
        ("Computational Resources", "exposition"),
        ("Isaac Lab Overview", "exposition"),
        ("Voice Activity Detection", "exposition"),
        ("Activity Recognition with IMUs", "exposition"),
        ("Competing Objectives in Control", "exposition"),
    ],
)
def test_purpose_from_the_heading(heading: str, purpose: str) -> None:
    body = "A gear train trades speed for torque. Larger gears turn slower."
    assert classify_section(("Chapter", heading), body) == purpose


def test_purpose_from_the_page_name() -> None:
    body = "Explain the role of the integral term. Name two uses of a gyroscope."
    assert classify_section(("Module 2",), body, page="module-2/assessment.md") == "exercise"
    assert classify_section(("Wiring",), "Wire the motor to the driver board.", page="labs/lab-2.md") == "lab"
    assert classify_section(("Terms",), "A gear is a toothed wheel.", page="reference/glossary.md") == "definition"


def test_a_glossary_heading_names_a_term_even_when_it_names_a_kind_of_content() -> None:
    entry = "Example: a rover is told to fetch a wrench and plans its route. Context: used in the final project."
    assert classify_section(("Glossary", "Field Trial Scenario"), entry, page="unit-3/glossary.md") == "definition"
    assert classify_section(("Glossary", "Use Case"), entry, page="unit-3/glossary.md") == "definition"
    assert classify_section(("Rovers", "Field Trial Scenario"), entry, page="unit-3/rovers.md") == "example"


def test_option_lists_and_questions_are_practice() -> None:
    options = "Which sensor measures angular rate?\n\nA) Lidar\nB) Gyroscope\nC) Encoder\nD) Camera"
    questions = "Why does odometry drift? How would you correct it? What limits a camera at night?"
    assert classify_section(("Chapter", "Warm-up"), options) == "exercise"
    assert classify_section(("Chapter", "Think about it"), questions) == "exercise"


def test_numbered_imperative_steps_with_commands_are_a_lab() -> None:
    steps = (
        "1. Install the driver.\n2. Run the node:\n\n```bash\nros2 run demo talker\n```\n\n3. Open a second terminal.\n"
    )
    assert classify_section(("Chapter", "Getting going"), steps) == "lab"
    process = "1. Define the gait parameters.\n2. Simulate many gaits.\n3. Select the best one."
    assert classify_section(("Chapter", "The optimisation process"), process) == "exposition"


def test_a_section_enclosed_by_an_exercise_is_practice() -> None:
    assert classify_section(("Chapter", "Exercise: Build a Node", "Step 2"), "Add a timer callback.") == "exercise"


def test_chunks_carry_their_purpose_and_sections() -> None:
    markdown = """# Gears

Gears transmit torque between shafts. A gear train trades speed for torque.

## Backlash

Backlash is the small gap between meshing teeth.

## Quiz

1. What is backlash?

A) A gap between teeth
B) A kind of motor
C) A sensor
"""
    chunks = chunk_markdown(markdown, title="Gears", page="basics/gears.md")
    purposes = {chunk.heading_path[-1]: chunk.purpose for chunk in chunks}
    assert purposes == {"Gears": "exposition", "Quiz": "exercise"}, "a quiz is never merged into the body"
    body = chunks[0]
    assert [anchor for _, anchor in body.sections] == ["", "backlash"] or [a for _, a in body.sections][
        -1
    ] == "backlash"


def test_a_short_explanation_joins_its_short_example_but_not_its_summary_or_practice() -> None:
    markdown = """# Encoders

## Counting pulses

An incremental encoder counts pulses as its disc turns; the count times the step angle is the shaft angle.

## Example: reading the count

```python
angle = pulses * 360 / pulses_per_turn
```

## Summary

Encoders turn shaft rotation into a count the controller reads.

## Exercise

1. Compute the angle after 512 pulses on a 2048-line encoder.
2. Explain why the count drifts when pulses are missed.
3. Describe how an index pulse fixes the drift.
"""
    chunks = chunk_markdown(markdown, title="Encoders", page="basics/encoders.md")
    anchors = [[anchor for _, anchor in chunk.sections] for chunk in chunks]
    assert anchors[0][-2:] == ["counting-pulses", "example-reading-the-count"], anchors
    assert chunks[0].purpose == "exposition"
    assert "angle = pulses" in chunks[0].text, "the example's code is read with the prose it illustrates"
    rest = [(a, c.purpose) for a, c in zip(anchors[1:], chunks[1:], strict=True)]
    assert rest == [(["summary"], "summary"), (["exercise"], "exercise")], "restating and practice stay apart"


@pytest.mark.parametrize("heading", ["Rubric", "Grading Rubric", "What to submit", "Late submissions", "Deliverables"])
def test_how_practice_is_graded_and_handed_in_is_information_even_on_an_assessment_page(heading: str) -> None:
    body = "Submissions up to 48 hours late lose 10% of the project grade. After that they are refused."
    page = "assessment/greenhouse-node.mdx"
    assert classify_section(("Graded Assessment", heading), body, page=page) == "exposition"
    assert classify_section(("Graded Assessment", "Submit your answers"), body, page=page) == "exercise"
