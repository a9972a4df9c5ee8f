"""Which kind of practice a question asks for (a lab, an exercise, a quiz or assessment, a project) and which
kind a practice section is, so that an answer about a chapter's labs lists its labs first and says when it has
none, rather than every exercise as if it were a lab.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

LAB, EXERCISE, QUIZ, PROJECT = "lab", "exercise", "quiz", "project"
_ASKED: list[tuple[str, re.Pattern[str]]] = [
    (LAB, re.compile(r"\blabs?\b|\btutorials?\b|\bhands[- ]on\b", re.I)),
    (
        QUIZ,
        re.compile(
            r"\bquiz(?:zes)?\b|\bself[- ]checks?\b|\bknowledge checks?\b|\bassessments?\b|\btests? yourself\b|"
            r"\bpractice tests?\b|\breview questions\b|\bcheck your understanding\b",
            re.I,
        ),
    ),
    (PROJECT, re.compile(r"\bprojects?\b|\bcapstone\b", re.I)),
    (EXERCISE, re.compile(r"\bexercises?\b|\bproblem sets?\b", re.I)),
]
"""The first kind the question names; none for words that cover every kind ("homework", "practice")."""
_QUIZ_HEADING = re.compile(r"\bassessments?\b|\breview questions\b|\bquestions for review\b", re.I)
WORDS = {
    LAB: ("lab", "labs"),
    EXERCISE: ("exercise", "exercises"),
    QUIZ: ("quiz or assessment", "quizzes or assessments"),
    PROJECT: ("project", "projects"),
}


def asked_kind(question: str) -> str:
    """The kind of practice the question names first, or "" when it names none or only practice in general."""
    return next((kind for kind, pattern in _ASKED if pattern.search(question)), "")


def section_kind(section: dict[str, Any]) -> str:
    """A practice section's kind, from what booktutor.tools.practice read of it: a quiz (by its heading, an
    assessment's or review questions' too, or by its answers to choose from), a project, a lab, else an
    exercise."""
    kind = str(section.get("practice_kind") or "")
    if kind in (QUIZ, PROJECT):
        return kind
    if _QUIZ_HEADING.search(str(section.get("heading") or "")):
        return QUIZ
    return LAB if section.get("purpose") == LAB else EXERCISE  # the purpose ingest gave it (tools/practice.py)


def of_kind(sections: Sequence[dict[str, Any]], kind: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sections of the kind, and the others (all of them match when no kind is asked)."""
    if not kind:
        return list(sections), []
    return [s for s in sections if section_kind(s) == kind], [s for s in sections if section_kind(s) != kind]


def counted(n: int, kind: str) -> str:
    """ "1 lab", "3 exercises"; "a lab" for one."""
    one, many = WORDS[kind]
    return f"{'an' if one[0] in 'aeiou' else 'a'} {one}" if n == 1 else f"{n} {many}"
