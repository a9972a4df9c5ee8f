"""A book's own questions where authors put them without a quiz heading, and answers marked on the option itself:
a container named as a knowledge check, a bold "Knowledge check" label under a summary, a question heading; a
trailing ✓/✔/✅ or "(correct)", an answer key on one line, code a question shows. The chat quiz imports them to
grade; the tools never show a model their keys. (tests/fixtures/checks_book, tests/fixtures/keys_book)
"""

from __future__ import annotations

import pytest
from tests.unit.fixture_books import fixture_book_pages

from booktutor.extractive.practice_keys import ANSWER_HIDDEN
from booktutor.ingest.chunker import split_sections
from booktutor.markdown.mdx import clean_markdown
from booktutor.tools.answer_keys import keyless
from booktutor.tutoring.imported import BookPage, imported_questions
from booktutor.tutoring.quiz_pages import page_questions


@pytest.fixture(scope="module")
def checks() -> dict[str, BookPage]:
    return fixture_book_pages("checks_book")


def _keyed(page: BookPage) -> list[tuple]:
    return [q.keyed() for q in page_questions(page.markdown, page.title)]


def test_a_knowledge_check_container_with_check_marks_is_graded():
    pulleys = fixture_book_pages("keys_book")["pulleys.mdx"]
    found = page_questions(pulleys.markdown, pulleys.title)
    assert [(q.prompt, q.keyed()) for q in found] == [
        (
            "What does a single fixed pulley change?",
            (
                "mcq",
                [
                    "The force needed to lift the load",
                    "The direction of the pull",
                    "The weight of the load",
                    "The length of the rope",
                ],
                1,
            ),
        ),
        (
            "How many rope segments hold up the moving block in a four-to-one tackle?",
            ("mcq", ["One", "Two", "Three", "Four"], 3),
        ),
    ]


def test_a_labelled_check_under_a_summary_with_marked_options_and_a_revealed_answer(checks):
    assert _keyed(checks["brakes.md"]) == [
        ("mcq", ["The rim", "A rotor on the hub", "The tyre"], 1),
        ("mcq", ["True", "False"], 1),
        (
            "mcq",
            [
                "It stops the wheel faster",
                "A pad touching the tyre wears a groove into its sidewall",
                "It keeps the cable tight",
            ],
            1,
        ),
    ]


def test_numbered_steps_with_a_ticked_item_are_not_questions(checks):
    prompts = [q.prompt for q in page_questions(checks["brakes.md"].markdown, "Bicycle Brakes")]
    assert not [p for p in prompts if "pad bolt" in p]


def test_a_self_check_container_with_code_a_one_line_key_and_a_question_heading(checks):
    gears = checks["gears.mdx"]
    found = page_questions(gears.markdown, gears.title)
    assert [q.keyed() for q in found] == [
        ("mcq", ["0.5", "2.0", "20"], 1),
        ("mcq", ["A larger rear sprocket", "A smaller rear sprocket", "A longer cable"], 0),
        ("mcq", ["The chainring", "The shifter's indexing clicks", "The hub"], 1),
    ]
    imported = {q.prompt.split("\n")[0]: q for q in imported_questions(list(checks.values()))["gears.mdx"]}
    code = imported["What does this function return for a 40-tooth chainring and a 20-tooth sprocket?"]
    assert "```python\ndef ratio(chainring, sprocket):\n    return chainring / sprocket\n```" in code.prompt
    assert imported["Which part holds each gear in place?"].doc_path == "gears.mdx"


def _section(page: BookPage, heading: str) -> str:
    sections = split_sections(clean_markdown(page.markdown), page.title)
    section = next(s for s in sections if s.heading_path[-1] == heading)
    return "\n\n".join([section.heading_line, *(block.text for block in section.blocks)])


def test_no_model_is_shown_the_keys_of_a_check_without_a_quiz_heading(checks):
    summary = keyless(_section(checks["brakes.md"], "Summary"), ("Bicycle Brakes", "Summary"), "brakes.md", "summary")
    assert "Which part does a disc brake squeeze its pads against?" in summary and "A rotor on the hub" in summary
    assert not [key for key in ("✔", "(correct)", "steel cable") if key in summary], summary
    assert ANSWER_HIDDEN in summary
    ratio = keyless(_section(checks["gears.mdx"], "Counting the ratio"), ("Bicycle Gears", "Counting the ratio"))
    assert "What gives a lower gear?" in ratio and "1-B" not in ratio
    steps = keyless(_section(checks["brakes.md"], "Adjusting the pads"), ("Bicycle Brakes", "Adjusting the pads"))
    assert "Hex key" in steps and "✓" not in steps
