"""Does retrieval hand the answerer the section that holds the evidence? Per answerable case:

  * ``doc_rank``: rank of the first search_book result from a relevant doc (the evals' doc level);
  * ``evidence_rank``: rank of the first result whose section holds an evidence quote (cases with
    ``evidence``), found through the sections' full texts, so a result cut short still counts;
  * ``in_context``: an evidence quote is (nearly) in the text the answerer reads (the payload's
    results, the selection included).

The payload is the search_book tool's (search_book_results), over the corpus's eval store (the
same one `booktutor eval run --out DIR` uses, so the ingest is shared).

Run: python -m benchmarks.retrieval_evidence --dataset FILE --corpus DIR --out DIR [--book-id ID] [--json F]
     [--grid restating,not_answer,code ...]  (also score these FusionWeights purpose factors, one line each)
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from booktutor.config import Settings
from booktutor.evals.answer_metrics import near_contains, normalise
from booktutor.evals.dataset import EvalCase, load_dataset
from booktutor.evals.store import SectionTexts, open_eval_store, section_texts
from booktutor.retrieval.search import HybridSearcher
from booktutor.services import Services
from booktutor.tools.book import search_book_results
from booktutor.tools.context import Source, ToolContext

SECTION_SHARE = 0.8
"""A section holds a quote when it has it verbatim or this share of its content words."""


def _anchor(url: str) -> str:
    return url.split("#", 1)[1] if "#" in url else ""


def evidence_sections(sections: SectionTexts, evidence: Sequence[str]) -> set[tuple[str, str]]:
    """The (doc_path, anchor) of every section holding an evidence quote."""
    quotes = [normalise(q) for q in evidence if q.strip()]
    found = {key for key, text in sections.items() if any(q and q in normalise(text) for q in quotes)}
    if found:
        return found
    return {key for key, text in sections.items() if any(near_contains(text, q, SECTION_SHARE) for q in evidence)}


def result_sections(result: Source, sources: dict[int, Source]) -> set[tuple[str, str]]:
    keys = {(result["doc_path"], _anchor(result["anchor_url"]))}
    for ref in result.get("sections", []):
        extra = sources.get(int(ref["n"]))
        if extra is not None:
            keys.add((extra["doc_path"], _anchor(extra["anchor_url"])))
    return keys


def doc_recall(results: Sequence[Source], relevant: Sequence[str], k: int) -> float:
    """Share of the relevant docs among the first k distinct docs of the results (the evals' recall@k)."""
    docs = list(dict.fromkeys(r["doc_path"] for r in results))[:k]
    return len(set(docs) & set(relevant)) / len(set(relevant)) if relevant else 0.0


def first_rank(ranked: Sequence[bool]) -> int | None:
    return next((i for i, ok in enumerate(ranked, start=1) if ok), None)


async def case_row(ctx: ToolContext, case: EvalCase, sections: SectionTexts) -> dict[str, Any]:
    payload = await search_book_results(ctx, case.question)
    results: list[Source] = payload["results"]
    book = [r for r in results if r["source"] == "book"]
    wanted = evidence_sections(sections, case.evidence) if case.evidence else set()
    context = "\n\n".join(r["text"] for r in results)
    return {
        "id": case.id,
        "mode": case.mode,
        "question": case.question,
        "doc_rank": first_rank([r["doc_path"] in case.relevant for r in book]),
        "recall@5": doc_recall(book, case.relevant, 5),
        "evidence_rank": first_rank([bool(result_sections(r, ctx.sources) & wanted) for r in book])
        if case.evidence
        else None,
        "in_context": any(near_contains(context, q) for q in case.evidence) if case.evidence else None,
        "results": [f"{r['doc_path']}#{_anchor(r['anchor_url'])} [{r.get('purpose', 'exposition')}]" for r in book],
        "evidence_sections": sorted(f"{p}#{a}" for p, a in wanted),
    }


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    docs = [r["doc_rank"] for r in rows]
    ev = [r for r in rows if r["evidence_rank"] is not None or r["in_context"] is not None]
    return {
        "cases": len(rows),
        "doc_hit@1": share([d == 1 for d in docs]),
        "doc_hit@5": share([d is not None and d <= 5 for d in docs]),
        "doc_mrr": round(sum(1 / d for d in docs if d) / max(1, len(docs)), 3),
        "doc_recall@5": round(sum(r["recall@5"] for r in rows) / max(1, len(rows)), 3),
        "evidence_cases": len(ev),
        "evidence_hit@1": share([r["evidence_rank"] == 1 for r in ev]),
        "evidence_hit@3": share([r["evidence_rank"] is not None and r["evidence_rank"] <= 3 for r in ev]),
        "evidence_found": share([r["evidence_rank"] is not None for r in ev]),
        "evidence_in_context": share([bool(r["in_context"]) for r in ev]),
    }


async def measure(
    dataset: Path,
    corpus: Path,
    out: Path,
    book_id: str,
    grid: Sequence[tuple[float, ...]] = (),
    factors: tuple[float, ...] | None = None,
) -> dict[str, Any]:
    cases = [c for c in load_dataset(dataset) if c.answerable]
    async with open_eval_store(corpus, out, book_id, Settings().database_url) as (services, _):
        sections = await section_texts(services)
        default = services.searcher
        if factors:
            services.searcher = _with_factors(services, default, factors)
        rows = await _rows(services, cases, book_id, sections)
        swept = {}
        for setting in grid:
            services.searcher = _with_factors(services, default, setting)
            swept[",".join(map(str, setting))] = summarise(await _rows(services, cases, book_id, sections))
        services.searcher = default
    return {"summary": summarise(rows), "grid": swept, "cases": rows}


def _with_factors(services: Services, default: HybridSearcher, factors: Sequence[float]) -> HybridSearcher:
    restating, not_answer, code = factors
    weights = replace(default.weights, restating=restating, not_answer=not_answer, code=code)
    return HybridSearcher(services.db, services.store, services.embedder, weights=weights, default_language="en")


async def _rows(services: Services, cases: Sequence[EvalCase], book_id: str, sections: SectionTexts) -> list[Any]:
    rows = []
    for case in cases:
        ctx = ToolContext(
            services=services, user_id=None, book_id=book_id, mode=case.mode, selected_text=case.selected_text
        )
        rows.append(await case_row(ctx, case, sections))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the eval store's folder (as eval run --out)")
    parser.add_argument("--book-id", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write every case's row here")
    parser.add_argument("--grid", nargs="*", default=[], help="restating,not_answer,code purpose factors to sweep")
    parser.add_argument("--factors", default=None, help="restating,not_answer,code for the per-case rows")
    args = parser.parse_args()
    grid = [tuple(float(x) for x in g.split(",")) for g in args.grid]
    factors = tuple(float(x) for x in args.factors.split(",")) if args.factors else None
    book_id = args.book_id or args.corpus.resolve().name
    result = asyncio.run(measure(args.dataset, args.corpus, args.out, book_id, grid, factors))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    for row in result["cases"]:
        if row["evidence_rank"] != 1 or row["doc_rank"] != 1 or row["in_context"] is False:
            print(row["id"], row["doc_rank"], row["evidence_rank"], row["in_context"], row["question"][:70])
    print(json.dumps(result["summary"]))
    for setting, summary in result["grid"].items():
        print(setting, json.dumps(summary))


if __name__ == "__main__":
    main()
