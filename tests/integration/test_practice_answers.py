"""Asked about a chapter's practice, the answer names its practice sections from the book's structure, through
the real graph: an exercise whose steps are code-only sub-sections is named with its steps, a chapter without
exercises is said to have none (never given another chapter's), a numbered module's practice is read from all its
pages, projects and challenges count as practice, the whole course's practice can be listed, and a question about
the content is unaffected.
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration


services, book = fixture_book_fixtures("practice_book", book_id="machines", title="Machines")
ask = partial(ask_offline, book_id="machines")
cited = cited_sections


STEPS = ["Step 1: Record a step response", "Step 2: Fit the gains", "Step 3: Check the overshoot"]


@pytest.mark.parametrize(
    "question",
    ["Are there any exercises in the speed loops chapter?", "What are the steps of the speed loop tuning exercise?"],
)
async def test_an_exercise_of_code_only_steps_is_named_with_its_steps(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"]
    assert "Practical Exercise: Tuning a Speed Loop" in text
    positions = [text.find(step) for step in STEPS]
    assert -1 not in positions and positions == sorted(positions), "its steps, in book order"
    assert cited(state) == {("control/speed-loops.md", "practical-exercise-tuning-a-speed-loop")}
    assert "```" not in text and "Measure how far" not in text, "no code, no other chapter's exercise"


async def test_a_chapter_without_exercises_is_said_to_have_none_citing_its_top(services, book, guest):
    text, state = await ask(services, guest, "Does the sensor fusion chapter have any exercises?")
    assert text.startswith("Sensor Fusion [1] has no exercise, lab, quiz or project section."), text
    assert cited(state) == {("control/sensor-fusion.md", "sensor-fusion")}, "the chapter's top, not one section"
    assert "Tuning a Speed Loop" not in text and "Measure how far" not in text


async def test_a_chapters_exercise_with_prose_is_quoted(services, book, guest):
    text, state = await ask(services, guest, "Are there any exercises in the wheel odometry chapter?")
    assert "**Exercises** [1]" in text
    assert "Measure how far the estimate drifts after ten laps of a square path." in text
    assert cited(state) == {("control/odometry.md", "exercises")}


async def test_a_content_question_is_unaffected(services, book, guest):
    text, state = await ask(services, guest, "What does a complementary filter do?")
    assert "blends a gyroscope's fast but drifting angle" in text
    assert "practice section" not in text and "Step 1" not in text
    assert {doc for doc, _ in cited(state)} == {"control/sensor-fusion.md"}


MODULE_2 = ["Lab: Route Planning", "Challenge: Recover a Lost Rover", "Before You Move On", "Module 2 Assessment"]


async def test_a_numbered_modules_practice_is_read_from_all_its_pages(services, book, guest):
    text, state = await ask(services, guest, "What homework does module 2 have?")
    assert text.startswith("Module 2: Navigation has 4 practice sections:"), text
    positions = [text.find(f"**{heading}**") for heading in MODULE_2]
    assert -1 not in positions and positions == sorted(positions), "every lesson's practice, in book order"
    assert "**Lab: Route Planning** [1] (in Route Planning)" in text
    assert {doc for doc, _ in cited(state)} == {
        f"navigation/{page}.md" for page in ("route-planning", "localization", "assessment")
    }
    labs, _ = await ask(services, guest, "Does module 2 have a lab?")
    assert labs.startswith("Module 2: Navigation has a lab:\n- **Lab: Route Planning** [1] (in Route Planning)"), labs
    assert "It also has 3 other practice sections:" in labs, "its other practice, after its lab"


async def test_a_modules_named_assessment_is_quoted_alone(services, book, guest):
    text, state = await ask(services, guest, "What does the module 2 assessment cover?")
    assert "**Module 2 Assessment**" in text and "Explain why A* expands fewer cells" in text
    assert "Lab: Route Planning" not in text
    assert cited(state) == {("navigation/assessment.md", "module-2-assessment")}


async def test_a_capstone_page_is_a_project_with_its_milestones(services, book, guest):
    text, state = await ask(services, guest, "Is there a capstone project?")
    assert "**Capstone Project: Parcel Rover**" in text and "Build a rover that carries a parcel" in text
    assert text.index("Milestone 1: Drive a Straight Line") < text.index("Milestone 2: Reach the Shelf")
    assert "- Summary" not in text, "a summary is not a step of the project"
    assert cited(state) == {("capstone.md", "capstone-project-parcel-rover")}


async def test_a_challenge_and_a_quiz_known_by_its_text_are_practice(services, book, guest):
    text, state = await ask(services, guest, "Are there any exercises in the localization chapter?")
    assert "**Challenge: Recover a Lost Rover** [1]: Carry the rover to an unknown spot" in text
    assert "**Before You Move On** [2] (quiz questions): Which guesses does the filter keep" in text
    assert "symmetric rooms" not in text, "a section about a challenge is not one set to the learner"
    assert {anchor for _, anchor in cited(state)} == {"challenge-recover-a-lost-rover", "before-you-move-on"}


async def test_a_labs_list_items_are_read_once_without_their_heading(services, book, guest):
    text, _ = await ask(services, guest, "What are the steps of the route planning lab?")
    assert "Load the warehouse grid into the planner; Mark the loading bay as the goal cell;" in text
    assert text.count("Lab: Route Planning") == 1, text


async def test_the_courses_practice_is_listed_in_book_order(services, book, guest):
    text, state = await ask(services, guest, "What homework does the course have?")
    headings = ["Practical Exercise: Tuning a Speed Loop", "Exercises", *MODULE_2, "Capstone Project: Parcel Rover"]
    assert text.startswith(f"The course has {len(headings)} practice sections:"), text
    positions = [text.find(f"**{heading}**") for heading in headings]
    assert -1 not in positions and positions == sorted(positions)
    assert len(state["citations"]) == len(headings)
