"""Import direction of the Markdown, ingest, memory and rewrite packages, read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "booktutor"


def _imported_modules(package: str) -> set[tuple[str, str]]:
    """(file, imported booktutor module) for every import in the package, lazy ones included."""
    found = set()
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            found |= {(path.name, name) for name in names if name.startswith("booktutor.")}
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("markdown", ("booktutor.",)),
        ("ingest", ("booktutor.tutoring", "booktutor.personalize", "booktutor.translate", "booktutor.api")),
        ("memory", ("booktutor.ingest", "booktutor.retrieval", "booktutor.markdown")),
        ("rewrite", ("booktutor.personalize", "booktutor.translate")),
        ("personalize", ("booktutor.translate",)),
        ("translate", ("booktutor.personalize",)),
    ],
)
def test_package_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    inside = f"booktutor.{package}"
    wrong = sorted(
        (file, module)
        for file, module in _imported_modules(package)
        if module.startswith(forbidden) and not module.startswith(inside)
    )
    assert wrong == []
