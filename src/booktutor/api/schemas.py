"""Response bodies of the content API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from booktutor.retrieval.types import SearchHit


class ErrorBody(BaseModel):
    code: str
    message: str
    details: object | None = None
    request_id: str | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the error envelope."""
    return {status: {"model": ErrorEnvelope} for status in status_codes}


def event_stream_response(description: str | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a 200 that may be (or always is) a `text/event-stream`."""
    response: dict[str, Any] = {"content": {"text/event-stream": {}}}
    if description is not None:
        response["description"] = description
    return {200: response}


class BookOut(BaseModel):
    id: str
    title: str
    default_language: str
    languages: list[str]
    chapter_count: int


class BookList(BaseModel):
    books: list[BookOut]


class ChapterSummary(BaseModel):
    id: str = Field(description="Chapter key, stable across languages")
    doc_path: str
    title: str
    position: int
    languages: list[str]
    url: str


class ChapterList(BaseModel):
    book_id: str
    chapters: list[ChapterSummary]


class ChapterOut(BaseModel):
    id: str
    book_id: str
    doc_path: str
    language: str
    languages: list[str]
    title: str
    description: str | None = None
    front_matter: dict
    markdown: str
    content_hash: str
    version: int
    updated_at: datetime
    url: str


class SearchResponse(BaseModel):
    query: str
    book_id: str | None
    language: str | None
    degraded: bool
    reranked: bool
    hits: list[SearchHit]


class LanguageOut(BaseModel):
    code: str
    name: str
    dir: str
    books: list[str]


class LanguageList(BaseModel):
    languages: list[LanguageOut]


class ComponentStatus(BaseModel):
    ok: bool
    detail: str | None = None


class ReadyOut(BaseModel):
    ready: bool
    components: dict[str, ComponentStatus]
