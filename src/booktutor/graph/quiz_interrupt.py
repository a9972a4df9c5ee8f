"""A chat quiz waiting for the learner's answer, as AG-UI's interrupt outcome.

A quiz turn that leaves a question open ends its run with `RUN_FINISHED` carrying
`outcome: {type: "interrupt", interrupts: [...]}` (ag-ui-protocol 1.0): one interrupt, id
`quiz-<quiz id>-<position>`, reason `input_required`, the question as `message`, a `responseSchema`
for the answer and the quiz in `metadata.booktutor`. The next run answers it with
`resume: [{interruptId, status: "resolved", payload: {reply: "B"}}]` (or `{hint: true}`), or stops
the quiz with `status: "cancelled"`; the resume is read as the learner's message. A plain message
still answers the open question, as the widget sends it (a learner may also ask something else
mid-quiz: that run ends as a success and the quiz stays open).
"""

from __future__ import annotations

import uuid
from typing import Any

from ag_ui.core import Interrupt

from booktutor.errors import BadRequest, Conflict
from booktutor.graph.quiz_turns import question_text
from booktutor.tutoring.quizzes import QuizService

REASON = "input_required"
HINT_TEXT = "hint"
STOP_TEXT = "Stop the quiz."
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reply": {
            "type": ["string", "integer"],
            "description": "The answer: a choice's letter (or its 0-based index), or a sentence or two.",
        },
        "hint": {"type": "boolean", "description": "true asks for a hint instead of answering."},
    },
    "minProperties": 1,
}


class InterruptNotOpen(Conflict):
    code = "interrupt_not_open"


async def open_quiz_interrupt(quizzes: QuizService, user_id: uuid.UUID, thread_id: str) -> Interrupt | None:
    """The interrupt of the thread's chat quiz while a question waits for an answer, else None."""
    quiz_id = await quizzes.active_quiz_for_thread(user_id, thread_id)
    if quiz_id is None:
        return None
    view = await quizzes.view(user_id, quiz_id)
    if view.current is None:
        return None
    return Interrupt(
        id=f"quiz-{view.id}-{view.current.position}",
        reason=REASON,
        message=question_text(view),
        response_schema=RESPONSE_SCHEMA,
        metadata={
            "booktutor": {
                "quizId": view.id,
                "position": view.current.position,
                "total": view.total,
                "choices": view.current.choices,
            }
        },
    )


async def quiz_turn_interrupt(
    quizzes: QuizService | None, route: str | None, user_id: uuid.UUID, thread_id: str
) -> Interrupt | None:
    """After a quiz turn (the tutor's route), the question left waiting; None after any other turn."""
    if route != "tutor" or quizzes is None:
        return None
    return await open_quiz_interrupt(quizzes, user_id, thread_id)


async def check_resume(quizzes: QuizService | None, user_id: uuid.UUID, thread_id: str, interrupt_id: str) -> None:
    """A resume must answer the thread's open interrupt (409 `interrupt_not_open` otherwise: it was
    answered already, the quiz ended, or the id is unknown)."""
    open_now = await open_quiz_interrupt(quizzes, user_id, thread_id) if quizzes is not None else None
    if open_now is None or open_now.id != interrupt_id:
        raise InterruptNotOpen(
            f"Interrupt '{interrupt_id[:80]}' is not open on this thread.",
            details={"open": open_now.id if open_now else None},
        )


def resume_text(entries: list[Any]) -> tuple[str, str]:
    """The learner's message a `resume` stands for, and the interrupt id it answers."""
    if len(entries) != 1:
        raise BadRequest("A resume answers the one open interrupt.", code="invalid_resume", details=[_loc()])
    entry = entries[0]
    if entry.status == "cancelled":
        return STOP_TEXT, entry.interrupt_id
    payload = entry.payload
    if isinstance(payload, dict) and payload.get("hint") is True and "reply" not in payload:
        return HINT_TEXT, entry.interrupt_id
    answer = payload.get("reply") if isinstance(payload, dict) else payload
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < 26:
        return chr(ord("A") + answer), entry.interrupt_id
    if isinstance(answer, str) and answer.strip():
        return answer.strip(), entry.interrupt_id
    raise BadRequest(
        'A resolved resume carries {"reply": "..."} or {"hint": true}.', code="invalid_resume", details=[_loc()]
    )


def _loc() -> dict[str, list[str | int]]:
    return {"loc": ["body", "resume", 0]}
