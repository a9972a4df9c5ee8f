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
