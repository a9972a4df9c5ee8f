"""Offline question generation, grading, calibration, hints and the mastery model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktutor.ingest.discover import discover_book
from booktutor.ingest.parse import parse_book
from booktutor.markdown.glossary import extract_key_terms
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.tutoring.calibration import as_question, best_threshold, labelled_answers, scores
from booktutor.tutoring.generate import BLANK, ChapterMaterial, Section, generate_offline
from booktutor.tutoring.grading import (
    PASS_THRESHOLD,
    SIMILARITY_WEIGHT,
    InvalidChoice,
    LLMRubricGrader,
    OfflineShortGrader,
    choice_index,
    grade_choice,
)
from booktutor.tutoring.hints import hints_for
from booktutor.tutoring.mastery import MASTERED, P_INIT, SectionEstimate, bkt_update, recommend
from booktutor.tutoring.questions import QuizQuestion, normalized

SAMPLE = Path(__file__).parents[2] / "src/booktutor/sample_book"


@pytest.fixture(scope="module")
def control_material() -> ChapterMaterial:
    docs, _ = parse_book(discover_book(SAMPLE))
    english = [d for d in docs if d.language == "en"]
    pool: dict[str, str] = {}
    for doc in english:
        pool.update(extract_key_terms(doc.markdown))
    doc = next(d for d in english if d.source_path == "motion/control.md")
    return ChapterMaterial(
        doc.source_path,
        doc.title,
        doc.front_matter,
        "en",
        doc.markdown,
        [Section(c.heading_path, c.anchor, c.text) for c in doc.chunks],
        pool,
    )


def _mcq(**extra) -> QuizQuestion:
    return QuizQuestion(
        id="q",
        kind="mcq",
        style="authored",
        prompt="Ratio?",
        choices=["1:4", "4:1", "10:1", "40:1"],
        answer=1,
        doc_path="g.md",
        chapter_title="Gears",
        heading="Gear ratio",
        anchor="gear-ratio",
        anchor_url="/docs/g#gear-ratio",
        **extra,
    )


async def test_offline_questions_are_traceable_and_their_distractors_distinct(control_material, local_embedder):
    questions = await generate_offline(control_material, local_embedder)
    assert {"definition", "cloze", "list", "number"} <= {q.style for q in questions} and len(questions) >= 10
    assert len({normalized(q.prompt) for q in questions}) == len(questions)
    for q in questions:
        assert q.source_sentence and q.anchor_url.startswith("/docs/motion/control")
        assert normalized(q.correct_answer_text().split(" (")[0]) in normalized(q.source_sentence)
        if q.style == "cloze":
            assert q.prompt.count(BLANK) == 1 and q.answer.lower() in q.source_sentence.lower()
            assert q.answer.lower() not in q.prompt.lower()
            assert q.source_sentence in control_material.markdown.replace("**", "") or q.anchor
        else:
            assert len(set(map(normalized, q.choices))) == len(q.choices) >= 3
            assert normalized(q.choices[q.answer]) in normalized(control_material.markdown)
            assert all(normalized(c) not in normalized(q.prompt) for c in q.choices)
    again = await generate_offline(control_material, local_embedder)
    assert [q.model_dump() for q in again] == [q.model_dump() for q in questions]  # deterministic


def test_choices_are_read_as_index_text_letter_or_number():
    question = _mcq()
    assert [choice_index(question, a) for a in (1, "4:1", "b", "(B)", "2")] == [1, 1, 1, 1, 1]
    for bad in ("Z", 7, "maybe"):
        with pytest.raises(InvalidChoice):
            choice_index(question, bad)
    assert grade_choice(question, "A").verdict == "incorrect" and grade_choice(question, 1).score == 1.0


def test_hints_narrow_down_without_revealing_the_answer():
    question = _mcq()
    hints = hints_for(question)
    assert len(hints) == 3 and "Gear ratio" in hints[0]
    assert all("4:1" not in hint for hint in hints)
    assert hints == hints_for(question)


async def test_shipped_threshold_is_the_calibrated_one(local_embedder):
    scored = await scores(local_embedder, SIMILARITY_WEIGHT)
    threshold, accuracy = best_threshold(scored)
    assert accuracy >= 0.9 and abs(threshold - PASS_THRESHOLD) <= 0.03
    shipped = sum((s >= PASS_THRESHOLD) == bool(label) for s, label in scored) / len(scored)
    assert shipped >= 0.9


async def test_offline_short_grading_explains_what_is_missing(local_embedder):
    grader = OfflineShortGrader(local_embedder)
    example = labelled_answers()[0]
    question = as_question(example)
    good = await grader.grade(question, example["answer"])
    vague = await grader.grade(question, "Because it is safer.")
    urdu = await grader.grade(question, "کیونکہ روبوٹ گر جائے گا")
    assert good.verdict == "correct" and vague.verdict == "incorrect"
    assert "collapse" in vague.missing and "did not mention" in vague.feedback
    assert urdu.verdict == "ungraded" and not urdu.counts


async def test_llm_rubric_grades_with_structured_output_and_falls_back(local_embedder):
    question = as_question(labelled_answers()[0])
    verdict = {
        "verdict": "partial",
        "score": 0.5,
        "missing": ["controlled stop"],
        "feedback": "Say how it stops.",
    }
    model = ScriptedModel([Turn(text=json.dumps(verdict))])
    grade = await LLMRubricGrader(model, OfflineShortGrader(local_embedder)).grade(question, "It would fall.")
    assert (grade.verdict, grade.missing, grade.method) == (
        "partial",
        ["controlled stop"],
        "rubric",
    )
    assert "It would fall." in json.dumps(model.calls[0].input, ensure_ascii=False)
    broken = ScriptedModel([Turn(text="not json")])
    fallback = await LLMRubricGrader(broken, OfflineShortGrader(local_embedder)).grade(question, "It would fall.")
    assert fallback.method == "similarity"


def test_bkt_rises_with_correct_answers_and_falls_with_wrong_ones():
    right = bkt_update(P_INIT, 1.0, guess=0.25)
    wrong = bkt_update(P_INIT, 0.0, guess=0.25)
    assert wrong < P_INIT < right
    assert bkt_update(P_INIT, 1.0, guess=0.05) > right  # a short answer is stronger evidence than an mcq
    p = P_INIT
    for _ in range(5):
        p = bkt_update(p, 1.0, guess=0.05)
    assert p >= MASTERED


def test_recommendation_is_the_weakest_prerequisite_first():
    chapters = [("c1", "One"), ("c2", "Two"), ("c3", "Three")]
    estimates = [
        SectionEstimate("c1", "One", 0, "a", "A", 0.6),
        SectionEstimate("c1", "One", 0, "b", "B", 0.3),
        SectionEstimate("c2", "Two", 1, "c", "C", 0.2),
        SectionEstimate("c3", "Three", 2, "d", "D", 0.1),
    ]
    assert recommend(estimates, chapters, "c2").anchor == "c"
    assert recommend(estimates[:2], chapters, "c2").anchor == "b"
    mastered = [SectionEstimate("c1", "One", 0, "a", "A", 0.97)]
    assert recommend(mastered, chapters, "c1").chapter_key == "c2"
    assert recommend([], chapters, None).chapter_key == "c1"
