"""Quizzes over REST: start on a chapter, read, answer (idempotent), ask for a hint."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from booktutor.api.deps import CurrentUser, IdempotencyDep, QuizServiceDep
from booktutor.api.schemas import error_responses
from booktutor.tutoring.quizzes import MAX_ANSWER_CHARS, MAX_QUESTIONS
from booktutor.tutoring.views import AnswerResult, HintView, QuizView

router = APIRouter(tags=["quizzes"])
ERRORS = error_responses(404, 409, 422)

QuizId = Annotated[uuid.UUID, Path()]
_ALL_KINDS: list[Literal["mcq", "short"]] = ["mcq", "short"]


class StartQuiz(BaseModel):
    count: int = Field(default=5, ge=1, le=MAX_QUESTIONS)
    kinds: list[Literal["mcq", "short"]] = Field(default_factory=lambda: _ALL_KINDS.copy(), min_length=1)
    source: Literal["any", "authored", "generated"] = "any"


class AnswerIn(BaseModel):
    answer: int | Annotated[str, Field(max_length=MAX_ANSWER_CHARS * 2)]
    position: int | None = Field(default=None, ge=0, description="The question being answered; guards against races.")


@router.post("/books/{book_id}/chapters/{chapter_id}/quiz", status_code=201, response_model=QuizView, responses=ERRORS)
async def start_quiz(
    book_id: Annotated[str, Path(max_length=100)],
    chapter_id: Annotated[str, Path(max_length=300)],
    body: StartQuiz,
    user: CurrentUser,
    quizzes: QuizServiceDep,
    idempotency: IdempotencyDep,
):
    """Start a quiz on a chapter: authored questions first, generated ones to fill up; a retry with the
    same `Idempotency-Key` gets the same quiz instead of a second one."""

    async def compute() -> tuple[int, QuizView]:
        kinds = tuple(body.kinds)
        return 201, await quizzes.start(user.id, book_id, chapter_id, count=body.count, kinds=kinds, source=body.source)

    return await idempotency.run(compute)


@router.get("/quizzes/{quiz_id}", response_model=QuizView, responses=ERRORS)
async def get_quiz(quiz_id: QuizId, user: CurrentUser, quizzes: QuizServiceDep) -> QuizView:
    """One of the caller's quizzes: the current question, answers so far and the score."""
    return await quizzes.view(user.id, quiz_id)


@router.post("/quizzes/{quiz_id}/answers", response_model=AnswerResult, responses=ERRORS)
async def answer_quiz(
    quiz_id: QuizId,
    body: AnswerIn,
    user: CurrentUser,
    quizzes: QuizServiceDep,
    idempotency: IdempotencyDep,
):
    """Answer the current question (an option index, letter or text for multiple choice); idempotent with
    `Idempotency-Key`."""

    async def compute() -> tuple[int, AnswerResult]:
        return 200, await quizzes.answer(user.id, quiz_id, body.answer, body.position)

    return await idempotency.run(compute)


class SelfAssessmentIn(BaseModel):
    correct: bool = Field(description="The learner's own verdict after comparing with the model answer.")


@router.post("/quizzes/{quiz_id}/answers/{position}/self-assessment", response_model=AnswerResult, responses=ERRORS)
async def self_assess(
    quiz_id: QuizId,
    position: Annotated[int, Path(ge=0, le=MAX_QUESTIONS)],
    body: SelfAssessmentIn,
    user: CurrentUser,
    quizzes: QuizServiceDep,
    idempotency: IdempotencyDep,
):
    """Mark an answer the offline grader was unsure about (verdict `unsure`) as right or wrong,
    after comparing it with the model answer; 409 `not_self_assessable` for any other answer."""

    async def compute() -> tuple[int, AnswerResult]:
        return 200, await quizzes.self_assess(user.id, quiz_id, position, body.correct)

    return await idempotency.run(compute)


@router.post("/quizzes/{quiz_id}/hint", response_model=HintView, responses=ERRORS)
async def quiz_hint(quiz_id: QuizId, user: CurrentUser, quizzes: QuizServiceDep, idempotency: IdempotencyDep):
    """Reveal the next hint for the current question (a retry with the same `Idempotency-Key` gets the
    same hint, not the next one)."""

    async def compute() -> tuple[int, HintView]:
        return 200, await quizzes.hint(user.id, quiz_id)

    return await idempotency.run(compute)
