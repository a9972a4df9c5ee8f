"""Run the foundation benchmarks in sequence and rewrite docs/benchmarks.md with the numbers.

Each benchmark runs in its own process (`python -m benchmarks.<name> --json ...`) so models, event
loops and file locks do not leak between them; a benchmark that is unavailable (no Postgres, missing
model) or fails is reported as skipped. `make bench` calls `python -m benchmarks.run_all`.

  python -m benchmarks.run_all                 # run everything, write docs/benchmarks.md
  python -m benchmarks.run_all --only search_latency
  python -m benchmarks.run_all --render-only /tmp/bench-results   # re-render from saved JSON
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import ROOT, machine_info, postgres_available
from benchmarks.stream_latency import render as render_stream_latency

BENCHES = ["ingest_throughput", "search_latency", "chapter_get_load", "stream_latency"]
TIMEOUT_S = 900
DOC = ROOT / "docs" / "benchmarks.md"


def run_one(name: str, out_dir: Path) -> tuple[dict | None, str]:
    out = out_dir / f"{name}.json"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", "--json", str(out)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT_S}s"
    (out_dir / f"{name}.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    print(proc.stdout)
    if proc.returncode != 0 or not out.exists():
        return None, f"failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:] or ''}"
    result = json.loads(out.read_text())
    result["wall_s"] = time.perf_counter() - started
    out.write_text(json.dumps(result, indent=2))
    return result, "ok"


def run_vector_store_bench() -> str | None:
    try:
        proc = subprocess.run([sys.executable, "benchmarks/vector_store_bench.py"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# --- rendering ---------------------------------------------------------------------------------
def _f(x, nd=1):
    return "–" if x is None else f"{x:.{nd}f}"


def _ok(value: float, goal: float, higher_is_better: bool = False) -> str:
    good = value >= goal if higher_is_better else value <= goal
    return "✅" if good else "❌"


def render_ingest(r: dict) -> list[str]:
    lines = ["## 1. Ingest throughput (`benchmarks/ingest_throughput.py`)", "",
             f"Real all-MiniLM-L6-v2 on CPU, loaded and warmed up before timing ({_f(r['model_load_s'], 2)} s load, "
             "excluded); fresh Postgres database + Qdrant Edge store per book. *Raw encoder* = "
             "`SentenceTransformer.encode_document` on exactly the pipeline's texts (`embedding_text`), same groups "
             f"and batch size, mean of one run before and one after the ingest. Goal: ratio ≥ {r['goal_ratio']}.", "",
             "| book | docs | chunks | end-to-end chunks/s | raw encoder chunks/s | ratio | embed share of ingest | goal |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for b in r["books"]:
        lines.append(f"| `{Path(b['book']).name}` | {b['documents']} | {b['chunks']} | {_f(b['ingest_chunks_per_s'])} "
                     f"({_f(b['ingest_s'])} s) | {_f(b['raw_chunks_per_s'])} ({_f(b['raw_before_s'])} / "
                     f"{_f(b['raw_after_s'])} s) | {_f(b['ratio'], 2)} | {_f(b['embed_share'], 2)} | "
                     f"{_ok(b['ratio'], r['goal_ratio'], True)} |")
    lines += ["", "Where the ingest time goes (wrapped methods, same run):", "",
              "| book | phase | seconds | calls |", "|---|---|---:|---:|"]
    for b in r["books"]:
        for name, v in b["breakdown"].items():
            lines.append(f"| `{Path(b['book']).name}` | {name} | {_f(v['seconds'], 2)} | {v['calls'] or ''} |")
    lines += ["", "MiniLM token length of the embedded texts (the model truncates at 256 word pieces):", "",
              "| book | mean | p50 | p95 | max | texts > 256 | tokens never embedded |", "|---|---:|---:|---:|---:|---:|---:|"]
    for b in r["books"]:
        t = b["tokens"]
        lines.append(f"| `{Path(b['book']).name}` | {_f(t['mean'], 0)} | {t['p50']} | {t['p95']} | {t['max']} | "
                     f"{_f(t['over_256_pct'], 0)} % | {_f(t['tokens_lost_pct'], 0)} % |")
    for b in r["books"]:
        if "profile_top" in b:
            lines += ["", f"cProfile of a second ingest of `{Path(b['book']).name}` (top by own time):", "", "```",
                      *b["profile_top"].strip().splitlines()[:40], "```"]
    return lines + [""]


def render_search(r: dict) -> list[str]:
    goals = {int(k): v for k, v in r["goals_p95_ms"].items()}
    lines = ["## 2. Search latency (`benchmarks/search_latency.py`)", "",
             f"Synthetic robotics-like corpus (`benchmarks/synthetic_corpus.py`, seeded), one book, English. Vectors: "
             f"real MiniLM embeddings of {r['base_texts']} generated base texts ({_f(r['base_embed_s'])} s) — 8 per topic, 40 "
             "topics — plus Gaussian noise (norm 0.35, cos ≈ 0.94 to the base) and re-normalised: the real model's "
             "geometry and topic clusters at a cost of seconds instead of hours, without the unrealistically uniform "
             f"space of random vectors. {r['questions']} template questions, each with a real MiniLM query "
             "embedding; 40 candidates per retriever, k = 8, book + language filter. Each mode has a 20 s budget, "
             "so slow modes have fewer samples (n).", "",
             "| chunks | mode | n | p50 ms | p95 ms | p99 ms | goal (hybrid p95) |", "|---:|---|---:|---:|---:|---:|---|"]
    labels = {"embed": "query embedding only", "dense": "dense (embed + Qdrant Edge)",
              "fulltext": "full-text (Postgres, as shipped)", "hybrid": "**hybrid** (`HybridSearcher.search`)"}
    for row in r["sizes"]:
        for mode, m in row["modes"].items():
            goal = ""
            if mode == "hybrid" and row["chunks"] in goals:
                goal = f"≤ {goals[row['chunks']]:.0f} ms {_ok(m['p95'], goals[row['chunks']])}"
            lines.append(f"| {row['chunks']:,} | {labels.get(mode, mode)} | {m['n']} | {_f(m['p50'])} | {_f(m['p95'])} | "
                         f"{_f(m['p99'])} | {goal} |")
    lines += ["", "| chunks | Postgres COPY + ANALYZE s | Qdrant upsert s | rows matching question 0's OR-query |",
              "|---:|---:|---:|---:|"]
    for row in r["sizes"]:
        lines.append(f"| {row['chunks']:,} | {_f(row['pg_load_s'])} | {_f(row['qdrant_load_s'])} | "
                     f"{row.get('fulltext_rows_matching_q0')} |")
    lines += ["", f"EXPLAIN (ANALYZE, BUFFERS) of the shipped full-text SQL at {r['sizes'][-1]['chunks']:,} chunks, "
              f"question “{r['explain_question']}” — GIN index `ix_chunks_tsv` used: **{r['gin_used']}**", "",
              "```", *r["explain"].splitlines(), "```", ""]
    return lines


def render_load(r: dict) -> list[str]:
    lines = ["## 3. Chapter GET under load (`benchmarks/chapter_get_load.py`)", "",
             f"`booktutor serve` (one uvicorn worker) on 127.0.0.1 with the sample book ({r.get('chapters')} chapters) "
             "ingested; the benchmark process drives an open-loop asyncio + httpx generator at a fixed rate for "
             f"{_f(r['duration_s'], 0)} s, round-robin over all chapters. *service* = send → response; *scheduled* = "
             "scheduled start → response (includes client queueing). Client and server share the 2 cores. "
             f"Goal: p95 ≤ {r['goal_p95_ms']:.0f} ms.", "",
             "| target req/s | offered | achieved | ok | errors | p50 ms | p95 ms | p99 ms | sched. p95 ms | goal |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for run in r["runs"]:
        s, q = run["service_ms"], run["scheduled_ms"]
        lines.append(f"| {run['target_rps']:.0f} | {_f(run['offered_rps'])} | {_f(run['achieved_rps'])} | {run['ok']} | "
                     f"{run['errors']} | {_f(s['p50'])} | {_f(s['p95'])} | {_f(s['p99'])} | {_f(q['p95'])} | "
                     f"{_ok(s['p95'], r['goal_p95_ms'])} |")
    lines += ["", "*offered* below the target means the load generator itself could not send at the target rate "
              "(CPU shared with the server); requests still queued 15 s after the last send count as errors.", ""]
    if "closed_loop" in r:
        c = r["closed_loop"]
        m = c["latency_ms"]
        lines += [f"Closed loop, one request at a time ({m['n']} requests, ~{c['mean_bytes'] / 1024:.1f} kB responses): "
                  f"p50 {_f(m['p50'])} ms, p95 {_f(m['p95'])} ms, mean {_f(m['mean'])} ms — a single worker's "
                  f"capacity is roughly {1000 / m['mean']:.0f} req/s on this machine.", ""]
    if "profile" in r:
        lines += ["cProfile of chapter GETs through the ASGI app in-process (httpx ASGITransport, no network):", "",
                  "```", *r["profile"].strip().splitlines()[:80], "```"]
    return lines + [""]


RENDERERS = {"ingest_throughput": render_ingest, "search_latency": render_search, "chapter_get_load": render_load,
             "stream_latency": render_stream_latency}


def render(results: dict, statuses: dict, machine: dict, vector_bench: str | None, notes: str = "") -> str:
    lines = ["# Benchmarks", "",
             "Numbers measured in one run of `make bench` (`python -m benchmarks.run_all`); they are measurements, "
             "not tests, and vary with machine load. Regenerate with `make bench`.", "",
             "## Machine", "", "| | |", "|---|---|",
             f"| date | {machine['date']} |", f"| CPU | {machine['cpu']} |", f"| cores (nproc) | {machine['nproc']} |",
             f"| RAM | {machine['ram']} |", f"| Python | {machine['python']} |", f"| torch | {machine['torch']} |",
             f"| PostgreSQL | {machine['postgres']} |", f"| kernel | {machine['kernel']} |",
             f"| load average at start | {machine.get('loadavg', '')} |", ""]
    if notes:
        lines += [notes.strip(), ""]
    for name in BENCHES:
        if results.get(name):
            lines += RENDERERS[name](results[name])
        else:
            lines += [f"## {name}", "", f"Skipped: {statuses.get(name, 'not run')}.", ""]
    if vector_bench:
        lines += ["## Qdrant Edge store alone (`benchmarks/vector_store_bench.py`, random vectors)", "", "```",
                  vector_bench, "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", choices=BENCHES)
    parser.add_argument("--render-only", type=Path, help="render docs from <dir>/<bench>.json without running")
    parser.add_argument("--notes", type=Path, help="markdown file inserted after the machine table")
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args()
    machine = machine_info()
    machine["loadavg"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    results, statuses, vector_bench = {}, {}, None
    if args.render_only:
        for name in BENCHES:
            path = args.render_only / f"{name}.json"
            if path.exists():
                results[name] = json.loads(path.read_text())
        vb = args.render_only / "vector_store_bench.txt"
        vector_bench = vb.read_text().strip() if vb.exists() else None
        meta = args.render_only / "machine.json"
        if meta.exists():
            machine = json.loads(meta.read_text())
    else:
        out_dir = Path(tempfile.mkdtemp(prefix="booktutor-bench-", dir="/tmp"))
        (out_dir / "machine.json").write_text(json.dumps(machine))
        if not postgres_available():
            statuses = dict.fromkeys(BENCHES, "Postgres at 127.0.0.1 not reachable")
        else:
            for name in args.only or BENCHES:
                print(f"== {name}", flush=True)
                results[name], statuses[name] = run_one(name, out_dir)
        vector_bench = run_vector_store_bench()
        if vector_bench:
            (out_dir / "vector_store_bench.txt").write_text(vector_bench)
        print(f"raw results in {out_dir}")
    notes = args.notes.read_text() if args.notes and args.notes.exists() else ""
    args.out.write_text(render(results, statuses, machine, vector_bench, notes))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
