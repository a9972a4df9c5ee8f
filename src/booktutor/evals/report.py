"""report.json / report.md, and the diff of two reports."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from booktutor.evals.metrics import LOWER_IS_BETTER, METRICS, aggregate, metric_cis, quality

CASE_KEYS = ("id", "ranks", "retrieved", "answer", "citations", "abstained", "latency_ms", "scores")


def summarise(cases: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    return aggregate([c["scores"] for c in cases], [c["latency_ms"] for c in cases])


def by_mode(cases: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float | None]]:
    modes = sorted({c["mode"] for c in cases})
    return {m: summarise([c for c in cases if c["mode"] == m]) for m in modes}


def build_report(
    *,
    dataset: str,
    corpus: str,
    provider: str,
    cases: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    cis = metric_cis([c["scores"] for c in cases], [c["latency_ms"] for c in cases])
    return {
        "dataset": dataset,
        "corpus": corpus,
        "provider": provider,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "metrics": summarise(cases),
        "metrics_ci95": {m: list(v) if v else None for m, v in cis.items()},
        "by_mode": by_mode(cases),
        "counts": {
            "cases": len(cases),
            "answerable": sum(1 for c in cases if c["answerable"]),
            "errors": sum(1 for c in cases if c.get("error")),
        },
        **(dict(extra) if extra else {}),
        "cases": [dict(c) for c in cases],
    }


def load_report(path: Path) -> dict[str, Any]:
    report = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in ("metrics", "cases") if k not in report]
    if missing:
        raise ValueError(f"{path} is not an eval report (missing {', '.join(missing)})")
    return report


def fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if metric.endswith("_ms") else f"{value:.3f}"


def check_thresholds(
    metrics: Mapping[str, float | None], minimums: Mapping[str, float], maximums: Mapping[str, float] | None = None
) -> list[str]:
    """Failure messages for every metric under its --min (or over its --max)."""
    failures = []
    for name, floor in minimums.items():
        value = metrics.get(name)
        if value is None or value < floor:
            failures.append(f"{name} = {fmt(name, value)} < {floor}")
    for name, ceiling in (maximums or {}).items():
        value = metrics.get(name)
        if value is None or value > ceiling:
            failures.append(f"{name} = {fmt(name, value)} > {ceiling}")
    return failures


@dataclass(frozen=True)
class CaseChange:
    id: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class ReportDiff:
    metrics: dict[str, tuple[float | None, float | None]]
    better: list[CaseChange]
    worse: list[CaseChange]
    only_a: list[str]
    only_b: list[str]


def diff_reports(a: Mapping[str, Any], b: Mapping[str, Any], tolerance: float = 1e-9) -> ReportDiff:
    """Metric pairs (A, B) and the cases whose quality (mean of applicable scores) changed."""
    qa = {c["id"]: quality(c["scores"]) for c in a["cases"]}
    qb = {c["id"]: quality(c["scores"]) for c in b["cases"]}
    changes = [
        CaseChange(i, before, after)
        for i, before in qa.items()
        if before is not None and (after := qb.get(i)) is not None and abs(after - before) > tolerance
    ]
    return ReportDiff(
        metrics={m: (a["metrics"].get(m), b["metrics"].get(m)) for m in METRICS},
        better=sorted((c for c in changes if c.delta > 0), key=lambda c: -c.delta),
        worse=sorted((c for c in changes if c.delta < 0), key=lambda c: c.delta),
        only_a=sorted(set(qa) - set(qb)),
        only_b=sorted(set(qb) - set(qa)),
    )


def delta_text(metric: str, before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "–"
    delta = after - before
    good = delta < 0 if metric in LOWER_IS_BETTER else delta > 0
    mark = "" if abs(delta) < 1e-9 else (" ▲" if good else " ▼")
    return (f"{delta:+.0f}" if metric.endswith("_ms") else f"{delta:+.3f}") + mark


def markdown(report: Mapping[str, Any], plots: Sequence[str], diff: ReportDiff | None = None) -> str:
    ci = report.get("metrics_ci95", {})
    modes = list(report["by_mode"])
    lines = [
        f"# Eval report: {report['dataset']}",
        "",
        f"corpus `{report['corpus']}` · provider `{report['provider']}` · {report['created_at']} · "
        f"{report['counts']['cases']} cases ({report['counts']['answerable']} answerable, "
        f"{report['counts']['errors']} errors)",
        "",
        "| metric | value | 95% CI | " + " | ".join(modes) + (" | Δ baseline |" if diff else " |"),
        "|---|---|---|" + "---|" * len(modes) + ("---|" if diff else ""),
    ]
    for m in METRICS:
        bounds = ci.get(m)
        row = [m, fmt(m, report["metrics"][m]), f"{fmt(m, bounds[0])}–{fmt(m, bounds[1])}" if bounds else "–"]
        row += [fmt(m, report["by_mode"][mode].get(m)) for mode in modes]
        if diff:
            row.append(delta_text(m, *diff.metrics[m]))
        lines.append("| " + " | ".join(row) + " |")
    lines += _gate_md(report.get("gate"))
    if diff:
        lines += ["", f"Cases better than baseline: {len(diff.better)}, worse: {len(diff.worse)}"]
        lines += [f"- worse `{c.id}`: {c.before:.2f} → {c.after:.2f}" for c in diff.worse]
    lines += _failures_md(report["cases"])
    lines += ["", *[f"![{Path(p).stem}]({Path(p).name})" for p in plots]]
    return "\n".join(lines) + "\n"


def _gate_md(gate: Mapping[str, Any] | None) -> list[str]:
    if not gate:
        return []
    bounds = [f"{m} ≥ {v}" for m, v in gate["min"].items()] + [f"{m} ≤ {v}" for m, v in gate["max"].items()]
    if not bounds:
        return ["", "Gate: no bounds given."]
    verdict = "passed" if gate["passed"] else "**failed**"
    lines = ["", f"Gate {verdict}: {', '.join(bounds)}"]
    return lines + [f"- failed: {failure}" for failure in gate["failures"]]


def _failures_md(cases: Sequence[Mapping[str, Any]]) -> list[str]:
    missed = [c for c in cases if c["answerable"] and c["scores"].get("hit@1") == 0.0]
    wrong_abstain = [c for c in cases if c["answerable"] == c["abstained"]]
    lines = ["", "## Cases to look at", ""]
    lines += [f"- `{c['id']}` relevant not first: {c['relevant']} vs {c['retrieved'][:3]}" for c in missed]
    lines += [
        f"- `{c['id']}` {'abstained on an answerable' if c['answerable'] else 'answered an unanswerable'} question"
        for c in wrong_abstain
    ]
    lines += [f"- `{c['id']}` error: {c['error']}" for c in cases if c.get("error")]
    return lines if len(lines) > 3 else []


def write_report(out: Path, report: Mapping[str, Any], plots: Sequence[str], diff: ReportDiff | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(markdown(report, plots, diff), encoding="utf-8")
