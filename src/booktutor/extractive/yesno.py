"""The "Yes."/"No." lead of an answer to a yes/no question, only when the book's sentence says so."""

from __future__ import annotations

import re

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.text import STOPWORDS, stem, words

YES_NO_COVERAGE = 0.67
"""A yes/no question gets a lead only when the opening sentence holds this share of its words."""
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't|neither|nor|without)\b|n't\b", re.I
)
_YES_NO_FRAME = frozenset({"can", "could", "should", "would", "will", "does", "do", "is", "are", "has", "have"})
_COMPARATIVE = re.compile(
    r"\b(?:than|more|less|fewer|better|worse|most|least|best|worst|before|after|instead|rather|unlike)\b|"
    r"\b\w{3,}(?:er|est)\s+than\b",
    re.I,
)


def _sequence(text: str) -> list[str]:
    """The stemmed content words of `text` in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and w not in _YES_NO_FRAME and len(w) > 1]


def _same_order(asked: list[str], stated: list[str]) -> bool:
    """The question's words that the sentence uses appear in the sentence in the question's order:
    "Is A stiffer than B?" is not stated by "B is stiffer than A"."""
    positions = [stated.index(term) for term in asked if term in stated]
    return positions == sorted(positions)


def yes_no_lead(analysis: Analysis, intent: Intent, order: list[int], question: str) -> str:
    """ "Yes." or "No." before the quoted answer to a yes/no question, when its opening sentence states
    the question's claim in the same direction: nearly all its words (every one for a comparison), in
    the question's order, plainly ("Yes.") or negated where the question is not ("No."); otherwise no
    lead, and the quoted sentences answer for themselves."""
    if intent.kind != "yesno" or not order or analysis.features["selection_mode"]:
        return ""
    opening = analysis.candidates[order[0]]
    if opening.kind != "sentence":
        return ""
    asked = list(dict.fromkeys(_sequence(question)))
    stated = _sequence(opening.text)
    covered = [term for term in asked if term in stated]
    needed = len(asked) if _COMPARATIVE.search(question) else YES_NO_COVERAGE * len(asked)
    if not asked or len(covered) < needed or not _same_order(asked, stated):
        return ""
    question_negated = bool(_NEGATION.search(question))
    sentence_negated = bool(_NEGATION.search(opening.text))
    if question_negated:
        return ""  # "Isn't X ...?": a bare Yes or No would be ambiguous
    return "No." if sentence_negated else "Yes."
