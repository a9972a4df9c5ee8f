"""One resolver for the ways learners and models name a chapter."""

from __future__ import annotations

import pytest

from booktutor.memory.chapter_refs import match_chapter
from booktutor.memory.models import Chapter, Document


def _chapter(key: str, path: str, title: str) -> Chapter:
    return Chapter(key=key, source_path=path, documents=[Document(language="en", version=1, title=title)])


CHAPTERS = [
    _chapter("intro", "intro.md", "Workshop robots"),
    _chapter("basics-gears", "basics/gears.md", "Gears and torque"),
    _chapter("basics-batteries", "basics/batteries.mdx", "Batteries"),
]


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("chapter 2", "basics-gears"),
        ("Quiz me on chapter 3 please", "basics-batteries"),
        (" 2 ", "basics-gears"),
        ("GEARS AND TORQUE", "basics-gears"),
        ("basics/batteries.mdx", "basics-batteries"),
        ("gears and torque", "basics-gears"),
        ("Rewrite the batteries chapter for a beginner", "basics-batteries"),
        ("basics", "basics-gears"),  # a tie: the earlier chapter
    ],
)
def test_a_loose_reference_names_one_chapter(reference, key):
    assert match_chapter(CHAPTERS, reference).key == key


@pytest.mark.parametrize("reference", ["chapter 9", "", "the chapter", "quantum physics"])
def test_a_reference_to_no_chapter_names_none(reference):
    assert match_chapter(CHAPTERS, reference) is None
