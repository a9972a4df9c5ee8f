"""The one small interface every vector store adapter implements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from booktutor.retrieval.types import IndexInfo, VectorFilter, VectorHit, VectorRecord


class VectorStoreUnavailable(RuntimeError):
    """The vector store cannot be reached; callers degrade to full-text search."""


class IndexMismatch(RuntimeError):
    """The index was built with another embedding model or dimension: run `booktutor reindex`."""


@runtime_checkable
class VectorStore(Protocol):
    async def ensure_collection(self, model: str, dimension: int) -> None:
        """Create the collection if missing; raise IndexMismatch if built for another model."""

    async def index_info(self) -> IndexInfo | None:
        """What the existing collection was built with, or None when there is none."""

    async def upsert(self, records: Sequence[VectorRecord]) -> None: ...

    async def delete_chunks(self, chunk_ids: Sequence[uuid.UUID]) -> None: ...

    async def delete_documents(self, document_ids: Sequence[uuid.UUID]) -> None: ...

    async def search(self, vector: Sequence[float], limit: int, flt: VectorFilter | None = None) -> list[VectorHit]: ...

    async def count(self) -> int: ...

    async def drop(self) -> None:
        """Remove the whole collection (used by reindex)."""

    async def ping(self) -> None:
        """Raise VectorStoreUnavailable when the store cannot answer."""

    async def close(self) -> None: ...
