"""A list question answered with the list: the items of the book's list, not the one item that scored best.

"What are the three parts of X?" asked of a book that lists them as bullets: an answer that quotes only
the best-matching bullet names one part. The items around it, in the same list, are the rest of the answer.
"""

from __future__ import annotations

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.selection import MAX_SENTENCES, MAX_WORDS

MAX_LIST_ITEMS = 6
"""A longer list is cut to its best-scoring items (kept in the book's order)."""
UNLISTED_KINDS = frozenset({"comparison", "yesno", "definition"})
"""Questions whose answer is not a list even when it opens with an item: each side of a comparison, a yes or
no, what one term means (a list of terms defines the others too)."""
ITEM_RELATIVE = 0.5
"""An item joins the answer when it scores this share of the item the answer quoted: the list's other
members are about the same thing, a line that shares nothing with the question is not."""


def take_list(analysis: Analysis, intent: Intent, order: list[int], pool: list[int]) -> list[int]:
    """For a list question whose answer quotes an item of a list: the answer's opening (when it is not an
    item), then that list's items in the book's order, then the other picks while the answer stays short
    (at least one, the sentence that usually says what the list adds up to). Any other answer that opens
    with an item (one step of "how does X do Y?" scoring best) opens with it, then the list's other items
    in the book's order, then the picks from other sections."""
    if intent.aspect or not order:
        return order  # "what are its drawbacks?" asks for the drawback, not a list the topic is in
    anchor = next((i for i in order if _is_item(analysis, i)), None) if intent.kind == "list" else None
    if intent.kind not in UNLISTED_KINDS and _is_item(analysis, order[0]):
        anchor = order[0]  # an answer that opens with an item: the item's list says the rest
    if anchor is None:
        return order
    floor = ITEM_RELATIVE * float(analysis.total[anchor])
    lists = _siblings(analysis, anchor, set(pool), across=intent.kind == "list")
    items = [i for i in lists if float(analysis.total[i]) >= floor]
    if len(items) < 2:
        return order
    opening = [] if order[0] in items else order[:1]
    kept = [] if intent.kind == "list" else _other_sections(analysis, anchor, order, [*opening, *items])
    if intent.kind != "list":  # the item that answers best still opens the answer, its list follows
        items = [anchor, *(i for i in items if i != anchor)]
    while len(items) > 2 and (
        len(items) > MAX_LIST_ITEMS or sum(analysis.candidates[i].words for i in [*opening, *items, *kept]) > MAX_WORDS
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
