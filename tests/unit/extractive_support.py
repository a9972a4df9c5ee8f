"""The offline answerer in one call, as its unit tests use it."""

from __future__ import annotations

from typing import Any

from booktutor.extractive import AbstentionPolicy, ComposedAnswer, compose_answer


async def answer(question: str, results: list[dict[str, Any]], embedder: Any = None) -> ComposedAnswer:
    return await compose_answer(question, results, embedder=embedder, policy=AbstentionPolicy())


def hit(
    n: int, text: str, heading: str, purpose: str = "exposition", *, doc: str = "", title: str = "Book"
) -> dict[str, Any]:
    """One search result: the section `heading` of page `doc` (a one-section page by default), ranked n."""
    slug = heading.lower().replace(" ", "-")
    doc = doc or f"book/{slug}.md"
    return {
        "n": n,
        "source": "book",
        "doc_path": doc,
        "chapter_title": title,
        "heading": heading,
        "anchor_url": f"/docs/{doc.removesuffix('.md')}#{slug}",
        "text": text,
        "score": 0.03 / n,
        "dense_score": 0.6,
        "lexical_rank": n,
        "language": "en",
        "purpose": purpose,
    }
