"""Calibrate the global retrieval and abstention knobs on a dataset (docs/evals.md, "Calibration").

Retrieval: rank the dataset's questions with every FusionWeights/candidates setting of a small
grid and score hit@1/mrr@10. Abstention: compute the extractive answerer's abstention signals once
per case (the same search_book payload the tool returns) and replay `should_abstain` for a grid of
AbstentionPolicy settings. Only global knobs are searched; the chosen defaults must then be
confirmed with a full `booktutor eval run`.

    python -m booktutor.evals.calibrate --dataset FILE --corpus DIR --out DIR [--book-id ID]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from booktutor.config import Settings
from booktutor.evals.dataset import EvalCase, load_dataset
from booktutor.evals.metrics import dedupe, hit_at, mrr_at, relevant_ranks
from booktutor.evals.store import open_eval_store
from booktutor.extractive import AbstentionPolicy, features, should_abstain
from booktutor.retrieval.fusion import FusionWeights
from booktutor.retrieval.search import HybridSearcher
from booktutor.services import Services
from booktutor.tools.book import SELECTION_QUERY_CHARS, search_book_results
from booktutor.tools.context import ToolContext

LEXICAL = (0.3, 0.5, 0.7, 1.0, 1.3)
RRF_K = (5, 10, 20, 30, 60)
CANDIDATES = (20, 40, 80)
MIN_EVIDENCE = tuple(round(0.20 + 0.02 * i, 2) for i in range(16))
UNKNOWN_SPECIFICITY = (0.9, 0.95, 1.01)
UNKNOWN_DENSE_GATE = (0.4, 0.45, 0.5, 0.55, 0.6, 1.01)
WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5)
STRONG = (0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55)
MAX_FALSE_ABSTENTION = 0.05


def query_text(case: EvalCase) -> str:
    if case.mode == "selection":
        return f"{case.question}\n{case.selected_text[:SELECTION_QUERY_CHARS]}"
    return case.question


async def retrieval_scores(
    services: Services, cases: Sequence[EvalCase], book_id: str, weights: FusionWeights, candidates: int
) -> dict[str, float]:
    from booktutor.retrieval.search import SearchQuery

    searcher = HybridSearcher(
        services.db, services.store, services.embedder, weights=weights, candidates=candidates, default_language="en"
    )
    hits, rr = [], []
    for case in (c for c in cases if c.answerable):
        found = await searcher.search(SearchQuery(text=query_text(case), k=6, book_id=book_id))
        ranks = relevant_ranks(dedupe([h.doc_path for h in found.hits]), case.relevant)
        hits.append(hit_at(ranks, 1))
        rr.append(mrr_at(ranks, 10))
    return {"hit@1": sum(hits) / len(hits), "mrr@10": sum(rr) / len(rr)}


async def fusion_grid(services: Services, cases: Sequence[EvalCase], book_id: str) -> list[dict[str, Any]]:
    rows = []
    for lexical, k, candidates in itertools.product(LEXICAL, RRF_K, CANDIDATES):
        weights = FusionWeights(dense=1.0, lexical=lexical, k=k)
        scores = await retrieval_scores(services, cases, book_id, weights, candidates)
        rows.append({"lexical": lexical, "k": k, "candidates": candidates, **scores})
    return sorted(rows, key=lambda r: (r["mrr@10"], r["hit@1"]), reverse=True)


async def case_features(services: Services, cases: Sequence[EvalCase], book_id: str) -> list[dict[str, Any]]:
    """The abstention signals of every case, from the search_book payload of the live searcher."""
    rows = []
    for case in cases:
        ctx = ToolContext(
            services=services, user_id=None, book_id=book_id, mode=case.mode, selected_text=case.selected_text
        )
        payload = await search_book_results(ctx, case.question)
        signals = await features(
            case.question, payload["results"], embedder=services.embedder, evidence=payload.get("evidence")
        )
        rows.append({"id": case.id, "answerable": case.answerable, **signals})
    return rows


def abstention_rates(rows: Sequence[dict[str, Any]], policy: AbstentionPolicy) -> dict[str, float]:
    unanswerable = [should_abstain(r, policy) for r in rows if not r["answerable"]]
    answerable = [should_abstain(r, policy) for r in rows if r["answerable"]]
    return {
        "abstention_accuracy": sum(unanswerable) / max(1, len(unanswerable)),
        "false_abstention_rate": sum(answerable) / max(1, len(answerable)),
    }


def policy_grid() -> list[AbstentionPolicy]:
    """Weights of the signals that separated answerable from unanswerable questions; the sentence
    and lexical-presence signals never helped on the development sets and stay at 0."""
    policies = []
    for dense, coverage, term_coverage, strong in itertools.product(WEIGHTS, WEIGHTS, WEIGHTS, STRONG):
        if dense + coverage + term_coverage == 0:
            continue
        base = AbstentionPolicy(
            dense_weight=dense,
            sentence_weight=0.0,
            coverage_weight=coverage,
            lexical_weight=0.0,
            term_coverage_weight=term_coverage,
            strong_sentence_similarity=strong,
        )
        policies += [
            replace(base, min_evidence=t, max_unknown_specificity=u, unknown_term_dense_gate=g)
            for t in MIN_EVIDENCE
            for u in UNKNOWN_SPECIFICITY
            for g in UNKNOWN_DENSE_GATE
        ]
    return policies


def best_policies(rows: Sequence[dict[str, Any]], top: int = 10) -> list[dict[str, Any]]:
    """Policies with false abstention ≤ 5 %, best abstention accuracy first, then widest margin."""
    scored = []
    for policy in policy_grid():
        rates = abstention_rates(rows, policy)
        if rates["false_abstention_rate"] <= MAX_FALSE_ABSTENTION:
            scored.append({**asdict(policy), **rates})
    scored.sort(key=lambda r: (r["abstention_accuracy"], -r["false_abstention_rate"]), reverse=True)
    return scored[:top]


async def calibrate(dataset: Path, corpus: Path, out: Path, book_id: str, with_fusion: bool = True) -> dict[str, Any]:
    cases = load_dataset(dataset)
    async with open_eval_store(corpus, out, book_id, Settings().database_url) as (services, _):
        fusion = await fusion_grid(services, cases, book_id) if with_fusion else []
        rows = await case_features(services, cases, book_id)
    return {
        "current_policy": {**asdict(AbstentionPolicy()), **abstention_rates(rows, AbstentionPolicy())},
        "fusion": fusion[:10],
        "policies": best_policies(rows),
        "features": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("eval-out"))
    parser.add_argument("--book-id")
    parser.add_argument("--skip-fusion", action="store_true", help="only the abstention policy")
    args = parser.parse_args()
    book_id = args.book_id or args.corpus.resolve().name
    result = asyncio.run(calibrate(args.dataset, args.corpus, args.out, book_id, not args.skip_fusion))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("current_policy", "fusion", "policies")}, indent=2, default=str))


if __name__ == "__main__":
    main()
