"""A fixture book's pages as the quiz import reads them, parsed as ingest parses them."""

from __future__ import annotations

from pathlib import Path

from booktutor.ingest.discover import discover_book
from booktutor.ingest.parse import parse_book
from booktutor.tutoring.imported import BookPage

FIXTURES = Path(__file__).parents[1] / "fixtures"


def fixture_book_pages(book: str) -> dict[str, BookPage]:
    docs, problems = parse_book(discover_book(FIXTURES / book))
    assert not problems
    return {d.source_path: BookPage(d.source_path, d.title, d.markdown, d.front_matter, d.language) for d in docs}
