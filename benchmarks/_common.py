"""Shared helpers for the benchmarks: throwaway databases, settings, percentiles, machine facts."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BOOK = ROOT / "src" / "booktutor" / "sample_book"
SAMPLE_BOOK_ID = "physical-ai-short-course"
BIG_BOOK = Path("/work/shared/corpus/robotics-book-en-ur")


def agent_run_body(question: str, book_id: str) -> dict:
    """An AG-UI RunAgentInput for `question` on a fresh thread of `book_id`."""
    return {
        "threadId": f"bench-{uuid.uuid4().hex}",
        "runId": f"run-{uuid.uuid4().hex}",
        "state": {},
        "messages": [{"id": f"u-{uuid.uuid4().hex}", "role": "user", "content": question}],
        "tools": [],
        "context": [],
        "forwardedProps": {"bookId": book_id},
    }


def langgraph_run_input(question: str, book_id: str, thread_id: str) -> dict:
    """The graph's input for `question` on `book_id`, as `langgraph dev` is given it (benchmarks/langgraph_dev)."""
    return {
        "messages": [{"role": "user", "content": question}],
        "thread_id": thread_id,
        "book_id": book_id,
        "language": "en",
        "mode": "book",
        "profile": {},
        "message_id": f"msg-{uuid.uuid4().hex}",
        "citations": [],
        "abstained": False,
    }


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", PG_HOST, "-U", PG_USER, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql, "postgres"],
        check=True,
        capture_output=True,
        text=True,
    )


def postgres_available() -> bool:
    try:
        _psql("select 1")
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


@contextmanager
def bench_database(prefix: str) -> Iterator[str]:
    """A fresh database on the machine's Postgres, dropped afterwards; yields its URL."""
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    _psql(f'create database "{name}"')
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:5432/{name}"
    finally:
        _psql(f'drop database if exists "{name}" with (force)')


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"booktutor-{prefix}-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def make_settings(database_url: str, data_dir: Path, **extra):
    from booktutor.config import Settings

    return Settings(database_url=database_url, data_dir=data_dir, log_level="WARNING", _env_file=None, **extra)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary_ms(values: Sequence[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "mean": statistics.fmean(values) if values else float("nan"),
        "max": max(values, default=float("nan")),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python_speed_ms(rounds: int = 5) -> float:
    """CPU ms of a fixed pure-Python workload (median of `rounds`): how fast this machine runs the interpreter,
    to compare CPU times between runs on machines (or hours of a shared VM) of different speed."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        table: dict[int, str] = {}
        for i in range(200_000):
            table[i % 1024] = f"{i}:{i * i}"
        times.append((time.process_time() - started) * 1000)
    return round(statistics.median(times), 1)


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    pg = "unknown"
    with suppress(OSError, subprocess.CalledProcessError):
        pg = subprocess.run(
            ["psql", "-h", PG_HOST, "-U", PG_USER, "-tAc", "show server_version", "postgres"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    try:
        import torch

        torch_info = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        torch_info = "n/a"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "ram": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": pg,
        "torch": torch_info,
        "kernel": platform.release(),
        "python_speed_ms": python_speed_ms(),
    }
