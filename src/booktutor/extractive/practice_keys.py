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
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL = re.compile(rf"\b(?:the\s+)?({'|'.join(ORDINALS)}|last|final)\s+(?:question|exercise|problem)\b", re.I)
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
        return ORDINALS.index(word) + 1 if word in ORDINALS else LAST
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


def _question(question: dict[str, Any], *, options: bool = True) -> str:
    lines = [f"{question.get('number')}. {question.get('prompt')}"]
    choices = [str(c) for c in question.get("choices") or []][: len(_LETTERS)]
    lines += [f"   {_LETTERS[i]}) {choice}" for i, choice in enumerate(choices) if options]
    return "\n".join(lines)


MAX_LISTED_QUESTIONS = 10
MAX_OPTION_CHARS = 80
"""A question's options are listed when each is this short; longer ones would bury the questions."""


def listed_questions(section: dict[str, Any]) -> str:
    """A quiz's questions as the learner reads them before answering (options when short), never a key."""
    questions = [q for q in section.get("questions") or [] if isinstance(q, dict)]
    shown = [
        _question(q, options=all(len(str(c)) <= MAX_OPTION_CHARS for c in q.get("choices") or []))
        for q in questions[:MAX_LISTED_QUESTIONS]
    ]
    more = len(questions) - len(shown)
    return "\n".join(shown) + (f"\n\n... and {more} more in the quiz." if more > 0 else "")


_QUIZ_TOPIC = re.compile(r"\b(?:on|about|covering|for|in)\s+(?P<topic>[^?!.]*[\w)])", re.I)


def quiz_offer(question: str) -> str:
    """Asked whether the book has a quiz, the offer of one made from the book (the tutor's), not the quiz."""
    about = _QUIZ_TOPIC.search(question)
    ask = f"Quiz me on {about['topic']}" if about else "Quiz me"
    return f'\n\nWant to practise? Ask "{ask}" and I will quiz you with questions from the book.'


def restates_question(said: str, section: dict[str, Any]) -> bool:
    """Whether the prompt read from a quiz's text is one of its questions (a quiz with no introduction)."""
    return any(str(q.get("prompt") or "")[:40].lower() in said.lower() for q in section.get("questions") or [])


_ITEM_NOUN = re.compile(r"\b(exercise|problem|task|question)s?\b", re.I)


def item_lead(question: str, number: int) -> str:
    """ "Exercise 1", "The last question": the asked item as the learner named it."""
    noun = (found[1].lower() if (found := _ITEM_NOUN.search(question)) else "question").capitalize()
    return f"The last {noun.lower()}" if number == LAST else f"{noun} {number}"


def help_offer(page_title: str) -> str:
    """The offer of help with one exercise: hints, never its answer."""
    return (
        "Try it yourself first. If you get stuck, tell me what you have so far or which idea it needs, and I will "
        f'give you a hint, not the answer; or say "Quiz me on {page_title}" and I will check your answer.'
    )


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
