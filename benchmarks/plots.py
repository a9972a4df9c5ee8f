"""PNG plots for docs/benchmarks.md, drawn from the saved benchmark results (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SEARCH_MODES = {
    "embed": "query embedding",
    "dense": "dense (embed + Qdrant)",
    "fulltext": "full-text (Postgres)",
    "hybrid": "hybrid",
    "fulltext_variant": "full-text, headline after LIMIT",
}
PNG_METADATA = {"Software": None}  # no library version in the file: unchanged data, unchanged PNG


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=PNG_METADATA)
    plt.close(fig)
    return path


def _log_axes(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)


def search_vs_corpus(result: dict, path: Path) -> Path:
    """p50 (dashed) and p95 (solid) per search mode against the number of chunks, goals as crosses."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    sizes = [row["chunks"] for row in result["sizes"]]
    for mode, label in SEARCH_MODES.items():
        rows = [row for row in result["sizes"] if mode in row["modes"]]
        if not rows:
            continue
        x = [row["chunks"] for row in rows]
        (line,) = ax.plot(x, [row["modes"][mode]["p95"] for row in rows], marker="o", label=f"{label} p95")
        ax.plot(x, [row["modes"][mode]["p50"] for row in rows], ls="--", color=line.get_color(), alpha=0.6)
    goals = {int(k): v for k, v in result["goals_p95_ms"].items()}
    ax.scatter(list(goals), list(goals.values()), marker="x", s=80, color="red", zorder=5, label="goal (hybrid p95)")
    _log_axes(ax, "chunks in the corpus", "latency, ms (dashed: p50)")
    ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
    ax.set_title("Search latency vs corpus size")
    ax.legend(fontsize=8)
    return _save(fig, path)


def streams_vs_concurrency(result: dict, path: Path) -> Path:
    """Time to first text (p50 dashed, p95 solid) and runs/s against streams started together."""
    fig, (lat, thr) = plt.subplots(1, 2, figsize=(10, 4.2))
    levels = [int(n) for n in result["levels"]]
    for server in ("booktutor", "langgraph"):
        runs = result.get(server) or {}
        x = [n for n in levels if str(n) in runs]
        if not x:
            continue
        (line,) = lat.plot(x, [runs[str(n)]["ttft_ms"]["p95"] for n in x], marker="o", label=f"{server} TTFT p95")
        lat.plot(x, [runs[str(n)]["ttft_ms"]["p50"] for n in x], ls="--", color=line.get_color(), alpha=0.6)
        lat.plot(
            x,
            [runs[str(n)]["total_ms"]["p95"] for n in x],
            ls=":",
            marker=".",
            color=line.get_color(),
            label=f"{server} full run p95",
        )
        thr.plot(x, [runs[str(n)]["runs_per_s"] for n in x], marker="o", color=line.get_color(), label=server)
    _log_axes(lat, "concurrent streams (1 = sequential)", "ms (dashed: TTFT p50)")
    lat.set_xticks(levels, [str(n) for n in levels])
    lat.set_title("Latency vs concurrent streams")
    lat.legend(fontsize=8)
    thr.set_xscale("log")
    thr.set_xticks(levels, [str(n) for n in levels])
    thr.set_xlabel("concurrent streams (1 = sequential)")
    thr.set_ylabel("completed runs/s")
    thr.set_ylim(bottom=0)
    thr.grid(True, alpha=0.3)
    thr.set_title("Throughput")
    thr.legend(fontsize=8)
    return _save(fig, path)


def load_test(result: dict, path: Path) -> Path:
    """Latency percentiles (top) and achieved rate + error rate (bottom) against the offered rate."""
    parts = [("content", "Aggregated", "content API", "req/s"), ("chat", "run", "chat runs", "runs/s")]
    parts = [p for p in parts if result.get(p[0])]
    fig, axes = plt.subplots(2, len(parts), figsize=(5.2 * len(parts), 7.5), squeeze=False)
    for col, (key, entry, title, unit) in enumerate(parts):
        levels = result[key]
        x = [lv["target_rps"] for lv in levels]
        lat = axes[0][col]
        for q, style in (("p50", "--"), ("p95", "-"), ("p99", ":")):
            lat.plot(x, [lv["entries"][entry][q] for lv in levels], ls=style, marker="o", label=f"{title} {q}")
        if key == "chat":
            lat.plot(
                x,
                [lv["entries"]["time to first text"]["p95"] for lv in levels],
                marker="s",
                label="time to first text p95",
            )
        lat.set_yscale("log")
        lat.set_xlabel(f"offered {unit}")
        lat.set_ylabel("latency, ms")
        lat.set_xticks(x)
        lat.grid(True, which="both", alpha=0.3)
        lat.set_title(f"{title}: latency")
        lat.legend(fontsize=8)
        _achieved_and_errors(axes[1][col], levels, entry, unit)
    return _save(fig, path)


def _achieved_and_errors(ax, levels: list[dict], entry: str, unit: str) -> None:
    x = [lv["target_rps"] for lv in levels]
    achieved = [lv["entries"][entry]["rps"] for lv in levels]
    ax.plot(x, x, color="grey", ls=":", label="offered")
    ax.plot(x, achieved, marker="o", label="achieved")
    ax.set_xlabel(f"offered {unit}")
    ax.set_ylabel(f"achieved {unit}")
    ax.set_xticks(x)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    errors = ax.twinx()
    rates = [100 * lv["entries"][entry]["failures"] / max(lv["entries"][entry]["requests"], 1) for lv in levels]
    errors.bar(x, rates, width=max(x) * 0.04, color="red", alpha=0.35, label="errors %")
    errors.set_ylabel("errors, % of requests")
    errors.set_ylim(0, max(5.0, max(rates) * 1.2))
    handles = ax.get_legend_handles_labels()
    extra = errors.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8, loc="upper left")
    ax.set_title("achieved rate and errors")
