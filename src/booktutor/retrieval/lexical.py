"""Postgres full-text search over the chunks readers see, and how a question's words occur in a book."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from booktutor.retrieval.lexeme_stats import bounds_candidates, common_lexemes, frequent_lexemes, rare_lexemes


@dataclass(frozen=True, slots=True)
class LexicalHit:
    chunk_id: uuid.UUID
    rank: float


class LexicalSearch:
    """Plain SQL on an asyncpg connection (`raw_connection`): a search runs a few statements a question."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def search(
        self,
        query: str,
        *,
        limit: int,
        book_id: str | None = None,
        language: str | None = None,
        doc_paths: Sequence[str] = (),
    ) -> list[LexicalHit]:
        """Postgres full-text search over current chunks, best first.

        The question is normalised with each language's configuration (stemming, stop words).
        Chunks matching the whole `websearch_to_tsquery` (quotes, `or`, `-word` honoured) come
        first; when they are fewer than `limit`, the relaxed candidates follow: chunks sharing at
        least two of the question's words, or (a short question, or too few found) one. On a large
        book the relaxed match leaves out lexemes that occur in a large share of its chunks
        (`lexeme_stats`), so the set to rank stays bounded; every word still counts in the ranking
        (ts_rank_cd). A question in a language searched with the `simple` configuration (no stop words:
        Urdu) leaves its lexemes common in that language's chunks out of both the relaxed match and the
        rank (`lexeme_stats.common_lexemes`). Highlights are made apart, for the hits shown (`headlines`).

        On a large book the statements are planned for their parameters (`_CUSTOM_PLANS`): the generic
        plan Postgres switches a prepared statement to after five executions ranked far more chunks of
        a 100k-chunk book than the GIN index's matches (7× the CPU, the same ranks). Small books keep
        the plans they had (ties at the cut-off come in plan order, and evals compare their hits).
        """
        params = _Params(query, book_id, language, list(doc_paths), limit)
        if language is not None and language != "en":  # the `simple` configuration: no stop words
            params.frequent = await common_lexemes(self.conn, book_id, language, query)
        if not await bounds_candidates(self.conn, book_id):
            # A small book: the strict and the pair match in one statement (strict matches rank
            # above every other, so the order is that of strict first, then the pairs).
            rows = list(await self.conn.fetch(_FULLTEXT_SQL["strict_or_pair"], *params.args()))
            rows += await self._any_match(rows, params)
        elif self.conn.is_in_transaction():
            rows = await self._bounded(params)
        else:
            async with self.conn.transaction():  # the custom plans' scope (SET LOCAL)
                rows = await self._bounded(params)
        return [LexicalHit(chunk_id=row[0], rank=float(row[1])) for row in rows]

    async def _bounded(self, params: _Params) -> list[asyncpg.Record]:
        """A large book's strict match, then the relaxed matches, the first without its frequent lexemes."""
        await self.conn.execute(_CUSTOM_PLANS)
        found = await self.conn.fetch(_STRICT_AND_LEXEMES_SQL, *params.args())
        rows = [row for row in found if row[0] is not None]
        if len(rows) < params.limit:
            lexemes = next((list(row[2] or []) for row in found if row[0] is None), [])
            params.frequent = list({*params.frequent, *await frequent_lexemes(self.conn, params.book_id, lexemes)})
            if len(lexemes) - len(params.frequent) < 1:
                params.frequent = []  # nothing but frequent words: rank them all
            rows += await self._more(rows, "pair_query", params)
        return rows + await self._any_match(rows, params)

    async def _any_match(self, rows: list[asyncpg.Record], params: _Params) -> list[asyncpg.Record]:
        """Chunks sharing one of the question's words, when the matches so far are few."""
        return await self._more(rows, "any_query", params) if len(rows) < params.limit // 2 else []

    async def rare_pairs(
        self,
        query: str,
        *,
        limit: int,
        book_id: str | None = None,
        language: str | None = None,
        doc_paths: Sequence[str] = (),
    ) -> list[LexicalHit]:
        """Chunks holding at least two of the question's rare lexemes (`lexeme_stats.rare_lexemes`), those
        holding more of them (ts_rank_cd over the rare lexemes) first: the few passages that name the
        question's distinctive words together, which a ranking over all its words buries under chunks
        repeating its common ones."""
        rare = await rare_lexemes(self.conn, book_id, language, query)
        if len(rare) < 2:
            return []
        rows = await self.conn.fetch(_RARE_PAIRS_SQL, rare, book_id, language, list(doc_paths), limit)
        return [LexicalHit(chunk_id=row[0], rank=float(row[1])) for row in rows]

    async def any_holds_every_word(self, query: str, *, book_id: str | None) -> bool:
        """Some current chunk of the book holds every word of `query` (the strict match, stemmed)."""
        params = _Params(query, book_id, None, [], 1)
        return await self.conn.fetchrow(_FULLTEXT_SQL["strict"], *params.args()) is not None

    async def headlines(self, query: str, chunk_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The chunks' passages around the question's words, the words in bold (`ts_headline`)."""
        if not chunk_ids:
            return {}
        return {row[0]: row[1] for row in await self.conn.fetch(_HEADLINES_SQL, query, list(chunk_ids))}

    async def _more(self, rows: list[asyncpg.Record], match: str, params: _Params) -> list[asyncpg.Record]:
        seen = {row[0] for row in rows}
        extra = await self.conn.fetch(_FULLTEXT_SQL[match], *params.args())
        return [row for row in extra if row[0] not in seen][: params.limit - len(rows)]

    async def term_evidence(
        self, words: Sequence[str], *, book_id: str, top_chunk_ids: Sequence[uuid.UUID], language: str = "en"
    ) -> tuple[int, list[tuple[str, str, int, bool]]]:
        """How the question's words occur in the book: (chunks in the book, [(word, lexeme, chunks
        containing it, whether a top hit contains it)]) in the order of `words`; stop words are left out.
        Words the book never uses, or that the top hits miss, are a sign the book does not answer it."""
        rows = await self.conn.fetch(_TERM_EVIDENCE_SQL, list(words), book_id, language, list(top_chunk_ids))
        total = int(rows[0][4]) if rows else 0
        return total, [(row[0], row[1], int(row[2]), bool(row[3])) for row in rows]


def ts_config_for(column: str) -> str:
    """SQL for the text-search configuration of a language column (as the chunks' tsvector uses)."""
    return f"(CASE {column} WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END)"


@dataclass(slots=True)
class _Params:
    """A full-text statement's parameters, $1 to $6 in this order."""

    query: str
    book_id: str | None
    language: str | None
    doc_paths: list[str]
    limit: int
    frequent: list[str] = field(default_factory=list)

    def args(self) -> tuple[Any, ...]:
        return self.query, self.book_id, self.language, self.doc_paths, self.limit, self.frequent


_SAME_RANK_ORDER = "ch.book_id, ch.language, d.source_path, ch.position"
"""Equal ranks in the book's order, not by chunk id (random at ingest): the same book ingested twice ranks the
same way, so answers and evals repeat."""

_CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"
"""For the rest of the transaction: with the asyncpg statement cache every statement is a prepared one,
and the generic plan of the full-text statements (costed without the query's lexemes or the book)
scans and ranks every chunk."""

_CONFIGS = f"SELECT DISTINCT {ts_config_for('language')} AS cfg FROM documents WHERE version > 0"


def _fulltext_sql(match: str, *, lexemes_first: bool = False) -> str:
    """`match`: `strict` (the whole websearch query), the relaxed `pair_query` / `any_query` built from
    the question's lexemes except `frequent` ($6), or `strict_or_pair`; the rank uses every lexeme
    (`rank_query`), plus 1 for a strict match. `lexemes_first`: a first row (NULL, NULL, the question's
    distinct lexemes) comes before the hits, which saves the relaxed match a round trip."""
    # Every strict hit matches strict: no second test of each one (3-5 % of the statement's CPU).
    bonus = "1" if match == "strict" else "CASE WHEN ch.tsv @@ q.strict THEN 1 ELSE 0 END"
    hits = f"""
        SELECT ch.id,
               ts_rank_cd(ch.tsv, q.rank_query, 32) + {bonus} AS rank
        FROM chunks ch
        JOIN documents d ON d.id = ch.document_id AND d.version = ch.version
        JOIN q ON q.cfg = {ts_config_for("ch.language")}
        WHERE {_MATCHES[match]}
          AND (CAST($2 AS text) IS NULL OR ch.book_id = $2)
          AND (CAST($3 AS text) IS NULL OR ch.language = $3)
          AND (cardinality(CAST($4 AS text[])) = 0
               OR d.source_path = ANY(CAST($4 AS text[])))
        ORDER BY rank DESC, {_SAME_RANK_ORDER}
        LIMIT $5"""
    if lexemes_first:
        hits = f"""
        SELECT NULL AS id, NULL AS rank, (SELECT array_agg(DISTINCT lexeme) FROM lex) AS lexemes
        UNION ALL
        SELECT id, rank, NULL FROM ({hits}
        ) AS hits"""
    return f"""
        WITH cfgs AS MATERIALIZED ({_CONFIGS}
        ), lex AS MATERIALIZED (
          SELECT DISTINCT cfg, lexeme FROM cfgs, unnest(tsvector_to_array(to_tsvector(cfg, $1))) AS lexeme
        ), kept AS MATERIALIZED (
          SELECT cfg, lexeme FROM lex WHERE lexeme <> ALL(CAST($6 AS text[]))
        ), q AS MATERIALIZED (
          SELECT c.cfg,
                 (SELECT to_tsquery('simple', string_agg(quote_literal(l.lexeme), ' | '))
                    FROM lex l WHERE l.cfg = c.cfg
                      AND (c.cfg <> 'simple'::regconfig OR l.lexeme <> ALL(CAST($6 AS text[])))) AS rank_query,
                 (SELECT to_tsquery('simple', string_agg(quote_literal(l.lexeme), ' | '))
                    FROM kept l WHERE l.cfg = c.cfg) AS any_query,
                 (SELECT to_tsquery('simple', string_agg(
                           quote_literal(a.lexeme) || ' & ' || quote_literal(b.lexeme), ' | '))
                    FROM kept a JOIN kept b ON a.cfg = b.cfg AND a.lexeme < b.lexeme
                    WHERE a.cfg = c.cfg) AS pair_query,
                 websearch_to_tsquery(c.cfg, $1) AS strict
          FROM cfgs c
        ){hits}
        """


_MATCHES = {
    "strict": "ch.tsv @@ q.strict",
    "pair_query": "ch.tsv @@ q.pair_query",
    "any_query": "ch.tsv @@ q.any_query",
    "strict_or_pair": "(ch.tsv @@ q.strict OR ch.tsv @@ q.pair_query)",
}
_FULLTEXT_SQL = {match: _fulltext_sql(match) for match in _MATCHES}
_STRICT_AND_LEXEMES_SQL = _fulltext_sql("strict", lexemes_first=True)

_RARE_PAIRS_SQL = f"""
    WITH q AS MATERIALIZED (
      SELECT (SELECT to_tsquery('simple', string_agg(quote_literal(a) || ' & ' || quote_literal(b), ' | '))
                FROM unnest(CAST($1 AS text[])) a, unnest(CAST($1 AS text[])) b WHERE a < b) AS pairs,
             (SELECT to_tsquery('simple', string_agg(quote_literal(a), ' | '))
                FROM unnest(CAST($1 AS text[])) a) AS rare
    )
    SELECT ch.id, ts_rank_cd(ch.tsv, q.rare, 32) AS rank
    FROM chunks ch
    JOIN documents d ON d.id = ch.document_id AND d.version = ch.version
    CROSS JOIN q
    WHERE ch.tsv @@ q.pairs
      AND (CAST($2 AS text) IS NULL OR ch.book_id = $2)
      AND (CAST($3 AS text) IS NULL OR ch.language = $3)
      AND (cardinality(CAST($4 AS text[])) = 0 OR d.source_path = ANY(CAST($4 AS text[])))
    ORDER BY rank DESC, {_SAME_RANK_ORDER}
    LIMIT $5
    """

_HEADLINES_SQL = f"""
    WITH cfgs AS MATERIALIZED ({_CONFIGS}
    ), lex AS MATERIALIZED (
      SELECT DISTINCT cfg, lexeme FROM cfgs, unnest(tsvector_to_array(to_tsvector(cfg, $1))) AS lexeme
    ), q AS MATERIALIZED (
      SELECT c.cfg, (SELECT to_tsquery('simple', string_agg(quote_literal(l.lexeme), ' | '))
                       FROM lex l WHERE l.cfg = c.cfg) AS rank_query
      FROM cfgs c
    )
    SELECT ch.id, ts_headline({ts_config_for("ch.language")}, regexp_replace(ch.text, '[*_`#>|]+', '', 'g'),
                              q.rank_query, 'MaxWords=30, MinWords=12, MaxFragments=2, StartSel=**, StopSel=**')
    FROM chunks ch JOIN q ON q.cfg = {ts_config_for("ch.language")}
    WHERE ch.id = ANY(CAST($2 AS uuid[]))
    """

_TERM_EVIDENCE_SQL = f"""
    WITH words AS (
      SELECT w, min(n) AS n FROM unnest(CAST($1 AS text[])) WITH ORDINALITY AS t(w, n) GROUP BY w
    ), lex AS (
      SELECT w, n, (tsvector_to_array(to_tsvector({ts_config_for("$3")}, w)))[1] AS lexeme
      FROM words
    ), book AS (
      SELECT ch.id, ch.tsv FROM chunks ch
      JOIN documents d ON d.id = ch.document_id AND d.version = ch.version
      WHERE ch.book_id = $2 AND ch.language = $3
    )
    SELECT lex.w, lex.lexeme,
           (SELECT count(*) FROM book WHERE book.tsv @@ to_tsquery('simple', quote_literal(lex.lexeme))),
           EXISTS (SELECT 1 FROM book WHERE book.id = ANY(CAST($4 AS uuid[]))
                   AND book.tsv @@ to_tsquery('simple', quote_literal(lex.lexeme))),
           (SELECT count(*) FROM book)
    FROM lex WHERE lex.lexeme IS NOT NULL
    ORDER BY lex.n
    """
