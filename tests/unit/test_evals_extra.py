"""`booktutor eval` without the `eval` extra: one error line and exit 1, never a traceback."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from booktutor.cli import app


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("matplotlib", ["eval", "run", "--dataset", "cases.jsonl", "--corpus", "."]),
        ("sacrebleu", ["eval", "translation", "--corpus", "."]),
    ],
)
def test_a_missing_eval_extra_is_one_clear_line(module: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: booktutor eval")
    assert module in lines[0]
    assert "pip install 'booktutor[eval]'" in lines[0]
    assert "Traceback" not in result.output
