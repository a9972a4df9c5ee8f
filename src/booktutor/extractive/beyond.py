"""About a highlighted passage, what the book says beyond it: an answer that only quotes the passage back
tells the learner nothing they did not just read."""

from __future__ import annotations

import re

from booktutor.extractive.analysis import ABOUT_THE_PASSAGE, Analysis
from booktutor.extractive.roles import depends_on_previous
from booktutor.extractive.scoring import MAX_CODE_CHARS
from booktutor.extractive.selection import (
    DUPLICATE_SIMILARITY,
    MAX_SENTENCES,
    MAX_WORDS,
    OWN_WORDS_FLOOR,
    SECOND_PICK_RELATIVE,
    passage_page,
    redundancy,
    repeats,
    restates,
)
from booktutor.extractive.text import content_terms

ASKING_WORDS = ABOUT_THE_PASSAGE | content_terms("explain example mean means meaning say says saying first second")
"""Words that ask about the passage ("what does the second sentence mean?"), not about something it leaves out."""
PASSAGE_LEAD = 1
"""The passage's sentences kept ahead of the book's: the learner has just read it, one recalls what is asked."""
AROUND = 3
"""Asked to explain the passage, the sentences this close to it in its section say what it means."""


def beyond_the_passage(analysis: Analysis, pool: list[int], picked: list[int]) -> list[int]:
    """The answer about a highlighted passage, completed with the book's sentences when it would quote only
    the passage (or the book's copy of it). Asked something the passage does not say (the question's own
    words: "which states can it be in?"), the sentences naming those words, on the passage's page first,
    else in the search's other hits; asked to explain it, the sentences around it in its section. The
    passage stays as a short lead (`PASSAGE_LEAD`)."""
    candidates = analysis.candidates
    passage = [i for i, c in enumerate(candidates) if c.source == "selection" and c.kind == "sentence"]
    if not passage:
        return picked
    copies = {i for i in pool if candidates[i].source != "selection" and repeats(analysis, i, passage)}
    if any(candidates[i].source != "selection" and i not in copies for i in picked):
        return picked
    said = frozenset[str]().union(*(candidates[i].terms for i in passage))
    added = analysis.question_terms - said - ASKING_WORDS
    book = [i for i in pool if candidates[i].source != "selection" and i not in copies]
    page = passage_page(analysis, passage, copies)
    found = (_naming(analysis, book, added, page) if added else []) or _around(analysis, book, copies)
    found = found or _best(analysis, book)
    if not found:
        return picked
    lead = sorted((i for i in picked if candidates[i].source == "selection"), key=lambda i: -float(analysis.total[i]))
    lead = [i for i in lead if not depends_on_previous(candidates[i].text)] or sorted(lead)  # no dangling "It ..."
    return _fill(analysis, lead[:PASSAGE_LEAD], found)


def _naming(analysis: Analysis, book: list[int], added: frozenset[str], page: frozenset[str]) -> list[int]:
    """The book's sentences naming most of the question's own words: the passage's page's when one names
    any (a body sentence before a summary line), else those of the other sections found, best first."""
    candidates = analysis.candidates
    naming = [i for i in book if candidates[i].terms & added]
    home = [i for i in naming if candidates[i].doc in page]
    chosen = home or naming
    body = [i for i in chosen if not restates(candidates[i])]
    chosen = body or chosen
    if not chosen:
        return []
    most = max(len(candidates[i].terms & added) for i in chosen)
    best = max(float(analysis.total[i]) for i in chosen)
    return sorted(
        (
            i
            for i in chosen
            if len(candidates[i].terms & added) == most or float(analysis.total[i]) >= OWN_WORDS_FLOOR * best
        ),
        key=lambda i: (-len(candidates[i].terms & added), -float(analysis.total[i])),
    )


def _around(analysis: Analysis, book: list[int], copies: set[int]) -> list[int]:
    """The sentences near the book's copy of the passage in its section, nearest first."""
    candidates = analysis.candidates

    def distance(i: int) -> int:
        return min(
            (
                abs(candidates[i].position - candidates[j].position)
                for j in copies
                if candidates[j].n == candidates[i].n
            ),
            default=AROUND + 1,
        )

    return sorted((i for i in book if distance(i) <= AROUND), key=lambda i: (distance(i), candidates[i].position))


def _best(analysis: Analysis, book: list[int]) -> list[int]:
    """The search's other body sentences that score nearly as well as the best of them, best first."""
    body = [i for i in book if not restates(analysis.candidates[i])] or book
    best = max((float(analysis.total[i]) for i in body), default=0.0)
    return sorted(
        (i for i in body if float(analysis.total[i]) >= SECOND_PICK_RELATIVE * best),
        key=lambda i: -float(analysis.total[i]),
    )


def _fill(analysis: Analysis, lead: list[int], found: list[int]) -> list[int]:
    """The lead, then the found sentences in their order, within the answer's budget and not repeating."""
    picked = list(lead)
    words = sum(analysis.candidates[i].words for i in picked)
    for i in found:
        if len(picked) >= MAX_SENTENCES:
            break
        if words + analysis.candidates[i].words > MAX_WORDS or redundancy(analysis, i, picked) >= DUPLICATE_SIMILARITY:
            continue
        picked.append(i)
        words += analysis.candidates[i].words
    return picked


_EXAMPLE_ASKED = re.compile(r"\b(?:example|examples|for instance|show me)\b", re.I)


def passage_example(analysis: Analysis, question: str) -> int | None:
    """Asked for an example of a highlighted passage, the code block of the section that holds it (the
    book's own illustration of it, as `class DigitalAI` / `class EmbodiedAI` under the symbol grounding
    problem), when the book's copy of the passage was retrieved and its section has one."""
    if not _EXAMPLE_ASKED.search(question):
        return None
    candidates = analysis.candidates
    passage = [i for i, c in enumerate(candidates) if c.source == "selection" and c.kind == "sentence"]
    homes = {
        candidates[i].n
        for i in range(len(candidates))
        if candidates[i].source != "selection" and repeats(analysis, i, passage)
    }
    blocks = [
        i
        for i, c in enumerate(candidates)
        if c.kind == "code" and c.n in homes and not c.diagram and len(c.text) <= MAX_CODE_CHARS
    ]
    return max(blocks, key=lambda i: float(analysis.total[i]), default=None)
