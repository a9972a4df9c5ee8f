"""Dataset validation: every malformed case is reported with its line number."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from booktutor.evals.answer_metrics import normalise
from booktutor.evals.dataset import DatasetError, load_dataset

GOOD = {
    "id": "c1",
    "question": "What do gears do?",
    "relevant": ["basics/gears.md"],
    "answerable": True,
    "mode": "book",
    "reference_answer": "Trade speed for torque.",
    "keywords": ["torque"],
}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad(case: dict) -> str:
    return json.dumps({**GOOD, "id": "c2", **case})


def test_bundled_dataset_is_valid():
    cases = load_dataset(Path(str(files("booktutor") / "evals/datasets/sample-book.jsonl")))
    assert len(cases) >= 20 and {c.mode for c in cases} == {"book", "selection"}


def test_blank_lines_are_skipped(tmp_path):
    assert [c.id for c in load_dataset(write(tmp_path, json.dumps(GOOD), ""))] == ["c1"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        (bad({"question": None}), "question"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "answerable"} | {"id": "c2"}), "answerable"),
        (bad({"answerable": "yes"}), "answerable"),
        (bad({"relevant": "basics/gears.md"}), "relevant"),
        (bad({"mode": "chapter"}), "mode"),
        (bad({"mode": "selection"}), "selected_text"),
        (bad({"answerable": False}), "relevant == []"),
        (bad({"relevant": []}), "at least one relevant"),
        (bad({"surprise": 1}), "surprise"),
        (bad({"id": "c1"}), "duplicate id"),
    ],
)
def test_malformed_line_is_reported_with_its_number(tmp_path, line, message):
    with pytest.raises(DatasetError) as info:
        load_dataset(write(tmp_path, json.dumps(GOOD), line))
    assert info.value.line == 2
    assert message in str(info.value) and ":2:" in str(info.value)


def test_empty_dataset_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="no cases"):
        load_dataset(write(tmp_path, ""))


NETWORK_COURSE = Path(__file__).parents[1] / "fixtures/network_course/docs"


def test_network_course_dataset_is_valid_and_quotes_its_course():
    """The course-book set (make eval-dev): every relevant page exists in the fixture course and every evidence
    quote is in one of the case's relevant pages (or its selection), as the evidence metrics assume."""
    cases = load_dataset(Path(str(files("booktutor") / "evals/datasets/network-course.jsonl")))
    assert len(cases) >= 30 and {c.mode for c in cases} == {"book", "selection"}
    assert sum(not c.answerable for c in cases) >= 6
    for case in cases:
        assert case.relevant == [] or case.evidence, case.id
        texts = [normalise((NETWORK_COURSE / path).read_text(encoding="utf-8")) for path in case.relevant]
        texts.append(normalise(case.selected_text))
        for quote in case.evidence:
            assert any(normalise(quote) in text for text in texts), (case.id, quote)
        assert all(keyword == keyword.lower() for keyword in case.keywords), case.id
