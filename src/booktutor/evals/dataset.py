"""Load and validate an eval dataset (JSON Lines, one case a line; format in docs/evals.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class DatasetError(ValueError):
    """A malformed dataset; `line` is the 1-based line number of the first bad case."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.detail = path, line, message


class EvalCase(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    relevant: list[str]
    answerable: bool
    mode: Literal["book", "selection"]
    selected_text: str = ""
    reference_answer: str = ""
    keywords: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    feedback: dict[str, Any] | None = None  # what a learner saw and said (cases from `eval export-feedback`)

    @model_validator(mode="after")
    def _consistent(self) -> EvalCase:
        if self.mode == "selection" and not self.selected_text.strip():
            raise ValueError("a selection case needs a non-empty selected_text")
        if self.answerable and not self.relevant:
            raise ValueError("an answerable case needs at least one relevant doc path")
        if not self.answerable and self.relevant:
            raise ValueError("an unanswerable case must have relevant == []")
        return self


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    return "; ".join(parts)


def parse_line(raw: str, path: Path, line: int) -> EvalCase:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(path, line, f"invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise DatasetError(path, line, "a case must be a JSON object")
    try:
        return EvalCase.model_validate(data)
    except ValidationError as exc:
        raise DatasetError(path, line, _describe(exc)) from None


def load_dataset(path: Path) -> list[EvalCase]:
    """All cases of a dataset; raise DatasetError at the first malformed line or duplicate id."""
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            case = parse_line(raw, path, line)
            if case.id in seen:
                raise DatasetError(path, line, f"duplicate id '{case.id}' (first on line {seen[case.id]})")
            seen[case.id] = line
            cases.append(case)
    if not cases:
        raise DatasetError(path, 1, "the dataset has no cases")
    return cases
