"""PNG plots of a report (matplotlib, headless)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from booktutor.evals.metrics import CASE_METRICS  # noqa: E402
from booktutor.evals.report import ReportDiff  # noqa: E402


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)


def metric_bars(report: Mapping[str, Any], path: Path) -> str:
    names = [m for m in CASE_METRICS if report["metrics"].get(m) is not None]
    values = [report["metrics"][m] for m in names]
    cis = [report.get("metrics_ci95", {}).get(m) or (v, v) for m, v in zip(names, values, strict=True)]
    errors = [
        [v - lo for v, (lo, _) in zip(values, cis, strict=True)],
        [hi - v for v, (_, hi) in zip(values, cis, strict=True)],
    ]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.bar(names, values, yerr=errors, capsize=4, color="#4c72b0")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (95% bootstrap CI)")
    ax.set_title(f"{report['dataset']} — {report['provider']}")
    ax.tick_params(axis="x", rotation=35)
    return _save(fig, path)


def mode_bars(report: Mapping[str, Any], path: Path) -> str:
    modes = list(report["by_mode"])
    names = [m for m in CASE_METRICS if any(report["by_mode"][x].get(m) is not None for x in modes)]
    width = 0.8 / max(1, len(modes))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, mode in enumerate(modes):
        values = [report["by_mode"][mode].get(m) or 0.0 for m in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=mode)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(names))], names, rotation=35)
    ax.set_ylim(0, 1.05)
    ax.set_title("by mode")
    ax.legend()
    return _save(fig, path)


def latency_histogram(report: Mapping[str, Any], path: Path) -> str:
    latencies = [c["latency_ms"] for c in report["cases"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(latencies, bins=20, color="#55a868")
    for q in ("latency_p50_ms", "latency_p95_ms"):
        value = report["metrics"].get(q)
        if value is not None:
            ax.axvline(value, linestyle="--", color="black")
            ax.annotate(q.split("_")[1], (value, ax.get_ylim()[1] * 0.9))
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("cases")
    return _save(fig, path)


def case_diff(diff: ReportDiff, path: Path) -> str:
    changes = sorted(diff.better + diff.worse, key=lambda c: c.delta)
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.25 * len(changes) + 1)))
    if changes:
        ax.barh(
            [c.id for c in changes],
            [c.delta for c in changes],
            color=["#c44e52" if c.delta < 0 else "#55a868" for c in changes],
        )
    else:
        ax.text(0.5, 0.5, "no case changed", ha="center", va="center", transform=ax.transAxes)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("per-case quality change vs baseline")
    return _save(fig, path)


def write_plots(out: Path, report: Mapping[str, Any], diff: ReportDiff | None) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        metric_bars(report, out / "metrics.png"),
        mode_bars(report, out / "by_mode.png"),
        latency_histogram(report, out / "latency.png"),
    ]
    if diff is not None:
        paths.append(case_diff(diff, out / "diff.png"))
    return paths
