"""Quiz tools for the tutor agent, and the deterministic quiz turns of the offline chat.

A language model drives quizzes through the function tools (start_quiz, answer_quiz, quiz_hint,
recommend_next). The offline extractive model can only search and quote, so when it is the tutor's
model the tutor node handles quiz intents with the rules below instead; both use the same
QuizService. No tool output or chat text carries the answer of an unanswered question.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from agents import RunContextWrapper, function_tool

from booktutor.errors import AppError
from booktutor.graph.events import Emitter
from booktutor.graph.state import Citation, TutorState
from booktutor.memory.books import BookRepository, document_for
from booktutor.providers.capabilities import capabilities_of
from booktutor.tools.context import ToolContext
from booktutor.tutoring.service import QuizService

DEFAULT_CHAT_QUESTIONS = 3
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
_CHAPTER_NUMBER = re.compile(r"\bchapter\s+(\d{1,3})\b", re.IGNORECASE)
_COUNT = re.compile(r"[,;:]?\s*\b(\d{1,2})\s+questions?\b", re.IGNORECASE)
_TOPIC = re.compile(r"\b(?:on|about)\s+(?:the\s+)?(?:chapter\s+)?(.+?)[?.!]*$", re.IGNORECASE)


# ---------------------------------------------------------------------------- function tools
def _service(ctx: ToolContext) -> QuizService:
    if "quizzes" not in ctx.extra or ctx.user_id is None:
        raise AppError("Quizzes are not available here.", code="quiz_unavailable", status_code=422)
    return ctx.extra["quizzes"]


async def _call(action) -> str:
    try:
        return json.dumps(await action(), ensure_ascii=False, default=str)
    except AppError as error:
        return json.dumps({"error": error.code, "message": error.message})


async def _quiz_id(ctx: ToolContext, quiz_id: str) -> uuid.UUID:
    if quiz_id.strip():
        try:
            return uuid.UUID(quiz_id.strip())
        except ValueError:
            pass
    active = await _service(ctx).active_quiz_for_thread(ctx.user_id, ctx.extra.get("thread_id") or "")
    if active is None:
        raise AppError(
            "There is no quiz in progress in this conversation.",
            code="quiz_not_found",
            status_code=404,
        )
    return active


@function_tool
async def start_quiz(wrapper: RunContextWrapper[ToolContext], chapter: str, count: int = DEFAULT_CHAT_QUESTIONS) -> str:
    """Start a quiz on a chapter and get its first question (answers are never included).

    Args:
        chapter: The chapter's number in the book ("2"), id, path or title words.
        count: How many questions, 1 to 20.
    """
    ctx = wrapper.context

    async def action() -> dict:
        ref = await resolve_chapter(ctx, chapter)
        return await _service(ctx).start(
            ctx.user_id, ctx.book_id, ref, count=count, thread_id=ctx.extra.get("thread_id")
        )

    return await _call(action)


@function_tool
async def answer_quiz(wrapper: RunContextWrapper[ToolContext], answer: str, quiz_id: str = "") -> str:
    """Submit the learner's answer to the current quiz question; returns the grading and the next question.

    Args:
        answer: The learner's answer: a choice letter (A, B, ...), the choice text, or a short text answer.
        quiz_id: The quiz id; empty for the quiz in progress in this conversation.
    """
    ctx = wrapper.context

    async def action() -> dict:
        return await _service(ctx).answer(ctx.user_id, await _quiz_id(ctx, quiz_id), answer)

    return await _call(action)


@function_tool
async def quiz_hint(wrapper: RunContextWrapper[ToolContext], quiz_id: str = "") -> str:
    """The next hint for the current quiz question (hints never give the answer away).

    Args:
        quiz_id: The quiz id; empty for the quiz in progress in this conversation.
    """
    ctx = wrapper.context

    async def action() -> dict:
        return await _service(ctx).hint(ctx.user_id, await _quiz_id(ctx, quiz_id))

    return await _call(action)


@function_tool
async def recommend_next(wrapper: RunContextWrapper[ToolContext]) -> str:
    """What the learner should study next: their weakest prerequisite section first, from quiz results."""
    ctx = wrapper.context

    async def action() -> dict:
        return {"recommendation": await _service(ctx).recommend_next(ctx.user_id, ctx.book_id)}

    return await _call(action)


TUTORING_TOOLS = [start_quiz, answer_quiz, quiz_hint, recommend_next]


async def resolve_chapter(ctx: ToolContext, reference: str) -> str:
    """A chapter key from "2" / "chapter 2" (book order, 1-based), a key or path, or title words."""
    async with ctx.services.db.session() as session:
        chapters = await BookRepository(session).list_chapters(ctx.book_id)
    text = reference.strip()
    number = _CHAPTER_NUMBER.search(text) or re.fullmatch(r"\d{1,3}", text)
    if number:
        index = int(number.group(1) if number.re is _CHAPTER_NUMBER else number.group(0)) - 1
        if 0 <= index < len(chapters):
            return chapters[index].key
    words = set(re.findall(r"\w+", text.lower())) - {"chapter", "the", "on", "about", "of"}
    for chapter in chapters:
        title = (document_for(chapter, "en", any_language=True) or chapter).title if chapter.documents else chapter.key
        names = {chapter.key.lower(), chapter.source_path.lower(), title.lower()}
        if text.lower() in names or (words and words <= set(re.findall(r"\w+", " ".join(names)))):
            return chapter.key
    raise AppError(
        f"I could not find a chapter called “{reference}”.",
        code="chapter_not_found",
        status_code=404,
    )


# ---------------------------------------------------------------------------- offline chat turns
def is_offline_tutor(deps: Any) -> bool:
    return not capabilities_of(deps.agents["tutor"].model).free_text


def looks_like_new_question(text: str) -> bool:
    """A question to the tutor rather than an answer (answers rarely end in '?' and are short)."""
    return text.rstrip().endswith("?") and len(text.split()) > 6


async def quiz_route(state: TutorState, deps: Any, route: str) -> str:
    """Send the learner's reply to an open chat quiz to the tutor, whatever the router thought."""
    quizzes: QuizService | None = deps.extra.get("quizzes")
    if route == "tutor" or quizzes is None or deps.user_id is None:
        return route
    text = state["messages"][-1]["content"]
    if looks_like_new_question(text):
        return route
    active = await quizzes.active_quiz_for_thread(deps.user_id, state.get("thread_id", ""))
    return "tutor" if active else route


async def offline_quiz_turn(state: TutorState, deps: Any) -> dict[str, Any] | None:
    """Handle a quiz turn without a language model; None when the message is not about a quiz."""
    quizzes: QuizService | None = deps.extra.get("quizzes")
    if quizzes is None or deps.user_id is None or not is_offline_tutor(deps):
        return None
    text, thread_id = state["messages"][-1]["content"], state.get("thread_id", "")
    ctx = ToolContext(
        services=deps.services,
        user_id=deps.user_id,
        book_id=state["book_id"],
        extra={**deps.extra, "thread_id": thread_id},
    )
    active = await quizzes.active_quiz_for_thread(deps.user_id, thread_id)
    try:
        if _START.search(text):
            reply, view = await _start_in_chat(ctx, text)
        elif _NEXT.search(text):
            reply, view = (
                _recommendation_text(await quizzes.recommend_next(deps.user_id, ctx.book_id)),
                None,
            )
        elif active and _STOP.search(text):
            await quizzes.abandon(deps.user_id, active)
            reply, view = "Quiz stopped. Ask me for a new quiz whenever you like.", None
        elif active and _HINT.search(text):
            hint = await quizzes.hint(deps.user_id, active)
            reply, view = f"Hint {hint['level']}: {hint['hint']}", hint["quiz"]
        elif active and not looks_like_new_question(text):
            graded = await quizzes.answer(deps.user_id, active, text.strip())
            reply, view = _feedback_text(graded["result"], graded["quiz"]), graded["quiz"]
            return _emit_reply(state, reply, view, _citations(graded["result"]))
        else:
            return None
    except AppError as error:
        reply, view = error.message, None
    return _emit_reply(state, reply, view, [])


async def _start_in_chat(ctx: ToolContext, text: str) -> tuple[str, dict]:
    topic = _CHAPTER_NUMBER.search(text) or _TOPIC.search(_COUNT.sub("", text).strip(" ,;:"))
    if topic is None:
        raise AppError(
            "Which chapter should the quiz cover? For example: “quiz me on chapter 2”.",
            code="chapter_not_found",
            status_code=404,
        )
    count = int(m.group(1)) if (m := _COUNT.search(text)) else DEFAULT_CHAT_QUESTIONS
    ref = await resolve_chapter(ctx, topic.group(0) if topic.re is _CHAPTER_NUMBER else topic.group(1))
    view = await _service(ctx).start(
        ctx.user_id,
        ctx.book_id,
        ref,
        count=min(max(count, 1), 20),
        thread_id=ctx.extra.get("thread_id"),
    )
    return f"Let's practise! {question_text(view)}", view


def question_text(view: dict) -> str:
    current = view.get("current")
    if current is None:
        return f"The quiz is complete: {view['correct']} of {view['total']} correct."
    lines = [f"Question {current['position'] + 1} of {view['total']}: {current['prompt']}"]
    lines += [f"{chr(ord('A') + i)}) {choice}" for i, choice in enumerate(current["choices"])]
    lines.append("Reply with a letter." if current["choices"] else "Reply in a sentence or two.")
    lines[-1] += " Ask for a hint if you are stuck."
    return "\n".join(lines)


def _feedback_text(result: dict, view: dict) -> str:
    if result["verdict"] == "ungraded":
        return result["feedback"]
    parts = [result["feedback"]]
    if result["verdict"] != "correct":
        parts.append(f"The answer: {result['correct_answer']}.")
    if result.get("explanation"):
        parts.append(result["explanation"])
    parts.append(f"See “{result['citation']['heading']}” [1].")
    return " ".join(parts) + "\n\n" + question_text(view)


def _recommendation_text(recommendation: dict | None) -> str:
    if recommendation is None:
        return "Take a quiz first, then I can suggest what to study next."
    return (
        f"Study next: “{recommendation['heading']}” in “{recommendation['chapter_title']}”. {recommendation['reason']}"
    )


def _emit_reply(state: TutorState, reply: str, view: dict | None, citations: list[Citation]) -> dict[str, Any]:
    emitter, message_id = Emitter(), state["message_id"]
    if view is not None:
        emitter.state_delta(quiz=view)
    emitter.text_start(message_id)
    for piece in re.findall(r"\S+\s*", reply):
        emitter.text_delta(message_id, piece)
    emitter.text_end(message_id)
    return {"answer": reply, "citations": citations, "abstained": False, "retrieved": []}


def _citations(result: dict) -> list[Citation]:
    if "citation" not in result:
        return []
    cited = result["citation"]
    return [
        Citation(
            n=1,
            doc_path=cited["doc_path"],
            chapter_title=cited["chapter_title"],
            heading=cited["heading"],
            anchor_url=cited["anchor_url"],
            snippet="",
            score=1.0,
        )
    ]
