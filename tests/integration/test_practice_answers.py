"""Asked about a chapter's practice, the answer names its practice sections from the book's structure, through
the real graph: an exercise whose steps are code-only sub-sections is named with its steps, a chapter without
exercises is said to have none (never given another chapter's), and a question about the content is unaffected.
"""

from __future__ import annotations

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_fixture_book

pytestmark = pytest.mark.integration


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path):
    return await ingest_fixture_book(services, tmp_path, "practice_book", book_id="machines", title="Machines")


async def ask(services, guest, question: str) -> tuple[str, dict]:
    return await ask_offline(services, guest, question, book_id="machines")


def cited(state: dict) -> set[tuple[str, str]]:
    return {(c["doc_path"], c["anchor_url"].rsplit("#", 1)[-1]) for c in state["citations"]}


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


async def test_a_chapter_without_exercises_is_said_to_have_none(services, book, guest):
    text, state = await ask(services, guest, "Does the sensor fusion chapter have any exercises?")
    assert text.startswith("Sensor Fusion [1] has no exercise, lab or quiz section."), text
    assert {doc for doc, _ in cited(state)} == {"control/sensor-fusion.md"}
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
