"""Shared by both Qdrant adapters: the payload layout and the index compatibility check."""

from __future__ import annotations

from typing import Any

from booktutor.retrieval.types import IndexInfo, VectorRecord
from booktutor.retrieval.vector_store import IndexMismatch

KEYWORD_FIELDS = ("book_id", "language", "document_id", "doc_path")


def record_payload(record: VectorRecord) -> dict[str, Any]:
    return {
        "book_id": record.book_id,
        "language": record.language,
        "document_id": str(record.document_id),
        "doc_path": record.doc_path,
        "version": record.version,
        "purpose": record.purpose,
    }


def check_index_matches(info: IndexInfo, model: str, dimension: int) -> None:
    if (info.model, info.dimension) != (model, dimension):
        raise IndexMismatch(
            f"Vector index was built with {info.model} ({info.dimension}d) but the configured "
            f"embedder is {model} ({dimension}d); run `booktutor reindex`."
        )
