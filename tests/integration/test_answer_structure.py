"""Answers shaped by how the book is written, through the real graph (router, search, offline answerer; real
Postgres, Qdrant Edge and MiniLM): a term the chapters only use is answered with the glossary's definition,
and an answer that opens with an item of a list gives the list's other items after it."""

from __future__ import annotations

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages
from tests.unit.test_extractive_lists import CAMERA

pytestmark = pytest.mark.integration

WALKING = """# Walking robots

## Tuning the walk

ZMP controllers keep a walking robot upright on uneven floors in the lab.
Engineers tune the ZMP margins on a treadmill before any field test with the robot.
The ZMP controllers run at a higher rate than the footstep planner.

## Field tests

Field tests start on flat concrete and move to gravel once the ZMP margins hold.
"""
GLOSSARY = """# Glossary

## Zero Moment Point (ZMP)

**Definition**: The point on the ground where the contact forces produce no tipping moment.

**Context**: Walking controllers keep this point inside the support polygon of the feet.

## Footstep planner

**Definition**: The module that chooses where each foot lands on the terrain ahead.
"""

CAMERAS = f"# Simulated cameras\n\n{CAMERA}"  # the list-rendering unit tests' page


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


async def test_what_is_a_term_the_chapters_only_use_opens_with_its_glossary_definition(services, tmp_path, guest):
    await ingest_pages(services, tmp_path, {"walking.md": WALKING, "glossary.md": GLOSSARY}, book_id="walk")
    text, state = await ask_offline(services, guest, "What is a ZMP?", book_id="walk")
    assert text.startswith("Zero Moment Point (ZMP): The point on the ground where the contact forces produce")
    assert state["citations"][0]["doc_path"] == "glossary.md"


async def test_an_answer_opening_with_a_step_gives_the_other_steps_in_the_books_order(services, tmp_path, guest):
    await ingest_pages(services, tmp_path, {"cameras.md": CAMERAS, "walking.md": WALKING}, book_id="cams")
    question = "How does a simulated camera make its frames look like a real lens and sensor?"
    text, state = await ask_offline(services, guest, question, book_id="cams")
    steps = ("Rendering the virtual scene", "Adding blur, grain", "Delivering each frame a little late")
    positions = [text.find(step) for step in steps]
    # the sentence that introduces the steps, then the steps in the book's order
    lead_in = text.find("turns the scene into frames in three steps:")
    assert 0 <= lead_in < min(positions) and positions == sorted(positions)
    assert {c["doc_path"] for c in state["citations"]} == {"cameras.md"}
