"""Quizzes on a book written by another author: imported quiz pages and sections, questions
generated from prose, attribution to sections, and the grader's checks (tests/fixtures/workshop_book)."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktutor.evals.tutoring import check_question, evaluate_tutoring
from booktutor.ingest.discover import discover_book
from booktutor.ingest.document import sort_key
from booktutor.ingest.parse import parse_book
from booktutor.providers.embeddings import FakeEmbedder
from booktutor.tutoring.answer_checks import copies_question, negation_mismatch, pairing
from booktutor.tutoring.calibration import grading_eval
from booktutor.tutoring.facts import prose_sections
from booktutor.tutoring.grading import OfflineShortGrader, key_terms_of
from booktutor.tutoring.imported import BookPage, imported_questions, retarget_block_questions
from booktutor.tutoring.prose import Citer, book_pool, prose_questions
from booktutor.tutoring.questions import QuizQuestion
from booktutor.tutoring.quiz_pages import page_questions

WORKSHOP = Path(__file__).parents[1] / "fixtures/workshop_book"


@pytest.fixture(scope="module")
def pages() -> list[BookPage]:
    docs, problems = parse_book(discover_book(WORKSHOP))
    assert not problems
    docs = sorted(docs, key=sort_key)
    return [BookPage(d.source_path, d.title, d.markdown, d.front_matter, d.language) for d in docs]


def _page(pages: list[BookPage], path: str) -> BookPage:
    return next(p for p in pages if p.source_path == path)


def test_quiz_page_with_lettered_options_and_an_answer_key(pages):
    quiz = _page(pages, "drives/drives-quiz.md")
    found = page_questions(quiz.markdown, quiz.title)
    assert [q.keyed() for q in found] == [
        ("mcq", ["2", "4", "12", "36"], 1),
        (
            "mcq",
            [
                "Higher efficiency",
                "Wobble around the target position",
                "Faster output speed",
                "Lower torque at the motor",
            ],
            1,
        ),
        ("mcq", ["Ball bearing", "Roller bearing", "Plain polymer bushing", "Magnetic bearing"], 1),
        ("mcq", ["True", "False"], 1),
    ]
    assert found[0].explanation.startswith("the driven teeth divided")


def test_check_sections_checkboxes_answer_lines_and_details(pages):
    gears = _page(pages, "drives/gear-trains.mdx")
    kinds = [q.keyed() for q in page_questions(gears.markdown, gears.title)]
    assert kinds[0] == ("mcq", ["The wheel", "The pinion", "The idler", "The rack"], 1)
    assert kinds[1] == ("mcq", ["True", "False"], 1)
    assert kinds[2][0] == "short" and "multiplies the motor torque" in str(kinds[2][2])
    belts = _page(pages, "drives/belts-and-bearings.md")
    exercises = page_questions(belts.markdown, belts.title)
    assert [q.prompt for q in exercises] == [
        "Explain why a timing belt does not slip on its pulleys.",
        "Name one sign that a bearing needs replacing.",
    ]
    assert exercises[0].answer.startswith("Its teeth engage matching grooves")


def test_imported_questions_belong_to_the_chapter_and_section_they_test(pages):
    imported = imported_questions(pages)
    by_prompt = {q.prompt: q for qs in imported.values() for q in qs}
    ratio = by_prompt["A pinion with 12 teeth drives a wheel with 48 teeth. What is the gear ratio?"]
    assert (ratio.doc_path, ratio.heading) == ("drives/gear-trains.mdx", "Gear ratio")
    backlash = by_prompt["What does backlash in a gear train cause in a robot arm?"]
    assert (backlash.doc_path, backlash.heading) == ("drives/gear-trains.mdx", "Backlash")
    roller = by_prompt["Which kind of bearing carries heavier radial loads at lower speeds?"]
    assert (roller.doc_path, roller.heading) == ("drives/belts-and-bearings.md", "Rolling bearings")
    belt = by_prompt["True or false: timing belts need regular lubrication."]
    assert (belt.doc_path, belt.heading) == ("drives/belts-and-bearings.md", "Timing belts")
    assert len(imported["drives/drives-quiz.md"]) == 4  # the quiz page offers its own questions too
    pinion = by_prompt["What is the smaller of two meshing spur gears called?"]
    assert (pinion.doc_path, pinion.heading, pinion.style) == (
        "drives/gear-trains.mdx",
        "Meshing spur gears",
        "imported",
    )
    assert all(q.public().keys() == {"id", "kind", "style", "prompt", "choices"} for q in by_prompt.values())


def test_a_question_after_the_last_subsection_goes_to_the_part_it_tests():
    markdown = (
        "# Sensing\n\n## Sensing the world\n\nSensors outside the body.\n\n"
        "### Cameras\n\nA stereo camera computes depth from the disparity between two images and a baseline.\n\n"
        "### Touch\n\nTactile skins measure contact pressure over an area of the hand.\n"
    )
    question = QuizQuestion(
        id="q",
        kind="short",
        style="authored",
        prompt="How does a stereo camera get depth?",
        answer="From the disparity between two images and the baseline.",
        doc_path="s.md",
        chapter_title="Sensing",
        heading="Touch",
        anchor="touch",
        anchor_url="/docs/s#touch",
    )
    [moved] = retarget_block_questions([question], markdown, "Sensing", lambda anchor: f"/docs/s#{anchor}")
    assert (moved.heading, moved.anchor, moved.anchor_url) == ("Cameras", "cameras", "/docs/s#cameras")
    touch = question.model_copy(update={"prompt": "What do tactile skins measure?", "answer": "Contact pressure."})
    assert retarget_block_questions([touch], markdown, "Sensing", str)[0].anchor == "touch"


async def test_generated_questions_cite_the_section_holding_their_source(pages):
    embedder = FakeEmbedder(256)
    pool = book_pool(pages)
    gears = _page(pages, "drives/gear-trains.mdx")
    questions = await prose_questions(
        gears.markdown, gears.title, Citer(gears.source_path, gears.title, lambda a: f"/x#{a}"), pool, embedder
    )
    assert {"definition", "list", "number", "table"} <= {q.style for q in questions}
    sections = prose_sections(gears.markdown, gears.title, teaching_only=False)
    for question in questions:
        checked = check_question(question, sections)
        assert checked["ok"], checked
    texts = " ".join(q.prompt + " ".join(q.choices) for q in questions)
    assert "Callout" not in texts and "import" not in texts  # MDX components and imports stay out
    assert all(q.heading != "Check your understanding" for q in questions)


async def test_tutoring_eval_covers_every_chapter_with_enough_prose():
    report = await evaluate_tutoring(WORKSHOP, FakeEmbedder(256), sample=20)
    summary = report.summary()
    assert summary["coverage"] == 1.0 and summary["imported_questions"] >= 9
    assert summary["all_checks"] == 1.0


def test_answer_checks():
    question = "Why does a reduction let a small motor lift a heavy arm?"
    reference = "The reduction multiplies motor torque by the gear ratio, trading speed for torque."
    assert copies_question("A reduction lets a small motor lift a heavy arm.", question, reference)
    assert not copies_question("It multiplies the motor torque by the ratio.", question, reference)
    assert negation_mismatch("It does not multiply torque.", reference)
    filter_reference = (
        "The gyroscope handles fast changes because it is smooth but drifts; "
        "the accelerometer sets the long-term average because it is noisy but drift-free."
    )
    terms = ["gyroscope", "accelerometer", "drift"]
    swapped = "The accelerometer handles fast changes and the gyroscope sets the long-term average."
    right = "The gyroscope takes the fast changes and the accelerometer sets the long-term average."
    assert pairing(swapped, filter_reference, terms) == "swapped"
    assert pairing(right, filter_reference, terms) == "ok"


def test_never_requires_a_term_absent_from_the_reference_or_given_by_the_question():
    question = QuizQuestion(
        id="q",
        kind="short",
        style="authored",
        prompt="Why do walking humanoids use a category 1 emergency stop?",
        answer="Cutting power at once would make it collapse, so it first reaches a stable pose.",
        key_terms=["category 1", "collapse", "controlled stop"],
        doc_path="s.md",
        chapter_title="Safety",
        heading="Stops",
        anchor="stops",
        anchor_url="",
    )
    assert key_terms_of(question) == ["collapse"]


async def test_grader_is_right_on_the_verdicts_it_gives(local_embedder):
    report = await grading_eval(local_embedder)
    assert report["answers"] >= 80
    assert report["accuracy_on_given"] >= 0.9
    assert report["unsure"] <= report["answers"] * 0.35  # honest, not evasive
    assert report["by_category"]["copied"]["right"] == report["by_category"]["copied"]["answers"]
    grader = OfflineShortGrader(local_embedder)
    unsure = next(r for r in report["rows"] if r["verdict"] == "unsure")
    assert unsure["expected"] in ("correct", "partial", "incorrect") and grader.threshold > 0


NUMBERS_CHAPTER = """# Wheels

## Motors

The drive motor spins at 3000 rpm and draws 12 W when cruising. The lift motor draws 45 W at full load.

## Cameras

Cameras stream at frame rates such as 30 fps. The arm camera runs at 10 to 60 Hz.
The wheel controller updates at 200 Hz. Where should a 5 W sensor sit?

## Power

A spare pack adds 90 minutes of driving. The charger needs 40 minutes to refill a pack.
"""


async def test_number_questions_use_the_chapters_own_quantities_and_one_right_value():
    citer = Citer("wheels.md", "Wheels", lambda a: f"/x#{a}")
    questions = await prose_questions(NUMBERS_CHAPTER, "Wheels", citer, [], FakeEmbedder(256))
    numbers = {q.correct_answer_text(): q for q in questions if q.style == "number"}
    assert "12 W" in numbers and "45 W" in set(numbers["12 W"].choices)  # the chapter's other power figure
    assert "90 minutes" in numbers and "40 minutes" in set(numbers["90 minutes"].choices)
    assert not {"30 fps", "60 Hz", "5 W"} & set(numbers)  # an example, the end of a range, a question
    for question in numbers.values():
        assert len(set(question.choices)) == 4
