"""A list question answered with the list: the items of the book's list, not the one item that scored best.

"What are the three parts of X?" asked of a book that lists them as bullets: an answer that quotes only
the best-matching bullet names one part. The items around it, in the same list, are the rest of the answer.
"""

from __future__ import annotations

import re

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import depends_on_previous
from booktutor.extractive.selection import MAX_SENTENCES, MAX_WORDS, NEW_DOCUMENT_RELATIVE, wider_sentence
from booktutor.extractive.tabled import heading_names_question
from booktutor.extractive.text import content_terms

MAX_LIST_ITEMS = 6
"""A longer list is cut to its best-scoring items (kept in the book's order)."""
UNLISTED_KINDS = frozenset({"comparison", "yesno", "definition"})
"""Questions whose answer is not a list even when it opens with an item: each side of a comparison, a yes or
no, what one term means (a list of terms defines the others too)."""
ITEM_RELATIVE = 0.5
"""An item joins the answer when it scores this share of the item the answer quoted: the list's other
members are about the same thing, a line that shares nothing with the question is not."""
MAX_NAMED_LIST_ITEMS = 10
"""A list the question asks for by its section's name ("the learning objectives of chapter 4") is quoted
whole up to this many items (and the word budget): each of them is what was asked."""


def take_list(analysis: Analysis, intent: Intent, order: list[int], pool: list[int]) -> list[int]:
    """For a list question whose answer quotes an item of a list: the answer's opening (when it is not an
    item), then that list's items in the book's order, then the other picks while the answer stays short
    (at least one, the sentence that usually says what the list adds up to). Any other answer that opens
    with an item (one step of "how does X do Y?" scoring best) opens with it, then the list's other items
    in the book's order, then the picks from other sections; a numbered list's items (steps done in order)
    all keep the book's order."""
    if intent.aspect or not order:
        return order  # "what are its drawbacks?" asks for the drawback, not a list the topic is in
    anchor = next((i for i in order if _is_item(analysis, i)), None) if intent.kind == "list" else None
    if intent.kind not in UNLISTED_KINDS and _is_item(analysis, order[0]):
        anchor = order[0]  # an answer that opens with an item: the item's list says the rest
    if anchor is None:
        return order
    named = _named_course_list(analysis, intent, anchor)
    floor = 0.0 if named else ITEM_RELATIVE * float(analysis.total[anchor])
    lists = _siblings(analysis, anchor, set(pool), across=intent.kind == "list" and not named)
    items = [i for i in lists if float(analysis.total[i]) >= floor]
    if len(items) < 2:
        return order
    opening = [] if order[0] in items else order[:1]
    kept = [] if intent.kind == "list" else _other_sections(analysis, anchor, order, [*opening, *items])
    if intent.kind != "list" and not analysis.candidates[anchor].numbered:
        # the item that answers best still opens the answer, its list follows; numbered steps keep their order
        items = [anchor, *(i for i in items if i != anchor)]
    most = MAX_NAMED_LIST_ITEMS if named else MAX_LIST_ITEMS
    while len(items) > 2 and (
        len(items) > most or sum(analysis.candidates[i].words for i in [*opening, *items, *kept]) > MAX_WORDS
    ):
        items.remove(min(items, key=lambda i: float(analysis.total[i])))  # the weakest item, order kept
    result = [*opening, *items, *kept]
    words = sum(analysis.candidates[i].words for i in result)
    room = max(1, MAX_SENTENCES - len(result))
    for i in (i for i in order if i not in result):
        if room and words + analysis.candidates[i].words <= MAX_WORDS:
            result.append(i)
            words += analysis.candidates[i].words
            room -= 1
    return result


def _named_course_list(analysis: Analysis, intent: Intent, anchor: int) -> bool:
    """Whether the question asks for the course part's goals and names the section whose list `anchor` is an
    item of ("Learning Objectives"): the items then need not repeat the question's other words (the chapter's
    subject) to be asked for."""
    heading = analysis.candidates[anchor].heading
    return bool(intent.about_course) and heading_names_question(heading, analysis.question_terms)


def _other_sections(analysis: Analysis, anchor: int, order: list[int], taken: list[int]) -> list[int]:
    """The picks from sections other than the list's: asked anything but a list, the list completes the
    answer's opening item and does not push out what another section adds (a second part's answer, the
    citation of another page)."""
    section = analysis.candidates[anchor].n
    return [i for i in order if i not in taken and analysis.candidates[i].n != section]


def _is_item(analysis: Analysis, index: int) -> bool:
    candidate = analysis.candidates[index]
    return candidate.kind == "sentence" and candidate.list_item and not candidate.table_row


def _siblings(
    analysis: Analysis, anchor: int, pool: set[int], *, rows: bool = False, across: bool = False
) -> list[int]:
    """The items of the list that holds `anchor`: the run of list items next to it in its passage and
    section, in the book's order (only those that may answer). `across`: also the lists right before and
    after it in the passage under sibling headings ("Anytime Algorithms" beside "Reactive Planning"), which
    a list question asks for together."""
    candidates = analysis.candidates
    here = candidates[anchor]
    run = {here.position: anchor}
    for step in (-1, 1):
        position, i = here.position, anchor + step
        while 0 <= i < len(candidates):
            other = candidates[i]
            same_list = other.rank == here.rank and (across or other.n == here.n) and other.position == position + step
            if not same_list or not (other.table_row if rows else _is_item(analysis, i)):
                break
            run[other.position] = i
            position, i = other.position, i + step
    return [run[p] for p in sorted(run) if run[p] in pool]


ROW_RELATIVE = 0.9
"""A table row joins a quoted row of its table when it scores this share of it: the table's alternatives."""


def take_rows(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """The answer with, right after its first quoted table row, the other rows of that table that match the
    question nearly as well (`ROW_RELATIVE`, in the book's order) while the answer stays within its budget:
    a row is one of the options the table compares ("Structured Light ... Fails in sunlight" beside "Time of
    Flight ... Works outdoors")."""
    quoted = [i for i in order if analysis.candidates[i].table_row]
    if not quoted:
        return order
    anchor = quoted[0]
    floor = ROW_RELATIVE * float(analysis.total[anchor])
    rows = [i for i in _siblings(analysis, anchor, set(pool), rows=True) if i not in order]
    added: list[int] = []
    words = sum(analysis.candidates[i].words for i in order)
    for i in rows:
        fits = words + analysis.candidates[i].words <= MAX_WORDS and len(order) + len(added) < MAX_SENTENCES
        if float(analysis.total[i]) >= floor and fits:
            added.append(i)
            words += analysis.candidates[i].words
    at = order.index(anchor) + 1
    return [*order[:at], *added, *order[at:]]


LEAD_IN_RELATIVE = 0.75
"""A lead-in joins the answer when, read with its items, it matches the question this share of the best pick
(the bar of a later pick, `selection.LATER_PICK_RELATIVE`)."""


def add_lead_ins(analysis: Analysis, picked: list[int], lead_ins: list[int], pool: list[int]) -> list[int]:
    """The picks with the best lead-in ("Python agents can bridge to controllers using these patterns:") of a
    page they cite, when it matches the question nearly as well as they do (`LEAD_IN_RELATIVE`) and it and
    two of its items (`pool`) fit the budget (in place of a weaker pick when the answer is full). A lead-in
    never opens the choice nor brings a page of its own: alone, "X can be tested by:" matches any question
    about X; it says what the items after it are, and they follow it (`take_introduced_lists`)."""
    if not picked or analysis.features["selection_mode"]:
        return picked
    # the pages the answer will go on citing: a pick said within a wider one is left out later
    # (`compose._without_repeats`), and so is a page whose best pick scores below `NEW_DOCUMENT_RELATIVE`
    kept = [i for i in picked if wider_sentence(analysis, i, picked) is None] or picked
    best = max(float(analysis.total[i]) for i in kept)
    cited = {analysis.candidates[i].doc for i in kept if float(analysis.total[i]) >= NEW_DOCUMENT_RELATIVE * best}
    fitting = [
        i
        for i in lead_ins
        if analysis.candidates[i].doc in cited and float(analysis.total[i]) >= LEAD_IN_RELATIVE * best
    ]
    for lead in sorted(fitting, key=lambda i: -float(analysis.total[i])):
        room = list(picked)
        if len(room) >= MAX_SENTENCES:  # full: the lead-in takes the place of a weaker pick
            weakest = min(room[1:], key=lambda i: float(analysis.total[i]))
            if float(analysis.total[weakest]) >= float(analysis.total[lead]):
                continue
            room.remove(weakest)
        introduced = _introduced(analysis, lead)
        items = sorted((i for i in introduced if i in pool), key=lambda i: analysis.candidates[i].words)
        shortest = items[: min(2, len(introduced))]
        if (
            shortest
            and len(shortest) == min(2, len(introduced))
            and _words(analysis, [*room, lead, *shortest]) <= MAX_WORDS
        ):
            return [*room, lead]
    return picked


def take_introduced_lists(analysis: Analysis, order: list[int], pool: list[int]) -> list[int]:
    """The answer with each quoted lead-in ("The workflow from simulation to deployment follows these
    stages:") followed by the items it introduces, in the book's order: the best of them (`MAX_LIST_ITEMS`)
    that fit the word budget beside the answer's other sentences, which stay. A lead-in whose items cannot
    be quoted (none may answer, or there is no room for two) is left out: a colon with nothing after it."""
    result = list(order)
    for lead in [i for i in order if analysis.candidates[i].opens_list]:
        introduced = _introduced(analysis, lead)
        items = sorted(
            sorted((i for i in introduced if i in pool), key=lambda i: -float(analysis.total[i]))[:MAX_LIST_ITEMS]
        )
        others = [i for i in result if i not in items]
        while len(items) > 1 and _words(analysis, [*others, *items]) > MAX_WORDS:
            items.remove(min(items, key=lambda i: float(analysis.total[i])))  # the weakest item, order kept
        if len(items) < min(2, max(len(introduced), 1)) or _words(analysis, [*others, *items]) > MAX_WORDS:
            result = [i for i in result if i != lead]
            continue
        first = min(result.index(i) for i in [lead, *items] if i in result)  # before the items it quoted already
        rest = [i for i in others if i != lead]
        at = sum(1 for i in result[:first] if i in rest)
        result = [*rest[:at], lead, *items, *rest[at:]]
    return result


def without_stray_items(analysis: Analysis, intent: Intent, order: list[int]) -> list[int]:
    """An answer that quotes a list with its lead-in, without a lone item of another page's list: after
    "Before starting, you should have:" and its items, a module's "Basic AI/ML concepts" reads as one more
    of them, though another page lists it for something else. Not when the question asks two things or
    compares two: another page's item may answer the other one."""
    candidates = analysis.candidates
    introduced = {candidates[i].doc for i in order if candidates[i].opens_list}
    if not introduced or intent.parts or intent.sides:
        return order

    def stray(i: int) -> bool:
        here = candidates[i]
        alone = not any(j != i and candidates[j].list_item and candidates[j].n == here.n for j in order)
        return here.list_item and not here.table_row and here.doc not in introduced and alone

    return [i for i in order if not stray(i)] or order


_EACH = re.compile(r"^(?:each|every|all)\s+(?:of\s+(?:these|those|the)\s+)?(?P<word>[a-z][\w-]*)", re.I)
"""A lead-in that opens "Each step ..." names one member of something said before it: "the steps"."""


def quote_referred_lists(analysis: Analysis, order: list[int], left_out: set[int]) -> list[int]:
    """The answer with, before each quoted lead-in that refers back to the list right before it in its section
    ("Each step becomes one or more ROS 2 actions:" after "This command requires multiple steps:" and its
    steps), that earlier lead-in and its items (the best `MAX_LIST_ITEMS`, in the book's order) while the
    answer stays within its word budget: without them the learner reads what becomes of "each step" and not
    the steps. All of its items, not only those that may answer on their own: they are what the lead-in
    refers to (none of `left_out`, what the thread quoted when asked for more)."""
    result = list(order)
    for lead in [i for i in order if analysis.candidates[i].opens_list]:
        earlier = _referred_lead_in(analysis, lead)
        if earlier is None or earlier in result:
            continue
        introduced = _introduced(analysis, earlier)
        items = sorted(
            sorted((i for i in introduced if i not in left_out), key=lambda i: -float(analysis.total[i]))[
                :MAX_LIST_ITEMS
            ]
        )
        while len(items) > 2 and _words(analysis, [*result, earlier, *items]) > MAX_WORDS:
            items.remove(min(items, key=lambda i: float(analysis.total[i])))  # the weakest item, order kept
        if len(items) < min(2, len(introduced)) or _words(analysis, [*result, earlier, *items]) > MAX_WORDS:
            continue
        at = result.index(lead)
        result = [*result[:at], earlier, *items, *result[at:]]
    return result


def _referred_lead_in(analysis: Analysis, lead: int) -> int | None:
    """The lead-in of the list right before `lead` in its passage and section, when `lead` refers back to it:
    it opens with a reference ("These steps ...") or names a member of it ("Each step ..." after "... steps:")."""
    candidates = analysis.candidates
    first = _first_of_list_before(analysis, lead)
    if first is None:
        return None
    before = _sentence_before(analysis, first)
    if before is None or not candidates[before].opens_list or first not in _introduced(analysis, before):
        return None
    text = candidates[lead].text
    if depends_on_previous(text):
        return before
    named = _EACH.match(text)
    listed = candidates[before].terms.union(*(candidates[i].terms for i in _introduced(analysis, before)))
    return before if named and content_terms(named["word"]) & listed else None


def _first_of_list_before(analysis: Analysis, index: int) -> int | None:
    """The first item of the list that ends right before sentence `index` (same passage and section)."""
    candidates = analysis.candidates
    first = None
    at = _sentence_before(analysis, index)
    while at is not None and candidates[at].list_item and not candidates[at].table_row:
        first, at = at, _sentence_before(analysis, at)
    return first


def _sentence_before(analysis: Analysis, index: int) -> int | None:
    """The sentence right before this one in its passage and section (past a code excerpt's copies)."""
    candidates = analysis.candidates
    here = candidates[index]
    for i in range(index - 1, -1, -1):
        other = candidates[i]
        if other.kind != "sentence":
            continue
        if other.rank != here.rank or other.n != here.n or other.position != here.position - 1:
            return None
        return i
    return None


def _introduced(analysis: Analysis, lead: int) -> list[int]:
    """The list items (or table rows) right after a lead-in, in its passage and section."""
    candidates = analysis.candidates
    here = candidates[lead]
    items: list[int] = []
    position = here.position
    for i in range(lead + 1, len(candidates)):
        other = candidates[i]
        if other.kind != "sentence":
            continue  # a code excerpt's copies sit between the segments they came from
        if other.rank != here.rank or other.n != here.n or other.position != position + 1 or not other.list_item:
            break
        items.append(i)
        position = other.position
    return items


def _words(analysis: Analysis, order: list[int]) -> int:
    return sum(analysis.candidates[i].words for i in order)
