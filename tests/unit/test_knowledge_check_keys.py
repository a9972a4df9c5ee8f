"""Knowledge checks without a quiz heading and answers written as admonitions or folds (tests/fixtures/checks_book
chains.md, brakes.md; tests/fixtures/keys_book): the learner's view of a chapter drops them as it drops a headed
quiz, the quiz import grades with their keys, no model is shown a key, and a summary closing with a check is
practice.
"""

from __future__ import annotations

import pytest
from tests.unit.fixture_books import fixture_book_pages

from booktutor.extractive.practice_keys import ANSWER_HIDDEN
from booktutor.ingest.chunker import chunk_markdown, split_sections
from booktutor.ingest.purpose import EXERCISE, SUMMARY
from booktutor.markdown.learner_view import learner_markdown
from booktutor.markdown.mdx import clean_markdown
from booktutor.personalize.report import leaks
from booktutor.tools.answer_keys import keyless
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.question_list import set_questions
from booktutor.tutoring.quiz_pages import page_questions

CHAIN_KEYS = [
    "✓",
    "✔",
    "(correct)",
    "ride up the hooked teeth",
    "B) Into the rollers, where it reaches the pins\n:::",
    "**Info: Answer key**\nB)",
    ":::info Answer key",
    "Oily plates pick up grit",
    "each one turning inside a bushing",
]


@pytest.fixture(scope="module")
def checks() -> dict[str, BookPage]:
    return fixture_book_pages("checks_book")


def test_a_learner_never_sees_a_headless_checks_marked_options_or_an_admonition_answer(checks):
    view = learner_markdown(checks["chains.md"].markdown)
    assert not [key for key in CHAIN_KEYS if key in view], view
    assert not [q for q in ("checker gauge measure?", "Check your understanding", "At what stretch") if q in view]
    assert not [q for q in ("Where should chain oil go?", "Why wipe the outside", "What holds the links") if q in view]
    for kept in (
        "A chain checker gauge drops between the rollers",
        "Wipe the outside\nafterwards",
        "## Summary\n\nA chain wears by stretching",
        "## Next steps\n\nRead about wheels next.",
    ):
        assert kept in view, kept
    assert {"answer box", "keyed question"} <= set(leaks(checks["chains.md"].markdown))
    assert leaks(view) == []


def test_labelled_checks_and_check_containers_go_like_headed_quizzes(checks):
    brakes = learner_markdown(checks["brakes.md"].markdown)
    assert not [key for key in ("✔", "(correct)", "Knowledge check", "squeeze its pads against?") if key in brakes]
    assert "1. Loosen the pad bolt:\n   - Hex key ✓" in brakes, "numbered steps that ask nothing are not a check"
    assert "## Summary\n\nDisc brakes keep their grip in the wet" in brakes and "## Next steps" in brakes
    pulleys = learner_markdown(fixture_book_pages("keys_book")["pulleys.mdx"].markdown)
    assert "✓" not in pulleys and "What does a single fixed pulley change?" not in pulleys
    assert "## Summary\n\nA fixed pulley turns the pull" in pulleys
    gears = learner_markdown(checks["gears.mdx"].markdown)
    assert "What gives a lower gear?" not in gears and "A 40-tooth\nchainring" in gears


def test_answers_in_admonitions_and_folds_are_the_keys_of_the_questions_above(checks):
    found = {q.prompt: q.keyed() for q in page_questions(checks["chains.md"].markdown, "Bicycle Chains")}
    assert found == {
        "What does a chain checker gauge measure?": (
            "mcq",
            ["The width of the chain", "How far the chain has stretched", "The number of links"],
            1,
        ),
        "Why does a new chain skip on a worn cassette?": (
            "short",
            [],
            "Its rollers ride up the hooked teeth instead of seating between them.",
        ),
        "Where should chain oil go?": (
            "mcq",
            ["On the outer plates", "Into the rollers, where it reaches the pins", "On the sprocket teeth"],
            1,
        ),
        "Why wipe the outside of a chain after oiling it?": (
            "short",
            [],
            "Oily plates pick up grit, and the grit wears the links down.",
        ),
        "What holds the links of a chain together?": ("short", [], "Steel pins, each one turning inside a bushing."),
        "At what stretch should a chain be replaced?": ("mcq", ["0.1 percent", "0.75 percent", "5 percent"], 1),
        "What does a stretched chain do to the sprocket teeth?": (
            "mcq",
            ["It polishes them", "It grinds them into hooked shapes", "It bends them sideways"],
            1,
        ),
    }


def test_a_fold_titled_otherwise_is_not_read_as_an_answer():
    page = "# Winches\n\n1. Why does a drum need a ratchet?\n\n<details>\n<summary>Hint</summary>\nThink.\n</details>"
    assert page_questions(page, "Winches") == []


def _section(page: BookPage, heading: str) -> tuple[str, tuple[str, ...]]:
    sections = split_sections(clean_markdown(page.markdown), page.title)
    section = next(s for s in sections if s.heading_path[-1] == heading)
    return "\n\n".join([section.heading_line, *(block.text for block in section.blocks)]), section.heading_path


@pytest.mark.parametrize("heading", ["Measuring wear", "Lubrication"])
def test_no_model_is_shown_an_admonition_or_fold_answer(checks, heading):
    text, path = _section(checks["chains.md"], heading)
    shown = keyless(text, path, "chains.md")
    assert not [key for key in CHAIN_KEYS if key in shown], shown
    assert ANSWER_HIDDEN in shown and "?" in shown
    raw = keyless(":::tip Answer\nThe ratchet.\n:::", ("Winches", "Quiz"), "winches.md", EXERCISE)
    assert "ratchet" not in raw
    assert [q.prompt for q in set_questions(text)] and not [
        q for q in set_questions(text) if "ride up" in q.prompt or "grit wears" in q.prompt
    ]


def _summary_chunks(page: BookPage) -> list[tuple[str, str]]:
    chunks = chunk_markdown(clean_markdown(page.markdown), title=page.title, page=page.source_path)
    return [(c.purpose, c.text) for c in chunks if c.heading_path[-1] == "Summary"]


def test_a_summary_that_closes_with_a_knowledge_check_is_a_summary_then_practice(checks):
    pages = [checks["chains.md"], checks["brakes.md"], fixture_book_pages("keys_book")["pulleys.mdx"]]
    openings = ["A chain wears by stretching", "Disc brakes keep their grip", "A fixed pulley turns the pull"]
    for page, opening in zip(pages, openings, strict=True):
        (summary, summary_text), (check, check_text) = _summary_chunks(page)
        assert (summary, check) == (SUMMARY, EXERCISE), page.source_path
        assert opening in summary_text and "?" not in summary_text and opening not in check_text
