"""One question against its retrieved results: candidates, their scores and the abstention signals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from booktutor.extractive.abstention import (
    answer_type_missing,
    asked_kind_unknown,
    best_dense,
    coverage,
    idf_term_coverage,
    lexical_present,
    margin,
    name_missing,
    object_missing,
    top_terms,
)
from booktutor.extractive.acronyms import Aliases
from booktutor.extractive.excerpts import ANSWERING_EXCERPTS_PER_BLOCK
from booktutor.extractive.intent import asks_mechanism, question_intent, split_parts
from booktutor.extractive.roles import has_number
from booktutor.extractive.scoring import (
    Candidate,
    build_candidates,
    defines_another_term,
    definition_strength,
    definition_subject,
    embed,
    score_candidates,
    term_cosine,
    term_weights,
)
from booktutor.extractive.specificity import missing_specificity, unknown_specific_term
from booktutor.extractive.text import content_terms
from booktutor.providers.embeddings import Embedder

PASSAGE_QUERY_CHARS = 300
ABOUT_THE_PASSAGE = content_terms(
    "simpler simple simply words maybe true understand confused part sentence line again clarify elaborate expand "
    "detail"
)
"""Words that ask about the passage rather than name a topic ("explain it in simpler words", stemmed)."""


@dataclass
class Analysis:
    question_terms: frozenset[str]
    candidates: list[Candidate]
    semantic: np.ndarray
    total: np.ndarray
    vectors: np.ndarray | None
    features: dict[str, Any]

    @cached_property
    def page_ranks(self) -> dict[str, int]:
        """Each page's best search rank among the retrieved sections."""
        ranks: dict[str, int] = {}
        for candidate in self.candidates:
            ranks[candidate.doc] = min(ranks.get(candidate.doc, candidate.rank), candidate.rank)
        return ranks


async def analyse(
    question: str,
    results: Sequence[dict[str, Any]],
    *,
    embedder: Embedder | None,
    evidence: dict[str, Any] | None = None,
) -> Analysis:
    question_terms = content_terms(question)
    first = (split_parts(question) or (question,))[0]  # a later part the book lacks is named, not abstained
    candidates = answering_candidates(question, build_candidates(results))
    aliases = _aliases(question, results, evidence)
    embedded = await embed(embedder, question, [c.whole or c.text for c in candidates])
    vectors: np.ndarray | None = None
    if embedded is not None:
        query, vectors = embedded
        if (about_passage := await _with_passage(embedder, question_terms, candidates, question)) is not None:
            query = about_passage
        semantic = np.clip(vectors @ query, 0.0, 1.0)
    else:
        semantic = np.asarray(
            [term_cosine(question_terms, content_terms(c.whole) if c.whole else c.terms) for c in candidates],
            dtype=np.float32,
        )
    total = score_candidates(question, question_terms, candidates, semantic, term_weights(evidence), aliases)
    # Whether the book covers the question is judged on what the sentences say themselves: a lead-in
    # ending with a colon is matched with its items (`Candidate.whole`), which would weigh the list twice.
    said = np.asarray([not c.opens_list for c in candidates], dtype=bool)
    own_semantic, own_total = semantic[said], total[said]
    features: dict[str, Any] = {
        "best_dense": best_dense(results),
        "best_sentence_sim": float(own_semantic.max()) if own_semantic.size else 0.0,
        "coverage": coverage(question, question_terms, results),
        "lexical_present": lexical_present(results),
        "margin": margin(own_total),
        "term_coverage": idf_term_coverage(evidence),
        "unknown_specific": unknown_specific_term(evidence),
        "missing_specificity": missing_specificity(question, top_terms(question, results)),
        "answer_type_missing": answer_type_missing(question, results),
        "name_missing": name_missing(first, question_intent(first).kind, results, evidence),
        "asked_kind_unknown": asked_kind_unknown(question, evidence),
        "object_missing": object_missing(question, evidence),
        "n_candidates": int(said.sum()),
        "question_terms": len(question_terms),
        "selection_mode": any(r.get("source") == "selection" for r in results),
        "semantic_scorer": "embedding" if vectors is not None else "lexical",
    }
    return Analysis(question_terms, candidates, semantic, total, vectors, features)


async def _with_passage(
    embedder: Embedder | None, question_terms: frozenset[str], candidates: list[Candidate], question: str
) -> np.ndarray | None:
    """About a highlighted passage, a question without content words ("Give an example of this.", "Why
    would this be true?") says nothing of what "this" is: sentences are compared with the question and
    the passage together, as the search looked for both. None: the question alone ("What feedback does
    the gripper send for this?")."""
    passage = " ".join(c.text for c in candidates if c.source == "selection" and c.kind == "sentence")
    if embedder is None or not passage:
        return None
    if question_terms - ABOUT_THE_PASSAGE:
        return None
    return np.asarray(await embedder.embed_query(f"{question}\n{passage[:PASSAGE_QUERY_CHARS]}"), dtype=np.float32)


def answering_candidates(question: str, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates, less the sentences introducing a code block under a heading (`describes_code`)
    unless the question asks what that heading names ("What is inverse kinematics?") or asks for a number
    the line states ("How long is the course?" of "organised into 6 modules over 13 weeks:" before a
    diagram): elsewhere such a short line outranks the passages that explain. The later stanzas of a long
    listing only when the question asks how something works (`excerpts.ANSWERING_EXCERPTS_PER_BLOCK`).
    Asked what X is, a glossary
    line defining a longer term is left out when another sentence defines X itself."""
    subject = definition_subject(question)
    intent = question_intent(question)
    counted = intent.kind == "number"
    stanzas = None if asks_mechanism(question, intent) else ANSWERING_EXCERPTS_PER_BLOCK
    kept = [
        c
        for c in candidates
        if (not c.describes_code or (subject and subject <= c.heading) or (counted and has_number(c.text)))
        and (stanzas is None or c.stanza < stanzas)
    ]
    other = [defines_another_term(c.text, subject) for c in kept]
    if not any(not o and definition_strength(c.text, subject) > 0 for c, o in zip(kept, other, strict=True)):
        return kept
    return [c for c, o in zip(kept, other, strict=True) if not o]


async def features(
    question: str,
    results: Sequence[dict[str, Any]],
    *,
    embedder: Embedder | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The abstention signals for one question (used by the evals harness to calibrate)."""
    return (await analyse(question, results, embedder=embedder, evidence=evidence)).features


def _aliases(question: str, results: Sequence[dict[str, Any]], evidence: dict[str, Any] | None) -> Aliases:
    """The acronyms the question names that the book defines (the search's `evidence`) or the retrieved
    sections define themselves."""
    given = (evidence or {}).get("aliases") or []
    book = Aliases.of((str(p[0]), str(p[1])) for p in given if isinstance(p, list | tuple) and len(p) == 2)
    return (book | Aliases.learn(str(r.get("text", "")) for r in results)).named_in_text(question)
