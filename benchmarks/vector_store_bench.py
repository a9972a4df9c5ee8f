"""Search latency of the Qdrant Edge store: p50/p95 at 1k and 10k points with a payload filter.

Run: python benchmarks/vector_store_bench.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore
from booktutor.retrieval.types import VectorFilter, VectorRecord

DIMENSION = 384
BATCH = 256
QUERIES = 300


def _records(count: int, rng: np.random.Generator) -> list[VectorRecord]:
    vectors = rng.standard_normal((count, DIMENSION)).astype(np.float32)
    return [
        VectorRecord(
            chunk_id=uuid.uuid4(),
            vector=vector.tolist(),
            book_id=f"book-{i % 3}",
            language="en" if i % 2 else "ur",
            document_id=uuid.UUID(int=i % 100),
            doc_path=f"chapter-{i % 100}.md",
            version=1,
        )
        for i, vector in enumerate(vectors)
    ]


async def _bench(count: int, root: Path) -> None:
    rng = np.random.default_rng(7)
    store = QdrantEdgeStore(root / str(count), "bench")
    await store.ensure_collection("bench", DIMENSION)
    records = _records(count, rng)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        await store.upsert(records[start : start + BATCH])
    upsert_s = time.perf_counter() - started
    flt = VectorFilter(book_id="book-1", language="en")
    timings = []
    for query in rng.standard_normal((QUERIES, DIMENSION)).tolist():
        started = time.perf_counter()
        await store.search(query, 10, flt)
        timings.append((time.perf_counter() - started) * 1000)
    await store.close()
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"{count:>6} points  upsert {upsert_s:.2f}s  search p50 {p50:.3f} ms  p95 {p95:.3f} ms")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for count in (1_000, 10_000):
            await _bench(count, Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
