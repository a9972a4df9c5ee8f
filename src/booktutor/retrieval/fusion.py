"""Weighted reciprocal rank fusion of ranked lists."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FusionWeights:
    # Calibrated jointly on the project's and the development corpus's datasets with chunks
    # sized for the encoder (docs/evals.md): a small k trusts the top of each list, and the dense
    # list leads.
    dense: float = 1.0
    lexical: float = 0.3
    k: int = 5


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
) -> list[FusedCandidate]:
    """score = w_dense / (k + rank_dense) + w_lexical / (k + rank_lexical), ranks from 1."""
    fused: dict[uuid.UUID, FusedCandidate] = {}
    for rank, (chunk_id, cosine) in enumerate(dense, start=1):
        candidate = fused.setdefault(chunk_id, FusedCandidate(chunk_id))
        candidate.dense_rank, candidate.dense_score = rank, cosine
        candidate.score += weights.dense / (weights.k + rank)
    for rank, chunk_id in enumerate(lexical, start=1):
        candidate = fused.setdefault(chunk_id, FusedCandidate(chunk_id))
        candidate.lexical_rank = rank
        candidate.score += weights.lexical / (weights.k + rank)
    return sorted(fused.values(), key=lambda c: c.score, reverse=True)
