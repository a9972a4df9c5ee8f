"""Types shared by the vector stores, the search pipeline and its callers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class VectorRecord:
    """A chunk's vector with the payload used for filtering."""

    chunk_id: uuid.UUID
    vector: list[float]
    book_id: str
    language: str
    document_id: uuid.UUID
    doc_path: str
    version: int
    purpose: str = "exposition"


@dataclass(frozen=True, slots=True)
class VectorFilter:
    book_id: str | None = None
    language: str | None = None
    doc_paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VectorHit:
    chunk_id: uuid.UUID
    score: float


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What the vector index was built with; checked against the configured embedder."""

    model: str
    dimension: int
    points: int = 0


class SectionRef(BaseModel):
    heading: str
    anchor: str
    anchor_url: str


class SearchHit(BaseModel):
    """One search result as the API, the CLI and the agents' tools return it."""

    chunk_id: uuid.UUID
    book_id: str
    document_id: uuid.UUID
    doc_path: str
    language: str
    chapter_title: str
    heading_path: list[str]
    heading: str
    anchor: str
    anchor_url: str
    score: float
    text: str
    snippet: str
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    purpose: str = "exposition"
    """What the chunk is for: exposition, definition, example, code, exercise, lab, objectives, summary or
    navigation (booktutor.ingest.purpose)."""
    sections: list[SectionRef] = []
    """Each section the chunk holds, in order, with its own link (a chunk may join short sections)."""


@dataclass(slots=True)
class SearchResult:
    hits: list[SearchHit] = field(default_factory=list)
    degraded: bool = False
    reranked: bool = False
