"""An answer that answers all of the question: both sides of a comparison, every part of a two-part
question (or a note on which part the book does not cover), and an opening that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.aspects import states_side
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import (
    PRACTICE_PURPOSES,
    RESTATING_PURPOSES,
    depends_on_previous,
    gives_example,
    gives_reason,
    is_prompt,
    is_signpost,
)
from booktutor.extractive.scoring import term_cosine
from booktutor.extractive.selection import MAX_SENTENCES, MAX_WORDS, lead_in
from booktutor.extractive.text import content_terms, stem, words

SIDE_RELATIVE = 0.5
"""A sentence added for the uncovered side of a comparison must score this share of the best."""
PART_MIN_SIMILARITY = 0.45
"""A part of a question is covered when a quotable sentence is at least this similar to it."""
PART_MIN_OVERLAP = 0.5
"""... or (without sentence vectors) shares this share of the part's own words."""
_PRONOUN = re.compile(r"\b(?:its|it|they|their|them|this|that|these|those)\b", re.I)


def cover_sides(analysis: Analysis, intent: Intent, pool: list[int], picked: list[int]) -> list[int]:
    """Each compared thing gets the best sentence about it (naming it in its opening words, from a body
    section when one is close); picks that mention neither side make room for them."""
    picked = [i for i in picked if _mentions_a_side(analysis, intent, i)] or picked[:1]
    best = max((float(analysis.total[i]) for i in pool), default=0.0)
    for side in intent.sides:
        if any(_about_side(analysis, side, i) and not _restating(analysis, i) for i in picked):
            continue
        about = [i for i in pool if i not in picked and _about_side(analysis, side, i)]
        about = about or [i for i in pool if i not in picked and side & analysis.candidates[i].terms]
        choice = max(about, key=lambda i: _side_score(analysis, i), default=None)
        if choice is not None and float(analysis.total[choice]) >= SIDE_RELATIVE * best * 0.6:
            rest = picked[1:]
            keep = [i for i in rest if any(_about_side(analysis, s, i) for s in intent.sides)]
            ordered = [picked[0], *keep, *(i for i in rest if i not in keep)]
            picked = _make_room(analysis, ordered[: MAX_SENTENCES - 1], choice)
    body_sides = all(
        any(_about_side(analysis, s, i) and not _restating(analysis, i) for i in picked) for s in intent.sides
    )
    if body_sides:  # each side has a body sentence: key-terms and summary lines only repeat them
        picked = picked[:1] + [i for i in picked[1:] if not _restating(analysis, i)]
    return picked


def _restating(analysis: Analysis, index: int) -> bool:
    return analysis.candidates[index].purpose in RESTATING_PURPOSES


SIDE_OPENING_WORDS = 4
_NAMED = re.compile(r"\b(?:called|known as|named)\s+(?P<name>(?:\w+\W+){0,2}\w+)", re.I)


def _about_side(analysis: Analysis, side: frozenset[str], index: int) -> bool:
    text = analysis.candidates[index].text
    subject = [w for w in words(" ".join(text.split()[:SIDE_OPENING_WORDS])) if content_terms(w)][:1]
    opening = content_terms(" ".join(subject))
    named = frozenset().union(*(content_terms(m["name"]) for m in _NAMED.finditer(text)))
    return bool(side & (opening | named))


def _mentions_a_side(analysis: Analysis, intent: Intent, index: int) -> bool:
    return any(side & analysis.candidates[index].terms for side in intent.sides)


def _side_score(analysis: Analysis, index: int) -> float:
    return float(analysis.total[index]) - (RESTATING_SIDE_PENALTY if _restating(analysis, index) else 0.0)


RESTATING_SIDE_PENALTY = 0.15


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


def stand_alone_opening(analysis: Analysis, order: list[int], pool: list[int], code: int | None = None) -> list[int]:
    """An order whose first sentence does not refer back to one left out: take its antecedent (the
    sentence just before it in the book) when that one may be quoted, else open with another pick. The
    sentence right after the listing `code` the answer shows ("This example shows ...") refers to it."""
    if not order or not depends_on_previous(analysis.candidates[order[0]].text) or _follows(analysis, order[0], code):
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


def _follows(analysis: Analysis, index: int, code: int | None) -> bool:
    """The sentence comes right after the block that holds `code`, in the same passage."""
    if code is None:
        return False
    sentence, block = analysis.candidates[index], analysis.candidates[code]
    return sentence.rank == block.rank and sentence.position == block.position + 1


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
EXAMPLE_WINDOW = 5
"""An example is looked for this many sentences around a picked one: books state the idea, then illustrate it."""


def cover_reason(analysis: Analysis, pool: list[int], picked: list[int]) -> list[int]:
    """For "why"/"how": when no picked sentence gives a reason, add the reason sentence that follows
    (or precedes) a picked one in its passage: books state a claim, then explain it."""
    return _cover_role(analysis, pool, picked, gives_reason, REASON_WINDOW)


def cover_example(analysis: Analysis, pool: list[int], picked: list[int]) -> list[int]:
    """For "give me an example": when no picked sentence gives one, add the one ("For example, a thermostat
    ...") a few sentences from a picked sentence in its passage."""
    return _cover_role(analysis, pool, picked, gives_example, EXAMPLE_WINDOW)


def _cover_role(
    analysis: Analysis, pool: list[int], picked: list[int], plays_role: Callable[[str], bool], window: int
) -> list[int]:
    candidates = analysis.candidates
    if not picked or any(plays_role(candidates[i].text) for i in picked):
        return picked
    near = [
        i
        for i in pool
        if i not in picked
        and plays_role(candidates[i].text)
        and any(
            candidates[i].rank == candidates[j].rank
            and 0 < abs(candidates[i].position - candidates[j].position) <= window
            for j in picked
        )
    ]
    best = max(near, key=lambda i: float(analysis.total[i]), default=None)
    return picked if best is None else _make_room(analysis, picked, best)


def code_prose(analysis: Analysis, code: int, order: list[int], pool: list[int]) -> list[int]:
    """The words around a block the learner asked for: the sentences introducing it (the one just
    before it, and the one before that in the same paragraph), then the picks from the block's section."""
    candidates = analysis.candidates
    block = candidates[code]
    intro: list[int] = []
    first = lead_in(analysis, code)
    if first is not None and first in pool:
        intro = [first]
        previous = first - 1  # the sentence before it, when it leads in too (same passage, no block between)
        if (
            previous >= 0
            and previous in pool
            and candidates[previous].rank == block.rank
            and candidates[previous].position == candidates[first].position - 1
        ):
            intro.insert(0, previous)
    same_section = [i for i in order if candidates[i].n == block.n and i not in intro]
    prose = intro + same_section or listing_prose(analysis, code, order, pool)
    return prose[:MAX_SENTENCES] if prose else order


LISTING_PROSE_RELATIVE = 0.8
"""A sentence of a listing's own section leads the answer showing it when it scores this share of the best
sentence the answer would quote otherwise (and names a word of the question)."""
LISTING_PROSE_SENTENCES = 2


def listing_prose(analysis: Analysis, code: int, order: list[int], pool: list[int]) -> list[int]:
    """The sentences of the section holding the listing `code` that are about the question ("This example
    shows an action server that ..." after the action server's code), in the book's order; none when the
    answer already quotes that section, or they score clearly below its sentences (another page's
    sentence about the question then says more than the listing's own words)."""
    candidates = analysis.candidates
    block = candidates[code]
    if block.diagram or any((candidates[i].rank, candidates[i].n) == (block.rank, block.n) for i in order):
        return []
    bar = LISTING_PROSE_RELATIVE * max((float(analysis.total[i]) for i in order), default=0.0)
    own = [
        i
        for i in pool
        if candidates[i].kind == "sentence"
        and (candidates[i].rank, candidates[i].n) == (block.rank, block.n)
        and candidates[i].terms & analysis.question_terms
        and float(analysis.total[i]) >= bar
    ]
    return sorted(own)[:LISTING_PROSE_SENTENCES]


FOCUS_RELATIVE = 0.4
"""A sentence about the part or side asked for leads when it scores this share of the best."""
FOCUS_WORDS = 3
"""... and names the part within its first words (its subject), or states the side asked about."""


def focus_first(analysis: Analysis, intent: Intent, order: list[int], pool: list[int]) -> list[int]:
    """For "the X of a Y" or "the drawbacks of Y": open with the sentence about X (or the drawback)
    from a section the answer already cites, not with the definition of Y. About a highlighted
    passage, only the passage's own sentences may lead."""
    if not order or not (intent.focus or intent.aspect):
        return order
    topic = analysis.question_terms - intent.focus - _ASPECT_WORDS
    on_topic = [i for i in order if len(topic & analysis.candidates[i].terms) * 2 >= len(topic)] or order
    sections = {analysis.candidates[i].n for i in on_topic}
    docs = {analysis.candidates[i].doc for i in on_topic}
    best = max(float(analysis.total[i]) for i in order)
    about = [
        i
        for i in pool
        if _about(analysis, i, intent)
        and (analysis.candidates[i].n in sections or (intent.focus and analysis.candidates[i].doc in docs))
        and float(analysis.total[i]) >= FOCUS_RELATIVE * best
        and (analysis.candidates[i].source == "selection" or not analysis.features["selection_mode"])
    ]
    if not about:
        return order
    lead = max(
        about, key=lambda i: (analysis.candidates[i].n in sections, _prose(analysis, i), float(analysis.total[i]))
    )
    if lead == order[0]:
        return order
    result = [lead, *(i for i in order if i != lead)]
    while len(result) > 2 and (
        len(result) > MAX_SENTENCES or sum(analysis.candidates[i].words for i in result) > MAX_WORDS
    ):
        result.remove(min(result[1:], key=lambda i: float(analysis.total[i])))
    return result


def _prose(analysis: Analysis, index: int) -> bool:
    """A body sentence, not a table row or a key-terms or summary line: it says the part or side in words."""
    candidate = analysis.candidates[index]
    return not candidate.table_row and candidate.purpose not in RESTATING_PURPOSES


_ASPECT_WORDS = content_terms(
    "disadvantages drawbacks downsides limitations weaknesses cons advantages benefits strengths"
)


def _about(analysis: Analysis, index: int, intent: Intent) -> bool:
    """Names the part asked about in its opening words, or states the side asked about; both asked
    ("the integral term's drawbacks"): states the side and names the part anywhere."""
    candidate = analysis.candidates[index]
    if intent.focus and intent.aspect:
        return states_side(candidate.text, intent.aspect) and intent.focus <= candidate.terms
    if intent.focus:
        return intent.focus <= content_terms(" ".join(candidate.text.split()[:FOCUS_WORDS]))
    return states_side(candidate.text, intent.aspect)


COMMON_SIDE_SHARE = 0.4
"""A compared thing's word used by this share of the passages' sentences ("ROS" in "a ROS 2 topic and a
service" asked of a ROS book) does not tell the two sides apart."""


SPECIFIC_DF_RATIO = 1.5
"""... nor does one the book uses this many times more often than the side's rarest word."""


def distinctive_sides(
    analysis: Analysis, intent: Intent, pool: list[int], evidence: dict[str, Any] | None = None
) -> Intent:
    """The comparison with each side reduced to the words that tell it apart: not a word most of the
    passages use, nor one far more common in the book than the side's most specific word."""
    if not intent.sides or not pool:
        return intent
    df = {stem(str(t["word"]).lower()): int(t["df"]) for t in (evidence or {}).get("terms", []) if int(t["df"]) > 0}
    sides = []
    for side in intent.sides:
        common = {
            t for t in side if sum(t in analysis.candidates[i].terms for i in pool) > COMMON_SIDE_SHARE * len(pool)
        }
        known = [df[t] for t in side if t in df]
        if known:
            common |= {t for t in side if df.get(t, 0) > SPECIFIC_DF_RATIO * min(known)}
        sides.append(side - common or side)
    return replace(intent, sides=tuple(sides))


PRACTICE_OVERLAP = 0.5
"""A quiz, exercise or lab is offered as practice when its text uses this share of the question's words."""


def practice_pointer(results: Sequence[dict[str, Any]], question_terms: frozenset[str], cited_docs: set[str]) -> str:
    """A "Practice:" line linking the exercise, quiz or lab section on the question's topic (in a document
    the answer cites, else the closest one retrieved): offered after the answer, never quoted as it."""
    best: tuple[float, bool, str, str] | None = None
    for result in results:
        url = str(result.get("anchor_url") or "")
        if result.get("purpose") not in PRACTICE_PURPOSES or not url or not question_terms:
            continue
        overlap = len(question_terms & content_terms(str(result.get("text", "")))) / len(question_terms)
        same_doc = str(result.get("doc_path") or "") in cited_docs
        if overlap < PRACTICE_OVERLAP and not (same_doc and overlap > 0):
            continue
        title = str(result.get("heading") or result.get("chapter_title") or "Practice").strip().rstrip("?")
        candidate = (overlap, same_doc, title, url)
        if best is None or (same_doc, overlap) > (best[1], best[0]):
            best = candidate
    if best is None:
        return ""
    return f"Practice: [{best[2]}]({best[3]})"
