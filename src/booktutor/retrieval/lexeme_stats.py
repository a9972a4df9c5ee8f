"""How many chunks of a book contain each of a question's lexemes, capped and cached per process.

Full-text candidates are bounded with it: a lexeme that occurs in a large share of a large book
("robot" in a robotics book) would make every chunk a candidate to rank, so the relaxed query leaves
it out of the candidate match (it still counts in the ranking). Counts stop at the cap, so counting
a very common lexeme costs a bounded scan; they are kept for `STATS_TTL_S` (ingest changes them
slowly and they only steer which chunks are ranked). The same counts, among a book's chunks in one
language, find the words a language without a stop-word list uses everywhere (`common_lexemes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import asyncpg

FREQUENT_SHARE = 0.05
"""A lexeme in more than this share of a book's chunks is frequent ..."""
FREQUENT_MIN_CHUNKS = 2000
"""... and in more than this many chunks: on smaller books every lexeme is kept (ranking them all is cheap)."""
STATS_TTL_S = 600.0
MAX_LEXEMES_PER_BOOK = 50_000

COMMON_SHARE = 0.25
"""In a language Postgres has no stop words for (the `simple` configuration: Urdu), a lexeme in more than
this share of the book's chunks in that language is one in effect (کے, اور, ہیں): ranked, it would
weigh as much as the question's own words, and the passages that repeat it most would come first."""
COMMON_MIN_CHUNKS = 4

RARE_SHARE = 0.01
"""A lexeme in at most this share of a book's chunks (in the question's language) is rare: a chunk holding two
of a question's rare lexemes is one of the few passages that name them together ("Robot flies away | Wrong
inertia values" for "my robot goes flying off ... what's wrong"), often a table row or a short entry the
encoder places far from the question."""
RARE_MIN_CHUNKS = 3

_LANGUAGE = "(CAST($2 AS text) IS NULL OR language = $2)"
_TOTAL_SQL = f"SELECT count(*) FROM chunks WHERE (CAST($1 AS text) IS NULL OR book_id = $1) AND {_LANGUAGE}"
_COUNT_SQL = """
    SELECT l, (SELECT count(*) FROM (
                 SELECT 1 FROM chunks ch
                 WHERE ch.tsv @@ to_tsquery('simple', quote_literal(l))
                   AND (CAST($2 AS text) IS NULL OR ch.book_id = $2)
                   AND (CAST($3 AS text) IS NULL OR ch.language = $3)
                 LIMIT $4) s)
    FROM unnest(CAST($1 AS text[])) AS l
    """
_LEXEMES_SQL = """
    SELECT array_agg(DISTINCT l) FROM unnest(tsvector_to_array(to_tsvector(
      CASE WHEN CAST($2 AS text) IS NULL OR $2 = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, $1))) AS l
    """
_QUESTION_LEXEMES_SQL = "SELECT array_agg(DISTINCT l) FROM unnest(tsvector_to_array(to_tsvector('simple', $1))) AS l"


@dataclass
class _BookStats:
    total: int
    threshold: int
    created: float = field(default_factory=time.monotonic)
    counts: dict[str, int] = field(default_factory=dict)


_STATS: dict[tuple[str | None, str | None, str], _BookStats] = {}


async def bounds_candidates(conn: asyncpg.Connection, book_id: str | None) -> bool:
    """Whether the book is large enough for frequent lexemes to leave the relaxed match."""
    return (await _book_stats(conn, book_id)).total > FREQUENT_MIN_CHUNKS


async def frequent_lexemes(conn: asyncpg.Connection, book_id: str | None, lexemes: Sequence[str]) -> list[str]:
    """The lexemes that occur in too many of the book's chunks to bound a candidate set."""
    stats = await _book_stats(conn, book_id)
    if stats.total <= FREQUENT_MIN_CHUNKS:
        return []
    return await _above_threshold(conn, stats, book_id, None, list(dict.fromkeys(lexemes)))


async def common_lexemes(conn: asyncpg.Connection, book_id: str | None, language: str, question: str) -> list[str]:
    """The question's lexemes that occur in more than `COMMON_SHARE` of the book's chunks in `language`
    (a language searched with the `simple` configuration), unless nothing else would remain."""
    lexemes = list(await conn.fetchval(_QUESTION_LEXEMES_SQL, question) or [])
    stats = await _stats(conn, book_id, language, lambda total: int(COMMON_SHARE * total), "common")
    if stats.total < COMMON_MIN_CHUNKS or not lexemes:
        return []
    common = await _above_threshold(conn, stats, book_id, language, lexemes)
    return common if len(common) < len(lexemes) else []


async def rare_lexemes(conn: asyncpg.Connection, book_id: str | None, language: str | None, question: str) -> list[str]:
    """The question's lexemes (stemmed as the chunks in `language` are; English when not given) that occur in at
    least one and at most `RARE_SHARE` (or `RARE_MIN_CHUNKS`) of the book's chunks in that language."""
    lexemes = list(await conn.fetchval(_LEXEMES_SQL, question, language) or [])
    stats = await _stats(conn, book_id, language, lambda total: max(RARE_MIN_CHUNKS, int(RARE_SHARE * total)), "rare")
    if len(lexemes) < 2:
        return []
    await _above_threshold(conn, stats, book_id, language, lexemes)
    return [lexeme for lexeme in lexemes if 0 < stats.counts.get(lexeme, 0) <= stats.threshold]


async def _above_threshold(
    conn: asyncpg.Connection, stats: _BookStats, book_id: str | None, language: str | None, lexemes: list[str]
) -> list[str]:
    unknown = [lexeme for lexeme in lexemes if lexeme not in stats.counts]
    if unknown:
        for lexeme, count in await conn.fetch(_COUNT_SQL, unknown, book_id, language, stats.threshold + 1):
            stats.counts[str(lexeme)] = int(count)
    return [lexeme for lexeme in lexemes if stats.counts.get(lexeme, 0) > stats.threshold]


async def _book_stats(conn: asyncpg.Connection, book_id: str | None) -> _BookStats:
    return await _stats(conn, book_id, None, _frequent_threshold, "frequent")


def _frequent_threshold(total: int) -> int:
    return max(FREQUENT_MIN_CHUNKS, int(FREQUENT_SHARE * total))


async def _stats(
    conn: asyncpg.Connection,
    book_id: str | None,
    language: str | None,
    threshold: Callable[[int], int],
    kind: str,
) -> _BookStats:
    """The counts kept for the book's chunks (in `language`, if given), renewed after `STATS_TTL_S`; each
    `kind` of threshold keeps its own (counts stop at the threshold)."""
    stats = _STATS.get((book_id, language, kind))
    if stats is None or time.monotonic() - stats.created > STATS_TTL_S or len(stats.counts) > MAX_LEXEMES_PER_BOOK:
        total = int(await conn.fetchval(_TOTAL_SQL, book_id, language))
        stats = _STATS[(book_id, language, kind)] = _BookStats(total=total, threshold=threshold(total))
    return stats


def forget(book_id: str | None = None) -> None:
    """Drop the cached counts of `book_id` (after its ingest changed its chunks), or every one (tests; a process
    whose books were replaced wholesale)."""
    for key in [key for key in _STATS if book_id is None or key[0] == book_id]:
        del _STATS[key]
