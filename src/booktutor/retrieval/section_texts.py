"""A search hit's whole section, when the section spans several chunks (the search keeps one chunk a
section: the best), with the siblings' stored sentence vectors remembered for the answerer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import asyncpg

from booktutor.memory import chunk_reads
from booktutor.memory.book_records import SectionPiece
from booktutor.providers.embedding_cache import CachingEmbedder
from booktutor.providers.embeddings import Embedder
from booktutor.retrieval.types import SearchHit

MAX_SECTION_CHARS = 4000
_FENCE_LINE = re.compile(r"^\s*(?:```|~~~)")


async def whole_section_texts(
    conn: asyncpg.Connection, embedder: Embedder, hits: Sequence[SearchHit]
) -> dict[uuid.UUID, str]:
    """The text of each hit's whole section when the section spans several chunks: search keeps one
    chunk a section (the best), and the sentence or code block that answers may sit in a sibling."""
    wanted = [h for h in hits if len(h.sections) < 2]
    if not wanted:
        return {}
    texts: dict[uuid.UUID, str] = {}
    joined: set[uuid.UUID] = set()
    rows = await chunk_reads.section_chunks(conn, [(h.document_id, h.anchor) for h in wanted])
    for hit in wanted:
        siblings = [r for r in rows.get((hit.document_id, hit.anchor), []) if r.section_count < 2]
        if len(siblings) > 1 and any(r.id == hit.chunk_id for r in siblings):
            texts[hit.chunk_id] = _joined_section(siblings, hit.chunk_id)
            joined |= {r.id for r in siblings}
    await _remember_sentence_vectors(embedder, conn, joined)
    return texts


async def _remember_sentence_vectors(cache: Embedder, conn: asyncpg.Connection, chunk_ids: set[uuid.UUID]) -> None:
    """The sibling chunks' stored sentence vectors, so the answerer does not encode them again."""
    if not isinstance(cache, CachingEmbedder):
        return
    unknown = [i for i in chunk_ids if not cache.knows_chunk(i)]
    if unknown:
        for chunk_id, blob in (await chunk_reads.sentence_vectors(conn, unknown)).items():
            if blob is not None:
                cache.remember_chunk(chunk_id, blob)


def _joined_section(siblings: list[SectionPiece], chunk_id: uuid.UUID) -> str:
    """The section's chunks in book order, widened around the hit's chunk up to MAX_SECTION_CHARS; a
    chunk's repeated heading and the sentences it repeats from the chunk before it are dropped."""
    index = next(i for i, r in enumerate(siblings) if r.id == chunk_id)
    start, end = index, index + 1
    size = len(siblings[index].text)
    while True:
        grown = False
        for candidate in (end, start - 1):
            if 0 <= candidate < len(siblings) and not (start <= candidate < end):
                extra = len(siblings[candidate].text)
                if size + extra <= MAX_SECTION_CHARS:
                    size += extra
                    start, end = min(start, candidate), max(end, candidate + 1)
                    grown = True
        if not grown:
            break
    parts: list[str] = []
    for row in siblings[start:end]:
        parts.append(_without_repeats(row.text, "\n\n".join(parts)) if parts else row.text)
    return "\n\n".join(p for p in parts if p.strip())


def _without_repeats(text: str, before: str) -> str:
    """A continuation chunk without its repeated heading and the overlap it opens with."""
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith("#"):
        lines = lines[1:]  # the section's heading, repeated by every chunk of it
    start = 0
    while (
        start < len(lines)
        and not _FENCE_LINE.match(lines[start])
        and (not lines[start].strip() or lines[start].strip() in before)
    ):
        start += 1
    return "\n".join(lines[start:]).strip()
