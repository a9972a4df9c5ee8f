"""Open-loop load on GET /api/v1/books/physical-ai-short-course/chapters/{id}.

Setup: a fresh Postgres database and data dir; `booktutor ingest --sample` (embedding provider `fake`:
chapter reads never touch embeddings, and it keeps setup short); then `booktutor serve` as a subprocess
on a free 127.0.0.1 port (log level WARNING, rate limiting disabled: it would answer 429 to one client after
120 requests/minute). This script is the second process: an asyncio + httpx open-loop generator that starts
request i at t0 + i/rate regardless of how earlier ones are doing, cycling over all chapters. Latency is
reported two ways:
  * service: from the moment the request was actually sent to the response;
  * scheduled: from its scheduled start (includes client-side queueing; corrects coordinated omission).
Both client and server share the machine's 2 cores, so the client's CPU use is part of the picture.

Run: python -m benchmarks.chapter_get_load [--rates 100,200] [--duration 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks._common import SAMPLE_BOOK_ID, bench_database, free_port, summary_ms, temp_dir

GOAL_P95_MS = 20.0
READY_TIMEOUT_S = 90.0
BOOKTUTOR = str(Path(sys.executable).with_name("booktutor"))


def _env(url: str, data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "BOOKTUTOR_DATABASE_URL": url,
            "BOOKTUTOR_DATA_DIR": str(data_dir),
            "BOOKTUTOR_EMBEDDING_PROVIDER": "fake",
            "BOOKTUTOR_LOG_LEVEL": "WARNING",
            "HF_HUB_OFFLINE": "1",
            # the per-identity limiter (120/min) would turn a load test into a 429 test
            "BOOKTUTOR_RATE_LIMIT_ENABLED": "false",
        }
    )
    return env


async def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise TimeoutError("server did not become healthy")


async def drive(base: str, paths: list[str], rate: float, duration: float) -> dict:
    total = int(rate * duration)
    service, scheduled, errors, statuses = [], [], 0, {}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:
        for p in paths:  # warm-up: one request per chapter, not measured
            await client.get(p)

        async def one(i: int, due: float) -> None:
            nonlocal errors
            sent = time.perf_counter()
            try:
                r = await client.get(paths[i % len(paths)])
                done = time.perf_counter()
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code != 200:
                    errors += 1
                    return
            except httpx.HTTPError as exc:
                errors += 1
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                return
            service.append((done - sent) * 1000)
            scheduled.append((done - due) * 1000)

        tasks = []
        t0 = time.perf_counter() + 0.05
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        send_end = time.perf_counter()
        _, pending = await asyncio.wait(tasks, timeout=15)
        end = time.perf_counter()
        for task in pending:  # still queued 15 s after the last send: count as errors
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            errors += len(pending)
            statuses["unfinished"] = len(pending)
    return {
        "target_rps": rate,
        "requests": total,
        "ok": len(service),
        "errors": errors,
        "statuses": statuses,
        "send_window_s": send_end - t0,
        "achieved_rps": len(service) / (end - t0),
        "offered_rps": total / (send_end - t0),
        "service_ms": summary_ms(service),
        "scheduled_ms": summary_ms(scheduled),
    }


async def closed_loop(base: str, paths: list[str], count: int = 300) -> dict:
    """One request at a time: the per-request service time with no queueing (capacity ~ 1000/mean)."""
    latencies, sizes = [], []
    async with httpx.AsyncClient(base_url=base, timeout=10.0) as client:
        for i in range(count):
            started = time.perf_counter()
            r = await client.get(paths[i % len(paths)])
            latencies.append((time.perf_counter() - started) * 1000)
            sizes.append(len(r.content))
    return {"latency_ms": summary_ms(latencies), "mean_bytes": sum(sizes) / len(sizes)}


async def profile_in_process(url: str, data_dir: Path, paths: list[str], count: int = 300) -> str:
    """cProfile of `count` chapter GETs through the ASGI app in this process (no network)."""
    import cProfile
    import io
    import pstats

    from booktutor.api.app import create_app
    from booktutor.config import Settings

    os.environ["BOOKTUTOR_RATE_LIMIT_ENABLED"] = "false"
    settings = Settings(
        database_url=url, data_dir=data_dir, embedding_provider="fake", log_level="WARNING", _env_file=None
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for p in paths:
                await client.get(p)
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for i in range(count):
                await client.get(paths[i % len(paths)])
            profiler.disable()
            elapsed = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    hot_modules = (
        r"booktutor/|sqlalchemy/(orm|engine)/(session|loading|strategies)|pydantic"
        r"|fastapi/(routing|encoders)|asyncpg"
    )
    stats.sort_stats("cumulative").print_stats(hot_modules, 25)
    return (
        f"{count} requests in {elapsed:.2f}s under cProfile ({elapsed / count * 1000:.1f} ms each)\n" + out.getvalue()
    )


async def run(rates=(100.0, 200.0), duration: float = 20.0) -> dict:
    results = {"goal_p95_ms": GOAL_P95_MS, "duration_s": duration, "runs": []}
    with bench_database("load") as url, temp_dir("load") as data_dir:
        env = _env(url, data_dir)
        await asyncio.to_thread(
            subprocess.run, [BOOKTUTOR, "ingest", "--sample"], env=env, check=True, capture_output=True, timeout=300
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [BOOKTUTOR, "serve", "--host", "127.0.0.1", "--port", str(port)]
        proc = await asyncio.to_thread(
            subprocess.Popen, serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            await _wait_ready(base, proc)
            async with httpx.AsyncClient(base_url=base) as client:
                listing = (await client.get(f"/api/v1/books/{SAMPLE_BOOK_ID}/chapters")).json()
            chapter_ids = [c["id"] for c in listing["chapters"]]
            paths = [f"/api/v1/books/{SAMPLE_BOOK_ID}/chapters/{cid}" for cid in chapter_ids]
            results["chapters"] = len(paths)
            results["closed_loop"] = await closed_loop(base, paths)
            print(f"closed loop, 1 client: {results['closed_loop']}")
            for rate in rates:
                r = await drive(base, paths, rate, duration)
                results["runs"].append(r)
                _print_run(r)
                await asyncio.sleep(1)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        results["profile"] = await profile_in_process(url, data_dir, paths)
        print(results["profile"])
    results["loadavg_end"] = os.getloadavg()
    return results


def _print_run(r: dict) -> None:
    s, q = r["service_ms"], r["scheduled_ms"]
    print(
        f"target {r['target_rps']:.0f} req/s: offered {r['offered_rps']:.1f}, "
        f"achieved {r['achieved_rps']:.1f} req/s, "
        f"{r['ok']} ok, {r['errors']} errors {r['statuses']}"
    )
    print(f"  service   p50 {s['p50']:.1f} ms  p95 {s['p95']:.1f} ms  p99 {s['p99']:.1f} ms  max {s['max']:.1f} ms")
    print(f"  scheduled p50 {q['p50']:.1f} ms  p95 {q['p95']:.1f} ms  p99 {q['p99']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100,200")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(tuple(float(r) for r in args.rates.split(",")), args.duration))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
