"""One screen: every performance goal (issue 17), the measured value, the goal and ✅/❌.

Built from the saved results (docs/bench-results/*.json); `make bench` prints it at the end and
docs/benchmarks.md carries it as the `summary` block. A goal whose benchmark has no result yet shows "–".
"""

from __future__ import annotations

from collections.abc import Callable

Row = tuple[str, float | None, str, bool | None]  # goal, measured, goal text, met (None: not measured)


def _le(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def _ge(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def _answer_rows(r: dict) -> list[Row]:
    from benchmarks.answer_latency import goal_rows

    return [(name, value, goal, met) for name, value, goal, met in goal_rows(r)]


def _stream_rows(r: dict) -> list[Row]:
    ours, theirs = r.get("booktutor", {}), r.get("langgraph", {})
    lone = ours.get("1", {})
    fifty = ours.get("50", {})
    cpu = lone.get("server_cpu_ms_per_run")
    p95 = (lone.get("ttft_ms") or {}).get("p95")
    rps = fifty.get("runs_per_s")
    ratio = None
    if fifty and theirs.get("50"):
        ratio = fifty["ttft_ms"]["p95"] / theirs["50"]["ttft_ms"]["p95"]
    return [
        ("engine: server CPU per run, instant model (ms)", cpu, "≤ 12", _le(cpu, 12.0)),
        ("engine: one stream, first token p95 (ms)", p95, "≤ 20", _le(p95, 20.0)),
        ("engine: runs/s with 50 at once", rps, "≥ 60", _ge(rps, 60.0)),
        ("engine: first token p95 at 50 vs langgraph dev (×)", ratio, "≤ 0.3", _le(ratio, 0.3)),
    ]


def _ingest_rows(r: dict) -> list[Row]:
    ratios = [b["ratio"] for b in r.get("books", [])]
    worst = min(ratios) if ratios else None
    return [("ingest: throughput / raw encoder's (worst book)", worst, "≥ 0.8", _ge(worst, 0.8))]


def _encoder_rows(r: dict) -> list[Row]:
    from benchmarks.onnx_encoder import goal_rows

    return goal_rows(r)


def _search_rows(r: dict) -> list[Row]:
    goals = {int(k): v for k, v in r["goals_p95_ms"].items()}
    rows: list[Row] = []
    for size, goal in sorted(goals.items()):
        row = next((s for s in r["sizes"] if s["chunks"] == size), None)
        hybrid = row["modes"].get("hybrid") if row else None  # `--modes` may leave it out
        p95 = hybrid["p95"] if hybrid else None
        rows.append((f"hybrid search p95 at {size // 1000}k chunks, embedding incl. (ms)", p95, f"≤ {goal:.0f}",
                     _le(p95, goal)))  # fmt: skip
    return rows


def _chapter_rows(r: dict) -> list[Row]:
    run = next((x for x in r.get("runs", []) if x["target_rps"] == 100), None)
    p95 = run["service_ms"]["p95"] if run else None
    return [("chapter GET p95 at 100 req/s (ms)", p95, f"≤ {r['goal_p95_ms']:.0f}", _le(p95, r["goal_p95_ms"]))]


SOURCES: dict[str, Callable[[dict], list[Row]]] = {
    "answer_latency": _answer_rows,
    "stream_latency": _stream_rows,
    "ingest_throughput": _ingest_rows,
    "onnx_encoder": _encoder_rows,
    "search_latency": _search_rows,
    "chapter_get_load": _chapter_rows,
}


def rows(results: dict[str, dict]) -> list[tuple[str, Row]]:
    out = []
    for name, source in SOURCES.items():
        if name in results:
            out += [(name, row) for row in source(results[name])]
    return out


def _value(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}" if abs(x) < 10 else f"{x:.0f}"


def _mark(met: bool | None) -> str:
    return "–" if met is None else "✅" if met else "❌"


def render(results: dict[str, dict]) -> list[str]:
    lines = [
        "## Summary: every goal",
        "",
        "| goal | measured | target | | benchmark (measured at, load average at start) |",
        "|---|---:|---|---|---|",
    ]
    for name, (goal, value, target, met) in rows(results):
        run = results[name].get("run", {})
        when = f"{run.get('date', '?')}, load {run.get('loadavg_start', '?')}"
        lines.append(f"| {goal} | {_value(value)} | {target} | {_mark(met)} | `{name}` ({when}) |")
    return lines + [""]


def print_table(results: dict[str, dict]) -> None:
    """The one-screen table for the terminal."""
    table = rows(results)
    width = max((len(goal) for _, (goal, *_rest) in table), default=10)
    print(f"\n{'goal':<{width}}  {'measured':>9}  {'target':<7}")
    for _, (goal, value, target, met) in table:
        print(f"{goal:<{width}}  {_value(value):>9}  {target:<7}  {_mark(met)}")
