"""The deterministic quiz turns of the offline chat.

The offline extractive model can only search and quote, so when it is the tutor's model the tutor
node handles quiz intents (start, answer, hint, stop, what next) with the rules below instead of the
function tools; both use the same QuizService. No chat text carries the answer of an unanswered
question.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from agents.models.interface import Model

from booktutor.errors import AppError, QuizUnavailable
from booktutor.graph.events import Emitter
from booktutor.graph.quiz_target import ASK_FOR_CHAPTER, instead_of_page, quiz_target, requested_count
from booktutor.graph.state import Citation, Route, RunDeps, TutorState
from booktutor.providers.capabilities import capabilities_of
from booktutor.tools.tutoring import DEFAULT_CHAT_QUESTIONS
from booktutor.tutoring.mastery import Recommendation
from booktutor.tutoring.quizzes import QuizService
from booktutor.tutoring.views import GradeResult, QuizView

_START = re.compile(
    r"\b(quiz|test) me\b|\b(start|give me|take) (a |another |the )?(quiz|test)\b|\bquiz (on|about)\b",
    re.IGNORECASE,
)
_HINT = re.compile(r"\bhint\b|\bclue\b", re.IGNORECASE)
_STOP = re.compile(r"\b(stop|quit|end|cancel|exit)\b.{0,12}\bquiz\b|^\s*(stop|quit)\s*$", re.IGNORECASE)
_NEXT = re.compile(
    r"\bwhat (should|shall|do) i (study|learn|read|review) next\b|\brecommend\b.*\b(study|next)\b|"
    r"\bmy progress\b",
    re.IGNORECASE,
)


def is_offline_tutor(deps: RunDeps) -> bool:
    model = deps.agents["tutor"].agent.model
    return isinstance(model, Model) and not capabilities_of(model).free_text


def looks_like_new_question(text: str) -> bool:
    """A question to the tutor rather than an answer (answers rarely end in '?' and are short)."""
    return text.rstrip().endswith("?") and len(text.split()) > 6


async def quiz_route(state: TutorState, deps: RunDeps, route: Route) -> Route:
    """Send the learner's reply to an open chat quiz to the tutor, whatever the router thought."""
    if route == "tutor" or deps.quizzes is None or deps.user_id is None:
        return route
    text = state["messages"][-1]["content"]
    if looks_like_new_question(text):
        return route
    active = await deps.quizzes.active_quiz_for_thread(deps.user_id, state.get("thread_id", ""))
    return "tutor" if active else route


async def offline_quiz_turn(state: TutorState, deps: RunDeps) -> dict[str, Any] | None:
    """Handle a quiz turn without a language model; None when the message is not about a quiz."""
    quizzes, user_id = deps.quizzes, deps.user_id
    if quizzes is None or user_id is None or not is_offline_tutor(deps):
        return None
    text, thread_id, book_id = state["messages"][-1]["content"], state.get("thread_id", ""), state["book_id"]
    active = await quizzes.active_quiz_for_thread(user_id, thread_id)
    try:
        if _START.search(text):
            view, opening = await _start_in_chat(quizzes, deps, user_id, state, text)
            reply = f"{opening} {question_text(view)}"
        elif _NEXT.search(text):
            reply, view = _recommendation_text(await quizzes.recommend_next(user_id, book_id)), None
        elif active and _STOP.search(text):
            await quizzes.abandon(user_id, active)
            reply, view = "Quiz stopped. Ask me for a new quiz whenever you like.", None
        elif active and _HINT.search(text):
            hint = await quizzes.hint(user_id, active)
            reply, view = f"Hint {hint.level}: {hint.hint}", hint.quiz
        elif active and not looks_like_new_question(text):
            graded = await quizzes.answer(user_id, active, text.strip())
            reply = _feedback_text(graded.result, graded.quiz)
            return _emit_reply(state, reply, graded.quiz, _citations(graded.result))
        else:
            return None
    except AppError as error:
        reply, view = error.message, None
    return _emit_reply(state, reply, view, [])


async def _start_in_chat(
    quizzes: QuizService, deps: RunDeps, user_id: uuid.UUID, state: TutorState, text: str
) -> tuple[QuizView, str]:
    """The new quiz and the words that open it."""
    book_id, thread_id = state["book_id"], state.get("thread_id", "")
    target = await quiz_target(deps, user_id, book_id, text, state.get("doc_path"))
    count = requested_count(text, DEFAULT_CHAT_QUESTIONS)
    try:
        view = await quizzes.start(
            user_id, book_id, target.chapter, count=count, thread_id=thread_id, focus=target.focus, topic=target.topic
        )
        return view, "Let's practise!"
    except QuizUnavailable:
        if not target.from_page:
            raise
        elsewhere = await instead_of_page(deps, user_id, book_id, target)
        if elsewhere is None:
            raise QuizUnavailable(f"This page has no questions of its own. {ASK_FOR_CHAPTER}") from None
    view = await quizzes.start(
        user_id, book_id, elsewhere.chapter_key, count=count, thread_id=thread_id, focus=elsewhere.anchor
    )
    where = elsewhere.heading or elsewhere.chapter_title
    return view, f"This page has no questions of its own, so let's practise on “{where}”!"


def question_text(view: QuizView) -> str:
    current = view.current
    if current is None:
        return f"The quiz is complete: {view.correct} of {view.total} correct."
    lines = [f"Question {current.position + 1} of {view.total}: {current.prompt}"]
    lines += [f"{chr(ord('A') + i)}) {choice}" for i, choice in enumerate(current.choices)]
    lines.append("Reply with a letter." if current.choices else "Reply in a sentence or two.")
    lines[-1] += " Ask for a hint if you are stuck."
    return "\n".join(lines)


def _feedback_text(result: GradeResult, view: QuizView) -> str:
    if result.verdict == "ungraded":
        return result.feedback
    parts = [result.feedback]
    if result.verdict == "unsure":
        parts.append(f"The model answer: {result.correct_answer}")
    elif result.verdict != "correct":
        parts.append(f"The answer: {result.correct_answer}.")
    if result.explanation:
        parts.append(result.explanation)
    if result.citation is not None:
        parts.append(f"See “{result.citation.heading}” [1].")
    return " ".join(parts) + "\n\n" + question_text(view)


def _recommendation_text(recommendation: Recommendation | None) -> str:
    if recommendation is None:
        return "Take a quiz first, then I can suggest what to study next."
    return f"Study next: “{recommendation.heading}” in “{recommendation.chapter_title}”. {recommendation.reason}"


def _emit_reply(state: TutorState, reply: str, view: QuizView | None, citations: list[Citation]) -> dict[str, Any]:
    emitter = Emitter()
    if view is not None:
        emitter.state_delta(quiz=view.model_dump(mode="json"))
    emitter.say(state["message_id"], reply)
    return {"answer": reply, "citations": citations, "abstained": False, "retrieved": []}


def _citations(result: GradeResult) -> list[Citation]:
    if result.citation is None:
        return []
    cited = result.citation
    return [
        Citation(
            n=1,
            doc_path=cited.doc_path,
            chapter_title=cited.chapter_title,
            heading=cited.heading,
            anchor_url=cited.anchor_url,
            snippet="",
            score=1.0,
        )
    ]
