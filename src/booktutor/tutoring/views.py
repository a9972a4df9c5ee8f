"""What a learner sees of quizzes and progress: the REST responses, also read by the chat and the tools.

An answer that is not graded yet ("ungraded") reveals nothing about the question's answer: its
result carries no correct answer, explanation or citation (the keys are absent, not null).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from booktutor.memory.tutoring_models import Quiz, QuizAnswer
from booktutor.tutoring.grading import Grade, Verdict
from booktutor.tutoring.hints import hints_for
from booktutor.tutoring.mastery import Recommendation
from booktutor.tutoring.questions import QuestionKind, QuestionStyle, QuizQuestion


def _once_graded() -> Any:
    return Field(default=None, exclude_if=lambda value: value is None)


class QuestionCitation(BaseModel):
    doc_path: str
    chapter_title: str
    heading: str
    anchor_url: str


class GradeResult(BaseModel):
    position: int
    question_id: str
    verdict: Verdict
    score: float
    feedback: str
    method: str
    hints_used: int
    your_answer: str | None = _once_graded()
    missing: list[str] | None = _once_graded()
    correct_answer: str | None = _once_graded()
    explanation: str | None = _once_graded()
    citation: QuestionCitation | None = _once_graded()
    source_sentence: str | None = _once_graded()


class QuestionView(BaseModel):
    """The current question as the learner sees it: no answer, explanation or key terms."""

    id: str
    kind: QuestionKind
    style: QuestionStyle
    prompt: str
    choices: list[str]
    position: int
    hints: list[str]
    hints_remaining: int


class QuizView(BaseModel):
    id: str
    book_id: str
    chapter_id: str
    status: str
    total: int
    position: int
    score: float
    correct: int
    current: QuestionView | None
    pending_feedback: GradeResult | None
    answers: list[GradeResult]
    created_at: str


class AnswerResult(BaseModel):
    result: GradeResult
    quiz: QuizView


class HintView(BaseModel):
    hint: str
    level: int
    hints_remaining: int
    quiz: QuizView


class SectionProgress(BaseModel):
    anchor: str
    heading: str
    p_known: float
    mastered: bool


class ChapterProgress(BaseModel):
    chapter_id: str
    title: str
    mastery: float | None
    sections: list[SectionProgress]


class ProgressView(BaseModel):
    book_id: str
    model: str
    mastered_at: float
    prior: float
    chapters: list[ChapterProgress]
    recommendation: Recommendation | None


def grade_result(position: int, question: QuizQuestion, answer_text: str, grade: Grade, hints_used: int) -> GradeResult:
    result = GradeResult(
        position=position,
        question_id=question.id,
        verdict=grade.verdict,
        score=grade.score,
        feedback=grade.feedback,
        method=grade.method,
        hints_used=hints_used,
    )
    if not grade.counts:  # the question stays open: nothing about its answer may leave the server
        return result
    return result.model_copy(
        update={
            "your_answer": answer_text,
            "missing": grade.missing,
            "correct_answer": question.correct_answer_text(),
            "explanation": question.explanation,
            "citation": QuestionCitation(**question.citation()),
            "source_sentence": question.source_sentence,
        }
    )


def quiz_view(quiz: Quiz, answers: Sequence[QuizAnswer], chapter_key: str, flow_state: dict[str, Any]) -> QuizView:
    """The quiz as its owner sees it; `flow_state` is the quiz flow's (hints shown, last result)."""
    last = flow_state.get("last")
    return QuizView(
        id=str(quiz.id),
        book_id=quiz.book_id,
        chapter_id=chapter_key,
        status=quiz.status,
        total=len(quiz.questions),
        position=quiz.position,
        score=round(quiz.score, 3),
        correct=sum(a.verdict == "correct" for a in answers),
        current=_current_question(quiz, int(flow_state.get("hints", 0))),
        pending_feedback=last if last and last.get("verdict") == "ungraded" else None,
        answers=[GradeResult.model_validate(a.feedback) for a in answers],
        created_at=quiz.created_at.isoformat(),
    )


def _current_question(quiz: Quiz, hints_used: int) -> QuestionView | None:
    if quiz.status != "active" or quiz.position >= len(quiz.questions):
        return None
    question = QuizQuestion.model_validate(quiz.questions[quiz.position])
    available = hints_for(question)
    return QuestionView(
        **question.public(),
        position=quiz.position,
        hints=available[:hints_used],
        hints_remaining=max(0, len(available) - hints_used),
    )
