"""Progressive hints: where to look, then narrowing the options; never the answer itself."""

from __future__ import annotations

import hashlib

from booktutor.tutoring.questions import QuizQuestion, normalized


def hints_for(question: QuizQuestion) -> list[str]:
    """All hints for a question, least revealing first."""
    hints = [f"Re-read the section “{question.heading}” in “{question.chapter_title}”."]
    if question.kind == "mcq":
        hints += [f"It is not “{choice}”." for choice in _wrong_choices(question)[: max(0, len(question.choices) - 2)]]
    elif question.style == "cloze":
        hints += _term_shape_hints(str(question.answer))
    else:
        terms = [t for t in question.key_terms if normalized(t) != normalized(str(question.answer))]
        if terms:
            hints.append(f"A complete answer has {len(terms)} key ideas; one of them is “{terms[0]}”.")
        if len(terms) > 2:
            hints.append(f"Another key idea is “{terms[1]}”.")
    return hints


def _wrong_choices(question: QuizQuestion) -> list[str]:
    """Wrong choices in a fixed, question-specific order, so hints are stable across requests."""
    wrong = [c for i, c in enumerate(question.choices) if i != question.answer]
    return sorted(wrong, key=lambda c: hashlib.sha256(f"{question.id}:{c}".encode()).hexdigest())


def _term_shape_hints(term: str) -> list[str]:
    words = term.split()
    shape = f"{len(words)} word{'s' if len(words) != 1 else ''}"
    hints = [f"The missing term has {shape}."]
    if len(term) > 3:
        hints.append(f"It starts with “{term[0]}”.")
    return hints
