"""Asked what a modified term is ("What is a ROS 2 topic?"), the search also looks for the head noun alone
when the words before it run through the whole book: the question's vector and its full-text rank then
follow "ROS 2", which every page names, and the section that says what a topic is ranks far down."""

from __future__ import annotations

import re

import asyncpg

from booktutor.extractive.headword import modified_head
from booktutor.retrieval.lexeme_stats import COMMON_SHARE
from booktutor.retrieval.lexical import LexicalSearch
from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.types import SearchHit
from booktutor.tools.context import ToolContext

BOOK_WIDE_SHARE = COMMON_SHARE
"""A modifier in at least this share of the book's chunks names the book's subject, not which X (in effect a
stop word of this book, as `lexeme_stats.COMMON_SHARE` has it for a language without a stop-word list) ..."""
HEAD_RARITY = 2.0
"""... and in at least this many times as many chunks as the head noun: the head says what is asked."""
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s{2,}")


async def with_head_hits(
    ctx: ToolContext, conn: asyncpg.Connection, question: str, hits: list[SearchHit], k: int, language: str
) -> list[SearchHit]:
    """`hits` interleaved with those of the question without its book-wide modifiers (`book_wide_modifiers`),
    the first hit of each search first; `hits` for any other question."""
    modifiers, head = modified_head(question)
    if not head or ctx.mode == "selection":
        return hits
    words = [w.lower() for w in _WORD.findall(f"{modifiers} {head}")]
    total, terms = await LexicalSearch(conn).term_evidence(
        words, book_id=ctx.book_id, top_chunk_ids=[], language=language
    )
    chunks = {word: df for word, _, df, _ in terms}
    if not book_wide_modifiers(chunks, total, [w.lower() for w in _WORD.findall(modifiers)], head.lower()):
        return hits
    focused = _SPACES.sub(" ", question.replace(modifiers, " ", 1)).strip()
    found = await ctx.services.searcher.search(SearchQuery(focused, k=k, book_id=ctx.book_id, language=language), conn)
    return interleaved(hits, found.hits, k)


def book_wide_modifiers(chunks: dict[str, int], total: int, modifiers: list[str], head: str) -> bool:
    """Every modifier the search counts (stop words aside) is in `BOOK_WIDE_SHARE` of the book's `total`
    chunks and `HEAD_RARITY` times as many as the head noun, which the book uses (`chunks`: each word's)."""
    counted = [chunks[word] for word in modifiers if word in chunks]
    rare_head = chunks.get(head, 0)
    return (
        bool(counted)
        and rare_head > 0
        and all(n >= BOOK_WIDE_SHARE * total and n >= HEAD_RARITY * rare_head for n in counted)
    )


def interleaved(first: list[SearchHit], second: list[SearchHit], k: int) -> list[SearchHit]:
    """The two rankings taken in turn, `first`'s hit first, each chunk once, `k` of them."""
    merged: dict[object, SearchHit] = {}
    for pair in zip(first, second, strict=False):
        for hit in pair:
            merged.setdefault(hit.chunk_id, hit)
    for hit in [*first[len(second) :], *second[len(first) :]]:
        merged.setdefault(hit.chunk_id, hit)
    return list(merged.values())[:k]
