"""A question that names a part of the book is searched in that part ("What are the learning objectives of
chapter 9?", "How does the Gazebo chapter spawn a robot?").

A search of the whole book ranks the sections that share the question's other words, wherever they are: the
course overview's "Learning objectives" paragraph before chapter 9's own, or none of chapter 9 when every
chapter has such a section. When the part is named by its number (tools/chapter_points) or its title words
or folder label (tools/chapter_names), and the search found sections outside it, the search runs again within
its pages; the first results stand when that finds nothing. Key-point requests have their own tool.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

import asyncpg

from booktutor.memory import chunk_reads
from booktutor.retrieval.search import HybridSearcher, SearchQuery
from booktutor.retrieval.types import SearchResult
from booktutor.tools.chapter_names import asks_points, named_part
from booktutor.tools.chapter_points import asked_chapter, numbered_pages, numbered_part


async def search_named_part(
    conn: asyncpg.Connection, searcher: HybridSearcher, query: SearchQuery, question: str, found: SearchResult
) -> SearchResult:
    """`found`, or the search within the part of the book the question names when some hits lie outside it."""
    if not found.hits or asks_points(question) or asked_chapter(question):
        return found
    paths = await part_paths(conn, found.hits[0].document_id, question, [hit.document_id for hit in found.hits])
    if not paths or all(hit.doc_path in paths for hit in found.hits):
        return found
    scoped = await searcher.search(replace(query, doc_paths=tuple(sorted(paths))), conn)
    return scoped if scoped.hits else found


async def part_paths(
    conn: asyncpg.Connection, page: uuid.UUID, question: str, hit_pages: Sequence[uuid.UUID]
) -> frozenset[str]:
    """The source paths of the pages (of the book and language of `page`) of the part the question names."""
    if numbered := numbered_part(question):
        pages, _ = await numbered_pages(conn, page, *numbered)
        return frozenset(rows[0].doc_path for rows in pages if rows)
    named = await named_part(conn, page, question, hit_pages)
    if named is None:
        return frozenset()
    if folder := named.folder:
        return frozenset(path for _, path, _ in await chunk_reads.book_documents(conn, page) if path.startswith(folder))
    return frozenset(named.paths)
