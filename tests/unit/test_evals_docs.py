"""`make eval` keeps docs/evals.md current: one marked section is replaced, the rest kept."""

from booktutor.evals.docs_section import END, START, refresh_docs


def _report(hit: float) -> dict:
    return {
        "created_at": "2026-11-23T12:00:00Z",
        "provider": "extractive",
        "dataset": "d.jsonl",
        "corpus": "book",
        "cases": [{}, {}],
        "metrics": {"hit@1": hit, "latency_p50_ms": 120.0},
    }


def test_section_is_replaced_and_plots_copied(tmp_path):
    docs = tmp_path / "docs" / "evals.md"
    docs.parent.mkdir()
    docs.write_text("# Evals\n\nHand-written intro.\n", encoding="utf-8")
    plot = tmp_path / "metrics.png"
    plot.write_bytes(b"\x89PNG fake")

    refresh_docs(docs, _report(0.5), [str(plot)])
    refresh_docs(docs, _report(0.75), [str(plot)])

    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Evals\n\nHand-written intro.")
    assert text.count(START) == 1 and text.count(END) == 1
    assert "0.75" in text and "0.5 " not in text
    assert "![latest-metrics](img/evals/latest-metrics.png)" in text
    assert (docs.parent / "img" / "evals" / "latest-metrics.png").read_bytes() == b"\x89PNG fake"


def _book_report(hit: float, passed: bool | None = None) -> dict:
    gate = {"passed": passed, "min": {"hit@1": 0.5}, "max": {}, "failures": []} if passed is not None else None
    return {
        **_report(hit),
        "counts": {"cases": 2, "answerable": 1, "errors": 0},
        "gate": gate,
    }


def test_per_book_table_with_before_columns(tmp_path):
    from booktutor.evals.books import END as B_END
    from booktutor.evals.books import START as B_START
    from booktutor.evals.books import before_metrics, refresh_books_section, render_table, save_before_file

    before_file = tmp_path / "before.json"
    save_before_file(before_file, {"a": _book_report(0.5)})
    reports = {"a": _book_report(0.75, passed=True), "b": _book_report(0.25)}
    section = render_table(reports, before_metrics(before_file))
    lines = section.splitlines()
    assert lines[2] == "| metric | a before | **a after** | b |"
    assert "| hit@1 | 0.500 | 0.750 | 0.250 |" in lines
    assert any(line.startswith("- `a`:") and line.endswith("gate passed") for line in lines)

    docs = tmp_path / "evals.md"
    docs.write_text(f"# Evals\n\n{B_START}\nold\n{B_END}\n\nTail.\n", encoding="utf-8")
    refresh_books_section(docs, section)
    text = docs.read_text(encoding="utf-8")
    assert "old" not in text and text.count(B_START) == 1 and text.endswith("Tail.\n") and "0.750" in text
