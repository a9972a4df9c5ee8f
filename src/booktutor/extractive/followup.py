"""Follow-ups that ask past what the thread has quoted: "Tell me more" and "Why?" after an answer.

"Tell me more about X" is answered with the next best sentences about X that the thread's earlier answers
did not quote, or with a plain "the book says nothing more". "Why?" reaches the answerer as "Why is it that
<the previous answer's claim>?" (graph/followups.py): the claim is what to explain, not the explanation,
so the answer quotes the reason the book gives next to it, or says that the book gives none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import gives_reason
from booktutor.extractive.text import content_terms

_MORE = re.compile(
    r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?(?:tell\s+me\s+(?:some\s+)?more|say\s+more|"
    r"(?:give\s+me\s+)?more\s+(?:about|on|details?|detail\s+on)|go\s+on|continue|keep\s+going|elaborate|"
    r"what\s+else|anything\s+else|explain\s+more|expand\s+on)\b",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\[\d+\]")
_WORD = re.compile(r"\w+")
SAID_WORDS = 12
"""A quoted sentence is recognised in an earlier answer by its first this many words (history clips
long answers, and the answer clips a long sentence)."""
CLAIM_MIN_TERMS = 3
"""A sentence with this many content words, all named by a "why" question, is the claim it asks about."""
NEAR_CLAIM = 2
NEAR_CLAIM_BONUS = 0.2
"""A reason given within this many sentences of the claim, in its section, is the reason for it."""
NOTHING_MORE = "The book says nothing more about this than what I have already quoted."
NO_REASON = "The book gives no reason for this beyond what I have already quoted."


def asks_for_more(question: str) -> bool:
    return bool(_MORE.match(question))


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(_MARKER.sub(" ", text).lower()))


def already_said(analysis: Analysis, said: Sequence[str]) -> set[int]:
    """The candidates (sentences and code) an earlier answer of the thread quoted."""
    if not said:
        return set()
    earlier = " " + " ".join(_normal(text) for text in said) + " "
    return {
        i
        for i, candidate in enumerate(analysis.candidates)
        if (start := " ".join(_normal(candidate.text).split()[:SAID_WORDS])) and f" {start} " in earlier
    }


def off_topic(analysis: Analysis, question: str, headings: dict[int, str], evidence: dict[str, Any] | None) -> set[int]:
    """Asked for more about a topic: the candidates that do not name its most specific word (the one the
    fewest of the book's chunks use), nor does their section's heading. The next best material on another
    topic is not more."""
    topic = content_terms(_MORE.sub(" ", question, count=1))
    if not topic:
        return set()
    key = _rarest(topic, evidence)
    return {
        i
        for i, candidate in enumerate(analysis.candidates)
        if key not in candidate.terms and key not in content_terms(headings.get(candidate.n, ""))
    }


def section_headings(results: Sequence[dict[str, Any]]) -> dict[int, str]:
    """Each citation number's heading: a hit's, and those of the short sections a hit joins."""
    headings: dict[int, str] = {}
    for result in results:
        parts = [result, *(s for s in result.get("sections") or [] if isinstance(s, dict))]
        for part in parts:
            if isinstance(part.get("n"), int):
                headings.setdefault(int(part["n"]), str(part.get("heading") or result.get("heading") or ""))
    return headings


def _rarest(topic: frozenset[str], evidence: dict[str, Any] | None) -> str:
    """The topic word the fewest chunks use (search's document frequencies, by the question's own words:
    the index's lexemes are another stemmer's); without them, the longest."""
    df: dict[str, int] = {}
    for term in (evidence or {}).get("terms", []):
        for stemmed in content_terms(str(term.get("word", ""))) & topic:
            df[stemmed] = min(int(term.get("df") or 0), df.get(stemmed, 1 << 30))
    return min(sorted(topic), key=lambda t: (df.get(t, 0) == 0, df.get(t, 0), -len(t)))


def restated_claims(analysis: Analysis, intent: Intent) -> set[int]:
    """For "why": the sentences the question names all the words of (at least `CLAIM_MIN_TERMS`): the
    claim it asks the reason for, not a reason."""
    if intent.kind != "why":
        return set()
    return {
        i
        for i, candidate in enumerate(analysis.candidates)
        if candidate.kind == "sentence"
        and len(candidate.terms) >= CLAIM_MIN_TERMS
        and candidate.terms <= analysis.question_terms
    }


def off_the_claims_page(analysis: Analysis, claims: set[int]) -> set[int]:
    """The candidates of other documents than the claims': a book explains a claim where it makes it, and a
    reason from another chapter is the reason for something else."""
    pages = {analysis.candidates[i].doc for i in claims}
    return {i for i, candidate in enumerate(analysis.candidates) if claims and candidate.doc not in pages}


def favour_reasons_near(analysis: Analysis, total: np.ndarray, claims: set[int]) -> np.ndarray:
    """The scores with a bonus for a reason given right around a claim, in the claim's section."""
    if not claims:
        return total
    boosted = total.copy()
    candidates = analysis.candidates
    for i, candidate in enumerate(candidates):
        if i not in claims and gives_reason(candidate.text) and any(_near(analysis, i, c) for c in claims):
            boosted[i] += NEAR_CLAIM_BONUS
    return boosted


def _near(analysis: Analysis, index: int, claim: int) -> bool:
    here, there = analysis.candidates[index], analysis.candidates[claim]
    return here.n == there.n and here.rank == there.rank and 0 < abs(here.position - there.position) <= NEAR_CLAIM


def states_a_reason(analysis: Analysis, order: Sequence[int]) -> bool:
    return any(gives_reason(analysis.candidates[i].text) for i in order)
