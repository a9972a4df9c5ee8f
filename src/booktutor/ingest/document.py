"""Parse one Markdown/MDX chapter file into a ParsedDocument (or a FileProblem)."""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Any

from booktutor.ingest.chunker import chunk_markdown
from booktutor.ingest.discover import DEFAULT_POSITION
from booktutor.ingest.models import FileProblem, ParsedDocument
from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.front_matter import FrontMatterError, split_front_matter
from booktutor.markdown.mdx import clean_markdown
from booktutor.markdown.urls import DEFAULT_SITE, DocsSite, doc_permalink
from booktutor.markdown.widgets import drop_widgets

_NUMBER_PREFIX = re.compile(r"^(\d+(?:\.\d+)?)[-_. ]+(?=\S)")
_INDEX_STEMS = frozenset({"index", "readme"})

# Part of every content hash: bump it when parsing or chunking changes, so that the next
# incremental ingest re-chunks unchanged files instead of skipping them.
PARSER_VERSION = b"booktutor-parser-12\n"


class _ParseError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def parse_document(
    raw: bytes,
    source_path: str,
    language: str,
    *,
    folder_position: float | None = None,
    site: DocsSite = DEFAULT_SITE,
    default_language: str | None = None,
) -> ParsedDocument | FileProblem:
    """Parse raw file bytes; never raises for bad content, returns a FileProblem instead.

    `slug` is the doc's path on its site (`site`; the locale prefix unless `language` is the default)."""
    try:
        text = _decode(raw)
        front_matter, body = split_front_matter(text)
        cleaned = clean_markdown(drop_widgets(body))
        if not cleaned.strip():
            raise _ParseError("empty", "the file has no content after front matter and MDX syntax")
    except _ParseError as error:
        return FileProblem(source_path, language, error.reason, error.message)
    except FrontMatterError as error:
        return FileProblem(source_path, language, "invalid_front_matter", str(error))
    title = document_title(front_matter, cleaned, source_path)
    return ParsedDocument(
        source_path=source_path,
        language=language,
        title=title,
        slug=doc_permalink(
            source_path, front_matter, language=language, default_language=default_language or language, site=site
        ),
        position=document_position(front_matter, source_path),
        front_matter=front_matter,
        markdown=body,
        content_hash=hashlib.sha256(PARSER_VERSION + raw).hexdigest(),
        chunks=chunk_markdown(cleaned, title=title, page=source_path),
        folder_position=folder_position,
    )


def sort_key(doc: ParsedDocument) -> tuple[float, str, float, str]:
    """Reading order: folder position, folder, the document's own position, then path.

    A document at the language root sorts like a folder at its own position, ahead of a folder
    with the same position. Only the immediate folder's position is known here; discover_book
    already lists files in full tree order.
    """
    if doc.folder_position is None:
        return (doc.position, "", doc.position, doc.source_path)
    folder = PurePosixPath(doc.source_path).parent.as_posix()
    return (doc.folder_position, folder, doc.position, doc.source_path)


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise _ParseError("empty", "the file is empty")
    if b"\x00" in raw:
        raise _ParseError("binary", "the file contains NUL bytes; it looks binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _ParseError("not_utf8", f"the file is not valid UTF-8: {error}") from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------
# Title, slug, position
# ---------------------------------------------------------------------------


def document_title(front_matter: dict[str, Any], body: str, source_path: str) -> str:
    title = front_matter.get("title")
    if isinstance(title, str | int | float) and str(title).strip():
        return str(title).strip()
    return first_h1(body) or humanise_stem(source_path)


_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_EXPLICIT_ID = re.compile(r"\s*\{#[^\s{}]+\}\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def first_h1(body: str) -> str | None:
    for line, fenced in iter_fence_flags(body.split("\n")):
        match = None if fenced else _H1.match(line)
        if match:
            text = _LINK.sub(r"\1", _EXPLICIT_ID.sub("", match.group(1)))
            text = re.sub(r"[*_`]", "", text).strip()
            if text:
                return text
    return None


def humanise_stem(source_path: str) -> str:
    path = PurePosixPath(source_path)
    stem = path.stem
    if stem.lower() in _INDEX_STEMS and path.parent.name:
        stem = path.parent.name
    words = re.sub(r"[-_]+", " ", _NUMBER_PREFIX.sub("", stem)).strip()
    return (words[:1].upper() + words[1:]) if words else stem


def document_position(front_matter: dict[str, Any], source_path: str) -> float:
    position = front_matter.get("sidebar_position")
    if isinstance(position, int | float) and not isinstance(position, bool):
        return float(position)
    match = _NUMBER_PREFIX.match(PurePosixPath(source_path).name)
    return float(match.group(1)) if match else DEFAULT_POSITION
