"""Weighted reciprocal rank fusion of ranked lists, and the weight of what a chunk is for."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class FusionWeights:
    # Calibrated jointly on the project's and the development corpus's datasets with chunks
    # sized for the encoder (docs/evals.md): a small k trusts the top of each list, and the dense
    # list leads.
    dense: float = 1.0
    lexical: float = 0.3
    k: int = 5
    # The purpose factors (benchmarks/retrieval_evidence.py --grid, all three development books, docs/evals.md)
    # reorder the k sections the fused scores return (HybridSearcher._kept_rows), never push one out: 0.8 puts
    # the explaining section first where a key-terms block tied with it; 0.6 lowers the robotics book's hit@1.
    restating: float = 0.8
    """Factor on the score of a chunk that restates the book's terms in brief (key terms, glossary): it
    shares the question's words with the section that explains, and must not outrank it. A summary keeps
    its score: its sentences often answer as a whole (demoted, answers lost them)."""
    not_answer: float = 0.8
    """Factor on the score of a chunk that asks the learner to do something or points elsewhere
    (exercise, quiz, lab, objectives, navigation): still found, below the explanation."""
    rare: float = 1.0
    """Weight of the list of chunks holding two or more of the question's rare words (`LexicalSearch.rare_pairs`):
    as much as the encoder's list. Under the calibrated lexical weight the full text's best match alone counted
    less than the encoder's tenth, and a table row naming the question's distinctive words never got in."""
    code: float = 1.0
    """Factor on the score of a chunk that is mostly code. 0.8 ranked two more explaining sections first on the
    MDX book but moved sections that hold the evidence in code, and a relevant page, down: left neutral."""


# Chunk purposes as ingest stores them (booktutor.ingest.purpose; retrieval sits below ingest).
RESTATING = frozenset({"definition"})
NOT_ANSWER = frozenset({"exercise", "lab", "objectives", "navigation"})


@dataclass(slots=True)
class FusedCandidate:
    chunk_id: uuid.UUID
    score: float = 0.0
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None


def weighted_rrf(
    dense: Sequence[tuple[uuid.UUID, float]],
    lexical: Sequence[uuid.UUID],
    weights: FusionWeights,
    rare: Sequence[uuid.UUID] = (),
) -> list[FusedCandidate]:
    """score = w_dense / (k + rank_dense) + w_lexical / (k + rank_lexical) + w_rare / (k + rank_rare), ranks
    from 1; only the first `RARE_MATCHES` chunks of the rare-word list count."""
    fused: dict[uuid.UUID, FusedCandidate] = {}
    for rank, (chunk_id, cosine) in enumerate(dense, start=1):
        candidate = fused.setdefault(chunk_id, FusedCandidate(chunk_id))
        candidate.dense_rank, candidate.dense_score = rank, cosine
        candidate.score += weights.dense / (weights.k + rank)
    for rank, chunk_id in enumerate(lexical, start=1):
        candidate = fused.setdefault(chunk_id, FusedCandidate(chunk_id))
        candidate.lexical_rank = rank
        candidate.score += weights.lexical / (weights.k + rank)
    for rank, chunk_id in enumerate(rare[:RARE_MATCHES], start=1):
        candidate = fused.setdefault(chunk_id, FusedCandidate(chunk_id))
        candidate.score += weights.rare / (weights.k + rank)
    return sorted(fused.values(), key=lambda c: c.score, reverse=True)


RARE_MATCHES = 3
"""Full text that finds this few chunks has found the only passages naming a rare word of the question
("What is backlash?"): the encoder does not know such a word, and its nearest chunks hold none of them."""


def weights_for_matches(lexical_matches: int, weights: FusionWeights) -> FusionWeights:
    """The fusion weights for a search whose full text matched `lexical_matches` chunks: a rare word's few
    passages count as much as the encoder's list; otherwise the calibrated weights."""
    if 0 < lexical_matches <= RARE_MATCHES:
        return replace(weights, lexical=weights.dense)
    return weights


def weights_for_encoder(weights: FusionWeights, encoder_reads_question: bool) -> FusionWeights:
    """A question in a language the encoder was not trained on (Urdu, with the bundled English encoder)
    gets near-random vectors: its dense list is little better than chance, so the full-text list leads."""
    return weights if encoder_reads_question else replace(weights, dense=weights.lexical, lexical=weights.dense)


def purpose_factor(purpose: str, weights: FusionWeights) -> float:
    if purpose in RESTATING:
        return weights.restating
    if purpose in NOT_ANSWER:
        return weights.not_answer
    return weights.code if purpose == "code" else 1.0


def weigh_purposes(
    candidates: Sequence[FusedCandidate], purposes: Mapping[uuid.UUID, str], weights: FusionWeights
) -> list[FusedCandidate]:
    """The candidates reordered with each score times its chunk's purpose factor (a stable sort: ties
    keep the fused order); a candidate without a known purpose keeps its score."""
    for candidate in candidates:
        candidate.score *= purpose_factor(purposes.get(candidate.chunk_id, ""), weights)
    return sorted(candidates, key=lambda c: c.score, reverse=True)
