"""Where a conversation run's time goes: sequential runs through the real app in this process.

Same app and instant model as benchmarks/stream_latency.py (Postgres persistence on, mini_book, fake
embedder), driven through httpx's ASGI transport (no sockets). Reports CPU and wall time per run and
the top functions by own time (cProfile), or a pyinstrument tree with --pyinstrument.

Experiments (not the shipped configuration), to size suggested changes:
  --no-pre-ping   the SQLAlchemy pool without pre_ping (each checkout otherwise costs BEGIN; ; ROLLBACK)
  --async-deps    the trivial sync FastAPI dependencies overridden by async ones (no thread-pool hop each)
  --no-profile    time only (CPU and wall per run without profiler overhead)
  --async-commit  the benchmark database with synchronous_commit=off (no WAL flush wait per commit)
  --concurrency C run C at a time (default 1) and report runs/s

Run: python -m benchmarks.conversation_profile [--runs 200] [--pyinstrument] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import subprocess
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from fastapi import Request

from benchmarks._common import bench_database, make_settings, pct, temp_dir
from benchmarks.conversation_server import InstantTutorModel
from benchmarks.stream_latency import BOOK_ID, _run_body, ingest_book


async def _one_run(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/agent/run", json=_run_body(0))
    if response.status_code != 200 or '"type":"RUN_FINISHED"' not in response.text:
        raise RuntimeError(f"run failed: {response.status_code} {response.text[-300:]}")


def _apply_experiments(app, args) -> None:
    from booktutor.api import deps

    if args.no_pre_ping:
        app.state.services.db.engine.pool._pre_ping = False
    if args.async_deps:

        async def services(request: Request):
            return request.app.state.services

        async def settings(request: Request):
            return request.app.state.services.settings

        async def run_manager(request: Request):
            return request.app.state.run_manager

        app.dependency_overrides.update(
            {deps.get_services: services, deps.get_settings: settings, deps.get_run_manager: run_manager}
        )


async def profile(url: str, data_dir: Path, runs: int, use_pyinstrument: bool, args=None) -> dict:
    from booktutor.api.app import create_app
    from booktutor.log_config import configure_logging

    settings = make_settings(
        url, data_dir, embedding_provider="fake", llm_provider="fake", default_book_id=BOOK_ID, rate_limit_enabled=False
    )
    configure_logging("WARNING", True)
    app = create_app(settings, model=InstantTutorModel())
    async with LifespanManager(app) as manager:
        if args is not None:
            _apply_experiments(app, args)
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
            for _ in range(20):
                await _one_run(client)
            walls, cpus = [], []
            concurrency = args.concurrency if args is not None else 1
            profiler = None if args is not None and args.no_profile else _start_profiler(use_pyinstrument)
            started, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(runs // concurrency):
                wall, cpu = time.perf_counter(), time.process_time()
                await asyncio.gather(*(_one_run(client) for _ in range(concurrency)))
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000 / concurrency)
            elapsed, cpu_total = time.perf_counter() - started, time.process_time() - cpu_start
            report = "" if profiler is None else _stop_profiler(profiler, use_pyinstrument)
    done = runs // concurrency * concurrency
    return {
        "runs": done,
        "concurrency": concurrency,
        "runs_per_s": done / elapsed,
        "cpu_ms_per_run": cpu_total * 1000 / done,
        "wall_ms": {"p50": pct(walls, 50), "p95": pct(walls, 95)},
        "cpu_ms": {"p50": pct(cpus, 50), "p95": pct(cpus, 95), "mean": sum(cpus) / len(cpus)},
        "profile": report,
    }


def _start_profiler(use_pyinstrument: bool):
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled", interval=0.0005)
        profiler.start()
        return profiler
    # CPU time, not wall time: on a loaded machine wall time mostly measures preemption
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    return profiler


def _stop_profiler(profiler, use_pyinstrument: bool) -> str:
    if use_pyinstrument:
        profiler.stop()
        return profiler.output_text(unicode=False, color=False, show_all=False)
    profiler.disable()
    if os.environ.get("BENCH_PROFILE_DUMP"):
        profiler.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(60)
    return out.getvalue()


async def main_async(args) -> dict:
    with bench_database("convprof") as url, temp_dir("convprof") as tmp:
        await ingest_book(url, tmp)
        if args.async_commit:
            name = url.rsplit("/", 1)[1]
            alter = f'alter database "{name}" set synchronous_commit = off'
            await asyncio.to_thread(
                subprocess.run, ["psql", url, "-c", alter], check=True, capture_output=True, timeout=30
            )
        return await profile(url, tmp, args.runs, args.pyinstrument, args)


def main() -> None:
    os.environ.setdefault("BOOKTUTOR_LOG_LEVEL", "WARNING")
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--no-pre-ping", action="store_true")
    parser.add_argument("--async-deps", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--async-commit", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(result["profile"])
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}))


if __name__ == "__main__":
    main()
