"""Quiz tools for the tutor agent: start_quiz, answer_quiz, quiz_hint, recommend_next.

A language model drives chat quizzes through these tools; without one, the graph's offline quiz
turns (graph/quiz_turns.py) use the same QuizService. No tool output carries the answer of an
unanswered question.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from agents import RunContextWrapper, function_tool
from pydantic import BaseModel

from booktutor.errors import AppError, ChapterNotFound, QuizNotFound, QuizUnavailable
from booktutor.memory.books import BookRepository
from booktutor.services import Services
from booktutor.tools.context import ToolContext
from booktutor.tutoring.quizzes import QuizService
from booktutor.tutoring.views import AnswerResult, HintView, QuizView

DEFAULT_CHAT_QUESTIONS = 3


def _service(ctx: ToolContext) -> tuple[QuizService, uuid.UUID]:
    """The quiz service and the learner it serves."""
    if ctx.quizzes is None or ctx.user_id is None:
        raise QuizUnavailable("Quizzes are not available here.")
    return ctx.quizzes, ctx.user_id


async def _call(action: Callable[[], Awaitable[BaseModel | dict[str, Any]]]) -> str:
    try:
        payload = await action()
    except AppError as error:
        return json.dumps({"error": error.code, "message": error.message})
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return json.dumps(payload, ensure_ascii=False, default=str)


async def _quiz_id(ctx: ToolContext, quiz_id: str) -> uuid.UUID:
    if quiz_id.strip():
        try:
            return uuid.UUID(quiz_id.strip())
        except ValueError:
            pass
    quizzes, user_id = _service(ctx)
    active = await quizzes.active_quiz_for_thread(user_id, ctx.thread_id or "")
    if active is None:
        raise QuizNotFound("There is no quiz in progress in this conversation.")
    return active


@function_tool
async def start_quiz(wrapper: RunContextWrapper[ToolContext], chapter: str, count: int = DEFAULT_CHAT_QUESTIONS) -> str:
    """Start a quiz on a chapter and get its first question (answers are never included).

    Args:
        chapter: The chapter's number in the book ("2"), id, path or title words.
        count: How many questions, 1 to 20.
    """
    ctx = wrapper.context

    async def action() -> QuizView:
        ref = await resolve_chapter(ctx.services, ctx.book_id, chapter)
        quizzes, user_id = _service(ctx)
        return await quizzes.start(user_id, ctx.book_id, ref, count=count, thread_id=ctx.thread_id)

    return await _call(action)


@function_tool
async def answer_quiz(wrapper: RunContextWrapper[ToolContext], answer: str, quiz_id: str = "") -> str:
    """Submit the learner's answer to the current quiz question; returns the grading and the next question.

    Args:
        answer: The learner's answer: a choice letter (A, B, ...), the choice text, or a short text answer.
        quiz_id: The quiz id; empty for the quiz in progress in this conversation.
    """
    ctx = wrapper.context

    async def action() -> AnswerResult:
        quizzes, user_id = _service(ctx)
        return await quizzes.answer(user_id, await _quiz_id(ctx, quiz_id), answer)

    return await _call(action)


@function_tool
async def quiz_hint(wrapper: RunContextWrapper[ToolContext], quiz_id: str = "") -> str:
    """The next hint for the current quiz question (hints never give the answer away).

    Args:
        quiz_id: The quiz id; empty for the quiz in progress in this conversation.
    """
    ctx = wrapper.context

    async def action() -> HintView:
        quizzes, user_id = _service(ctx)
        return await quizzes.hint(user_id, await _quiz_id(ctx, quiz_id))

    return await _call(action)


@function_tool
async def recommend_next(wrapper: RunContextWrapper[ToolContext]) -> str:
    """What the learner should study next: their weakest prerequisite section first, from quiz results."""
    ctx = wrapper.context

    async def action() -> dict[str, Any]:
        quizzes, user_id = _service(ctx)
        recommendation = await quizzes.recommend_next(user_id, ctx.book_id)
        return {"recommendation": recommendation.model_dump() if recommendation else None}

    return await _call(action)


TUTORING_TOOLS = [start_quiz, answer_quiz, quiz_hint, recommend_next]


async def resolve_chapter(services: Services, book_id: str, reference: str) -> str:
    """The key of the chapter `reference` names ("2", "chapter 2", a key or path, or title words)."""
    async with services.db.session() as session:
        chapter = await BookRepository(session).resolve_chapter(book_id, reference)
    if chapter is None:
        raise ChapterNotFound(f"I could not find a chapter called “{reference}”.")
    return chapter.key
