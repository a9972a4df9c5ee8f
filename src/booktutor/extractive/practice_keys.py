"""Asked for the answer to one of the book's own questions (a quiz's, an exercise's), the tutor shows the question
and invites the learner to try it; it never gives the answer key, a checked option or a model answer.

The questions come without their answers from booktutor.tools.practice (`questions` of a practice section:
number, prompt, choices). A learner who answers in a chat quiz ("quiz me on <the page>") is graded and given
hints by the tutor (booktutor.graph.quiz_turns), which grades the book's imported questions; no chat text carries
the answer of an unanswered question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from booktutor.extractive.text import content_terms

_NUMBER = re.compile(r"\b(?:question|q|exercise|problem|task)\s*#?\s*(\d{1,3})\b", re.I)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL = re.compile(rf"\b(?:the\s+)?({'|'.join(_ORDINALS)}|last|final)\s+(?:question|exercise|problem)\b", re.I)
LAST = -1
"""The number of "the last question": its section's last."""
ANSWER_WORDS = content_terms(
    "answer answers key keys solution solutions solved correct right model sample worked full option choice letter "
    "show give tell"
)
"""The words of asking for an answer: they name no exercise or topic."""
MAX_SHOWN_SECTIONS = 3
_LETTERS = "ABCDEF"


def asked_number(question: str) -> int | None:
    """The number of the question or exercise asked about ("question 2", "Q3", "exercise 1"), if any."""
    if found := _NUMBER.search(question):
        return int(found.group(1))
    if said := _ORDINAL.search(question):
        word = said.group(1).lower()
        return _ORDINALS.index(word) + 1 if word in _ORDINALS else LAST
    return None


def without_number(question: str) -> str:
    """The question without the asked question's number: "2" or "the third question" names no page or section."""
    return _ORDINAL.sub(" ", _NUMBER.sub(" ", question))


def shown_questions(section: dict[str, Any], number: int | None) -> tuple[str, bool]:
    """The section's questions as the learner reads them before answering (the asked one alone when it has that
    number), and whether the asked number was found."""
    questions = [q for q in section.get("questions") or [] if isinstance(q, dict)]
    one = questions[-1:] if number == LAST else [q for q in questions if q.get("number") == number]
    return "\n".join(_question(q) for q in one or questions), bool(one)


def _question(question: dict[str, Any]) -> str:
    lines = [f"{question.get('number')}. {question.get('prompt')}"]
    choices = [str(c) for c in question.get("choices") or []][: len(_LETTERS)]
    lines += [f"   {_LETTERS[i]}) {choice}" for i, choice in enumerate(choices)]
    return "\n".join(lines)


def with_questions(sections: Sequence[dict[str, Any]], number: int | None) -> list[dict[str, Any]]:
    """The sections to show: those holding the asked number when one does, else those with questions, else all."""
    held = [s for s in sections if number is not None and shown_questions(s, number)[1]]
    asking = [s for s in sections if s.get("questions")]
    return (held[:1] or asking or list(sections))[:MAX_SHOWN_SECTIONS]


def try_it(page_title: str, *, questions: bool) -> str:
    """The invitation to try it: a chat quiz on the page grades the learner's answer and gives hints."""
    quiz = f'say "Quiz me on {page_title}" and I will check your answer and give hints.'
    if questions:
        return f"Try it yourself first: {quiz}"
    return (
        "Work through it yourself, and ask me about any step or idea you get stuck on; to test what you know, "
        f'say "Quiz me on {page_title}" and I will check your answers and give hints.'
    )


NOT_GIVEN = "I will not give the answer away, but here is what it asks so you can try it."
ANSWER_HIDDEN = "[answer hidden: take the quiz]"
"""What the book's text shows to a model or answerer where an answer key or a worked solution was
(booktutor.tools.answer_keys): the chat quiz on the page grades the learner's own answer."""
