"""Load test with locust: the content API at 100 and 200 req/s, chat runs at 5, 10 and 20 runs/s.

Setup: a fresh Postgres database and data dir, `booktutor ingest --sample` with the fake hashing embedder
(search then runs the real hybrid path without loading MiniLM). The servers run one after the other on a
free 127.0.0.1 port, rate limits off (one client identity would get 429s after 120 requests/minute):

  * content API: `booktutor serve` (one uvicorn worker), locust's ContentReader: chapter GET 60 %, table
    of contents 20 %, book list 10 %, search 10 %;
  * chat: the real app with the instant scripted model (benchmarks/conversation_server.py), locust's
    ChatRunner: POST /api/v1/agent/run, each run on a new thread, the SSE stream read to its end.

Each level is one headless locust process (benchmarks/locustfile.py, the second process; loopback only)
running constant_throughput users at random phases; after a warm-up of one pacing interval + 2 s the
statistics are reset and --duration seconds are measured, then read back from locust's CSV (`--csv`).
Locust buckets response times (1 ms below 100 ms, two significant digits above), so its percentiles are
that coarse. Per level we also record the server's CPU time, locust's, and how many connections the
server opened to Postgres (pg_stat_database.sessions). Client, server and Postgres share the cores.

Run: python -m benchmarks.load_test [--content-rates 100,200] [--chat-rates 5,10,20] [--duration 25]
                                    [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import psutil

from benchmarks._common import ROOT, SAMPLE_BOOK_ID, bench_database, free_port, machine_info, temp_dir
from benchmarks.stream_latency import Server, _env, booktutor_server

LOCUST = str(Path(sys.executable).with_name("locust"))
BOOKTUTOR = str(Path(sys.executable).with_name("booktutor"))
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
CONTENT_USER_RPS = 1.0  # each ContentReader paces itself at 1 request/s: users = target rate
CHAT_USER_RPS = 0.5  # each ChatRunner starts a run every 2 s: users = 2 × target rate
STOP_TIMEOUT_S = 10  # runs in flight when the time is up may finish (and count) for this long


# --- one locust process ------------------------------------------------------------------------------
def run_locust(user_class: str, host: str, target: float, users: int, duration: float, out: Path) -> dict:
    """One level: warm-up (every user finds its random phase), then `duration` s of measurement."""
    prefix = out / f"{user_class}-{target:g}"
    warmup = users / target + 2
    cmd = [
        LOCUST,
        "-f",
        str(LOCUSTFILE),
        user_class,
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{warmup + duration:.0f}s",
        "--warmup",
        f"{warmup:g}",
        "--stop-timeout",
        str(STOP_TIMEOUT_S),
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--target-rps",
        f"{target:g}",
        "--book-id",
        SAMPLE_BOOK_ID,
        "--exit-code-on-error",
        "0",
    ]
    with prefix.with_suffix(".log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        client_cpu_s = _wait_measuring_cpu(proc, timeout=warmup + duration + STOP_TIMEOUT_S + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"locust exited with {proc.returncode}: {prefix.with_suffix('.log').read_text()[-1500:]}")
    return {
        "target_rps": target,
        "users": users,
        "duration_s": duration,
        "warmup_s": warmup,
        "client_cpu_s": client_cpu_s,
        "entries": read_stats(Path(f"{prefix}_stats.csv")),
        "failures": read_failures(Path(f"{prefix}_failures.csv")),
    }


def _wait_measuring_cpu(proc: subprocess.Popen, timeout: float) -> float:
    """Wait for the locust process; its CPU seconds, sampled every 0.5 s up to its exit."""
    deadline, cpu_s = time.monotonic() + timeout, 0.0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError("locust did not stop in time")
        try:
            cpu_s = sum(ps.cpu_times()[:2])
        except psutil.NoSuchProcess:
            break
        time.sleep(0.5)
    proc.wait()
    return cpu_s


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def read_stats(path: Path) -> dict:
    entries = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            entries[row["Name"]] = {
                "type": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": _number(row["Requests/s"]),
                "mean": _number(row["Average Response Time"]),
                "p50": _number(row["50%"]),
                "p95": _number(row["95%"]),
                "p99": _number(row["99%"]),
                "max": _number(row["Max Response Time"]),
            }
    return entries


def read_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open() as f:
        return [
            {"name": r["Name"], "error": r["Error"][:200], "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]


# --- levels against one server ------------------------------------------------------------------------
def _db_sessions(url: str) -> int:
    """Connections ever opened to the benchmark database (Postgres counts them per database)."""
    sql = "select sessions from pg_stat_database where datname = current_database()"
    return int(subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True).stdout)


def run_levels(
    server: Server, url: str, user_class: str, rates: list[float], per_user_rps: float, duration: float, out: Path
) -> list[dict]:
    server_ps = psutil.Process(server.server_pid())
    levels = []
    for rate in rates:
        cpu_before, sessions_before = sum(server_ps.cpu_times()[:2]), _db_sessions(url)
        level = run_locust(user_class, server.base, rate, max(1, round(rate / per_user_rps)), duration, out)
        level["server_cpu_s"] = sum(server_ps.cpu_times()[:2]) - cpu_before
        level["new_db_connections"] = _db_sessions(url) - sessions_before
        levels.append(level)
        _print_level(user_class, level)
        time.sleep(2.0)  # let the server drain before the next level
    return levels


def _print_level(user_class: str, level: dict) -> None:
    total = level["entries"].get("Aggregated", {})
    print(
        f"{user_class} target {level['target_rps']:g}/s, {level['users']} users: "
        f"{total.get('requests')} requests, {total.get('failures')} failures, {total.get('rps')} req/s; "
        f"server CPU {level['server_cpu_s']:.1f} s, locust CPU {level['client_cpu_s']:.1f} s, "
        f"{level['new_db_connections']} new Postgres connections",
        flush=True,
    )
    for name, e in level["entries"].items():
        print(
            f"  {name}: n={e['requests']} fail={e['failures']} rps={e['rps']} p50={e['p50']} p95={e['p95']} "
            f"p99={e['p99']}",
            flush=True,
        )


@contextmanager
def started(server: Server) -> Iterator[Server]:
    """A stream_latency.Server, started (and awaited healthy) and stopped from synchronous code."""
    asyncio.run(server.__aenter__())
    try:
        yield server
    finally:
        server.stop()


def content_server(url: str, data_dir: Path, log: Path) -> Server:
    port = free_port()
    cmd = [BOOKTUTOR, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Server(cmd, _env(url, data_dir), ROOT, "/api/v1/health", port, log)


def run(content_rates: list[float], chat_rates: list[float], duration: float, out: Path) -> dict:
    result = {
        "duration_s": duration,
        "locust": version("locust"),
        "machine": machine_info(),
        "loadavg_start": os.getloadavg(),
        "content_user_rps": CONTENT_USER_RPS,
        "chat_user_rps": CHAT_USER_RPS,
    }
    with bench_database("locust") as url, temp_dir("locust") as data_dir:
        subprocess.run(
            [BOOKTUTOR, "ingest", "--sample"], env=_env(url, data_dir), check=True, capture_output=True, timeout=300
        )
        if content_rates:
            with started(content_server(url, data_dir, out / "content-server.log")) as server:
                result["content"] = run_levels(
                    server, url, "ContentReader", content_rates, CONTENT_USER_RPS, duration, out
                )
        if chat_rates:
            with started(booktutor_server(url, data_dir, out / "chat-server.log")) as server:
                result["chat"] = run_levels(server, url, "ChatRunner", chat_rates, CHAT_USER_RPS, duration, out)
    result["loadavg_end"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content-rates", default="100,200")
    parser.add_argument("--chat-rates", default="5,10,20")
    parser.add_argument("--duration", type=float, default=25.0)
    parser.add_argument("--keep", type=Path, help="keep locust's CSV files and the logs in this folder")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rates = [[float(r) for r in s.split(",") if r] for s in (args.content_rates, args.chat_rates)]
    with temp_dir("locust-out") as tmp:
        out = args.keep or tmp
        out.mkdir(parents=True, exist_ok=True)
        result = run(rates[0], rates[1], args.duration, out)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()


# --- rendering (docs/benchmarks.md) ----------------------------------------------------------------------
def achieved(level: dict, entry: str) -> float:
    """Locust's rate: requests (or runs) from the statistics reset to the last one, per second."""
    return level["entries"][entry]["rps"]


def _ms(x) -> str:
    return "–" if x is None else f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def _errors(entry: dict) -> str:
    rate = f"{100 * entry['failures'] / entry['requests']:.1f} %" if entry["requests"] else "–"
    return f"{entry['failures']} ({rate})"


def _cpu_pct(seconds: float, level: dict) -> str:
    return f"{100 * seconds / (level['warmup_s'] + level['duration_s']):.0f} %"


def _level_cells(level: dict) -> str:
    return (
        f"{level['new_db_connections']} | {_cpu_pct(level['server_cpu_s'], level)} | "
        f"{_cpu_pct(level['client_cpu_s'], level)} |"
    )


def _machine_line(result: dict) -> str:
    m, start, end = result["machine"], result["loadavg_start"], result["loadavg_end"]
    return (
        f"Measured {m['date']} on {m['cpu']}, {m['nproc']} cores, {m['ram']} RAM, PostgreSQL {m['postgres']}, "
        f"locust {result['locust']}; load average (1 / 5 / 15 min) {' / '.join(f'{x:.2f}' for x in start)} at "
        f"start, {' / '.join(f'{x:.2f}' for x in end)} at end. Locust, the server and Postgres share the "
        "2 cores, and other jobs on the machine may have been running: contention inflates the tails."
    )


def _content_rows(levels: list[dict]) -> list[str]:
    rows = []
    for lv in levels:
        a = lv["entries"]["Aggregated"]
        rows.append(
            f"| {lv['target_rps']:g} | {lv['users']} | {a['requests']} | {achieved(lv, 'Aggregated'):.1f} | "
            f"{_errors(a)} | {_ms(a['p50'])} | {_ms(a['p95'])} | {_ms(a['p99'])} | {_ms(a['max'])} | "
            f"{_level_cells(lv)}"
        )
    return rows


def _endpoint_rows(levels: list[dict]) -> list[str]:
    rows = []
    for lv in levels:
        for name, e in lv["entries"].items():
            if name != "Aggregated" and e["type"] == "GET" and e["requests"]:
                rows.append(
                    f"| {lv['target_rps']:g} | {name} | {e['requests']} | {_errors(e)} | {_ms(e['p50'])} | "
                    f"{_ms(e['p95'])} | {_ms(e['p99'])} |"
                )
    return rows


def _chat_rows(levels: list[dict]) -> list[str]:
    rows = []
    for lv in levels:
        run, first = lv["entries"]["run"], lv["entries"].get("time to first text") or {}
        rows.append(
            f"| {lv['target_rps']:g} | {lv['users']} | {run['requests']} | {achieved(lv, 'run'):.1f} | "
            f"{_errors(run)} | {_ms(first.get('p50'))} | {_ms(first.get('p95'))} | {_ms(first.get('p99'))} | "
            f"{_ms(run['p50'])} | {_ms(run['p95'])} | {_ms(run['p99'])} | {_level_cells(lv)}"
        )
    return rows


def _failure_lines(levels: list[dict], unit: str) -> list[str]:
    lines = []
    for lv in levels:
        for f in sorted(lv["failures"], key=lambda f: -f["occurrences"])[:3]:
            lines.append(f"- {lv['target_rps']:g} {unit}: {f['occurrences']} × {f['name']}: `{f['error'][:120]}`")
    return ["Failures (locust's failures CSV, up to 3 kinds per level):", "", *lines, ""] if lines else []


INTRO = (
    "locust runs headless in a second process against a server on 127.0.0.1, one level at a time: a warm-up, "
    "then the statistics are reset and about {duration:g} s are measured. Each user paces itself with "
    "`constant_throughput` from a random phase, so arrivals are spread out; a user whose requests take longer "
    "than its pacing falls behind (achieved < offered) instead of piling requests up. Rate limits are off. "
    "Percentiles are locust's (bucketed: 1 ms below 100 ms, two significant digits above). *new DB conns* = "
    "connections the server opened to Postgres during the level (its pool keeps 10); CPU columns = CPU time "
    "during the level in % of one core (locust's includes its start-up)."
)
CONTENT = (
    "**Content API**: `booktutor serve` (one uvicorn worker), the sample book ingested with the fake hashing "
    "embedder; {per_user:g} request/s per user, so users = offered rate, each on its own connection; a "
    "reader's mix of chapter GET 60 %, table of contents 20 %, book list 10 %, hybrid search 10 % (fake "
    "embedder: no MiniLM cost)."
)
CHAT = (
    "**Chat**: the real app with the instant scripted model (`benchmarks/conversation_server.py`: one "
    "`search_book` call, then a two-sentence answer), persistence on, `POST /api/v1/agent/run` on a new thread "
    "per run, {per_user:g} runs/s per user, each SSE stream read to `RUN_FINISHED`. *first text* = send → first "
    "`TEXT_MESSAGE_CONTENT`; *run* = send → `RUN_FINISHED` (custom locust events)."
)


def render(result: dict) -> list[str]:
    lines = [
        "## 4. Load test with locust (`benchmarks/load_test.py`)",
        "",
        INTRO.format(duration=result["duration_s"]),
        "",
        _machine_line(result),
        "",
    ]
    if result.get("content"):
        lines += [
            CONTENT.format(per_user=result["content_user_rps"]),
            "",
            "| offered req/s | users | requests | achieved req/s | errors | p50 ms | p95 ms | p99 ms | max ms | "
            "new DB conns | server CPU | locust CPU |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *_content_rows(result["content"]),
            "",
            "| offered req/s | endpoint | requests | errors | p50 ms | p95 ms | p99 ms |",
            "|---:|---|---:|---:|---:|---:|---:|",
            *_endpoint_rows(result["content"]),
            "",
            *_failure_lines(result["content"], "req/s"),
        ]
    if result.get("chat"):
        lines += [
            CHAT.format(per_user=result["chat_user_rps"]),
            "",
            "| offered runs/s | users | runs | achieved runs/s | errors | first text p50 ms | "
            "first text p95 ms | first text p99 ms | run p50 ms | run p95 ms | run p99 ms | new DB conns | "
            "server CPU | locust CPU |",
            "|" + "---:|" * 14,
            *_chat_rows(result["chat"]),
            "",
            *_failure_lines(result["chat"], "runs/s"),
        ]
    return lines
