"""A chapter's key points, read from its outline (tools/chapter_points.py): a summary's lines as written; else
each section's opening sentence that says something of the topic, past a greeting or a signpost."""

from __future__ import annotations

import uuid

import pytest

from booktutor.memory.book_records import OutlineRow
from booktutor.tools.chapter_choices import _parts
from booktutor.tools.chapter_names import THIS_PAGE, asked_by_name, asked_name
from booktutor.tools.chapter_points import _key_sections, asked_chapter

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


def test_what_a_named_part_covers_asks_for_its_points_but_its_quiz_does_not() -> None:
    assert asked_by_name("What does the Foundations module cover?") == ("module", frozenset({"foundation"}))
    assert asked_by_name("What is in the simulators chapter?") == ("chapter", frozenset({"simulator"}))
    assert asked_by_name("What does this chapter cover?") == (THIS_PAGE, frozenset())
    assert asked_by_name("What does the simulators chapter's quiz cover?") is None
    assert asked_name("What does the simulators chapter's quiz cover?") == ("chapter", frozenset({"simulator"}))
    assert asked_name("Is exercise 2 in the contacts and friction lesson hard?") == (
        "lesson",
        frozenset({"contact", "friction"}),
    )
    assert asked_name("Explain the second law in the chapter") is None
    assert asked_name("Give me the key points of chapter 2") is None
    assert asked_name("What comes in the next module?") is None
    assert asked_chapter("What does Module 2: Perception cover?") == ("module", "2")


def test_the_chapters_to_choose_from_are_the_books_modules_at_the_first_level_with_several() -> None:
    docs = [
        (uuid.uuid4(), path, title)
        for path, title in [
            ("intro.md", "Welcome"),
            ("modules/m1-motion/index.md", "Module 1: Motion"),
            ("modules/m1-motion/wheels.md", "Wheels"),
            ("modules/m2-sensing/lidar.md", "Lidar"),
            ("modules/glossary.md", "Glossary"),
        ]
    ]
    parts = _parts(docs, {"modules/m2-sensing/": "Module 2: Sensing"})
    assert [(title, doc) for title, doc, _ in parts] == [
        ("Module 1: Motion", docs[1][0]),
        ("Module 2: Sensing", docs[3][0]),
        ("Glossary", docs[4][0]),
    ]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Summarize lesson 2.1", ("lesson", "2.1")),
        ("What does lesson 1.2 cover?", ("lesson", "1.2")),
        ("lesson 2.1", ("lesson", "2.1")),
        ("the key points of chapter 02", ("chapter", "2")),
        ("How do I publish in lesson 2.1?", None),
    ],
)
def test_a_dotted_part_number_is_read_whole(question: str, asked: tuple[str, str] | None) -> None:
    assert asked_chapter(question) == asked
