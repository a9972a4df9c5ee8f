"""Keep docs/evals.md current: `make eval` rewrites one marked section with the latest run."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from booktutor.evals.report import fmt

START, END = "<!-- make-eval:start -->", "<!-- make-eval:end -->"


def render_section(report: Mapping[str, Any], images: Sequence[str]) -> str:
    rows = [f"| {metric} | {fmt(metric, value)} |" for metric, value in report["metrics"].items()]
    lines = [
        START,
        "",
        f"### Latest `make eval` run ({report['created_at']}, provider `{report['provider']}`)",
        "",
        f"Dataset `{report['dataset']}`, corpus `{report['corpus']}`, {len(report['cases'])} cases.",
        "",
        "| metric | value |",
        "|---|---|",
        *rows,
        "",
        *[f"![{Path(image).stem}]({image})" for image in images],
        "",
        END,
    ]
    return "\n".join(lines)


def refresh_docs(docs: Path, report: Mapping[str, Any], plots: Sequence[str]) -> None:
    """Copy the run's plots next to the docs and replace (or append) the marked section."""
    image_dir = docs.parent / "img" / "evals"
    image_dir.mkdir(parents=True, exist_ok=True)
    images = []
    for plot in plots:
        target = image_dir / f"latest-{Path(plot).name}"
        shutil.copyfile(plot, target)
        images.append(target.relative_to(docs.parent).as_posix())
    section = render_section(report, images)
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Answer-quality evals\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    docs.write_text(text, encoding="utf-8")
