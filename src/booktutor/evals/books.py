"""Per-book results: one table over several eval reports, written into a marked docs section.

`make eval-dev` runs the development books and calls `booktutor eval books`, which renders the
reports (and, when given, the metrics of an earlier run as "before" columns) between
`<!-- eval-books:start -->` and `<!-- eval-books:end -->` in docs/evals.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from booktutor.evals.metrics import METRICS
from booktutor.evals.report import fmt

START, END = "<!-- eval-books:start -->", "<!-- eval-books:end -->"


def before_metrics(path: Path) -> dict[str, dict[str, float | None]]:
    """{book: metrics} of an earlier run, as written by `eval books --save-before`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {book: dict(entry["metrics"]) for book, entry in data.items()}


def save_before_file(path: Path, reports: Mapping[str, Mapping[str, Any]]) -> None:
    data = {
        book: {"created_at": r["created_at"], "provider": r["provider"], "metrics": r["metrics"]}
        for book, r in reports.items()
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _header(reports: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, Any]]) -> list[str]:
    cells, rule = ["metric"], ["---"]
    for book in reports:
        if book in before:
            cells += [f"{book} before", f"**{book} after**"]
            rule += ["---", "---"]
        else:
            cells.append(book)
            rule.append("---")
    return ["| " + " | ".join(cells) + " |", "|" + "|".join(rule) + "|"]


def render_table(
    reports: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, float | None]] | None = None
) -> str:
    """A metric × book Markdown table (before/after pairs where an earlier run is known)."""
    before = before or {}
    lines = [START, "", *_header(reports, before)]
    for metric in METRICS:
        row = [metric]
        for book, report in reports.items():
            if book in before:
                row.append(fmt(metric, before[book].get(metric)))
            row.append(fmt(metric, report["metrics"].get(metric)))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for book, report in reports.items():
        counts = report["counts"]
        gate = report.get("gate") or {}
        verdict = (
            "" if not (gate.get("min") or gate.get("max")) else f", gate {'passed' if gate['passed'] else 'failed'}"
        )
        lines.append(
            f"- `{book}`: `{report['dataset']}`, {counts['cases']} cases ({counts['answerable']} answerable, "
            f"{counts['errors']} errors), provider `{report['provider']}`, {report['created_at']}{verdict}"
        )
    return "\n".join([*lines, "", END])


def refresh_books_section(docs: Path, section: str) -> None:
    """Replace the marked section of the docs file (or append it)."""
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Answer-quality evals\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    docs.write_text(text, encoding="utf-8")
