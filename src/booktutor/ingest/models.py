"""Plain data produced by parsing a book, before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """One retrievable piece of a chapter: a section or part of one."""

    position: int
    heading_path: tuple[str, ...]
    anchor: str
    text: str
    token_count: int
    has_code: bool
    code_languages: tuple[str, ...] = ()
    has_table: bool = False
    purpose: str = "exposition"  # see ingest/purpose.py
    sections: tuple[tuple[str, str], ...] = ()  # (heading, anchor) of each section the chunk holds, in order


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """One chapter in one language, parsed from a Markdown/MDX file."""

    source_path: str  # relative to the docs root, POSIX separators, e.g. "module-1/intro.md"
    language: str
    title: str
    slug: str
    position: float  # sidebar order within its folder
    front_matter: dict
    markdown: str  # body with front matter removed, as authored
    content_hash: str  # sha256 of the raw file bytes
    chunks: list[ParsedChunk] = field(default_factory=list)
    folder_position: float | None = None  # sidebar position of the containing folder, if any


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be ingested, and why."""

    source_path: str
    language: str
    reason: str  # stable short code: invalid_front_matter | not_utf8 | binary | empty | ...
    message: str
