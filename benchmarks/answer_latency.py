"""The default answer path as a new user meets it: `booktutor serve` with `make run`'s configuration.

Setup: a fresh Postgres database and data dir, the bundled sample book ingested with `booktutor ingest
--sample` (bundled all-MiniLM-L6-v2, sentence vectors stored at ingest), then `booktutor serve` (one
process; offline extractive answerer, Qdrant Edge) on a free 127.0.0.1 port, rate limits off.

The questions are the bundled evaluation set's (src/booktutor/evals/datasets/sample-book.jsonl), each sent
once per benchmark run with a different lead-in ("Quick question: …"), so no question is ever in the
server's query-embedding cache: this measures the uncached path. Each run is a new thread (POST
/api/v1/agent/run, AG-UI over SSE). We record the time from sending the request to the first
TEXT_MESSAGE_CONTENT (first token) and to RUN_FINISHED:

  * one learner: LONE_RUNS runs one after the other (after WARMUP_RUNS);
  * N learners at once: ROUNDS bursts of N runs started together; answers/s = completed runs / wall time.

Run: python -m benchmarks.answer_latency [--learners 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from pathlib import Path

from benchmarks._common import ROOT, SAMPLE_BOOK_ID, agent_run_body, bench_database, free_port, machine_info, temp_dir
from benchmarks.sse_client import CLIENT_KINDS, StreamingClient, streaming_client
from benchmarks.stream_latency import Sample, Server, _cpu_s, _summary, guest_headers, timed_agent_run

DATASET = ROOT / "src" / "booktutor" / "evals" / "datasets" / "sample-book.jsonl"
BOOKTUTOR = str(Path(sys.executable).with_name("booktutor"))
LEAD_INS = ["", "Quick question: ", "Please tell me: ", "I wonder: ", "Help me understand: ", "Question: "]
LONE_RUNS = 40
WARMUP_RUNS = 5
ROUNDS = 3
GOALS = {"lone_p95_ttft_ms": 80.0, "burst_p95_ttft_ms": 1500.0, "answers_per_s": 20.0}


def questions() -> itertools.cycle[str]:
    base = [json.loads(line)["question"] for line in DATASET.read_text().splitlines() if line.strip()]
    unique = [f"{lead}{q[0].lower() + q[1:] if lead else q}" for lead in LEAD_INS for q in base]
    return itertools.cycle(unique)


def _env(url: str, data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKTUTOR_")}
    env.update(
        {
            "BOOKTUTOR_DATABASE_URL": url,
            "BOOKTUTOR_DATA_DIR": str(data_dir),
            "BOOKTUTOR_LOG_LEVEL": "WARNING",
            "BOOKTUTOR_RATE_LIMIT_ENABLED": "false",  # one guest asks a hundred questions: abuse limits off
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
    )
    return env


async def ask(client: StreamingClient, question: str) -> Sample:
    return await timed_agent_run(client, agent_run_body(question, SAMPLE_BOOK_ID))


async def measure(client: StreamingClient, pid: int, learners: int) -> dict:
    pending = questions()
    for _ in range(WARMUP_RUNS):
        await ask(client, next(pending))
    started, cpu = time.perf_counter(), _cpu_s(pid)
    lone = [await ask(client, next(pending)) for _ in range(LONE_RUNS)]
    result = {"1": _summary(lone, time.perf_counter() - started)}
    result["1"]["server_cpu_ms_per_run"] = (_cpu_s(pid) - cpu) * 1000 / max(result["1"]["ok"], 1)
    burst: list[Sample] = []
    wall, cpu = 0.0, _cpu_s(pid)
    for _ in range(ROUNDS):
        await asyncio.sleep(1.0)
        started = time.perf_counter()
        burst += await asyncio.gather(*(ask(client, next(pending)) for _ in range(learners)))
        wall += time.perf_counter() - started
    result[str(learners)] = _summary(burst, wall)
    result[str(learners)]["server_cpu_ms_per_run"] = (_cpu_s(pid) - cpu) * 1000 / max(len(burst), 1)
    return result


async def ingest_sample(url: str, data_dir: Path) -> float:
    started = time.perf_counter()
    for args in (["db", "upgrade"], ["ingest", "--sample"]):
        proc = await asyncio.create_subprocess_exec(
            BOOKTUTOR, *args, env=_env(url, data_dir), cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
        )
        if await proc.wait() != 0:
            raise RuntimeError(f"booktutor {' '.join(args)} failed")
    return time.perf_counter() - started


async def _guest(server: Server) -> dict:
    return await guest_headers(server.base)


async def main_async(args: argparse.Namespace) -> dict:
    result: dict = {
        "learners": args.learners,
        "client": args.client,
        "lone_runs": LONE_RUNS,
        "rounds": ROUNDS,
        "goals": GOALS,
        "machine": machine_info(),
        "loadavg_start": os.getloadavg()[0],
    }
    with bench_database("answer") as url, temp_dir("answer") as tmp:
        result["ingest_s"] = await ingest_sample(url, tmp / "data")
        port = free_port()
        cmd = [BOOKTUTOR, "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = Server(cmd, _env(url, tmp / "data"), ROOT, "/api/v1/ready", port, tmp / "serve.log")
        async with server:
            headers = await _guest(server)
            async with streaming_client(server.base, args.learners, headers, args.client) as client:
                result["levels"] = await measure(client, server.server_pid(), args.learners)
    result["loadavg_end"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--client", choices=CLIENT_KINDS, default="aiohttp", help="the benchmark's HTTP client")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


# --- rendering (docs/benchmarks.md, section "Default answer path") -----------------------------------------
def goal_rows(result: dict) -> list[tuple[str, float | None, str, bool]]:
    """(goal, measured, goal text, met) for the summary table."""
    lone = result["levels"]["1"]
    burst = result["levels"][str(result["learners"])]
    g = result["goals"]
    n = result["learners"]
    return [
        ("default path: one learner, first token p95 (ms)", lone["ttft_ms"]["p95"], f"≤ {g['lone_p95_ttft_ms']:.0f}",
         lone["ttft_ms"]["p95"] <= g["lone_p95_ttft_ms"]),
        (f"default path: {n} learners at once, first token p95 (ms)", burst["ttft_ms"]["p95"],
         f"≤ {g['burst_p95_ttft_ms']:.0f}", burst["ttft_ms"]["p95"] <= g["burst_p95_ttft_ms"]),
        (f"default path: answers/s with {n} at once", burst["runs_per_s"], f"≥ {g['answers_per_s']:.0f}",
         (burst["runs_per_s"] or 0) >= g["answers_per_s"]),
    ]  # fmt: skip


def render(result: dict) -> list[str]:
    n = result["learners"]
    lines = [
        "## Default answer path (`benchmarks/answer_latency.py`)",
        "",
        "`make run`'s configuration: `booktutor ingest --sample` then `booktutor serve` (one process, offline "
        "extractive answerer, bundled all-MiniLM-L6-v2, Qdrant Edge, a fresh Postgres database), rate limits off. "
        "Each run is a new thread with a question of the bundled evaluation set, every question new to the "
        "server's query cache (a different lead-in each time). *First token* = request sent → first "
        f"`TEXT_MESSAGE_CONTENT`. One learner: {result['lone_runs']} runs in sequence; {n} at once: "
        f"{result['rounds']} bursts of {n} runs started together. Load average (1 min) "
        f"{result['loadavg_start']:.2f} at start, {result['loadavg_end']:.2f} at end.",
        "",
        "| learners | ok | errors | first token p50 ms | first token p95 ms | full p50 ms | full p95 ms | "
        "answers/s | server CPU ms/answer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in ("1", str(n)):
        r = result["levels"][level]
        lines.append(
            f"| {level} | {r['ok']} | {r['errors']} | {r['ttft_ms']['p50']:.0f} | {r['ttft_ms']['p95']:.0f} | "
            f"{r['total_ms']['p50']:.0f} | {r['total_ms']['p95']:.0f} | {r['runs_per_s']:.1f} | "
            f"{r['server_cpu_ms_per_run']:.0f} |"
        )
    lines += ["", "Goals:", ""]
    lines += [f"- {name}: {value:.1f} ({goal}) {'✅' if met else '❌'}" for name, value, goal, met in goal_rows(result)]
    return lines + [""]


if __name__ == "__main__":
    main()
