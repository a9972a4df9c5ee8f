"""What the book repository stores and returns, apart from the ORM models: the content protocols ingest
hands in, the row records reads return, and the pick of a chapter's published language version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from booktutor.memory.models import Chapter, Document


class DocumentContent(Protocol):
    """A chapter's language version as stored: what ensure_document and publish_document read."""

    @property
    def source_path(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def position(self) -> float: ...
    @property
    def front_matter(self) -> dict[str, Any]: ...
    @property
    def markdown(self) -> str: ...
    @property
    def content_hash(self) -> str: ...


class ChunkContent(Protocol):
    """One chunk of a document version: what insert_chunks reads."""

    @property
    def position(self) -> int: ...
    @property
    def heading_path(self) -> Sequence[str]: ...
    @property
    def anchor(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def token_count(self) -> int: ...
    @property
    def has_code(self) -> bool: ...
    @property
    def code_languages(self) -> Sequence[str]: ...
    @property
    def has_table(self) -> bool: ...
    @property
    def purpose(self) -> str: ...
    @property
    def sections(self) -> Sequence[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class StoredDocumentState:
    id: uuid.UUID
    source_path: str
    language: str
    content_hash: str | None
    version: int


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """A chunk of the version readers currently see, with its chapter's metadata."""

    id: uuid.UUID
    book_id: str
    document_id: uuid.UUID
    doc_path: str
    language: str
    chapter_title: str
    front_matter: dict[str, Any]
    heading_path: list[str]
    anchor: str
    text: str
    version: int
    purpose: str = "exposition"
    sections: list[dict[str, Any]] = field(default_factory=list)
    permalink: str = ""  # the document's path on the book's site (`documents.slug`)


@dataclass(frozen=True, slots=True)
class ChunkKey:
    """What fusion needs of a current chunk before its text: its section and its purpose."""

    id: uuid.UUID
    document_id: uuid.UUID
    anchor: str
    purpose: str


@dataclass(frozen=True, slots=True)
class SectionPiece:
    """One current chunk of a section, for joining a split section: its text and how many sections it spans."""

    id: uuid.UUID
    text: str
    section_count: int


@dataclass(frozen=True, slots=True)
class OutlineRow:
    """One current chunk of a document as its outline reads it: where it sits, what it is for, and its text
    only when asked for (`chunk_reads.document_outlines`)."""

    document_id: uuid.UUID
    doc_path: str
    chapter_title: str
    front_matter: dict[str, Any]
    permalink: str
    language: str
    heading_path: list[str]
    anchor: str
    purpose: str
    sections: list[dict[str, Any]]
    text: str


@dataclass(frozen=True, slots=True)
class ChapterPage:
    """What a chapter read needs, from one query; `document` fields are None when the chapter is not
    available in the asked language (`languages` says which are)."""

    book_default_language: str
    key: str
    source_path: str
    languages: list[str]
    language: str | None
    title: str | None
    front_matter: dict[str, Any] | None
    markdown: str | None
    content_hash: str | None
    version: int | None
    updated_at: datetime | None
    permalink: str | None = None


def published_documents(chapter: Chapter) -> list[Document]:
    """The chapter's language versions that readers see."""
    return [d for d in chapter.documents if d.version > 0]


def document_for(
    chapter: Chapter, language: str, *, fallback: Sequence[str] = (), any_language: bool = False
) -> Document | None:
    """The chapter's published document in `language`, else in the first `fallback` language that has
    one, else (with `any_language`) its first published document; None when nothing fits."""
    published = published_documents(chapter)
    for wanted in (language, *fallback):
        found = next((d for d in published if d.language == wanted), None)
        if found is not None:
            return found
    return published[0] if any_language and published else None
