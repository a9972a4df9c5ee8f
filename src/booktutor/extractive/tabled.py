"""A question that names a section whose body is a table ("What is the rubric?" of a "Rubric" section holding
the criteria table) is answered with the table's rows: each row shares few of the question's words (its
values, not the heading, say what it is), so scored one by one they lose to a sentence elsewhere that
merely mentions the heading's word ("... marked with a rubric")."""

from __future__ import annotations

from itertools import takewhile

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent

TABLE_ASKABLE = frozenset({"definition", "list", "general"})
"""What a table answers whole: what X is or holds, not a reason, a step, a number or a comparison."""
MAX_HEADING_TERMS = 3
MAX_ROWS = 6
MAX_TABLE_WORDS = 320
MAX_RANK = 1
"""Only among the sections the search ranked first: a heading word alone is weak evidence further down."""


def heading_names_question(heading: frozenset[str], question_terms: frozenset[str]) -> bool:
    """A short heading every word of which the question says: 'Rubric' for 'What are the rubric criteria?'."""
    return 0 < len(heading) <= MAX_HEADING_TERMS and heading <= question_terms


def headed_table(analysis: Analysis, intent: Intent) -> list[int]:
    """The rows of the first table in a top-ranked section whose heading the question names, in the book's
    order, then the sentence right after the table in that section (what the rows add up to); [] for none,
    or when a row says a word of the question the heading does not: the question asks for that row ('Which
    joint type suits a knee?' of 'Joint Types'), not the whole table."""
    if intent.kind not in TABLE_ASKABLE or intent.parts:
        return []
    candidates = analysis.candidates
    for i, candidate in enumerate(candidates):
        named = heading_names_question(candidate.heading, analysis.question_terms)
        if candidate.table_row and candidate.rank <= MAX_RANK and named:
            return _rows_from(analysis, i)
    return []


def _rows_from(analysis: Analysis, first: int) -> list[int]:
    candidates = analysis.candidates
    section = [j for j, c in enumerate(candidates) if c.n == candidates[first].n and c.kind == "sentence"]
    before, after = section[: section.index(first)], section[section.index(first) :]
    heading = candidates[first].heading
    if any(not candidates[j].table_row and candidates[j].terms & heading for j in before):
        return []  # the section says in prose what it is about ("Backlash is the gap ..."): its table is an aside
    table = list(takewhile(lambda j: candidates[j].table_row, after))
    others = analysis.question_terms - heading
    if len(table) < 2 or any(candidates[j].terms & others for j in table):
        return []
    rows, words = [], 0
    for j in [*table[:MAX_ROWS], *after[len(table) : len(table) + 1]]:
        if words + candidates[j].words > MAX_TABLE_WORDS:
            break
        rows.append(j)
        words += candidates[j].words
    return rows if len(rows) >= 2 else []
