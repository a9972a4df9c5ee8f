"""Run the benchmarks and rewrite docs/benchmarks.md from their saved results.

Each benchmark runs in its own process (`python -m benchmarks.<name> --json ...`) so models, event loops
and file locks do not leak between them. A result is saved as docs/bench-results/<name>.json together
with when, at which load average and at which commit it was measured; the document is then rendered from
*all* saved results, so `--only` refreshes one section and keeps the numbers of the others. A benchmark
that fails or is unavailable keeps its previous result, and the run exits with 1.

docs/benchmarks.md is hand-written text around generated blocks: only what lies between a
`<!-- bench:NAME -->` and a `<!-- /bench:NAME -->` line is rewritten (benchmarks/_doc_blocks.py), so
notes written outside the blocks survive. Plots go to docs/img/bench-*.png. `make bench` runs everything.

  python -m benchmarks.run_all                       # run everything, rewrite the doc and the plots
  python -m benchmarks.run_all --only load_test      # one benchmark; the other sections from saved results
  python -m benchmarks.run_all --render-only         # re-render the doc and the plots from saved results
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import plots, summary
from benchmarks._common import ROOT, machine_info, postgres_available
from benchmarks._doc_blocks import merge
from benchmarks.answer_latency import render as render_answer_latency
from benchmarks.answer_profile import render as render_answer_profile
from benchmarks.load_test import render as render_load_test
from benchmarks.onnx_encoder import render as render_onnx_encoder
from benchmarks.stream_latency import render as render_stream_latency

VECTOR_STORE = "vector_store_bench"
BENCHES = [
    "answer_latency",
    "answer_profile",
    "onnx_encoder",
    "ingest_throughput",
    "search_latency",
    "chapter_get_load",
    "load_test",
    "stream_latency",
    VECTOR_STORE,
]
TIMEOUT_S = 900
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "docs" / "bench-results"
OUTPUTS = ("docs/bench-results", "docs/benchmarks.md", "docs/img")
"""What a run writes: a run that changed only these still measured the commit's code."""
SKELETON = (
    "# Benchmarks\n\nMeasurements, not tests: they vary with machine load. Regenerate with `make bench`; "
    "text outside the generated blocks is kept.\n"
)


# --- running --------------------------------------------------------------------------------------------
def run_module(name: str, out_dir: Path) -> tuple[dict | None, str]:
    out = out_dir / f"{name}.json"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}", "--json", str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT_S}s"
    (out_dir / f"{name}.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    print(proc.stdout)
    if proc.returncode != 0 or not out.exists():
        return None, f"failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:] or ''}"
    result = json.loads(out.read_text())
    result["wall_s"] = time.perf_counter() - started
    return result, "ok"


def run_vector_store_bench() -> tuple[dict | None, str]:
    try:
        proc = subprocess.run(
            [sys.executable, "benchmarks/vector_store_bench.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        )
    except subprocess.TimeoutExpired:
        return None, "timed out after 300s"
    if proc.returncode != 0:
        return None, f"failed (exit {proc.returncode})"
    return {"output": proc.stdout.strip()}, "ok"


def _loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", *(f":!{path}" for path in OUTPUTS))
    return f"{commit}+uncommitted changes" if changed else commit


def run_bench(name: str, out_dir: Path, machine: dict) -> tuple[dict | None, str]:
    """Run one benchmark; its result carries the run's date, load average, commit and machine."""
    run = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_start": _loadavg(),
        "commit": _commit(),
    }
    result, status = run_vector_store_bench() if name == VECTOR_STORE else run_module(name, out_dir)
    if result is not None:
        result["run"] = {**run, "loadavg_end": _loadavg()}
        result.setdefault("machine", machine)
    return result, status


def load_results(results_dir: Path) -> dict[str, dict]:
    return {name: json.loads(path.read_text()) for name in BENCHES if (path := results_dir / f"{name}.json").exists()}


# --- rendering ---------------------------------------------------------------------------------
def _f(x, nd=1):
    return "–" if x is None else f"{x:.{nd}f}"


def _ok(value: float, goal: float, higher_is_better: bool = False) -> str:
    good = value >= goal if higher_is_better else value <= goal
    return "✅" if good else "❌"


def render_ingest(r: dict) -> list[str]:
    lines = [
        "## 1. Ingest throughput (`benchmarks/ingest_throughput.py`)",
        "",
        f"Real all-MiniLM-L6-v2 on CPU, loaded and warmed up before timing ({_f(r['model_load_s'], 2)} s load, "
        "excluded); fresh Postgres database + Qdrant Edge store per book. *Raw encoder* = "
        f"{r.get('encoder', '`SentenceTransformer.encode_document` (PyTorch)')}, the ingest's own encoder called "
        "directly on exactly the pipeline's texts (`embedding_text`, and the quotable sentences), same groups "
        f"and batch size, mean of one run before and one after the ingest. Goal: ratio ≥ {r['goal_ratio']}.",
        "",
        "| book | docs | chunks | end-to-end chunks/s | raw encoder chunks/s | ratio | embed share of ingest | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for b in r["books"]:
        lines.append(
            f"| `{Path(b['book']).name}` | {b['documents']} | {b['chunks']} | {_f(b['ingest_chunks_per_s'])} "
            f"({_f(b['ingest_s'])} s) | {_f(b['raw_chunks_per_s'])} ({_f(b['raw_before_s'])} / "
            f"{_f(b['raw_after_s'])} s) | {_f(b['ratio'], 2)} | {_f(b['embed_share'], 2)} | "
            f"{_ok(b['ratio'], r['goal_ratio'], True)} |"
        )
    lines += [
        "",
        "Where the ingest time goes (wrapped methods, same run):",
        "",
        "| book | phase | seconds | calls |",
        "|---|---|---:|---:|",
    ]
    for b in r["books"]:
        for name, v in b["breakdown"].items():
            lines.append(f"| `{Path(b['book']).name}` | {name} | {_f(v['seconds'], 2)} | {v['calls'] or ''} |")
    lines += [
        "",
        "MiniLM token length of the embedded texts (the model truncates at 256 word pieces):",
        "",
        "| book | mean | p50 | p95 | max | texts > 256 | tokens never embedded |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in r["books"]:
        t = b["tokens"]
        lines.append(
            f"| `{Path(b['book']).name}` | {_f(t['mean'], 0)} | {t['p50']} | {t['p95']} | {t['max']} | "
            f"{_f(t['over_256_pct'], 0)} % | {_f(t['tokens_lost_pct'], 0)} % |"
        )
    for b in r["books"]:
        if "profile_top" in b:
            lines += [
                "",
                f"cProfile of a second ingest of `{Path(b['book']).name}` (top by own time):",
                "",
                "```",
                *b["profile_top"].strip().splitlines()[:40],
                "```",
            ]
    return lines + [""]


def render_search(r: dict) -> list[str]:
    goals = {int(k): v for k, v in r["goals_p95_ms"].items()}
    lines = [
        "## 2. Search latency (`benchmarks/search_latency.py`)",
        "",
        f"Synthetic robotics-like corpus (`benchmarks/synthetic_corpus.py`, seeded), one book, English. Vectors: "
        f"real MiniLM embeddings of {r['base_texts']} generated base texts ({_f(r['base_embed_s'])} s) — "
        "8 per topic, 40 "
        "topics — plus Gaussian noise (norm 0.35, cos ≈ 0.94 to the base) and re-normalised: the real model's "
        "geometry and topic clusters at a cost of seconds instead of hours, without the unrealistically uniform "
        f"space of random vectors. {r['questions']} template questions, each with a real MiniLM query "
        "embedding; 40 candidates per retriever, k = 8, book + language filter. Each mode has a 20 s budget, "
        "so slow modes have fewer samples (n).",
        "",
        "*CPU/query*: CPU time per query of the benchmark process (encoder threads, Qdrant Edge, the app) and of "
        "the database's Postgres backends; unlike the latencies they barely depend on machine load.",
        "",
        "| chunks | mode | n | p50 ms | p95 ms | p99 ms | CPU/query ms (process + Postgres) | goal (hybrid p95) |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    labels = {
        "embed": "query embedding only",
        "dense": "dense (embed + Qdrant Edge)",
        "fulltext": "full-text (Postgres, as shipped)",
        "hybrid": "**hybrid** (`HybridSearcher.search`)",
        "fulltext_variant": "full-text, ts_headline after LIMIT (bench-only SQL variant)",
    }
    for row in r["sizes"]:
        for mode, m in row["modes"].items():
            goal = ""
            if mode == "hybrid" and row["chunks"] in goals:
                goal = f"≤ {goals[row['chunks']]:.0f} ms {_ok(m['p95'], goals[row['chunks']])}"
            cpu = f"{_f(m['cpu_ms'])} + {_f(m['pg_cpu_ms'])}" if "cpu_ms" in m else "–"
            lines.append(
                f"| {row['chunks']:,} | {labels.get(mode, mode)} | {m['n']} | {_f(m['p50'])} | "
                f"{_f(m['p95'])} | {_f(m['p99'])} | {cpu} | {goal} |"
            )
    lines += [
        "",
        "| chunks | Postgres COPY + ANALYZE s | Qdrant upsert s | rows matching question 0's OR-query |",
        "|---:|---:|---:|---:|",
    ]
    for row in r["sizes"]:
        lines.append(
            f"| {row['chunks']:,} | {_f(row['pg_load_s'])} | {_f(row['qdrant_load_s'])} | "
            f"{row.get('fulltext_rows_matching_q0')} |"
        )
    lines += [
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) of the shipped full-text SQL at {r['sizes'][-1]['chunks']:,} chunks, "
        f"question “{r['explain_question']}” — GIN index `ix_chunks_tsv` used: **{r['gin_used']}**",
        "",
        "```",
        *r["explain"].splitlines(),
        "```",
        "",
    ]
    return lines


def render_load(r: dict) -> list[str]:
    lines = [
        "## 3. Chapter GET under load (`benchmarks/chapter_get_load.py`)",
        "",
        f"`booktutor serve` (one uvicorn worker) on 127.0.0.1 with the sample book ({r.get('chapters')} chapters) "
        "ingested; the benchmark process drives an open-loop asyncio + httpx generator at a fixed rate for "
        f"{_f(r['duration_s'], 0)} s, round-robin over all chapters. *service* = send → response; *scheduled* = "
        "scheduled start → response (includes client queueing). Client and server share the 2 cores. "
        f"Goal: p95 ≤ {r['goal_p95_ms']:.0f} ms.",
        "",
        "| target req/s | offered | achieved | ok | errors | p50 ms | p95 ms | p99 ms | sched. p95 ms | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in r["runs"]:
        s, q = run["service_ms"], run["scheduled_ms"]
        lines.append(
            f"| {run['target_rps']:.0f} | {_f(run['offered_rps'])} | {_f(run['achieved_rps'])} | "
            f"{run['ok']} | "
            f"{run['errors']} | {_f(s['p50'])} | {_f(s['p95'])} | {_f(s['p99'])} | {_f(q['p95'])} | "
            f"{_ok(s['p95'], r['goal_p95_ms'])} |"
        )
    lines += [
        "",
        "*offered* below the target means the load generator itself could not send at the target rate "
        "(CPU shared with the server); requests still queued 15 s after the last send count as errors.",
        "",
    ]
    if "closed_loop" in r:
        c = r["closed_loop"]
        m = c["latency_ms"]
        lines += [
            f"Closed loop, one request at a time ({m['n']} requests, ~{c['mean_bytes'] / 1024:.1f} kB "
            "responses): "
            f"p50 {_f(m['p50'])} ms, p95 {_f(m['p95'])} ms, mean {_f(m['mean'])} ms — a single worker's "
            f"capacity is roughly {1000 / m['mean']:.0f} req/s on this machine.",
            "",
        ]
    if "profile" in r:
        lines += [
            "cProfile of chapter GETs through the ASGI app in-process (httpx ASGITransport, no network):",
            "",
            "```",
            *r["profile"].strip().splitlines()[:80],
            "```",
        ]
    return lines + [""]


def render_vector_store(r: dict) -> list[str]:
    return [
        "## Qdrant Edge store alone (`benchmarks/vector_store_bench.py`, random vectors)",
        "",
        "```",
        r["output"],
        "```",
        "",
    ]


def render_machine(results: dict[str, dict]) -> list[str]:
    m = max(results.values(), key=lambda r: r["run"]["date"])["machine"]
    lines = [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']} |",
        f"| cores (nproc) | {m['nproc']} |",
        f"| RAM | {m['ram']} |",
        f"| Python | {m['python']} |",
        f"| torch | {m['torch']} |",
        f"| PostgreSQL | {m['postgres']} |",
        f"| kernel | {m['kernel']} |",
        f"| Python speed (a fixed loop's CPU ms, lower is faster; `_common.python_speed_ms`) | "
        f"{m.get('python_speed_ms', '–')} |",
        "",
        "Each section comes from its own run (`docs/bench-results/<benchmark>.json`):",
        "",
        "| benchmark | measured | load average at start (1 / 5 / 15 min) | commit |",
        "|---|---|---|---|",
    ]
    for name in BENCHES:
        if name in results:
            run = results[name]["run"]
            lines.append(f"| `{name}` | {run['date']} | {run['loadavg_start']} | {run.get('commit', '')} |")
    return lines + [""]


RENDERERS: dict[str, Callable[[dict], list[str]]] = {
    "answer_latency": render_answer_latency,
    "answer_profile": render_answer_profile,
    "onnx_encoder": render_onnx_encoder,
    "ingest_throughput": render_ingest,
    "search_latency": render_search,
    "chapter_get_load": render_load,
    "load_test": render_load_test,
    "stream_latency": render_stream_latency,
    VECTOR_STORE: render_vector_store,
}
# benchmark -> (PNG name, plot function, caption)
FIGURES = {
    "search_latency": (
        "bench-search-latency.png",
        plots.search_vs_corpus,
        "Search latency vs corpus size (log–log; solid p95, dashed p50)",
    ),
    "load_test": (
        "bench-load-test.png",
        plots.load_test,
        "Load test: latency, achieved rate and errors vs offered rate",
    ),
    "stream_latency": (
        "bench-stream-latency.png",
        plots.streams_vs_concurrency,
        "Conversation streams: latency and throughput vs concurrent streams",
    ),
}


def _with_figure(lines: list[str], figure: str) -> list[str]:
    """The section's lines with the figure right after its first table (or at the end)."""
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [*lines[:end], "", figure, *lines[end:]]


def render_blocks(results: dict[str, dict], img_dir: Path) -> dict[str, str]:
    blocks = {"machine": "\n".join(render_machine(results))} if results else {}
    if results:
        blocks["summary"] = "\n".join(summary.render(results))
    for name in BENCHES:
        if name not in results:
            blocks[name] = f"## {name}\n\nNot measured yet: `python -m benchmarks.run_all --only {name}`."
            continue
        lines = RENDERERS[name](results[name])
        if name in FIGURES:
            png, plot, caption = FIGURES[name]
            plot(results[name], img_dir / png)
            lines = _with_figure(lines, f"![{caption}](img/{png})")
        blocks[name] = "\n".join(lines)
    return blocks


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", choices=BENCHES)
    parser.add_argument("--render-only", action="store_true", help="render the doc from the saved results only")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of the saved <benchmark>.json")
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args()
    failed = [] if args.render_only else run_selected(args.only or BENCHES, args.results)
    doc = args.out.read_text() if args.out.exists() else SKELETON
    args.out.write_text(merge(doc, render_blocks(load_results(args.results), args.out.parent / "img")))
    print(f"wrote {args.out}")
    summary.print_table(load_results(args.results))
    for name, status in failed:
        print(f"{name}: {status}; its previous result (if any) was kept", file=sys.stderr)
    return 1 if failed else 0


def run_selected(names: list[str], results_dir: Path) -> list[tuple[str, str]]:
    """Run the benchmarks, save each result that arrives; the (name, status) of those that did not."""
    if not postgres_available():
        return [(name, "Postgres at 127.0.0.1 not reachable") for name in names]
    machine, failed = machine_info(), []
    out_dir = Path(tempfile.mkdtemp(prefix="booktutor-bench-", dir="/tmp"))
    results_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(f"== {name}", flush=True)
        result, status = run_bench(name, out_dir, machine)
        if result is None:
            failed.append((name, status))
        else:
            (results_dir / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"raw output in {out_dir}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
