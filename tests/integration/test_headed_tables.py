"""A question that names a section whose body is a table ("What is the rubric?" of a 'Rubric' section) is
answered with that table's rows, not with a sentence elsewhere that only mentions the heading's word. Through
the real graph, on pages written here."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, cited_sections, ingest_pages

pytestmark = pytest.mark.integration

WELCOME = """# Welcome to Rover Basics

## How you are graded

Weekly labs count for 40% of your grade and are marked pass or fail.
The line-follower capstone counts for 60% and is marked with a rubric at the end of the term.

## What you bring

A laptop with a USB port and the course toolkit installed before the first lab.
"""
CAPSTONE = """# Capstone: Line Follower

Build a small rover that follows a black line around the test track without leaving it.

## Hardware

| Part | Purpose | Example |
| --- | --- | --- |
| Controller board | Runs the steering loop | Pico W |
| Line sensor | Sees the tape under the rover | Five-channel IR array |
| Drive motors | Turn the wheels | N20 gear motors |
| Battery pack | Powers the rover | Two 18650 cells |

## Rubric

| Criterion | Full marks | Partial marks | Weight |
| --- | --- | --- | --- |
| Tracking | Completes the track with no line loss | Loses the line once or twice | 40% |
| Speed | Laps in under 30 seconds | Laps in under 60 seconds | 20% |
| Write-up | Explains the tuning of the controller gains | Lists the gains without reasons | 40% |

Each criterion earns full, partial or no marks, weighted as shown; a capstone passes at half the total.

## Summary

Building the capstone brings together hardware, wiring and the steering code you need.
The best capstones start from the hardware you have and grow one feature at a time.
"""

ROWS = (
    "- Tracking — Full marks: Completes the track with no line loss;",
    "- Speed — Full marks: Laps in under 30 seconds;",
    "- Write-up — Full marks: Explains the tuning of the controller gains;",
)


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    pages = {"welcome.md": WELCOME, "capstone.md": CAPSTONE}
    return await ingest_pages(services, tmp_path, pages, book_id="rover")


ask = partial(ask_offline, book_id="rover")


@pytest.mark.parametrize("question", ["What is the rubric for the capstone?", "What are the rubric criteria?"])
async def test_a_question_naming_a_tables_heading_quotes_its_rows(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"], text
    for row in ROWS:
        assert row in text, text
    assert "passes at half the total" in text, "the sentence the rows add up to"
    assert "marked with a rubric" not in text, "not the sentence that only mentions a rubric"
    assert ("capstone.md", "rubric") in cited_sections(state)


async def test_a_table_of_hardware_answers_what_hardware_is_needed(services, book, guest):
    text, state = await ask(services, guest, "What hardware do I need for the capstone?")
    assert "Controller board — Purpose: Runs the steering loop; Example: Pico W." in text, text
    assert "Line sensor — Purpose: Sees the tape under the rover" in text, text
    assert "Building the capstone brings together" not in text, "not the summary that names hardware"
    assert ("capstone.md", "hardware") in cited_sections(state)
