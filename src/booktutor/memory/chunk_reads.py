"""The answer path's reads of current chunks, as plain SQL on an asyncpg connection (`raw_connection`).

Every search reads its candidates' keys, the kept chunks' rows, their sections' sibling chunks and
stored sentence vectors; through the ORM each statement cost more client CPU than Postgres spent on
it. Id lists are one array parameter, so each statement has one text, prepared once per connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from booktutor.memory.book_records import ChunkKey, ChunkRow, OutlineRow, SectionPiece

_CURRENT = "FROM chunks ch JOIN documents d ON d.id = ch.document_id AND d.version = ch.version"
"""The chunks of the version readers see."""

_KEYS_BY_ID = f"SELECT ch.id, ch.document_id, ch.anchor, ch.purpose {_CURRENT} WHERE ch.id = ANY($1::uuid[])"
_ROWS_BY_ID = f"""
SELECT ch.id, ch.book_id, ch.document_id, d.source_path, ch.language, d.title, d.front_matter, ch.heading_path,
       ch.anchor, ch.text, ch.version, ch.purpose, ch.sections, d.slug
{_CURRENT} WHERE ch.id = ANY($1::uuid[])
"""
_SECTION_PIECES = f"""
SELECT ch.document_id, ch.anchor, ch.id, ch.text, jsonb_array_length(ch.sections)
{_CURRENT} WHERE ch.document_id = ANY($1::uuid[]) AND ch.anchor = ANY($2::text[])
ORDER BY ch.document_id, ch.position
"""
_VECTORS_BY_ID = "SELECT id, sentence_vectors FROM chunks WHERE id = ANY($1::uuid[])"
_OUTLINES = f"""
SELECT ch.document_id, d.source_path, d.title, d.front_matter, d.slug, ch.language, ch.heading_path, ch.anchor,
       ch.purpose, ch.sections, CASE WHEN ch.purpose = ANY($2::text[]) THEN ch.text ELSE '' END
{_CURRENT} WHERE ch.document_id = ANY($1::uuid[])
ORDER BY ch.document_id, ch.position
"""


async def chunk_keys(conn: asyncpg.Connection, chunk_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ChunkKey]:
    """The current chunks among `chunk_ids`, with only their section and purpose: the search ranks
    and collapses some 80 candidates with these and reads whole rows (`chunk_rows`) for the few it keeps."""
    if not chunk_ids:
        return {}
    return {row[0]: ChunkKey(*row) for row in await conn.fetch(_KEYS_BY_ID, list(chunk_ids))}


async def chunk_rows(conn: asyncpg.Connection, chunk_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ChunkRow]:
    """The current chunks among `chunk_ids` with their chapter's metadata."""
    if not chunk_ids:
        return {}
    return {row[0]: ChunkRow(*row) for row in await conn.fetch(_ROWS_BY_ID, list(chunk_ids))}


async def section_chunks(
    conn: asyncpg.Connection, sections: Sequence[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], list[SectionPiece]]:
    """The current chunks of each (document id, anchor) section, in book order: one statement for all
    (the documents' chunks under any of the anchors, kept when the anchor is one asked of that document)."""
    wanted = set(sections)
    if not wanted:
        return {}
    documents, anchors = list({d for d, _ in wanted}), list({a for _, a in wanted})
    found: dict[tuple[uuid.UUID, str], list[SectionPiece]] = {}
    for document_id, anchor, *piece in await conn.fetch(_SECTION_PIECES, documents, anchors):
        if (document_id, anchor) in wanted:
            found.setdefault((document_id, anchor), []).append(SectionPiece(*piece))
    return found


async def sentence_vectors(conn: asyncpg.Connection, chunk_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bytes | None]:
    """The chunks' stored sentence vectors (None where the backfill has not stored them yet)."""
    if not chunk_ids:
        return {}
    return {row[0]: row[1] for row in await conn.fetch(_VECTORS_BY_ID, list(chunk_ids))}


async def document_outlines(
    conn: asyncpg.Connection, document_ids: Sequence[uuid.UUID], text_of: Sequence[str]
) -> dict[uuid.UUID, list[OutlineRow]]:
    """Each document's current chunks in book order, by heading path, anchor and purpose; the text only of
    those whose purpose is one of `text_of` (a practice section's prompt, not every code listing)."""
    if not document_ids:
        return {}
    found: dict[uuid.UUID, list[OutlineRow]] = {}
    for row in await conn.fetch(_OUTLINES, list(document_ids), list(text_of)):
        found.setdefault(row[0], []).append(OutlineRow(*row))
    return found
