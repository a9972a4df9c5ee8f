"""Hybrid search latency at 1k, 10k and 100k chunks, query embedding included.

A synthetic robotics-like corpus (benchmarks/synthetic_corpus.py) is COPYed into a fresh Postgres
database and upserted into a fresh Qdrant Edge store, growing 1k -> 10k -> 100k. At each size, ~100
realistic questions are run (after a short warm-up) through:
  * embed     : the real MiniLM query embedding alone;
  * dense     : embed_query + QdrantEdgeStore.search (book + language filter, 40 candidates);
  * full-text : LexicalSearch.search alone (its own session, 40 candidates);
  * hybrid    : HybridSearcher.search (embedding + Qdrant + Postgres FTS + fetch + fuse), k=8.
Besides latency, each mode reports CPU per query of this process (encoder threads and Qdrant Edge
included) and of the database's Postgres backends: these depend much less on machine load than wall time.
At the largest size the full-text SQL is EXPLAIN ANALYZEd to see whether the GIN index is used.

Run: python -m benchmarks.search_latency [--sizes 1000,10000,100000] [--json out.json]
    [--modes fulltext,hybrid] [--keep]
--modes times only those modes. --keep loads each size into its own database (`bench_search_keep_<size>`)
and data dir (/tmp/booktutor-search-keep-<size>), kept afterwards; the next --keep run reuses a size
already loaded instead of loading it again (100k chunks take minutes), so a change to the search can be
A/B-measured in the same minutes. Drop them with --drop-kept.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psutil

from benchmarks import synthetic_corpus as sc
from benchmarks._common import PG_HOST, PG_USER, _psql, bench_database, make_settings, summary_ms, temp_dir

SIZES = (1_000, 10_000, 100_000)
MODES = ("embed", "dense", "fulltext", "hybrid")
KEEP_PREFIX = "bench_search_keep_"
GOALS_P95_MS = {10_000: 30.0, 100_000: 100.0}
WARMUP = 5
UPSERT_BATCH = 2048
TIME_BUDGET_PER_MODE_S = 20.0  # slow modes at 100k get fewer samples (n is reported)


async def _timed(fn, questions: list[str], cpu_clock) -> dict:
    """Latency percentiles of `fn` over the questions, and CPU per query: this process's and Postgres's."""
    deadline = time.perf_counter() + TIME_BUDGET_PER_MODE_S / 5
    for q in questions[-WARMUP:]:
        await fn(q)
        if time.perf_counter() > deadline:
            break
    out = []
    deadline = time.perf_counter() + TIME_BUDGET_PER_MODE_S
    cpu, pg_cpu = time.process_time(), await cpu_clock()
    for q in questions:
        started = time.perf_counter()
        await fn(q)
        out.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    app_ms = (time.process_time() - cpu) * 1000 / len(out)
    pg_ms = (await cpu_clock() - pg_cpu) * 1000 / len(out)
    return {**summary_ms(out), "cpu_ms": app_ms, "pg_cpu_ms": pg_ms}


def postgres_cpu_clock(raw):
    """CPU seconds (user + system) of the benchmark database's Postgres backends, read from /proc."""

    async def clock() -> float:
        pids = [r[0] for r in await raw.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
        total = 0.0
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                total += sum(psutil.Process(pid).cpu_times()[:2])
        return total

    return clock


async def _capture_fulltext_sql(services, question: str):
    """The exact SQL and parameters LexicalSearch.search sends, for EXPLAIN."""
    from booktutor.memory.database import raw_connection
    from booktutor.retrieval.lexical import LexicalSearch

    captured = {}
    async with raw_connection(services.db) as conn:

        class Spy:  # the connection, recording the first statement the search sends
            def __getattr__(self, name):
                return getattr(conn, name)

            async def fetch(self, sql, *args):
                captured.setdefault("sql", sql)
                captured.setdefault("args", args)
                return await conn.fetch(sql, *args)

        await LexicalSearch(Spy()).search(question, limit=40, book_id=sc.BOOK_ID, language="en")
    return captured["sql"], captured["args"]


async def _explain(services, question: str) -> str:
    from booktutor.memory.database import raw_connection

    sql, args = await _capture_fulltext_sql(services, question)
    async with raw_connection(services.db) as conn:
        rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
    return "\n".join(r[0] for r in rows)


async def run(sizes=SIZES, modes=MODES, keep: bool = False) -> dict:
    from booktutor.providers.embeddings import LocalOnnxEmbedder

    embedder = LocalOnnxEmbedder(batch_size=64)
    await embedder.embed_query("warm up")
    base = sc.base_texts()
    started = time.perf_counter()
    base_vectors = np.asarray(await embedder.embed_documents([t for _, t in base]), dtype=np.float32)
    base_embed_s = time.perf_counter() - started
    factory = sc.VectorFactory([t for t, _ in base], base_vectors)
    questions = sc.questions(100)
    results = {
        "base_texts": len(base),
        "base_embed_s": base_embed_s,
        "questions": len(questions),
        "sizes": [],
        "goals_p95_ms": GOALS_P95_MS,
        "modes": list(modes),
        "kept_corpus": keep,
    }
    if keep:
        for size in sizes:
            with _kept_database(size) as (url, data_dir, loaded):
                await _measure(url, data_dir, [size], loaded, embedder, factory, questions, modes, results)
    else:
        with bench_database("search") as url, temp_dir("search") as data_dir:
            await _measure(url, data_dir, sizes, 0, embedder, factory, questions, modes, results)
    results["loadavg_end"] = os.getloadavg()
    return results


@contextlib.contextmanager
def _kept_database(size: int) -> Iterator[tuple[str, Path, int]]:
    """(url, data dir, chunks already loaded) of the kept corpus of `size`, created when missing."""
    name = f"{KEEP_PREFIX}{size}"
    data_dir = Path(f"/tmp/booktutor-search-keep-{size}")
    done = data_dir / "loaded"
    if not done.exists():
        _psql(f'drop database if exists "{name}" with (force)')
        shutil.rmtree(data_dir, ignore_errors=True)
        _psql(f'create database "{name}"')
        data_dir.mkdir(parents=True)
    yield f"postgresql://{PG_USER}@{PG_HOST}:5432/{name}", data_dir, size if done.exists() else 0
    done.touch()


def drop_kept(sizes) -> None:
    for size in sizes:
        _psql(f'drop database if exists "{KEEP_PREFIX}{size}" with (force)')
        shutil.rmtree(f"/tmp/booktutor-search-keep-{size}", ignore_errors=True)


async def _measure(url, data_dir, sizes, loaded, embedder, factory, questions, modes, results) -> None:
    """Grow the corpus from `loaded` chunks to each size in turn and time the modes at each."""
    from booktutor.services import build_services

    services = await build_services(make_settings(url, data_dir))
    services.embedder = embedder
    services.searcher.embedder = embedder
    await services.store.ensure_collection(embedder.model_name, embedder.dimension)
    raw = await __import__("asyncpg").connect(url)
    try:
        for size in sizes:
            row = {"chunks": size, "pg_load_s": 0.0, "qdrant_load_s": 0.0, "modes": {}}
            if loaded < size:
                row["pg_load_s"], row["qdrant_load_s"] = await _load(services, raw, factory, loaded, size)
                loaded = size
            row.update(await _time_modes(services, raw, embedder, questions, modes))
            results["sizes"].append(row)
            _print_row(row)
        results["explain_question"] = questions[0]
        results["explain"] = await _explain(services, questions[0])
        results["gin_used"] = "ix_chunks_tsv" in results["explain"]
    finally:
        await raw.close()
        await services.close()


async def _load(services, raw, factory, start: int, size: int) -> tuple[float, float]:
    from booktutor.retrieval.types import VectorRecord

    t0 = time.perf_counter()
    chunks = await sc.load_postgres(raw, start, size)
    await raw.execute("ANALYZE")
    pg_load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in range(0, len(chunks), UPSERT_BATCH):
        batch = chunks[s : s + UPSERT_BATCH]
        vectors = factory.vectors(batch)
        await services.store.upsert(
            [
                VectorRecord(
                    chunk_id=sc.chunk_id(c.index),
                    vector=v.tolist(),
                    book_id=sc.BOOK_ID,
                    language=sc.LANGUAGE,
                    document_id=sc.document_id(c.index // sc.CHUNKS_PER_DOCUMENT),
                    doc_path=sc.doc_path(c.index // sc.CHUNKS_PER_DOCUMENT),
                    version=1,
                )
                for c, v in zip(batch, vectors, strict=True)
            ]
        )
    return pg_load_s, time.perf_counter() - t0


async def _time_modes(services, raw, embedder, questions, modes) -> dict:
    from booktutor.memory.database import raw_connection
    from booktutor.retrieval import lexeme_stats
    from booktutor.retrieval.lexical import LexicalSearch
    from booktutor.retrieval.search import SearchQuery
    from booktutor.retrieval.types import VectorFilter

    lexeme_stats.forget()  # the book's chunk count and lexeme counts are those of this size
    size = await services.store.count()
    flt = VectorFilter(book_id=sc.BOOK_ID, language="en")

    async def embed_only(q):
        await embedder.embed_query(q)

    async def dense(q):
        v = await embedder.embed_query(q)
        await services.store.search(v, 40, flt)

    async def fulltext(q):
        async with raw_connection(services.db) as conn:
            await LexicalSearch(conn).search(q, limit=40, book_id=sc.BOOK_ID, language="en")

    async def hybrid(q):
        await services.searcher.search(SearchQuery(text=q, k=8, book_id=sc.BOOK_ID, language="en"))

    fns = {"embed": embed_only, "dense": dense, "fulltext": fulltext, "hybrid": hybrid}
    timed = {name: await _timed(fns[name], questions, postgres_cpu_clock(raw)) for name in modes}
    async with raw_connection(services.db) as conn:
        hits = await LexicalSearch(conn).search(questions[0], limit=40, book_id=sc.BOOK_ID)
    q0_lexemes = await raw.fetchval("SELECT tsvector_to_array(to_tsvector('english', $1))", questions[0])
    matched = await raw.fetchval(
        "SELECT count(*) FROM chunks WHERE tsv @@ to_tsquery('simple', $1)", " | ".join(f"'{w}'" for w in q0_lexemes)
    )
    return {
        "qdrant_points": size,
        "modes": timed,
        "fulltext_rows_matching_q0": matched,
        "fulltext_hits_q0": len(hits),
        "loadavg": os.getloadavg(),
    }


def _print_row(row: dict) -> None:
    print(
        f"\n{row['chunks']} chunks (pg load {row['pg_load_s']:.1f}s, qdrant load {row['qdrant_load_s']:.1f}s, "
        f"q0 matches {row.get('fulltext_rows_matching_q0')} rows)"
    )
    for name, m in row["modes"].items():
        print(
            f"  {name:9s} n={m['n']:3d} p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  max {m['max']:7.1f} ms  "
            f"CPU/query: this process {m['cpu_ms']:6.1f} ms, Postgres {m['pg_cpu_ms']:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--keep", action="store_true", help="load each size once into a kept database, reuse it")
    parser.add_argument("--drop-kept", action="store_true", help="drop the kept databases of --sizes and exit")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    if args.drop_kept:
        drop_kept(sizes)
        return
    modes = tuple(m for m in args.modes.split(",") if m)
    assert set(modes) <= set(MODES), f"modes are {MODES}"
    result = asyncio.run(run(sizes, modes, keep=args.keep))
    print(f"\nGIN index used at {result['sizes'][-1]['chunks']}: {result['gin_used']}")
    print(result["explain"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
