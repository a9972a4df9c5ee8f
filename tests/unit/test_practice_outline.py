"""Practice read from every heading a chunk covers (tools.practice_outline), and the citation numbers of the
practice listing kept unique and within what the citation parser reads: pure parts, no database."""

from __future__ import annotations

import uuid

from booktutor.graph.citations import CitationNumbers
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.context import MAX_SOURCE_N, first_free
from booktutor.tools.practice import PRACTICE_NUMBER_BASE, _Numbering, practice_sections

PAGE = uuid.uuid4()
TITLE = "Motors"


def row(path: list[str], purpose: str, headings: list[str], text: str) -> OutlineRow:
    sections = [{"heading": h, "anchor": h.lower().replace(" ", "-").replace(":", "")} for h in headings]
    return OutlineRow(PAGE, "motors.md", TITLE, {}, "", "en", path, sections[0]["anchor"], purpose, sections, text)


JOINED = row(
    [TITLE, "Exercise 1: Reverse It"],
    "exercise",
    ["Exercise 1: Reverse It", "Self-check"],
    "## Exercise 1: Reverse It\n\nSwap the two wires.\n\n## Self-check\n\n1. Why does the shaft reverse?",
)


def test_a_self_check_joined_to_an_exercises_chunk_is_a_section_of_its_own() -> None:
    exercise, check = practice_sections([JOINED])
    assert exercise.heading == "Exercise 1: Reverse It"
    assert exercise.text == ["## Exercise 1: Reverse It\n\nSwap the two wires."]
    assert check.root == (TITLE, "Self-check") and check.anchor == "self-check" and check.named
    assert check.text == ["## Self-check\n\n1. Why does the shaft reverse?"]


def test_a_quiz_joined_to_an_explaining_chunk_is_found_and_the_section_after_it_is_not_practice() -> None:
    text = (
        "# Motors\n\nA motor turns.\n\n## Quiz\n\n- A) volts\n- B) amps\n- C) ohms\n\n## Brushes\n\n"
        "Brushes press on the ring.\n\n```python\n# not a heading\n```"
    )
    joined = row([TITLE], "exposition", [TITLE, "Quiz", "Brushes"], text)
    (quiz,) = practice_sections([joined])
    assert quiz.root == (TITLE, "Quiz") and quiz.text == ["## Quiz\n\n- A) volts\n- B) amps\n- C) ohms"]


def test_the_steps_of_an_exercise_are_not_cut_out_of_it() -> None:
    text = "## Lab 2: Wire It\n\nWire the motor.\n\n### Step 1: Strip\n\nStrip.\n\n### Step 2: Solder\n\nSolder."
    joined = row([TITLE, "Lab 2: Wire It"], "lab", ["Lab 2: Wire It", "Step 1: Strip", "Step 2: Solder"], text)
    (lab,) = practice_sections([joined])
    assert lab.steps == ["Step 1: Strip", "Step 2: Solder"] and lab.text == [text]


def test_practice_numbers_stay_unique_and_within_what_citations_read() -> None:
    rows = [
        row([f"Page {i}", f"Exercise {i}.{j}"], "exercise", [f"Exercise {i}.{j}"], f"Do task {j}.")
        for i in range(8)
        for j in range(8)
    ]
    pages = [[r for r in rows if r.heading_path[0] == f"Page {i}"] for i in range(8)]
    numbering = _Numbering(first_free(PRACTICE_NUMBER_BASE, [{"n": 70}]))  # type: ignore[list-item]
    entries = [numbering.entry(page, page, 8) for page in pages]
    numbers = [source["n"] for source in numbering.sources]
    assert numbers[0] == 71 and max(numbers) == MAX_SOURCE_N and len(set(numbers)) == len(numbers)
    assert entries[-1] is None, "no page listed when no number is left for it"
    listed = {n for entry in entries if entry for n in [entry["n"], *entry["sections"]]}
    assert listed == set(numbers)
    citations = CitationNumbers({source["n"]: source for source in numbering.sources})
    assert citations.rewrite(f"See [{MAX_SOURCE_N}] and [71].") == "See [1] and [2]."
