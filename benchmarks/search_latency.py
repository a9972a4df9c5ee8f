"""Hybrid search latency at 1k, 10k and 100k chunks, query embedding included.

A synthetic robotics-like corpus (benchmarks/synthetic_corpus.py) is COPYed into a fresh Postgres
database and upserted into a fresh Qdrant Edge store, growing 1k -> 10k -> 100k. At each size, ~100
realistic questions are run (after a short warm-up) through:
  * embed     : the real MiniLM query embedding alone;
  * dense     : embed_query + QdrantEdgeStore.search (book + language filter, 40 candidates);
  * full-text : BookRepository.fulltext_search alone (its own session, 40 candidates);
  * hybrid    : HybridSearcher.search (embedding + Qdrant + Postgres FTS + fetch + fuse), k=8.
At the largest size the full-text SQL is EXPLAIN ANALYZEd to see whether the GIN index is used.

Run: python -m benchmarks.search_latency [--sizes 1000,10000,100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import numpy as np

from benchmarks import synthetic_corpus as sc
from benchmarks._common import bench_database, make_settings, summary_ms, temp_dir

SIZES = (1_000, 10_000, 100_000)
GOALS_P95_MS = {10_000: 30.0, 100_000: 100.0}
WARMUP = 5
UPSERT_BATCH = 2048
TIME_BUDGET_PER_MODE_S = 20.0  # slow modes at 100k get fewer samples (n is reported)


async def _timed(fn, questions: list[str]) -> list[float]:
    deadline = time.perf_counter() + TIME_BUDGET_PER_MODE_S / 5
    for q in questions[-WARMUP:]:
        await fn(q)
        if time.perf_counter() > deadline:
            break
    out = []
    deadline = time.perf_counter() + TIME_BUDGET_PER_MODE_S
    for q in questions:
        started = time.perf_counter()
        await fn(q)
        out.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return out


def _print_row(row: dict) -> None:
    print(f"\n{row['chunks']} chunks (pg load {row['pg_load_s']:.1f}s, qdrant load {row['qdrant_load_s']:.1f}s, "
          f"q0 matches {row.get('fulltext_rows_matching_q0')} rows)")
    for name, m in row["modes"].items():
        print(f"  {name:9s} n={m['n']:3d} p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  max {m['max']:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(tuple(int(s) for s in args.sizes.split(","))))
    print(f"\nGIN index used at {result['sizes'][-1]['chunks']}: {result['gin_used']}")
    print(result["explain"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
