"""Hybrid search: Qdrant dense + Postgres full-text, fused, collapsed, optionally reranked."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import structlog

from booktutor.markdown.urls import anchor_url
from booktutor.memory import chunk_reads
from booktutor.memory.book_records import ChunkKey, ChunkRow
from booktutor.memory.database import Database, raw_connection
from booktutor.observability.metrics import RETRIEVAL_LATENCY
from booktutor.observability.tracing import span
from booktutor.providers.embedding_cache import CachingEmbedder
from booktutor.providers.embeddings import Embedder, reads_language
from booktutor.providers.rerank import Reranker
from booktutor.retrieval.fusion import (
    RARE_MATCHES,
    FusedCandidate,
    FusionWeights,
    weigh_purposes,
    weighted_rrf,
    weights_for_encoder,
    weights_for_matches,
)
from booktutor.retrieval.lexical import LexicalSearch
from booktutor.retrieval.types import SearchHit, SearchResult, SectionRef, VectorFilter
from booktutor.retrieval.vector_store import VectorStore, VectorStoreUnavailable

log = structlog.get_logger(__name__)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    k: int = 8
    book_id: str | None = None
    language: str | None = None
    doc_paths: tuple[str, ...] = ()


class HybridSearcher:
    def __init__(
        self,
        db: Database,
        store: VectorStore,
        embedder: Embedder,
        *,
        reranker: Reranker | None = None,
        weights: FusionWeights | None = None,
        default_language: str = "en",
        candidates: int = 40,  # calibrated by the evals, see docs/evals.md
        vector_timeout_s: float = 5.0,
    ) -> None:
        self.db = db
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.weights = weights or FusionWeights()
        self.default_language = default_language
        self.candidates = candidates
        self.vector_timeout_s = vector_timeout_s

    async def search(self, query: SearchQuery, conn: asyncpg.Connection | None = None) -> SearchResult:
        """The query's hits; its reads run on `conn` when given (a caller reading more rows after the
        search saves a pooled checkout)."""
        with RETRIEVAL_LATENCY.time(), span("retrieval.search", k=query.k, book_id=query.book_id):
            return await self._search(query, conn)

    async def mentions_every_word(self, text: str, book_id: str | None) -> bool:
        """One passage of the book holds every word of `text`: whatever it sounds like, it is about the book."""
        async with raw_connection(self.db) as conn:
            return await LexicalSearch(conn).any_holds_every_word(text, book_id=book_id)

    async def closest_passage_similarity(self, text: str, book_id: str | None) -> float:
        """The cosine similarity of the book's passage nearest to `text` (0 when the index cannot answer)."""
        try:
            vector = await self.embedder.embed_query(text)
            found = await asyncio.wait_for(
                self.store.search(vector, 1, VectorFilter(book_id=book_id)), timeout=self.vector_timeout_s
            )
        except (VectorStoreUnavailable, TimeoutError):
            return 0.0
        return found[0].score if found else 0.0

    @asynccontextmanager
    async def _reads(self, conn: asyncpg.Connection | None) -> AsyncIterator[asyncpg.Connection]:
        if conn is not None:
            yield conn
            return
        async with raw_connection(self.db) as own:
            yield own

    async def _search(self, query: SearchQuery, given: asyncpg.Connection | None) -> SearchResult:
        dense_task = asyncio.create_task(self._dense(query))
        async with self._reads(given) as conn:
            lexical = await LexicalSearch(conn).search(
                query.text,
                limit=self.candidates,
                book_id=query.book_id,
                language=query.language,
                doc_paths=query.doc_paths,
            )
            rare = await LexicalSearch(conn).rare_pairs(
                query.text,
                limit=RARE_MATCHES,
                book_id=query.book_id,
                language=query.language,
                doc_paths=query.doc_paths,
            )
            dense, degraded = await dense_task
            weights = self._weights(query, len(lexical))
            fused = weighted_rrf(dense, [h.chunk_id for h in lexical], weights, [h.chunk_id for h in rare])
            kept = await self._kept_rows(conn, fused, query.k)
            found = {h.chunk_id for h in lexical}
            shown = [row.id for c, row in kept if row.id in found]
            headlines = await LexicalSearch(conn).headlines(query.text, shown)
            hits = [self._to_hit(c, row, headlines, query.text) for c, row in kept]
            if not self.reranker:
                await self._remember_sentence_vectors(conn, hits)
        reranked = False
        if self.reranker and hits:
            hits, reranked = await self._rerank(self.reranker, query.text, hits, query.k)
            await self._remember_sentence_vectors(given, hits[: query.k])
        return SearchResult(hits=hits[: query.k], degraded=degraded, reranked=reranked)

    def _weights(self, query: SearchQuery, lexical_matches: int) -> FusionWeights:
        reads = query.language is None or reads_language(self.embedder, query.language)
        return weights_for_encoder(weights_for_matches(lexical_matches, self.weights), reads)

    async def _kept_rows(
        self, conn: asyncpg.Connection, fused: list[FusedCandidate], k: int
    ) -> list[tuple[FusedCandidate, ChunkRow]]:
        """The best candidate of each section with its whole row. Without a reranker only the first k sections
        become hits (snippets, links); a reranker reorders them all. The purpose factors then reorder the
        kept sections: an explanation leads the restating, practice and code chunks it tied with, and what
        the fused scores chose stays returned (factors applied before the cut pushed relevant pages such as
        a glossary out of the results). Only the kept candidates' rows are read whole."""
        keys = await chunk_reads.chunk_keys(conn, [c.chunk_id for c in fused])
        kept = collapse_rows([(c, keys[c.chunk_id]) for c in fused if c.chunk_id in keys])
        if not self.reranker:
            kept = kept[:k]
        ordered = weigh_purposes([c for c, _ in kept], {c.chunk_id: key.purpose for c, key in kept}, self.weights)
        rows = await chunk_reads.chunk_rows(conn, [c.chunk_id for c in ordered])
        return [(c, rows[c.chunk_id]) for c in ordered if c.chunk_id in rows]

    async def _remember_sentence_vectors(self, conn: asyncpg.Connection | None, hits: Sequence[SearchHit]) -> None:
        """Hand the returned chunks' stored sentence vectors to the embedder cache (once per chunk)."""
        cache = self.embedder
        if not isinstance(cache, CachingEmbedder):
            return
        unknown = [h.chunk_id for h in hits if not cache.knows_chunk(h.chunk_id)]
        if not unknown:
            return
        async with self._reads(conn) as reads:
            blobs = await chunk_reads.sentence_vectors(reads, unknown)
        for chunk_id, blob in blobs.items():
            if blob is not None:  # not stored yet: try again after the backfill
                cache.remember_chunk(chunk_id, blob)

    async def _dense(self, query: SearchQuery) -> tuple[list[tuple[uuid.UUID, float]], bool]:
        try:
            vector = await self.embedder.embed_query(query.text)
            flt = VectorFilter(book_id=query.book_id, language=query.language, doc_paths=query.doc_paths)
            found = await asyncio.wait_for(
                self.store.search(vector, self.candidates, flt), timeout=self.vector_timeout_s
            )
        except (VectorStoreUnavailable, TimeoutError) as exc:
            log.warning("vector_store_unavailable", error=str(exc))
            return [], True
        return [(h.chunk_id, h.score) for h in found], False

    async def _rerank(
        self, reranker: Reranker, text: str, hits: list[SearchHit], k: int
    ) -> tuple[list[SearchHit], bool]:
        try:
            order = await reranker.rerank(text, [h.text for h in hits], top_n=k)
        except Exception as exc:  # a reranker outage must not fail the search
            log.warning("rerank_failed", error=str(exc))
            return hits, False
        return [hits[i].model_copy(update={"score": score}) for i, score in order], True

    def _to_hit(
        self, candidate: FusedCandidate, row: ChunkRow, headlines: dict[uuid.UUID, str], text: str
    ) -> SearchHit:
        return SearchHit(
            chunk_id=row.id,
            book_id=row.book_id,
            document_id=row.document_id,
            doc_path=row.doc_path,
            language=row.language,
            chapter_title=row.chapter_title,
            heading_path=list(row.heading_path),
            heading=row.heading_path[-1] if row.heading_path else row.chapter_title,
            anchor=row.anchor,
            anchor_url=anchor_url(
                row.doc_path,
                row.front_matter,
                row.anchor,
                language=row.language,
                default_language=self.default_language,
                permalink=row.permalink,
            ),
            score=round(candidate.score, 6),
            text=row.text,
            snippet=headlines.get(row.id) or make_snippet(row.text, text),
            dense_rank=candidate.dense_rank,
            lexical_rank=candidate.lexical_rank,
            dense_score=candidate.dense_score,
            purpose=row.purpose,
            sections=self._section_refs(row),
        )

    def _section_refs(self, row: ChunkRow) -> list[SectionRef]:
        return [
            SectionRef(
                heading=str(section["heading"]),
                anchor=str(section["anchor"]),
                anchor_url=anchor_url(
                    row.doc_path,
                    row.front_matter,
                    str(section["anchor"]),
                    language=row.language,
                    default_language=self.default_language,
                    permalink=row.permalink,
                ),
            )
            for section in row.sections
        ]


def collapse_rows(candidates: Sequence[tuple[FusedCandidate, ChunkKey]]) -> list[tuple[FusedCandidate, ChunkKey]]:
    """The best chunk of each section (split sections yield overlapping near-duplicates), in order."""
    seen: set[tuple[uuid.UUID, str]] = set()
    kept = []
    for candidate, row in candidates:
        key = (row.document_id, row.anchor)
        if key not in seen:
            seen.add(key)
            kept.append((candidate, row))
    return kept


def make_snippet(text: str, query: str, width: int = 30) -> str:
    """A window of about `width` words around the first query word found in the text."""
    words = text.split()
    start = _first_word_with(text.lower(), {w.lower() for w in _WORD.findall(query) if len(w) > 3})
    begin = max(0, start - width // 3)
    snippet = " ".join(words[begin : begin + width])
    prefix = "… " if begin else ""
    suffix = " …" if begin + width < len(words) else ""
    return f"{prefix}{snippet}{suffix}"


def _first_word_with(lowered: str, wanted: set[str]) -> int:
    """The index among `lowered.split()` of the first word that contains one of `wanted` (0 if none), found
    with one `find` a wanted word rather than a test of each word: a wanted word has no spaces, so its
    first occurrence lies in one word, and lowering the whole text splits into the same words lowered."""
    found = [at for at in (lowered.find(w) for w in wanted) if at >= 0]
    if not found:
        return 0
    at = min(found)
    before = len(lowered[:at].split())
    return before - 1 if at and not lowered[at - 1].isspace() else before
