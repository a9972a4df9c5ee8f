"""Where a default answer's CPU goes: `make run`'s configuration in this process, sequential runs.

The bundled sample book is ingested (`booktutor ingest --sample`) into a fresh Postgres database and data
dir, then the real app (offline extractive answerer, bundled all-MiniLM-L6-v2 on ONNX Runtime, Qdrant
Edge, persistence on) answers the bundled evaluation set's questions through httpx's ASGI transport (no
sockets), each question new to the query cache as in benchmarks/answer_latency.py. Reports CPU and wall
time per answer (process CPU includes ONNX Runtime's threads; Postgres runs in its own processes and is
not counted), CPU per phase (wrapped methods: query embedding, Qdrant search, full-text, hybrid search as
a whole, term evidence, composing the answer), and the top functions by own and cumulative time.

CPU time per answer does not depend on machine load the way wall time does, so it is the number to
compare between changes on a shared machine.

The timed answers run without a profiler; then `--profiled-runs` more run under cProfile, timed with
the event-loop thread's CPU clock (so waiting and other processes do not count; the encoder's worker
thread is not in it; cProfile inflates Python-heavy code about twofold, so its times are relative).

Run: python -m benchmarks.answer_profile [--runs 60] [--profiled-runs 20] [--no-profile] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import os
import pstats
import time
from collections import defaultdict
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from benchmarks._common import SAMPLE_BOOK_ID, agent_run_body, bench_database, make_settings, pct, temp_dir
from benchmarks.answer_latency import ingest_sample, questions

WARMUP = 5


class PhaseClock:
    """CPU (this thread's) and wall time spent inside wrapped coroutine methods, summed per phase.

    Thread CPU misses work a phase hands to worker threads (the ONNX encoder runs in one): the embed
    phase is therefore also timed with process CPU, which is exact for sequential runs."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, owner: object, method: str, phase: str) -> None:
        original = getattr(owner, method)

        @functools.wraps(original)
        async def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.cpu[phase] += time.process_time() - cpu
                self.wall[phase] += time.perf_counter() - wall
                self.calls[phase] += 1

        setattr(owner, method, timed)

    def per_answer(self, answers: int) -> dict[str, dict[str, float]]:
        return {
            phase: {
                "cpu_ms": self.cpu[phase] * 1000 / answers,
                "wall_ms": self.wall[phase] * 1000 / answers,
                "calls": self.calls[phase] / answers,
            }
            for phase in self.cpu
        }


def _instrument(clock: PhaseClock) -> None:
    from booktutor.extractive import compose as compose_module
    from booktutor.providers import extractive_model
    from booktutor.providers.embeddings import LocalOnnxEmbedder
    from booktutor.retrieval.lexical import LexicalSearch
    from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore
    from booktutor.retrieval.search import HybridSearcher

    clock.wrap(LocalOnnxEmbedder, "embed_query", "query embedding (ONNX, uncached)")
    clock.wrap(LocalOnnxEmbedder, "embed_queries", "question parts embedding (ONNX, one run a question)")
    clock.wrap(LocalOnnxEmbedder, "embed_documents", "sentence embedding (ONNX, uncached)")
    clock.wrap(QdrantEdgeStore, "search", "Qdrant Edge search")
    clock.wrap(LexicalSearch, "search", "full-text search (Postgres)")
    clock.wrap(LexicalSearch, "term_evidence", "term evidence (Postgres)")
    clock.wrap(HybridSearcher, "search", "hybrid search, all of it")
    clock.wrap(HybridSearcher, "_remember_sentence_vectors", "sentence vectors to the cache")
    clock.wrap(compose_module, "compose_answer", "compose the answer")
    extractive_model.compose_answer = compose_module.compose_answer  # the name the model calls


async def _ask(client: httpx.AsyncClient, question: str) -> None:
    response = await client.post("/api/v1/agent/run", json=agent_run_body(question, SAMPLE_BOOK_ID))
    if response.status_code != 200 or '"type":"RUN_FINISHED"' not in response.text:
        raise RuntimeError(f"run failed: {response.status_code} {response.text[-300:]}")


async def profile(url: str, data_dir: Path, runs: int, profiled_runs: int) -> dict:
    from booktutor.api.app import create_app
    from booktutor.log_config import configure_logging

    settings = make_settings(url, data_dir, rate_limit_enabled=False)
    configure_logging("WARNING", True)
    clock = PhaseClock()
    app = create_app(settings)
    pending = questions()
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
            client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
            for _ in range(WARMUP):
                await _ask(client, next(pending))
            _instrument(clock)
            walls, cpus = [], []
            for _ in range(runs):
                wall, cpu = time.perf_counter(), time.process_time()
                await _ask(client, next(pending))
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            phases = clock.per_answer(runs)
            profiler = cProfile.Profile(time.thread_time) if profiled_runs else None  # the event loop's CPU
            if profiler:
                profiler.enable()
                for _ in range(profiled_runs):
                    await _ask(client, next(pending))
                profiler.disable()
    return {
        "runs": runs,
        "profiled_runs": profiled_runs,
        "cpu_ms": {"p50": pct(cpus, 50), "p95": pct(cpus, 95), "mean": sum(cpus) / len(cpus)},
        "wall_ms": {"p50": pct(walls, 50), "p95": pct(walls, 95), "mean": sum(walls) / len(walls)},
        "phases": phases,
        "profile": _report(profiler) if profiler else "",
    }


def _report(profiler: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)
    return out.getvalue()


async def main_async(args: argparse.Namespace) -> dict:
    loadavg_start = os.getloadavg()
    with bench_database("answerprof") as url, temp_dir("answerprof") as tmp:
        ingest_s = await ingest_sample(url, tmp / "data")
        result = await profile(url, tmp / "data", args.runs, 0 if args.no_profile else args.profiled_runs)
    return {"ingest_s": ingest_s, "loadavg_start": loadavg_start, "loadavg_end": os.getloadavg(), **result}


def _print(result: dict) -> None:
    print(result["profile"])
    print(f"{result['runs']} answers (then {result['profiled_runs']} under cProfile), load {result['loadavg_end']}")
    print(f"process CPU per answer ms: {json.dumps(result['cpu_ms'])}")
    print(f"wall per answer ms:        {json.dumps(result['wall_ms'])}")
    for phase, v in sorted(result["phases"].items(), key=lambda kv: -kv[1]["cpu_ms"]):
        print(f"  {phase:40s} cpu {v['cpu_ms']:7.2f} ms  wall {v['wall_ms']:7.2f} ms  calls {v['calls']:.2f}")


PHASE_ORDER = [
    "hybrid search, all of it",
    "query embedding (ONNX, uncached)",
    "question parts embedding (ONNX, one run a question)",
    "Qdrant Edge search",
    "full-text search (Postgres)",
    "sentence vectors to the cache",
    "term evidence (Postgres)",
    "compose the answer",
    "sentence embedding (ONNX, uncached)",
]


def render(result: dict) -> list[str]:
    cpu, wall = result["cpu_ms"], result["wall_ms"]
    lines = [
        "## Where a default answer's CPU goes (`benchmarks/answer_profile.py`)",
        "",
        "`make run`'s configuration in the benchmark's own process (the app through httpx's ASGI transport, "
        f"no sockets), {result['runs']} questions of the bundled evaluation set one after the other, each new to "
        "the query cache. Process CPU per answer counts the app and the encoder's threads, not Postgres. "
        f"Load average {_load(result['loadavg_start'])} at start, {_load(result['loadavg_end'])} at end.",
        "",
        f"Process CPU per answer: p50 {cpu['p50']:.1f} ms, p95 {cpu['p95']:.1f} ms, mean {cpu['mean']:.1f} ms; "
        f"wall per answer p50 {wall['p50']:.1f} ms, p95 {wall['p95']:.1f} ms.",
        "",
        "| phase (the search holds Qdrant and full text, composing holds the parts of a multi-part question; the "
        "router embeds the question first) "
        "| CPU ms/answer | wall ms/answer | calls/answer |",
        "|---|---:|---:|---:|",
    ]
    phases = result["phases"]
    for name in [*PHASE_ORDER, *(p for p in phases if p not in PHASE_ORDER)]:
        if name in phases:
            v = phases[name]
            lines.append(f"| {name} | {v['cpu_ms']:.1f} | {v['wall_ms']:.1f} | {v['calls']:.2f} |")
    if result.get("profile"):
        lines += [
            "",
            f"cProfile of {result['profiled_runs']} more answers, event-loop thread CPU (top by own time, then "
            "cumulative):",
            "",
            "```",
            *_top_lines(result["profile"]),
            "```",
        ]
    return [*lines, ""]


def _top_lines(report: str, own: int = 25, cumulative: int = 45) -> list[str]:
    blocks = [b.strip().splitlines() for b in report.split("   Ordered by:") if b.strip()]
    out: list[str] = []
    for block, keep in zip(blocks[1:], (own, cumulative), strict=False):
        out += ["Ordered by:" + block[0], *[line for line in block[1:] if line.strip()][: keep + 2], ""]
    return out or report.splitlines()[:80]


def _load(value) -> str:
    return " / ".join(f"{x:.2f}" for x in value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60, help="timed answers (no profiler)")
    parser.add_argument("--profiled-runs", type=int, default=20, help="then this many under cProfile")
    parser.add_argument("--no-profile", action="store_true", help="no cProfile pass")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
