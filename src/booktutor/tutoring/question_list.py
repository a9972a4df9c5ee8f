"""The questions a practice section sets, listed as the learner reads them before answering: each numbered
question with its options, never its answer (tutoring.quiz_pages reads them with their answers, for grading)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.knowledge_checks import CHECKBOX_LINE, OPTION_LINE, QUESTION_LINE, plain
from booktutor.tutoring.quiz_pages import (
    ANSWER_KEY_HEADING,
    ANSWER_LINE,
    EXPLANATION_LINE,
    HEADING,
    KEY_ONLY,
    MARKS,
    QUESTION_HEADING,
)

MAX_SET_QUESTIONS = 12


@dataclass(frozen=True, slots=True)
class SetQuestion:
    """A question a practice section sets, as the learner reads it before answering: no answer."""

    number: int
    prompt: str
    choices: tuple[str, ...] = ()


def set_questions(text: str) -> list[SetQuestion]:
    """The numbered questions of a practice section's text, each with its options: its own line and the lines
    right after it, never an "Answer:" line, a checked box's mark, the paragraphs after it (a model answer, a
    <details> body) or an answer key (reading stops at its heading; a key's lines are not questions)."""
    found: list[tuple[int, list[str], list[str]]] = []
    current: tuple[int, list[str], list[str]] | None = None
    going = False  # the question's text may go on on the next line
    previous = ""
    for line in (line for line, fenced in iter_fence_flags(text.split("\n")) if not fenced):
        heading = HEADING.match(line)
        numbered = _list_item(line, previous, found[-1][0] if found else 0)
        previous = line
        if heading and ANSWER_KEY_HEADING.match(plain(heading.group(2))):
            break
        choice = (CHECKBOX_LINE.match(line) or OPTION_LINE.match(line)) if current is not None else None
        if numbered:
            current, going = (int(numbered.group("number")), [plain(numbered.group("text"))], []), True
            found.append(current)
        elif heading or ANSWER_LINE.match(line) or EXPLANATION_LINE.match(line) or line.startswith(MARKS):
            current = None
        elif current is not None and choice:
            current[2].append(plain(choice.group("text")))
        elif current is not None and going and line.strip() and not current[2]:
            current[1].append(plain(line))
        going = going and bool(line.strip()) and current is not None
    questions = [SetQuestion(n, " ".join(p).strip(), tuple(c)) for n, p, c in found]
    return _once([q for q in questions if q.prompt])[:MAX_SET_QUESTIONS]


def _list_item(line: str, previous: str, last: int) -> re.Match[str] | None:
    """A numbered question's first line: its number and a space start the line ("3. ...", "**Q3:** ..."), not
    digits a wrapped line opens with ("12.5 days", "17:00"); after a line of text, only the next number or a
    first one (else the text goes on); a numbered heading only when it names a question ("### Question 3")."""
    numbered = QUESTION_LINE.match(line)
    if not numbered or line.startswith((" ", "\t")) or not _SPACED.match(line, numbered.end("number")):
        return None
    if (HEADING.match(line) and not QUESTION_HEADING.match(line)) or KEY_ONLY.match(plain(numbered.group("text"))):
        return None
    after_text = bool(previous.strip()) and not HEADING.match(previous)
    return None if after_text and int(numbered.group("number")) not in (1, last + 1) else numbered


_SPACED = re.compile(r"\s*[.):](?:\*\*|__)?(?:\s|$)")
"""A list number's mark and the space after it."""


def _once(questions: list[SetQuestion]) -> list[SetQuestion]:
    """Each question once where the text repeats it (a section's chunks overlap: the question that ends one chunk
    opens the next), with the options of whichever copy has more, in its first place."""
    kept: dict[tuple[int, str], SetQuestion] = {}
    for question in questions:
        seen = kept.setdefault((question.number, question.prompt), question)
        if len(question.choices) > len(seen.choices):
            kept[(question.number, question.prompt)] = question
    return list(kept.values())
