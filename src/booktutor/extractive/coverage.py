"""An answer that answers all of the question: both sides of a comparison, every part of a two-part
question (or a note on which part the book does not cover), and an opening that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import depends_on_previous, gives_reason, is_prompt, is_signpost
from booktutor.extractive.scoring import term_cosine
from booktutor.extractive.selection import MAX_SENTENCES, MAX_WORDS
from booktutor.extractive.text import content_terms

SIDE_RELATIVE = 0.5
"""A sentence added for the uncovered side of a comparison must score this share of the best."""
PART_MIN_SIMILARITY = 0.45
"""A part of a question is covered when a quotable sentence is at least this similar to it."""
PART_MIN_OVERLAP = 0.5
"""... or (without sentence vectors) shares this share of the part's own words."""
_PRONOUN = re.compile(r"\b(?:its|it|they|their|them|this|that|these|those)\b", re.I)


def cover_sides(analysis: Analysis, intent: Intent, pool: list[int], picked: list[int]) -> list[int]:
    """Add the best sentence about each compared thing the picked sentences do not mention yet."""
    picked = list(picked)
    best = max((float(analysis.total[i]) for i in pool), default=0.0)
    for side in intent.sides:
        if any(side & analysis.candidates[i].terms for i in picked):
            continue
        about = [i for i in pool if i not in picked and side & analysis.candidates[i].terms]
        choice = max(about, key=lambda i: float(analysis.total[i]), default=None)
        if choice is not None and float(analysis.total[choice]) >= SIDE_RELATIVE * best:
            picked = _make_room(analysis, picked, choice)
    return picked


def _make_room(analysis: Analysis, picked: list[int], new: int) -> list[int]:
    """Add `new`, dropping the weakest later picks while the answer would be too long."""
    result = [*picked, new]
    while len(result) > 2 and (
        len(result) > MAX_SENTENCES or sum(analysis.candidates[i].words for i in result) > MAX_WORDS
    ):
        weakest = min(result[1:-1] or result[1:], key=lambda i: float(analysis.total[i]))
        result.remove(weakest)
    return result


def part_queries(parts: Sequence[str]) -> list[str]:
    """Each part as a query of its own; a part that says "its"/"they" carries the first part's subject."""
    if not parts:
        return []
    subject = " ".join(sorted(content_terms(parts[0])))
    return [parts[0], *(f"{p} {subject}" if _PRONOUN.search(p) else p for p in parts[1:])]


def cover_parts(
    analysis: Analysis, queries: list[str], similarity: list[np.ndarray], pool: list[int], picked: list[int]
) -> tuple[list[int], list[str]]:
    """Make sure each part of the question has a sentence; return the parts the book does not answer."""
    picked = list(picked)
    missing: list[str] = []
    for query, scores in zip(queries, similarity, strict=True):
        own_terms = content_terms(query)
        threshold = PART_MIN_SIMILARITY if analysis.vectors is not None else PART_MIN_OVERLAP
        relevant = [i for i in pool if _part_score(analysis, i, scores, own_terms) >= threshold]
        if any(i in picked for i in relevant):
            continue
        if not relevant:
            if not _mentioned(analysis, pool, own_terms - _other_terms(queries, query)):
                missing.append(query)  # no sentence is close and none uses the part's own words
            continue
        best = max(relevant, key=lambda i: float(scores[i]) + float(analysis.total[i]))
        picked = _make_room(analysis, picked, best)
    return picked, missing


def _other_terms(queries: list[str], query: str) -> frozenset[str]:
    return frozenset().union(*(content_terms(q) for q in queries if q != query))


def _mentioned(analysis: Analysis, pool: list[int], terms: frozenset[str]) -> bool:
    return any(terms & analysis.candidates[i].terms for i in pool)


def _part_score(analysis: Analysis, index: int, scores: np.ndarray, terms: frozenset[str]) -> float:
    if analysis.vectors is not None:
        return float(scores[index])
    return term_cosine(terms, analysis.candidates[index].terms)


def stand_alone_opening(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """An order whose first sentence does not refer back to one left out: take its antecedent (the
    sentence just before it in the book) when that one may be quoted, else open with another pick."""
    if not order or not depends_on_previous(analysis.candidates[order[0]].text):
        return order
    antecedent = None if is_signpost(analysis.candidates[order[0]].text) else _antecedent(analysis, order[0])
    if (
        antecedent is not None
        and antecedent not in order
        and not depends_on_previous(analysis.candidates[antecedent].text)
    ):
        return [antecedent, *order]
    for position, index in enumerate(order[1:], start=1):
        if not depends_on_previous(analysis.candidates[index].text):
            return [index, *order[:position], *order[position + 1 :]]
    others = [i for i in pool if i not in order and not depends_on_previous(analysis.candidates[i].text)]
    best = max(others, key=lambda i: float(analysis.total[i]), default=None)
    if best is not None and float(analysis.total[best]) >= SIDE_RELATIVE * float(analysis.total[order[0]]):
        return [best, *order[1:]]
    return order[1:] or order


def _antecedent(analysis: Analysis, index: int) -> int | None:
    candidate = analysis.candidates[index]
    for i in range(max(index - 1, 0), -1, -1):
        other = analysis.candidates[i]
        if other.rank != candidate.rank or other.position < candidate.position - 1:
            return None
        if other.position == candidate.position - 1 and other.kind == "sentence":
            return None if is_prompt(other.text) else i
    return None


REASON_WINDOW = 2
"""A reason is looked for this many sentences around a picked one, in the same passage."""


def cover_reason(analysis: Analysis, pool: list[int], picked: list[int]) -> list[int]:
    """For "why"/"how": when no picked sentence gives a reason, add the reason sentence that follows
    (or precedes) a picked one in its passage: books state a claim, then explain it."""
    candidates = analysis.candidates
    if not picked or any(gives_reason(candidates[i].text) for i in picked):
        return picked
    near = [
        i
        for i in pool
        if i not in picked
        and gives_reason(candidates[i].text)
        and any(
            candidates[i].rank == candidates[j].rank
            and 0 < abs(candidates[i].position - candidates[j].position) <= REASON_WINDOW
            for j in picked
        )
    ]
    best = max(near, key=lambda i: float(analysis.total[i]), default=None)
    return picked if best is None else _make_room(analysis, picked, best)
