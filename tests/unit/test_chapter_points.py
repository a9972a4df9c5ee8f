"""A chapter's key points, read from its outline (tools/chapter_points.py): a summary's lines as written; else
each section's opening sentence that says something of the topic, past a greeting or a signpost."""

from __future__ import annotations

import uuid

from booktutor.memory.book_records import OutlineRow
from booktutor.tools.chapter_names import THIS_PAGE, asked_by_name
from booktutor.tools.chapter_points import _key_sections

PAGE = uuid.uuid4()


def row(heading: str, text: str, purpose: str = "exposition", depth: int = 2) -> OutlineRow:
    path = ["Simulators"] if depth == 1 else ["Simulators", heading]
    anchor = heading.lower().replace(" ", "-")
    return OutlineRow(PAGE, "sim/simulators.md", "Simulators", {}, "", "en", path, anchor, purpose, [], text)


def points(rows: list[OutlineRow]) -> list[str]:
    return [sentence for _row, sentences in _key_sections(rows) for sentence in sentences]


def test_a_sections_opening_point_skips_its_greeting_and_signpost() -> None:
    rows = [
        row("Simulators", "Welcome to the world of simulators! A simulator steps a robot's physics in time.", depth=1),
        row(
            "Contacts",
            "Before we dive into contacts, let's see why they matter. Contacts are solved as constraints each step.",
        ),
    ]
    assert points(rows) == [
        "A simulator steps a robot's physics in time.",
        "Contacts are solved as constraints each step.",
    ]


def test_a_summary_is_quoted_as_the_author_wrote_it() -> None:
    rows = [
        row("Simulators", "Welcome to the world of simulators!", depth=1),
        row(
            "Summary", "- Physics engines form the foundation of every simulator\n- Contacts are constraints", "summary"
        ),
    ]
    assert points(rows) == ["Physics engines form the foundation of every simulator", "Contacts are constraints"]


def test_a_chapter_is_asked_for_by_its_title_words_or_as_the_page_in_view() -> None:
    assert asked_by_name("Summarize the simulators chapter") == ("chapter", frozenset({"simulator"}))
    assert asked_by_name("Give me a recap of the Contacts and friction module") == (
        "module",
        frozenset({"contact", "friction"}),
    )
    assert asked_by_name("What is the gist of the chapter on physics engines?") == (
        "chapter",
        frozenset({"physic", "engin"}),
    )
    assert asked_by_name("Summarize this chapter") == (THIS_PAGE, frozenset())
    assert asked_by_name("Summarize the chapter") is None
    assert asked_by_name("How do simulators step contacts?") is None
