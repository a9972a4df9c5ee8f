"""`booktutor eval run` / `booktutor eval diff`: the answer-quality harness and its CI gate."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from booktutor.config import Settings
from booktutor.evals.dataset import DatasetError, EvalCase, load_dataset
from booktutor.evals.metrics import METRICS
from booktutor.evals.report import (
    ReportDiff,
    build_report,
    check_thresholds,
    delta_text,
    diff_reports,
    fmt,
    load_report,
    write_report,
)
from booktutor.log_config import configure_logging

eval_app = typer.Typer(help="Answer-quality evals: run a dataset, compare reports.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


def require_eval_extra(command: str, *modules: str) -> None:
    """One error line and exit 1, before any work, when a package of the `eval` extra is missing."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        message = f"booktutor eval {command} needs the `eval` extra ({', '.join(missing)} not installed): "
        install = escape("pip install 'booktutor[eval]'")
        console.print(f"[red]error:[/] {escape(message)}{install}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def parse_bounds(items: list[str] | None, flag: str) -> dict[str, float]:
    bounds: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or name not in METRICS:
            raise typer.BadParameter(
                f"{flag} takes METRIC=VALUE with METRIC one of {', '.join(METRICS)}", param_hint=flag
            )
        try:
            bounds[name] = float(value)
        except ValueError:
            raise typer.BadParameter(f"{item}: {value!r} is not a number", param_hint=flag) from None
    return bounds


def _load_cases(dataset: Path, limit: int | None) -> list[EvalCase]:
    try:
        cases = load_dataset(dataset)
    except (DatasetError, OSError) as exc:
        console.print(f"[red]invalid dataset:[/] {exc}")
        raise typer.Exit(2) from None
    return cases[:limit] if limit else cases


def _load_baseline(path: Path | None) -> dict[str, Any] | None:
    return None if path is None else _read_report(path)


def _read_report(path: Path) -> dict[str, Any]:
    try:
        return load_report(path)
    except (OSError, ValueError) as exc:
        console.print(f"[red]invalid baseline:[/] {exc}")
        raise typer.Exit(2) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]cases"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=console,
    )


async def run_eval(
    cases: list[EvalCase], corpus: Path, out_dir: Path, book_id: str, concurrency: int, progress: Progress | None = None
) -> tuple[list[dict], str]:
    """Ingest the corpus into its own store and run every case through ChatService."""
    from booktutor.evals.runner import EvalRunner
    from booktutor.evals.store import open_eval_store, section_texts
    from booktutor.graph.factory import build_chat_service
    from booktutor.memory.users import UserRepository
    from booktutor.providers.registry import provider_capabilities

    async with open_eval_store(corpus, out_dir, book_id, Settings().database_url) as (services, _):
        chat = await build_chat_service(services, checkpoint=False)
        async with services.db.session() as session, session.begin():
            user = await UserRepository(session).create_guest()
        runner = EvalRunner(chat, services, user, book_id, await section_texts(services), concurrency)
        task = progress.add_task("cases", total=len(cases), last="") if progress else None

        def done(result: dict) -> None:
            if progress is not None and task is not None:
                progress.update(task, advance=1, last=result["id"])

        try:
            results = await runner.run_all(cases, done)
        finally:
            await chat.close()
        settings = services.settings
    provider = (
        f"{settings.llm_provider}:{settings.llm_model}"
        if provider_capabilities(settings.llm_provider).language_model
        else settings.llm_provider
    )
    return results, provider


def print_summary(report: dict[str, Any], diff: ReportDiff | None) -> None:
    modes = list(report["by_mode"])
    table = Table("metric", "value", "95% CI", *modes, *(["Δ baseline"] if diff else []))
    for m in METRICS:
        ci = report["metrics_ci95"].get(m)
        row = [m, fmt(m, report["metrics"][m]), f"{fmt(m, ci[0])}–{fmt(m, ci[1])}" if ci else "–"]
        row += [fmt(m, report["by_mode"][mode].get(m)) for mode in modes]
        table.add_row(*row, *([delta_text(m, *diff.metrics[m])] if diff else []))
    out.print(table)


def _judge(report: dict[str, Any], settings: Settings) -> None:
    from booktutor.evals.judge import judge_cases, judge_problem

    problem = judge_problem(settings)
    if problem:
        console.print(f"[red]{problem}[/]")
        raise typer.Exit(2)
    for case, scores in zip(report["cases"], judge_cases(report["cases"], settings), strict=True):
        case["scores"].update(scores)
    for key in ("judge_correctness", "judge_faithfulness"):
        values = [c["scores"][key] for c in report["cases"] if c["scores"].get(key) is not None]
        mean = sum(values) / len(values) if values else None
        report["metrics_judge"] = {**report.get("metrics_judge", {}), key: mean}


@eval_app.command("run")
def run_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="Eval cases, JSON Lines")],
    corpus: Annotated[Path, typer.Option("--corpus", help="The book: Docusaurus site root or docs folder")],
    book_id: Annotated[str | None, typer.Option("--book-id", help="Book id (default: corpus folder name)")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Report folder; also holds the eval's own store")] = Path(
        "eval-out"
    ),
    baseline: Annotated[Path | None, typer.Option("--baseline", help="A previous report.json to diff against")] = None,
    minimum: Annotated[list[str] | None, typer.Option("--min", help="METRIC=VALUE floor (repeatable)")] = None,
    maximum: Annotated[list[str] | None, typer.Option("--max", help="METRIC=VALUE ceiling (repeatable)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N cases")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=32)] = 4,
    judge: Annotated[bool, typer.Option("--judge", help="LLM-judged correctness/faithfulness")] = False,
    langsmith: Annotated[bool, typer.Option("--langsmith", help="Log to LangSmith (needs LANGSMITH_API_KEY)")] = False,
    docs: Annotated[
        Path | None, typer.Option("--docs", help="Also refresh this Markdown file's results section")
    ] = None,
) -> None:
    """Run a dataset through the tutor, write report.json/report.md/plots; exit 1 if a --min fails."""
    require_eval_extra("run", "matplotlib")  # the plots
    cases = _load_cases(dataset, limit)
    floors, ceilings = parse_bounds(minimum, "--min"), parse_bounds(maximum, "--max")
    if not corpus.is_dir():
        console.print(f"[red]error:[/] {corpus} is not a directory")
        raise typer.Exit(2)
    base = _load_baseline(baseline)
    configure_logging("WARNING", Settings().log_json)  # logs go to stderr, never into the results
    warnings.filterwarnings("ignore", message=".*durability.*")
    with _progress() as progress:
        results, provider = asyncio.run(
            run_eval(cases, corpus, out_dir, book_id or corpus.resolve().name, concurrency, progress)
        )
    report = build_report(dataset=str(dataset), corpus=str(corpus), provider=provider, cases=results)
    if judge:
        _judge(report, Settings())
    failures = check_thresholds(report["metrics"], floors, ceilings)
    report["gate"] = gate_outcome(floors, ceilings, failures)
    plots = _finish(report, out_dir, base, langsmith)
    if docs is not None:
        from booktutor.evals.docs_section import refresh_docs

        refresh_docs(docs, report, plots)
        console.print(f"refreshed {docs}")
    for failure in failures:
        console.print(f"[red]gate failed:[/] {failure}")
    if failures:
        raise typer.Exit(1)


def gate_outcome(floors: dict[str, float], ceilings: dict[str, float], failures: list[str]) -> dict[str, Any]:
    """What the gate checked and how it went, as written into report.json and report.md."""
    return {"passed": not failures, "min": floors, "max": ceilings, "failures": failures}


def _finish(report: dict[str, Any], out_dir: Path, base: dict[str, Any] | None, langsmith: bool) -> list[str]:
    from booktutor.evals.plots import write_plots

    diff = diff_reports(base, report) if base else None
    plots = write_plots(out_dir, report, diff)
    write_report(out_dir, report, plots, diff)
    print_summary(report, diff)
    console.print(f"report: {out_dir / 'report.json'}, {out_dir / 'report.md'}")
    if langsmith:
        from booktutor.evals.judge import log_to_langsmith

        name = log_to_langsmith(report, f"booktutor-eval-{report['created_at']}")
        console.print(f"LangSmith project: {name}" if name else "[yellow]LANGSMITH_API_KEY is not set: not logged[/]")
    return plots


@eval_app.command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(help="The earlier report.json")],
    b: Annotated[Path, typer.Argument(help="The later report.json")],
) -> None:
    """Metric deltas from A to B, and which cases got better or worse."""
    first, second = _read_report(a), _read_report(b)
    diff = diff_reports(first, second)
    table = Table("metric", "A", "B", "Δ")
    for m, (before, after) in diff.metrics.items():
        table.add_row(m, fmt(m, before), fmt(m, after), delta_text(m, before, after))
    out.print(table)
    out.print(f"better: {len(diff.better)}  worse: {len(diff.worse)}")
    for label, changes in (("better", diff.better), ("worse", diff.worse)):
        for c in changes:
            out.print(f"  {label:6} {c.id}: {c.before:.2f} → {c.after:.2f}")
    for label, ids in (("only in A", diff.only_a), ("only in B", diff.only_b)):
        if ids:
            out.print(f"{label}: {', '.join(ids)}")


def _named_reports(items: list[str]) -> dict[str, dict[str, Any]]:
    reports = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{item!r}: expected BOOK=REPORT.json", param_hint="--report")
        reports[name] = _read_report(Path(path))
    return reports


@eval_app.command("books")
def books_command(
    report: Annotated[list[str], typer.Option("--report", help="BOOK=path/report.json (repeatable, in order)")],
    docs: Annotated[Path | None, typer.Option("--docs", help="Replace this file's per-book section")] = None,
    before: Annotated[
        Path | None, typer.Option("--before", help="Metrics of an earlier run (from --save-before): before columns")
    ] = None,
    save_before: Annotated[
        Path | None, typer.Option("--save-before", help="Write these reports' metrics here, for a later --before")
    ] = None,
) -> None:
    """One table of metrics per development book (the reports of `eval run`), before/after when known."""
    from booktutor.evals.books import before_metrics, refresh_books_section, render_table, save_before_file

    reports = _named_reports(report)
    earlier = None
    if before is not None:
        try:
            earlier = before_metrics(before)
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            console.print(f"[red]invalid --before:[/] {exc}")
            raise typer.Exit(2) from None
    section = render_table(reports, earlier)
    sys.stdout.write(section + "\n")
    if docs is not None:
        refresh_books_section(docs, section)
    if save_before is not None:
        save_before_file(save_before, reports)


@eval_app.command("export-feedback")
def export_feedback_command(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the cases (JSON Lines)")],
    book_id: Annotated[str | None, typer.Option("--book-id", help="Only answers about this book")] = None,
) -> None:
    """Write the learners' thumbs-down answers as eval cases (the dataset format) for a developer to label."""
    from booktutor.evals.feedback_export import thumbs_down_cases, write_cases
    from booktutor.memory.database import Database

    async def collect() -> list[dict[str, Any]]:
        settings = Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = await Database.connect(settings)
        try:
            return await thumbs_down_cases(db, book_id)
        finally:
            await db.dispose()

    configure_logging("WARNING", Settings().log_json)
    cases = asyncio.run(collect())
    write_cases(out_file, cases)
    console.print(f"wrote {len(cases)} thumbs-down answer(s) to {out_file}: label them before adding them to a dataset")


@eval_app.command("translation")
def translation_command(
    corpus: Annotated[Path, typer.Option(help="Docusaurus site with human translations under i18n/")],
    language: Annotated[str, typer.Option(help="Target language code")] = "ur",
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many chapters")] = None,
    docs: Annotated[Path | None, typer.Option(help="Also replace the Translation section of this file")] = None,
) -> None:
    """Machine-translate the corpus's chapters and compare with the stored human translations
    (chrF and structure preservation). Needs an LLM provider; reports `skipped` without one."""
    require_eval_extra("translation", "sacrebleu")
    from booktutor.config import get_settings
    from booktutor.evals.translation import evaluate_translation, render_markdown

    report = asyncio.run(evaluate_translation(get_settings(), corpus=corpus, language=language, limit=limit))
    section = render_markdown(report)
    out.print(section)
    if docs is not None:
        replace_section(docs, section)


def replace_section(path: Path, section: str) -> None:
    """Replace (or append) the `## Translation` section of a Markdown file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find("\n## Translation")
    if start == -1:
        path.write_text(text.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + 1)
    tail = text[end:] if end != -1 else "\n"
    path.write_text(text[:start] + "\n" + section.rstrip() + "\n" + tail, encoding="utf-8")


@eval_app.command("tutoring")
def tutoring_command(
    corpus: Annotated[list[Path], typer.Option("--corpus", help="A book (Docusaurus site or docs folder); repeatable")],
    sample: Annotated[int, typer.Option(min=1, max=500, help="Generated questions checked per book")] = 60,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write report.json (with the sample) here")] = None,
    docs: Annotated[Path | None, typer.Option(help="Also replace the `## Tutoring eval` section of this file")] = None,
    grading: Annotated[bool, typer.Option(help="Also run the grading eval set (bundled book)")] = True,
) -> None:
    """Quiz coverage (chapters with >= 300 words of prose offering >= 3 questions) and mechanical
    checks of a sample of generated questions, offline, per book; plus the grading eval."""
    from booktutor.evals.tutoring import CachingEmbedder, evaluate_tutoring, render_grading, render_markdown
    from booktutor.providers.embeddings import build_embedder
    from booktutor.tutoring.calibration import grading_eval

    embedder = CachingEmbedder(build_embedder(Settings()))  # the configured encoder (ONNX by default)

    async def run() -> tuple[list[dict[str, Any]], list[Any], dict[str, Any] | None]:
        reports = [await evaluate_tutoring(path, embedder, sample=sample) for path in corpus]
        graded = await grading_eval(embedder.inner) if grading else None
        return [r.summary() for r in reports], reports, graded

    summaries, reports, graded = asyncio.run(run())
    section = render_markdown(summaries) + (render_grading(graded) if graded else "")
    out.print(section)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {
            "books": [{**s, "sample": r.checked} for s, r in zip(summaries, reports, strict=True)]
        }
        if graded:
            payload["grading"] = graded
        (out_dir / "tutoring.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    if docs is not None:
        replace_named_section(docs, "## Tutoring eval", section)


def replace_named_section(path: Path, heading: str, section: str) -> None:
    """Replace (or append) the section starting at `heading` up to the next `## ` heading."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find(f"\n{heading}")
    if start == -1:
        path.write_text(text.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + 1)
    tail = text[end:] if end != -1 else "\n"
    path.write_text(text[:start] + "\n" + section.rstrip() + "\n" + tail, encoding="utf-8")
