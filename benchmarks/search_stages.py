"""Where a hybrid search's time goes: per stage, wall time, event-loop CPU and Postgres CPU.

Runs `HybridSearcher.search` over the search benchmark's questions on a corpus that
`python -m benchmarks.search_latency --keep --sizes SIZE` loaded and kept, and attributes each query's time
to its stages: the query embedding, the Qdrant Edge search, and every SQL statement by name. Per stage:
calls per query, wall ms (stages overlap: the embedding and Qdrant run beside the full text), CPU ms of
the event-loop thread (Python, SQLAlchemy, asyncpg; the embedding's is the whole process's while it runs,
which includes the loop's meanwhile) and CPU ms of the database's Postgres backends (from
/proc/<pid>/schedstat, nanoseconds, so single statements count). The query embedding is not cached, as
in search_latency.

Run: python -m benchmarks.search_stages [--size 10000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks import synthetic_corpus as sc
from benchmarks._common import PG_HOST, PG_USER, make_settings
from benchmarks.search_latency import KEEP_PREFIX


class Stages:
    """Totals per stage: [wall s, CPU s, Postgres CPU s, calls]."""

    def __init__(self, backends: Callable[[], int]) -> None:
        self.backends = backends
        self.totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])

    async def timed(self, name: str, call: Awaitable[Any], clock: Callable[[], float] = time.thread_time) -> Any:
        wall, cpu, pg = time.perf_counter(), clock(), self.backends()
        try:
            return await call
        finally:
            total = self.totals[name]
            total[0] += time.perf_counter() - wall
            total[1] += clock() - cpu
            total[2] += (self.backends() - pg) / 1e9
            total[3] += 1


def _backend_ns(pids: list[int]) -> Callable[[], int]:
    def read() -> int:
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass
        return total

    return read


def _statement_names() -> dict[int, str]:
    from booktutor.retrieval import lexeme_stats, lexical

    names = {id(sql): f"full text: {match}" for match, sql in lexical._FULLTEXT_SQL.items()}
    names[id(lexical._STRICT_AND_LEXEMES_SQL)] = "full text: strict + lexemes"
    names[id(lexical._HEADLINES_SQL)] = "headlines"
    names[id(lexical._CUSTOM_PLANS)] = "SET plan_cache_mode"
    names[id(lexeme_stats._COUNT_SQL)] = "lexeme counts"
    names[id(lexeme_stats._TOTAL_SQL)] = "book size"
    return names


async def measure(size: int, rounds: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    import asyncpg
    from asyncpg.connection import Connection

    from booktutor.providers.embeddings import LocalOnnxEmbedder
    from booktutor.retrieval.search import SearchQuery
    from booktutor.services import build_services

    url = f"postgresql://{PG_USER}@{PG_HOST}:5432/{KEEP_PREFIX}{size}"
    data_dir = Path(f"/tmp/booktutor-search-keep-{size}")
    if not (data_dir / "loaded").exists():
        raise SystemExit(f"no kept corpus of {size}: run python -m benchmarks.search_latency --keep --sizes {size}")
    embedder = LocalOnnxEmbedder(batch_size=64)
    services = await build_services(make_settings(url, data_dir))
    services.searcher.embedder = embedder
    raw = await asyncpg.connect(url)
    questions = sc.questions(100)
    query = lambda q: SearchQuery(text=q, k=8, book_id=sc.BOOK_ID, language="en")  # noqa: E731
    for q in questions:  # a server's state: the lexeme counts of the questions' words cached
        await services.searcher.search(query(q))
    others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    stages = Stages(_backend_ns([row[0] for row in await raw.fetch(others)]))
    names = _statement_names()
    originals = {method: getattr(Connection, method) for method in ("fetch", "fetchrow", "fetchval", "execute")}
    search_store, embed_query = services.store.search, embedder.embed_query

    def spying(method: str) -> Callable[..., Any]:
        async def spy(self: Connection, statement: str, *args: Any, **kwargs: Any) -> Any:
            name = names.get(id(statement)) or ("chunk rows" if "ch.text" in statement else "other SQL")
            return await stages.timed(name, originals[method](self, statement, *args, **kwargs))

        return spy

    for method in originals:
        setattr(Connection, method, spying(method))
    services.store.search = lambda *a, **k: stages.timed("Qdrant Edge search", search_store(*a, **k))  # type: ignore[method-assign]
    embedder.embed_query = lambda text: stages.timed("query embedding", embed_query(text), time.process_time)  # type: ignore[method-assign]
    try:
        loop_cpu, process_cpu, pg, n = time.thread_time(), time.process_time(), stages.backends(), 0
        for _ in range(rounds):
            for q in questions:
                await stages.timed("hybrid search, all of it", services.searcher.search(query(q)))
                n += 1
        totals = {
            "queries": n,
            "loop_cpu_ms": (time.thread_time() - loop_cpu) * 1000 / n,
            "process_cpu_ms": (time.process_time() - process_cpu) * 1000 / n,
            "postgres_cpu_ms": (stages.backends() - pg) / 1e6 / n,
        }
    finally:
        for method, original in originals.items():
            setattr(Connection, method, original)
        await raw.close()
        await services.close()
    return stages.totals, totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the 100 questions")
    args = parser.parse_args()
    stages, totals = asyncio.run(measure(args.size, args.rounds))
    n = totals["queries"]
    print(
        f"{args.size} chunks, {n} queries, load {os.getloadavg()[0]:.1f}: CPU per query: event loop "
        f"{totals['loop_cpu_ms']:.2f} ms, whole process {totals['process_cpu_ms']:.2f} ms, "
        f"Postgres {totals['postgres_cpu_ms']:.2f} ms"
    )
    print(f"{'stage':34s} {'calls/q':>7s} {'wall ms':>8s} {'CPU ms':>7s} {'Postgres ms':>11s}")
    for name, (wall, cpu, pg, calls) in sorted(stages.items(), key=lambda item: -item[1][0]):
        print(f"{name:34s} {calls / n:7.2f} {wall * 1000 / n:8.2f} {cpu * 1000 / n:7.2f} {pg * 1000 / n:11.2f}")


if __name__ == "__main__":
    main()
