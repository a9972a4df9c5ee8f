"""Asked what kinds of a thing there are, the offline answer lists the kinds the book describes, through the real
graph: the sub-sections of the section headed with them (each with its short first sentence, else its own
sub-sections' names), wherever the search ranked that page, never a code listing that mentions the thing; else the
list a lead-in announces them with, or the rows of a table whose first column names them; a sentence of the same
page that says which kind the question's case takes opens the answer.
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration


services, book = fixture_book_fixtures("kinds_book", book_id="rover", title="Rover")
ask = partial(ask_offline, book_id="rover")
cited = cited_sections


SENSOR_KINDS = {
    ("hardware/perception.md", anchor)
    for anchor in ("types-of-sensors", "optical-sensors", "wheel-sensors", "bump-sensors")
}


@pytest.mark.parametrize(
    "question",
    [
        "What kinds of sensors does a warehouse rover robot use?",
        "Which sensors does the rover use?",
        "What are the main types of sensors?",
    ],
)
async def test_the_sub_sections_of_a_types_heading_are_the_answer(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"]
    assert text.startswith("The book describes 3 kinds of sensors under **Types of Sensors** [1]:"), text
    lines = text.splitlines()[1:]
    assert lines[0] == "- **Optical Sensors** [2] (Line Cameras, Stereo Pairs)", "no prose: its own sub-sections"
    assert lines[1] == "- **Wheel Sensors** [3]: Wheel sensors report how far and how fast each wheel has turned."
    assert lines[2].startswith("- **Bump Sensors** [4]: Bump sensors close a switch")
    assert "```" not in text and "Shot Noise" not in text, "no code listing, not the kinds of noise"
    assert cited(state) == SENSOR_KINDS


async def test_a_lead_in_that_announces_kinds_is_quoted_with_its_list(services, book, guest):
    text, state = await ask(services, guest, "What types of wheel drives are there?")
    assert text.startswith("Wheel drives fall into two families: [1]"), text
    assert "- Hub drives put the motor inside the wheel" in text and "- Belt drives keep the motor" in text
    assert cited(state) == {("hardware/drives.md", "wheel-drives")}


async def test_a_table_whose_first_column_names_the_kind_is_listed_row_by_row(services, book, guest):
    text, state = await ask(services, guest, "What kinds of motors are there?")
    assert text.startswith("The table in **Comparing motors** [1] compares these kinds of motors:"), text
    rows = [line for line in text.splitlines() if line.startswith("- ")]
    assert [row.split(" — ")[0] for row in rows] == ["- Brushed DC", "- Brushless DC", "- Stepper"]
    assert cited(state) == {("hardware/drives.md", "comparing-motors")}


async def test_a_sentence_saying_which_kind_the_case_takes_opens_the_list(services, book, guest):
    text, state = await ask(services, guest, "What brake categories may a rover parked on a ramp use?")
    assert text.startswith("A rover parked on a ramp must use category A or B"), text
    assert "Every parking brake works in one of three engagement categories: [1]" in text
    assert "- Category C: the rover holds position" in text
    assert cited(state) == {("hardware/drives.md", "parking-brakes")}, "one section, one number"


async def test_a_question_that_asks_no_kinds_is_unaffected(services, book, guest):
    text, state = await ask(services, guest, "What does a bump sensor do?")
    assert "close a switch" in text
    assert "kinds of" not in text and "Optical Sensors" not in text
