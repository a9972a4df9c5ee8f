"""Asked what a modified term is ("What is a GardenOS feed?") in a book that names the modifier in most of its
chunks, the search tool also searches for the head noun alone and interleaves its hits with the question's:
the section saying what a feed is never repeats "GardenOS" and ranks far down for the whole question."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.types import SearchHit, SearchResult
from booktutor.tools.context import ToolContext
from booktutor.tools.head_search import with_head_hits


def _hit(heading: str) -> SearchHit:
    return SearchHit(
        chunk_id=uuid.uuid5(uuid.NAMESPACE_URL, heading),
        book_id="garden",
        document_id=uuid.uuid5(uuid.NAMESPACE_URL, "fundamentals"),
        doc_path="fundamentals.md",
        language="en",
        chapter_title="GardenOS fundamentals",
        heading_path=[heading],
        heading=heading,
        anchor=heading.lower(),
        anchor_url=f"/docs/fundamentals#{heading.lower()}",
        score=0.1,
        text=heading,
        snippet=heading,
    )


class _Book:
    """The book's chunk counts for the term-evidence statement, and the hits of each search."""

    def __init__(self, chunks: int, df: dict[str, int], hits: dict[str, list[SearchHit]]) -> None:
        self.chunks, self.df, self.hits, self.searched = chunks, df, hits, []

    async def fetch(self, _sql: str, words: list[str], *_args: Any) -> list[tuple[Any, ...]]:
        return [(w, w, self.df[w], False, self.chunks) for w in words if w in self.df]

    async def search(self, query: SearchQuery, _conn: Any = None) -> SearchResult:
        self.searched.append(query.text)
        return SearchResult(hits=self.hits.get(query.text, []))


OVERVIEW = [_hit("What is GardenOS?"), _hit("Key points"), _hit("Next steps")]
FEEDS = [_hit("Feeds"), _hit("Feed example")]


async def _hits(question: str, book: _Book) -> list[str]:
    ctx = ToolContext(services=SimpleNamespace(searcher=book), user_id=None, book_id="garden")  # type: ignore[arg-type]
    found = await with_head_hits(ctx, book, question, OVERVIEW, 4, "en")  # type: ignore[arg-type]
    return [hit.heading for hit in found]


async def test_a_book_wide_modifier_adds_the_head_nouns_hits() -> None:
    book = _Book(100, {"gardenos": 45, "feed": 12}, {"What is a feed?": FEEDS})
    assert await _hits("What is a GardenOS feed?", book) == ["What is GardenOS?", "Feeds", "Key points", "Feed example"]
    assert book.searched == ["What is a feed?"]


async def test_a_modifier_that_names_which_one_keeps_the_questions_hits() -> None:
    book = _Book(100, {"drip": 8, "line": 20}, {"What is a line?": FEEDS})
    assert await _hits("What is a drip line?", book) == [h.heading for h in OVERVIEW]
    book = _Book(100, {"gardenos": 45, "feed": 30}, {"What is a feed?": FEEDS})
    assert await _hits("What is a GardenOS feed?", book) == [h.heading for h in OVERVIEW], "the head is no rarer"
    assert book.searched == []
