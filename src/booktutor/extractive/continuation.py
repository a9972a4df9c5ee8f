"""An answer that carries its opening's explanation on: books state a point, then explain it in the
sentences that follow, and an answer that stops at the first one leaves the reason out."""

from __future__ import annotations

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.roles import depends_on_previous, is_pointer
from booktutor.extractive.selection import DUPLICATE_SIMILARITY, MAX_SENTENCES, MAX_WORDS, redundancy

CONTINUATION_RELATIVE = 0.3
"""The next sentence of the lead's paragraph joins the answer when it scores this share of the lead and
keeps the topic: books state a point, then explain it in the sentences that follow."""
CONTINUATION_SHARED_TERMS = 2
"""... keeping the topic: a word of the question, a reference back, or this many words of the sentence before."""


def continue_explanation(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """The answer with the sentence that follows its opening run in the book (same paragraph and section)
    right after it, when that sentence keeps the topic; a weaker later pick makes room for it. Not from
    one list item or table row to the next: a sibling is not an explanation (a long item's own later
    sentences are: "Stereo cameras match features ... Depth is Z = f · B / d, where ...")."""
    if not order:
        return order
    candidates = analysis.candidates
    run = 1  # the opening sentence and the ones after it in the book that the answer already quotes
    while run < len(order) and _next_sentence(analysis, order[run - 1]) == order[run]:
        run += 1
    following = _next_sentence(analysis, order[run - 1])
    if following is None or following not in pool or following in order[:run]:
        return order
    candidate, previous = candidates[following], candidates[order[run - 1]]
    same_item = candidate.item != 0 and candidate.item == previous.item  # a long item goes on explaining
    keeps_topic = (
        same_item
        or bool(candidate.terms & analysis.question_terms)
        or depends_on_previous(candidate.text)
        or len(candidate.terms & previous.terms) >= CONTINUATION_SHARED_TERMS
    )
    if (
        not keeps_topic
        or ((candidate.list_item or previous.list_item) and not same_item)
        or float(analysis.total[following]) < CONTINUATION_RELATIVE * float(analysis.total[order[0]])
    ):
        return order
    rest = [i for i in order[run:] if i != following]
    result = [*order[:run], following, *rest]
    while len(result) > run + 1 and (
        len(result) > MAX_SENTENCES or sum(candidates[i].words for i in result) > MAX_WORDS
    ):
        result.remove(min(result[run + 1 :], key=lambda i: float(analysis.total[i])))
    if len(result) > MAX_SENTENCES or sum(candidates[i].words for i in result) > MAX_WORDS:
        return order
    return result


def _next_sentence(analysis: Analysis, index: int) -> int | None:
    """The sentence right after this one in its passage and section (past a code excerpt's copies)."""
    candidates = analysis.candidates
    here = candidates[index]
    for i in range(index + 1, min(index + 4, len(candidates))):
        other = candidates[i]
        if other.rank != here.rank or other.position > here.position + 1:
            return None
        if other.position == here.position + 1 and other.kind == "sentence":
            return i if other.n == here.n else None
    return None


RESTATING_SHARE = 0.4
"""A "why" answer's opening that shares this share of the question's words restates what is asked about."""
CAUSE_RELATIVE = 0.2
"""... and the sentence before it is quoted first when it scores this share of the opening: a cause
shares few of the question's words ("Winding losses grow with the square of current")."""


def cause_first(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """For "why": when the opening restates the question ("A humanoid can jump briefly but not hold a deep
    squat ..."), it is the thing to explain, and the book's sentence just before it in the same passage
    and section gives the cause ("Winding losses grow with the square of current ..."): quote that one
    first (moved there when the answer quotes it later), unless it refers back itself or belongs to
    another list item; a weaker later pick makes room."""
    if not order or not analysis.question_terms:
        return order
    candidates = analysis.candidates
    lead = candidates[order[0]]
    if len(lead.terms & analysis.question_terms) < RESTATING_SHARE * len(analysis.question_terms):
        return order
    before = _previous_sentence(analysis, order[0])
    if before is None or before not in pool:
        return order
    cause = candidates[before]
    if depends_on_previous(cause.text) or (cause.list_item or lead.list_item) and cause.item != lead.item:
        return order
    if float(analysis.total[before]) < CAUSE_RELATIVE * float(analysis.total[order[0]]):
        return order
    result = [before, *(i for i in order if i != before)]
    while len(result) > 2 and (len(result) > MAX_SENTENCES or sum(candidates[i].words for i in result) > MAX_WORDS):
        result.remove(min(result[2:], key=lambda i: float(analysis.total[i])))
    return result


def _previous_sentence(analysis: Analysis, index: int) -> int | None:
    """The sentence right before this one in its passage and section."""
    candidates = analysis.candidates
    here = candidates[index]
    for i in range(index - 1, max(index - 4, -1), -1):
        other = candidates[i]
        if other.rank != here.rank or other.position < here.position - 1:
            return None
        if other.position == here.position - 1 and other.kind == "sentence":
            return i if other.n == here.n else None
    return None


FILL_SECTION_RELATIVE = 0.5
"""An answer shorter than the budget goes on with the sentences of the sections it cites that score this share of
its opening: the book goes on explaining there ("An action is designed for long-running tasks that provide
feedback" after "Actions also provide a final result"), and the learner checks that citation anyway."""


def fill_cited_sections(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """The answer with, while it has room, the best further sentences of the sections it cites, each placed
    after the quoted sentence it follows in the book. Not one that refers back to a sentence left out, points
    elsewhere ("see Communication Patterns", a figure's caption) or repeats a quoted one."""
    if not order:
        return order
    candidates = analysis.candidates
    sections = {candidates[i].n for i in order}
    floor = FILL_SECTION_RELATIVE * float(analysis.total[order[0]])
    extra = sorted(
        (
            i
            for i in pool
            if i not in order
            and candidates[i].n in sections
            and float(analysis.total[i]) >= floor
            and not is_pointer(candidates[i].text)
            and not candidates[i].opens_list  # a lead-in comes with its list (`listing.take_introduced_lists`)
        ),
        key=lambda i: -float(analysis.total[i]),
    )
    result = list(order)
    for i in extra:
        if len(result) >= MAX_SENTENCES:
            break
        if (
            sum(candidates[j].words for j in result) + candidates[i].words > MAX_WORDS
            or redundancy(analysis, i, result) >= DUPLICATE_SIMILARITY
        ):
            continue
        if depends_on_previous(candidates[i].text) and _previous_sentence(analysis, i) not in result:
            continue
        result.insert(_place(analysis, result, i), i)
    return result


def _place(analysis: Analysis, order: list[int], index: int) -> int:
    """Where a sentence goes in the answer: after the last quoted sentence before it in its passage (never
    before the opening), else after the last one of its passage."""
    here = analysis.candidates[index]
    same = [k for k, j in enumerate(order) if analysis.candidates[j].rank == here.rank]
    before = [k for k in same if analysis.candidates[order[k]].position < here.position]
    return (before or same or [len(order) - 1])[-1] + 1
