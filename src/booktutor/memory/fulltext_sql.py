"""The full-text SQL of BookRepository: ranked chunk search and the question-term evidence query.

Each chunk's `tsv` uses the `english` configuration for English and `simple` otherwise.
"""

from __future__ import annotations

from sqlalchemy import TextClause, text


def _ts_config_for(column: str) -> str:
    return f"(CASE {column} WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END)"


def _fulltext_sql(match: str) -> TextClause:
    return text(
        f"""
        WITH cfgs AS MATERIALIZED (
          SELECT DISTINCT {_ts_config_for("language")} AS cfg FROM documents WHERE version > 0
        ), lex AS MATERIALIZED (
          SELECT DISTINCT cfg, lexeme FROM cfgs, unnest(tsvector_to_array(to_tsvector(cfg, :query))) AS lexeme
        ), q AS MATERIALIZED (
          SELECT c.cfg,
                 (SELECT to_tsquery('simple', string_agg(quote_literal(l.lexeme), ' | '))
                    FROM lex l WHERE l.cfg = c.cfg) AS any_query,
                 (SELECT to_tsquery('simple', string_agg(
                           quote_literal(a.lexeme) || ' & ' || quote_literal(b.lexeme), ' | '))
                    FROM lex a JOIN lex b ON a.cfg = b.cfg AND a.lexeme < b.lexeme
                    WHERE a.cfg = c.cfg) AS pair_query,
                 websearch_to_tsquery(c.cfg, :query) AS strict
          FROM cfgs c
        ), top AS (
          SELECT ch.id, ch.text, ch.language, q.any_query,
                 ts_rank_cd(ch.tsv, q.any_query, 32) + CASE WHEN ch.tsv @@ q.strict THEN 1 ELSE 0 END AS rank
          FROM chunks ch
          JOIN documents d ON d.id = ch.document_id AND d.version = ch.version
          JOIN q ON q.cfg = {_ts_config_for("ch.language")}
          WHERE ch.tsv @@ q.{match}
            AND (CAST(:book_id AS text) IS NULL OR ch.book_id = :book_id)
            AND (CAST(:language AS text) IS NULL OR ch.language = :language)
            AND (cardinality(CAST(:doc_paths AS text[])) = 0
                 OR d.source_path = ANY(CAST(:doc_paths AS text[])))
          ORDER BY rank DESC
          LIMIT :limit
        )
        SELECT id, rank, ts_headline({_ts_config_for("language")}, regexp_replace(text, '[*_`#>|]+', '', 'g'),
                                     any_query, 'MaxWords=30, MinWords=12, MaxFragments=2, StartSel=**, StopSel=**')
        FROM top ORDER BY rank DESC
        """
    )


FULLTEXT_SQL = {match: _fulltext_sql(match) for match in ("pair_query", "any_query")}


# How the question's words occur in the book (BookRepository.term_evidence).
TERM_EVIDENCE_SQL = text(
    f"""
    WITH words AS (SELECT DISTINCT w FROM unnest(CAST(:words AS text[])) AS w),
    lex AS (
      SELECT w, (tsvector_to_array(to_tsvector({_ts_config_for(":language")}, w)))[1] AS lexeme
      FROM words
    ), book AS (
      SELECT ch.id, ch.tsv FROM chunks ch
      JOIN documents d ON d.id = ch.document_id AND d.version = ch.version
      WHERE ch.book_id = :book_id AND ch.language = :language
    )
    SELECT lex.w, lex.lexeme,
           (SELECT count(*) FROM book WHERE book.tsv @@ to_tsquery('simple', quote_literal(lex.lexeme))),
           EXISTS (SELECT 1 FROM book WHERE book.id = ANY(CAST(:top AS uuid[]))
                   AND book.tsv @@ to_tsquery('simple', quote_literal(lex.lexeme))),
           (SELECT count(*) FROM book)
    FROM lex WHERE lex.lexeme IS NOT NULL
    """
)
