"""Which pages an answer quotes: the best sentence's page, and another page only when its sentences are
nearly as relevant (`NEW_DOCUMENT_RELATIVE`), since every page is one more citation for the learner to check."""

from __future__ import annotations

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.selection import NEW_DOCUMENT_RELATIVE, restates


def near_best_document(analysis: Analysis, pool: list[int]) -> list[int]:
    """The sentences of the best sentence's document, and those of other documents nearly as relevant
    (`NEW_DOCUMENT_RELATIVE`): a weaker page's body section is no better an answer than the right page's
    summary line, and every other page is one more citation for the learner to check."""
    if not pool:
        return pool
    lead = max(pool, key=lambda i: float(analysis.total[i]))
    return completing_sentences(analysis, pool, [lead])


def completing_sentences(
    analysis: Analysis, pool: list[int], picked: list[int], defining: frozenset[int] = frozenset()
) -> list[int]:
    """The sentences that may complete the answer (a side, a part, a reason): from a document the
    answer cites already, or nearly as relevant as the best sentence (`NEW_DOCUMENT_RELATIVE`), the
    rule every pick follows: each new document is one more citation for the learner to check."""
    cited = {analysis.candidates[i].doc for i in picked}
    best = max((float(analysis.total[i]) for i in pool), default=0.0)
    return [
        i
        for i in pool
        if analysis.candidates[i].doc in cited
        or (
            float(analysis.total[i]) >= NEW_DOCUMENT_RELATIVE * best
            and not _restates_elsewhere(analysis, i, picked, defining)
        )
    ]


def _restates_elsewhere(analysis: Analysis, index: int, picked: list[int], defining: frozenset[int]) -> bool:
    """A key-terms, glossary or summary line of a page the search ranks below the pages an answer that
    explains already cites: it restates a body section, and its page is one more citation of a
    restatement (a glossary's "Example: ..." beside the project page that describes it)."""
    candidate = analysis.candidates[index]
    if not restates(candidate) or index in defining or all(restates(analysis.candidates[i]) for i in picked):
        return False
    ranks = analysis.page_ranks
    return ranks[candidate.doc] > min(ranks[analysis.candidates[i].doc] for i in picked)


def pages_that_hold_up(analysis: Analysis, order: list[int], code: int | None) -> list[int]:
    """The order without the sentences of a page that no longer holds a sentence nearly as relevant as the
    best one shown (`NEW_DOCUMENT_RELATIVE`; `code` counts when code may answer the question). A page joins
    an answer on such a sentence; when a later step drops it (a wider sentence of another page says it) or
    the code shown outscores it, the page's filler would stay behind as one more citation of a weakly
    related page."""
    if analysis.features["selection_mode"] or not order:
        return order
    # a lead-in is matched with its items (`Candidate.whole`): what holds a page up is a sentence of its own
    shown = [i for i in [*order, *([code] if code is not None else [])] if not analysis.candidates[i].opens_list]
    if not shown:
        return order
    bar = NEW_DOCUMENT_RELATIVE * max(float(analysis.total[i]) for i in shown)
    strongest: dict[str, float] = {}
    for i in shown:
        doc = analysis.candidates[i].doc
        strongest[doc] = max(strongest.get(doc, 0.0), float(analysis.total[i]))
    kept = [i for i in order if strongest.get(analysis.candidates[i].doc, 0.0) >= bar]
    return kept if kept or code is not None else order


def on_page_of(analysis: Analysis, index: int, sentences: list[int]) -> list[int]:
    """The sentences on the page of sentence `index`."""
    return [i for i in sentences if analysis.candidates[i].doc == analysis.candidates[index].doc]
