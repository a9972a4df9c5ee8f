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
_OUTLINE_COLUMNS = """
ch.document_id, d.source_path, d.title, d.front_matter, d.slug, ch.language, ch.heading_path, ch.anchor,
ch.purpose, ch.sections, left(ch.text, $2)
"""
_OUTLINES = f"""
SELECT {_OUTLINE_COLUMNS} {_CURRENT} WHERE ch.document_id = ANY($1::uuid[])
ORDER BY ch.document_id, ch.position
"""
_PART_DOCUMENTS = """
SELECT d.id, d.source_path, d.title FROM documents p
JOIN documents d ON d.book_id = p.book_id AND d.language = p.language
WHERE p.id = $1 AND (d.source_path ~* $2 OR d.title ~* $3)
ORDER BY d.source_path
"""
_BOOK_DOCUMENTS = """
SELECT d.id, d.source_path, d.title FROM documents p
JOIN documents d ON d.book_id = p.book_id AND d.language = p.language
JOIN chapters c ON c.id = d.chapter_id
WHERE p.id = $1 ORDER BY c.sort_key, d.source_path
"""
_AUTHORED_QUESTIONS = """
SELECT document_id, heading_path, anchor, prompt, choices FROM authored_questions
WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, position
"""
_FOLDER_LABELS = """
SELECT label.key, label.value FROM documents p JOIN books b ON b.id = p.book_id, jsonb_each_text(b.folder_labels) label
WHERE p.id = $1
"""
_HEADED_DOCUMENTS = f"""
SELECT ch.document_id {_CURRENT}
WHERE ch.book_id = $1 AND ch.language = $2
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(ch.sections) s WHERE s->>'heading' ~* $3 AND s->>'heading' ~* $4)
GROUP BY ch.document_id ORDER BY min(d.source_path) LIMIT $5
"""
_FOLDER_OUTLINES = f"""
SELECT f.page, f.folder, {_OUTLINE_COLUMNS}
FROM unnest($1::uuid[], $3::text[]) AS f(page, folder)
JOIN documents p ON p.id = f.page
JOIN documents d ON d.book_id = p.book_id AND d.language = p.language
 AND left(d.source_path, length(f.folder)) = f.folder
JOIN chapters c ON c.id = d.chapter_id
JOIN chunks ch ON ch.document_id = d.id AND ch.version = d.version
ORDER BY f.page, f.folder, c.sort_key, d.source_path, ch.position
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
    conn: asyncpg.Connection, document_ids: Sequence[uuid.UUID], text_chars: int
) -> dict[uuid.UUID, list[OutlineRow]]:
    """Each document's current chunks in book order, by heading path, anchor and purpose, with the first
    `text_chars` characters of their text (a practice section's prompt, not every code listing whole)."""
    if not document_ids:
        return {}
    found: dict[uuid.UUID, list[OutlineRow]] = {}
    for row in await conn.fetch(_OUTLINES, list(document_ids), text_chars):
        found.setdefault(row[0], []).append(OutlineRow(*row))
    return found


async def folder_outlines(
    conn: asyncpg.Connection, folders: Sequence[tuple[uuid.UUID, str]], text_chars: int
) -> dict[tuple[uuid.UUID, str], list[OutlineRow]]:
    """For each (page, folder): the outline (as `document_outlines`) of the documents of the page's book and
    language whose path starts with the folder, the page's own among them, in book order: a module's index
    page with its lessons, or ("" the folder) the whole book."""
    if not folders:
        return {}
    found: dict[tuple[uuid.UUID, str], list[OutlineRow]] = {}
    pages, prefixes = [page for page, _ in folders], [folder for _, folder in folders]
    for page, folder, *row in await conn.fetch(_FOLDER_OUTLINES, pages, text_chars, prefixes):
        found.setdefault((page, folder), []).append(OutlineRow(*row))
    return found


async def documents_named(
    conn: asyncpg.Connection, page: uuid.UUID, path_pattern: str, title_pattern: str
) -> list[tuple[uuid.UUID, str, str]]:
    """The documents of the page's book and language whose path or title matches the (POSIX) pattern, as (id,
    source path, title): the pages of "module 2" of the course."""
    return [tuple(row) for row in await conn.fetch(_PART_DOCUMENTS, page, path_pattern, title_pattern)]


async def book_documents(conn: asyncpg.Connection, page: uuid.UUID) -> list[tuple[uuid.UUID, str, str]]:
    """The documents of the page's book and language, as (id, source path, title), in reading order."""
    return [tuple(row) for row in await conn.fetch(_BOOK_DOCUMENTS, page)]


async def authored_questions(
    conn: asyncpg.Connection, pages: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, list[str], str, str, list[str]]]:
    """The questions of the pages' ```quiz blocks, as (page, heading path, anchor, prompt, choices), in order."""
    return [tuple(row) for row in await conn.fetch(_AUTHORED_QUESTIONS, list(pages))]


async def folder_labels(conn: asyncpg.Connection, page: uuid.UUID) -> dict[str, str]:
    """The page's book's folders ("sensing/") with their sidebar labels ("Part B: Sensing")."""
    return {row[0]: row[1] for row in await conn.fetch(_FOLDER_LABELS, page)}


async def documents_headed(
    conn: asyncpg.Connection, book_id: str, language: str, patterns: tuple[str, str], most: int
) -> list[uuid.UUID]:
    """The documents of the book and language (at most `most`, by path) with a section heading that matches both
    (POSIX, case-insensitive) patterns: the pages with a "Types of Sensors" section."""
    rows = await conn.fetch(_HEADED_DOCUMENTS, book_id, language, patterns[0], patterns[1], most)
    return [row[0] for row in rows]
