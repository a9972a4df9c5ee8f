"""Function tools that read the book from Postgres and Qdrant.

Book text is returned as JSON data inside a fenced field, never as instructions: the agents'
instructions say that anything inside a tool result is quoted book content.
"""

from __future__ import annotations

import json
import re
from typing import Any

import asyncpg
from agents import RunContextWrapper, function_tool

from booktutor.extractive.intent import asks_about_practice
from booktutor.extractive.kinds import kinds_subject
from booktutor.markdown.fences import clip_markdown
from booktutor.markdown.urls import anchor_url
from booktutor.memory.book_records import ChunkRow, document_for
from booktutor.memory.books import BookRepository
from booktutor.memory.database import raw_connection
from booktutor.memory.models import Chapter, Document
from booktutor.observability.tracing import traced
from booktutor.retrieval.lexical import LexicalSearch
from booktutor.retrieval.search import SearchQuery
from booktutor.retrieval.section_texts import whole_section_texts
from booktutor.retrieval.types import SearchHit
from booktutor.text_safety import fence_untrusted
from booktutor.tools.answer_keys import keyless
from booktutor.tools.book_aliases import question_aliases
from booktutor.tools.book_parts import missing_part
from booktutor.tools.chapter_names import names_this_page
from booktutor.tools.chapter_points import POINTS_NUMBER_BASE, asked_chapter, chapter_points
from booktutor.tools.context import MAX_SOURCE_N, Source, ToolContext, first_free
from booktutor.tools.head_search import with_head_hits
from booktutor.tools.kinds import KINDS_NUMBER_BASE, kinds_of
from booktutor.tools.part_scope import search_named_part
from booktutor.tools.practice import PRACTICE_NUMBER_BASE, practice_of_pages, practice_pages, reading_first

MAX_TOOL_TEXT_CHARS = 2400
MAX_CHAPTER_CHARS = 12000
SELECTION_QUERY_CHARS = 300
SELECTION_MATCH_SHARE = 0.6
EVIDENCE_TOP_K = 3
SECTION_NUMBER_BASE = 21
"""A hit's further sections are cited from this number up, clear of the hits' own numbers."""
MAX_EVIDENCE_WORDS = 40
WHOLE_SECTION_HITS = 3
"""The top hits whose whole section (all its chunks) the answerer reads."""
_WORD = re.compile(r"\w+", re.UNICODE)
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
_HEADING_LINE = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.M)
PASSAGE_START_WORDS = 6
"""A highlighted passage is found in its chunk by this many of its first words (the Markdown around them aside)."""


def _result_from_hit(n: int, hit: SearchHit, text: str | None = None) -> Source:
    """A hit as a numbered source: its text (the whole section's when given) without answer keys."""
    shown = text if text is not None else clip_markdown(hit.text, MAX_TOOL_TEXT_CHARS)
    where = (hit.heading_path, hit.doc_path, hit.purpose)
    return Source(
        n=n,
        source="book",
        doc_path=hit.doc_path,
        chapter_title=hit.chapter_title,
        heading=hit.heading,
        anchor_url=hit.anchor_url,
        text=fence_untrusted(keyless(shown, *where)),
        snippet=fence_untrusted(keyless(hit.snippet, *where)),
        score=hit.score,
        dense_score=hit.dense_score,
        lexical_rank=hit.lexical_rank,
        language=hit.language,
        purpose=hit.purpose,
    )


def _section_sources(results: list[Source], hits: list[SearchHit], next_n: int) -> list[Source]:
    """Give each further section of a hit that joins several sections a citation number of its own, so a
    quoted sentence can cite the section that holds it; the hit itself cites its first section."""
    extra: list[Source] = []
    for result, hit in zip(results, hits, strict=True):
        if len(hit.sections) < 2:
            continue
        refs: list[dict[str, Any]] = [{"n": result["n"], "heading": hit.sections[0].heading}]
        for section in hit.sections[1:]:
            if next_n > MAX_SOURCE_N:
                break
            extra.append(
                Source(**{**result, "n": next_n, "heading": section.heading, "anchor_url": section.anchor_url})
            )
            refs.append({"n": next_n, "heading": section.heading})
            next_n += 1
        result["sections"] = refs
    return extra


async def _selection_result(ctx: ToolContext) -> Source:
    """The highlighted passage as source [1], linked to the section that holds it when the client
    sent the page's doc path (and the passage is found there; else to the chapter)."""
    chapter_title, heading, url = "Selected passage", "Selected passage", ""
    found = await _chapter_chunks(ctx, ctx.doc_path) if ctx.doc_path else None
    if found is not None:
        _chapter, document, rows = found
        row = _row_holding(rows, ctx.selected_text)
        anchor, heading = _section_holding(row, ctx.selected_text) if row is not None else ("", "")
        chapter_title = document.title
        heading = heading or document.title
        url = anchor_url(
            document.source_path,
            document.front_matter,
            anchor,
            language=document.language,
            default_language="en",
            permalink=document.slug,
        )
    return Source(
        n=1,
        source="selection",
        doc_path=ctx.doc_path or "",
        chapter_title=chapter_title,
        heading=heading,
        anchor_url=url,
        text=fence_untrusted(ctx.selected_text[:MAX_TOOL_TEXT_CHARS]),
        snippet=fence_untrusted(ctx.selected_text[:200]),
        score=1.0,
        dense_score=None,
        lexical_rank=None,
        language=ctx.language,
    )


def _row_holding(rows: list[ChunkRow], passage: str) -> ChunkRow | None:
    """The chunk that holds the passage: the one sharing most of its words (a highlighted passage
    loses the Markdown around it, so exact containment is too strict)."""
    wanted = {w.lower() for w in _WORD.findall(passage)}
    if not wanted or not rows:
        return None
    overlap = [(len(wanted & {w.lower() for w in _WORD.findall(r.text)}), -i) for i, r in enumerate(rows)]
    best, position = max(overlap)
    return rows[-position] if best >= SELECTION_MATCH_SHARE * len(wanted) else None


def _section_holding(row: ChunkRow, passage: str) -> tuple[str, str]:
    """The anchor and heading of the section of `row` the passage sits in: a chunk may join short
    sections, and the passage links to its own (the last heading before its first words)."""
    heading = row.heading_path[-1] if row.heading_path else ""
    words = _WORD.findall(passage)[:PASSAGE_START_WORDS]
    start = re.search(r"\W+".join(map(re.escape, words)), row.text, re.I) if words else None
    if start is None or len(row.sections) < 2:
        return row.anchor, heading
    above = [_words_of(m["title"]) for m in _HEADING_LINE.finditer(row.text[: start.start()])]
    for section in row.sections:
        if above and _words_of(str(section.get("heading", ""))) == above[-1]:
            return str(section.get("anchor", "")), str(section.get("heading", ""))
    return row.anchor, heading


def _words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


async def search_book_results(ctx: ToolContext, query: str, k: int = 6) -> dict[str, Any]:
    """The search_book tool's payload; also used by the evals harness and benchmarks."""
    results: list[Source] = []
    text = query
    if ctx.mode == "selection" and ctx.selected_text:
        results.append(await _selection_result(ctx))
        text = f"{query}\n{ctx.selected_text[:SELECTION_QUERY_CHARS]}"
    offset = len(results)
    about_practice = asks_about_practice(query)
    language = question_language(ctx, query)
    async with raw_connection(ctx.services.db) as conn:  # one connection for the search, section texts and evidence
        search = SearchQuery(text=text, k=k, book_id=ctx.book_id, language=language)
        found = await ctx.services.searcher.search(search, conn)
        if not found.hits:  # the book is not written in the question's language: search all of it
            search = SearchQuery(text=text, k=k, book_id=ctx.book_id)
            found = await ctx.services.searcher.search(search, conn)
        scoped = await search_named_part(conn, ctx.services.searcher, search, query, found) if offset == 0 else found
        hits = scoped.hits if scoped is not found else await with_head_hits(ctx, conn, query, found.hits, k, language)
        texts = await whole_section_texts(conn, ctx.services.embedder, hits[:WHOLE_SECTION_HITS])
        evidence = await _term_evidence(ctx, conn, query, hits, language)
        aliases = await question_aliases(conn, ctx.book_id, query)  # 'QoS' asked, 'quality of service' said
        evidence["aliases"] = [[a.short, a.long] for a in aliases.pairs]
        results += [_result_from_hit(offset + i, hit, texts.get(hit.chunk_id)) for i, hit in enumerate(hits, start=1)]
        sections = _section_sources(results[offset:], hits, max(len(results) + 1, SECTION_NUMBER_BASE))
        practice_sources: list[Source] = []
        practice_listing: list[dict[str, Any]] = []
        if about_practice:  # the practice sections of the pages it ranks first, read from their outline
            pages = practice_pages(hits, results[offset:], str(evidence["language"]))
            if ctx.doc_path and names_this_page(query) and (read := await _chapter_chunks(ctx, ctx.doc_path)):
                pages = reading_first(pages, read[1].id)
            first = first_free(PRACTICE_NUMBER_BASE, results, sections)
            practice_sources, practice_listing = await practice_of_pages(conn, pages, first, question=query)
        kinds = None
        if (subject := kinds_subject(query)) and not about_practice:  # the kinds the book files under one heading
            first = first_free(KINDS_NUMBER_BASE, results, sections, practice_sources)
            kinds = await kinds_of(conn, hits, query, subject, book_id=ctx.book_id, language=language, first_n=first)
        kind_sources = kinds["sources"] if kinds else []
        first = first_free(POINTS_NUMBER_BASE, results, sections, practice_sources, kind_sources)
        points_sources, points = (
            await chapter_points(
                conn, hits[0].document_id, query, first, hit_pages=[h.document_id for h in hits], here=ctx.doc_path
            )
            if hits
            else ([], [])
        )
        first = first_free(POINTS_NUMBER_BASE, results, sections, practice_sources, kind_sources, points_sources)
        part_sources, missing = await missing_part(conn, hits[0].document_id, query, first) if hits else ([], None)
    ctx.degraded = ctx.degraded or found.degraded
    ctx.register_sources(results + sections + practice_sources + kind_sources + points_sources + part_sources)
    payload: dict[str, Any] = {
        "query": query,
        "mode": ctx.mode,
        "degraded": found.degraded,
        "results": results + practice_sources + points_sources + part_sources,
        "evidence": evidence,
    }
    if about_practice:
        payload["practice"] = practice_listing
    if kinds:
        payload["kinds"] = kinds
    if points or asked_chapter(query):
        payload["chapter_points"] = points
    if missing:
        payload["missing_part"] = missing
    return payload


def question_language(ctx: ToolContext, query: str) -> str:
    """The language a question is asked in: English, unless it is written in Arabic script (then the
    learner's language, Urdu if the learner chose English). A translated book's pages in the other
    language say the same things, so they would only take places in the results."""
    return "en" if not _ARABIC_SCRIPT.search(query) else (ctx.language if ctx.language != "en" else "ur")


async def _term_evidence(
    ctx: ToolContext, conn: asyncpg.Connection, query: str, hits: list[SearchHit], language: str
) -> dict[str, Any]:
    """How the question's words occur in the book and in the top hits (an abstention signal)."""
    words = [w.lower() for w in _WORD.findall(_LETTER_DIGIT.sub(" ", query))][:MAX_EVIDENCE_WORDS]
    total, terms = await LexicalSearch(conn).term_evidence(
        words,
        book_id=ctx.book_id,
        top_chunk_ids=[h.chunk_id for h in hits[:EVIDENCE_TOP_K]],
        language=language,
    )
    return {
        "chunks": total,
        "language": language,
        "terms": [{"word": w, "term": t, "df": df, "in_top": top} for w, t, df, top in terms],
    }


@function_tool
@traced("tool.search_book")
async def search_book(wrapper: RunContextWrapper[ToolContext], query: str) -> str:
    """Search the book for passages relevant to a question.

    Args:
        query: The learner's question or the key terms to look for.

    Returns JSON with numbered results; cite a result in the answer as [n].
    """
    payload = await search_book_results(wrapper.context, query)
    return json.dumps(payload, ensure_ascii=False)


@function_tool
@traced("tool.get_section")
async def get_section(wrapper: RunContextWrapper[ToolContext], doc_path: str, anchor: str = "") -> str:
    """Read one section of a chapter in full.

    Args:
        doc_path: The chapter's path relative to the docs root, e.g. "motion/control.md".
        anchor: The section's anchor id, e.g. "pid-control"; empty for the chapter's opening.
    """
    found = await _chapter_chunks(wrapper.context, doc_path)
    if found is None:
        return json.dumps({"error": "chapter_not_found", "doc_path": doc_path})
    _chapter, document, chunks = found
    rows = [r for r in chunks if r.anchor == anchor]
    if not rows:
        return json.dumps({"error": "section_not_found", "doc_path": doc_path, "anchor": anchor})
    joined = clip_markdown("\n\n".join(r.text for r in rows), MAX_CHAPTER_CHARS)
    text = fence_untrusted(keyless(joined, rows[0].heading_path, doc_path, rows[0].purpose))
    url = anchor_url(
        document.source_path,
        document.front_matter,
        anchor,
        language=document.language,
        default_language="en",
        permalink=document.slug,
    )
    return json.dumps(
        {
            "doc_path": doc_path,
            "chapter_title": document.title,
            "heading": rows[0].heading_path[-1],
            "anchor_url": url,
            "text": text,
        },
        ensure_ascii=False,
    )


@function_tool
@traced("tool.get_chapter")
async def get_chapter(wrapper: RunContextWrapper[ToolContext], doc_path: str) -> str:
    """Read a chapter's outline and opening: its title, section headings with anchors, and first section.

    Args:
        doc_path: The chapter's path relative to the docs root, or its chapter id.
    """
    found = await _chapter_chunks(wrapper.context, doc_path)
    if found is None:
        return json.dumps({"error": "chapter_not_found", "doc_path": doc_path})
    chapter, document, rows = found
    sections, seen = [], set()
    for row in rows:
        if row.anchor not in seen:
            seen.add(row.anchor)
            sections.append({"heading": row.heading_path[-1], "anchor": row.anchor})
    url = anchor_url(
        document.source_path,
        document.front_matter,
        "",
        language=document.language,
        default_language="en",
        permalink=document.slug,
    )
    opening = ""
    if rows:
        first = rows[0]
        opening = fence_untrusted(keyless(clip_markdown(first.text, MAX_TOOL_TEXT_CHARS), first.heading_path, doc_path))
    return json.dumps(
        {
            "doc_path": chapter.source_path,
            "chapter_id": chapter.key,
            "title": document.title,
            "url": url,
            "languages": sorted(d.language for d in chapter.documents if d.version),
            "sections": sections,
            "opening": opening,
        },
        ensure_ascii=False,
    )


@function_tool
@traced("tool.get_user_profile")
async def get_user_profile(wrapper: RunContextWrapper[ToolContext]) -> str:
    """The learner's profile: background, level, goals and preferred language (empty if unknown)."""
    return json.dumps(wrapper.context.profile, ensure_ascii=False)


async def _chapter_chunks(ctx: ToolContext, doc_path: str) -> tuple[Chapter, Document, list[ChunkRow]] | None:
    """(chapter, its document in the learner's language, the document's current chunks), or None."""
    async with ctx.services.db.session() as session:
        repo = BookRepository(session)
        chapter = None
        for candidate in _doc_path_candidates(doc_path):
            if chapter := await repo.get_chapter(ctx.book_id, candidate):
                break
        document = document_for(chapter, ctx.language, fallback=("en",), any_language=True) if chapter else None
        if chapter is None or document is None:
            return None
        return chapter, document, await repo.chunks_of_document(document.id)


def _doc_path_candidates(doc_path: str) -> list[str]:
    """A page's route ("basics/gears") names the chapter whose source is basics/gears.md(x)."""
    name = doc_path.rsplit("/", 1)[-1]
    return [doc_path] if "." in name else [doc_path, f"{doc_path}.md", f"{doc_path}.mdx", f"{doc_path}/index.md"]


BOOK_TOOLS = [search_book, get_section, get_chapter, get_user_profile]
