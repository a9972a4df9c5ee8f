"""An AG-UI `resume` read as the learner's message to the chat quiz."""

from __future__ import annotations

import pytest
from ag_ui.core import ResumeEntry

from booktutor.errors import BadRequest
from booktutor.graph.quiz_interrupt import HINT_TEXT, STOP_TEXT, resume_text


def entry(status: str = "resolved", payload: object = None) -> ResumeEntry:
    return ResumeEntry(interrupt_id="quiz-q-0", status=status, payload=payload)


@pytest.mark.parametrize(
    ("payload", "text"),
    [({"reply": " B "}, "B"), ({"reply": 2}, "C"), ("gear ratio", "gear ratio"), ({"hint": True}, HINT_TEXT)],
)
def test_a_resolved_resume_is_the_reply_or_a_hint(payload, text):
    assert resume_text([entry(payload=payload)]) == (text, "quiz-q-0")


def test_a_cancelled_resume_stops_the_quiz():
    assert resume_text([entry("cancelled")]) == (STOP_TEXT, "quiz-q-0")


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [entry(payload="A"), entry(payload="B")],
        [entry(payload={"reply": ""})],
        [entry(payload={"reply": True})],
        [entry(payload=None)],
    ],
)
def test_anything_else_is_an_invalid_resume(entries):
    with pytest.raises(BadRequest) as raised:
        resume_text(entries)
    assert raised.value.code == "invalid_resume"
