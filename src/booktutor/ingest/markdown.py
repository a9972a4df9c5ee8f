"""Parse one Markdown/MDX chapter file into a ParsedDocument (or a FileProblem)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import frontmatter
import yaml

from booktutor.ingest.chunker import chunk_markdown
from booktutor.ingest.discover import DEFAULT_POSITION
from booktutor.ingest.models import FileProblem, ParsedDocument

_NUMBER_PREFIX = re.compile(r"^(\d+(?:\.\d+)?)[-_. ]+(?=\S)")
_INDEX_STEMS = frozenset({"index", "readme"})
_FM_HANDLER = frontmatter.YAMLHandler()

# Part of every content hash: bump it when parsing or chunking changes, so that the next
# incremental ingest re-chunks unchanged files instead of skipping them.
PARSER_VERSION = b"booktutor-parser-2\n"


class _ParseError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def parse_document(
    raw: bytes, source_path: str, language: str, *, folder_position: float | None = None
) -> ParsedDocument | FileProblem:
    """Parse raw file bytes; never raises for bad content, returns a FileProblem instead."""
    try:
        text = _decode(raw)
        front_matter, body = split_front_matter(text)
        cleaned = clean_markdown(body)
        if not cleaned.strip():
            raise _ParseError("empty", "the file has no content after front matter and MDX syntax")
    except _ParseError as error:
        return FileProblem(source_path, language, error.reason, error.message)
    title = document_title(front_matter, cleaned, source_path)
    return ParsedDocument(
        source_path=source_path,
        language=language,
        title=title,
        slug=document_slug(front_matter, source_path),
        position=document_position(front_matter, source_path),
        front_matter=front_matter,
        markdown=body,
        content_hash=hashlib.sha256(PARSER_VERSION + raw).hexdigest(),
        chunks=chunk_markdown(cleaned, title=title),
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
# Decoding and front matter
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


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body). Raises _ParseError for invalid front matter."""
    if not _FM_HANDLER.detect(text):
        return {}, text
    try:
        raw_yaml, body = _FM_HANDLER.split(text)
    except ValueError as error:
        raise _ParseError("invalid_front_matter", "front matter is not closed by '---'") from error
    try:
        data = yaml.safe_load(raw_yaml)
    except yaml.YAMLError as error:
        raise _ParseError("invalid_front_matter", f"front matter is not valid YAML: {error}") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise _ParseError("invalid_front_matter", f"front matter must be a mapping, got {kind}")
    return _json_safe(data), body.lstrip("\n")


def _json_safe(value: Any) -> Any:
    """YAML dates become ISO strings so front matter can be stored as JSON."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


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


def document_slug(front_matter: dict[str, Any], source_path: str) -> str:
    """Docusaurus-like: `slug` is the whole path, `id` replaces the file name within its folder."""
    slug = front_matter.get("slug")
    if isinstance(slug, str) and slug.strip("/ "):
        return slug.strip().strip("/")
    path = PurePosixPath(source_path)
    folder = [_NUMBER_PREFIX.sub("", part) for part in path.parent.parts]
    doc_id = front_matter.get("id")
    if isinstance(doc_id, str | int) and str(doc_id).strip():
        return "/".join([*folder, str(doc_id).strip()])
    stem = _NUMBER_PREFIX.sub("", path.stem)
    if stem.lower() in _INDEX_STEMS and folder:
        return "/".join(folder)
    return "/".join([*folder, stem])


def document_position(front_matter: dict[str, Any], source_path: str) -> float:
    position = front_matter.get("sidebar_position")
    if isinstance(position, int | float) and not isinstance(position, bool):
        return float(position)
    match = _NUMBER_PREFIX.match(PurePosixPath(source_path).name)
    return float(match.group(1)) if match else DEFAULT_POSITION


# ---------------------------------------------------------------------------
# Code fences (shared with the glossary extractor)
# ---------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def iter_fence_flags(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Yield (line, is_inside_or_delimiting_a_fenced_code_block).

    Follows CommonMark fence rules (closing fence uses the same character and is at least
    as long) but tolerates any indentation, as fences nested in lists or JSX often are.
    """
    fence: tuple[str, int] | None = None
    for line in lines:
        if fence is not None:
            if _closes_fence(line, fence):
                fence = None
            yield line, True
            continue
        match = _FENCE_OPEN.match(line)
        marker = match.group(1) if match else ""
        if match and not (marker[0] == "`" and "`" in match.group(2)):
            fence = (marker[0], len(marker))
            yield line, True
        else:
            yield line, False


def _closes_fence(line: str, fence: tuple[str, int]) -> bool:
    char, length = fence
    stripped = line.strip()
    return len(stripped) >= length and stripped == char * len(stripped)


# ---------------------------------------------------------------------------
# MDX cleanup
# ---------------------------------------------------------------------------


def clean_markdown(body: str) -> str:
    """Turn MDX into plain Markdown for chunking; fenced code is never altered.

    Removes top-level import/export statements, JSX/HTML tags (keeping their text),
    `{/* */}` and `<!-- -->` comments; renders admonitions as a bold lead-in.
    """
    output: list[str] = []
    prose: list[str] = []
    for line, fenced in iter_fence_flags(body.split("\n")):
        if not fenced:
            prose.append(line)
            continue
        output.extend(_clean_prose(prose))
        prose = []
        output.append(line)
    output.extend(_clean_prose(prose))
    return "\n".join(output).strip("\n") + "\n"


def _clean_prose(lines: list[str]) -> list[str]:
    if not lines:
        return []
    kept = [_render_admonition(line) for line in _drop_esm(lines)]
    text = _outside_inline_code("\n".join(kept), _strip_jsx)
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).split("\n")


_ESM_START = re.compile(
    r"^(?:import\s*(?:['\"{*]|[\w$]+\s*(?:,|\bfrom\b))"
    r"|export\s+(?:default|const|let|var|function|async|class)\b|export\s*[{*])"
)


def _drop_esm(lines: list[str]) -> Iterator[str]:
    """Drop MDX import/export statements (which start at column 0), including multi-line ones."""
    balance = 0
    for line in lines:
        if balance > 0:
            balance += _bracket_balance(line)
            continue
        if _ESM_START.match(line):
            balance = max(_bracket_balance(line), 0)
            continue
        yield line


def _bracket_balance(line: str) -> int:
    return sum(line.count(c) for c in "{[(") - sum(line.count(c) for c in "}])")


_ADMONITION_OPEN = re.compile(
    r"^(?P<indent>\s*):{3,}[ \t]*(?P<kind>[A-Za-z][\w-]*)[ \t]*"
    r"(?:\[(?P<bracket>[^\]]*)\]|(?P<plain>[^{\s][^{]*?))?[ \t]*(?:\{[^}]*\})?[ \t]*$"
)
_ADMONITION_CLOSE = re.compile(r"^\s*:{3,}\s*$")


def _render_admonition(line: str) -> str:
    if _ADMONITION_CLOSE.match(line):
        return ""
    match = _ADMONITION_OPEN.match(line)
    if not match:
        return line
    kind = match.group("kind").replace("-", " ").capitalize()
    title = (match.group("bracket") or match.group("plain") or "").strip()
    label = f"{kind}: {title}" if title else f"{kind}:"
    return f"{match.group('indent')}**{label}**"


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1|\n\n).)+?\1", re.DOTALL)
_COMMENTS = re.compile(r"\{\s*/\*.*?\*/\s*\}|<!--.*?-->", re.DOTALL)
_ATTR_VALUE = r"(?:\"[^\"]*\"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\}|[^\s\"'<>=/{}]+)"
_JSX_TAG = re.compile(
    rf"</?[A-Za-z][\w.:-]*"
    rf"(?:\s+(?:\{{\s*\.\.\.[^{{}}]*\}}|[\w:.@-]+(?:\s*=\s*{_ATTR_VALUE})?))*"
    rf"\s*/?>|<>|</>"
)
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _strip_jsx(text: str) -> str:
    text = _COMMENTS.sub("", text)
    text = _LINE_BREAK_TAG.sub(" ", text)
    return _JSX_TAG.sub("", text)


def _outside_inline_code(text: str, transform: Any) -> str:
    """Apply `transform` to everything except inline code spans."""
    parts: list[str] = []
    last = 0
    for match in _INLINE_CODE.finditer(text):
        parts.append(transform(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(transform(text[last:]))
    return "".join(parts)
