"""VectorStore on a Qdrant server through qdrant-client's async client.

``location=":memory:"`` or a directory path selects qdrant-client's local mode (used in tests).
The embedding model and dimension are kept in the collection's metadata.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from booktutor.observability.outbound import request_id_hooks
from booktutor.retrieval.qdrant_common import KEYWORD_FIELDS, check_index_matches, record_payload
from booktutor.retrieval.types import IndexInfo, VectorFilter, VectorHit, VectorRecord
from booktutor.retrieval.vector_store import IndexMismatch, VectorStoreUnavailable

MODEL_KEY = "embedding_model"
DIMENSION_KEY = "embedding_dimension"
UNAVAILABLE_STATUSES = {401, 403, 429}


class QdrantServerStore:
    def __init__(
        self,
        url: str | None,
        api_key: str | None,
        collection: str,
        timeout: float,
        *,
        location: str | None = None,
    ) -> None:
        self._collection = collection
        self._local = location is not None
        self._client = _make_client(url, api_key, timeout, location)

    async def ensure_collection(self, model: str, dimension: int) -> None:
        info = await self.index_info()
        if info is not None:
            check_index_matches(info, model, dimension)
            return
        with _unavailable_on_error():
            await self._client.create_collection(
                self._collection,
                vectors_config=models.VectorParams(size=dimension, distance=models.Distance.COSINE),
                metadata={MODEL_KEY: model, DIMENSION_KEY: dimension},
            )
            await self._create_payload_indexes()

    async def index_info(self) -> IndexInfo | None:
        with _unavailable_on_error():
            if not await self._client.collection_exists(self._collection):
                return None
            collection = await self._client.get_collection(self._collection)
            points = await self._count()
        metadata = collection.config.metadata or {}
        if MODEL_KEY not in metadata:
            raise IndexMismatch(f"Collection {self._collection} has no embedding metadata; run `booktutor reindex`.")
        return IndexInfo(model=str(metadata[MODEL_KEY]), dimension=int(metadata[DIMENSION_KEY]), points=points)

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        if not records:
            return
        with _unavailable_on_error():
            await self._client.upsert(self._collection, points=[_to_point(r) for r in records], wait=True)

    async def delete_chunks(self, chunk_ids: Sequence[uuid.UUID]) -> None:
        if not chunk_ids:
            return
        selector = models.PointIdsList(points=[str(c) for c in chunk_ids])
        await self._delete(selector)

    async def delete_documents(self, document_ids: Sequence[uuid.UUID]) -> None:
        if not document_ids:
            return
        condition = _match_any("document_id", [str(d) for d in document_ids])
        await self._delete(models.FilterSelector(filter=models.Filter(must=[condition])))

    async def search(self, vector: Sequence[float], limit: int, flt: VectorFilter | None = None) -> list[VectorHit]:
        with _unavailable_on_error():
            if not await self._client.collection_exists(self._collection):
                return []
            response = await self._client.query_points(
                self._collection,
                query=list(vector),
                limit=limit,
                query_filter=_to_filter(flt),
                with_payload=False,
            )
        return [VectorHit(chunk_id=uuid.UUID(str(p.id)), score=p.score) for p in response.points]

    async def count(self) -> int:
        with _unavailable_on_error():
            if not await self._client.collection_exists(self._collection):
                return 0
            return await self._count()

    async def drop(self) -> None:
        with _unavailable_on_error():
            await self._client.delete_collection(self._collection)

    async def ping(self) -> None:
        with _unavailable_on_error():
            await self._client.get_collections()

    async def close(self) -> None:
        await self._client.close()

    async def _count(self) -> int:
        result = await self._client.count(self._collection, exact=True)
        return result.count

    async def _delete(self, selector: models.PointIdsList | models.FilterSelector) -> None:
        with _unavailable_on_error():
            if await self._client.collection_exists(self._collection):
                await self._client.delete(self._collection, points_selector=selector, wait=True)

    async def _create_payload_indexes(self) -> None:
        if self._local:
            return  # local mode ignores payload indexes and warns about them
        for field in KEYWORD_FIELDS:
            await self._client.create_payload_index(
                self._collection, field, field_schema=models.PayloadSchemaType.KEYWORD, wait=True
            )


def _make_client(url: str | None, api_key: str | None, timeout: float, location: str | None) -> AsyncQdrantClient:
    if location == ":memory:":
        return AsyncQdrantClient(location=location)
    if location is not None:
        return AsyncQdrantClient(path=location)
    return AsyncQdrantClient(
        url=url,
        api_key=api_key,
        timeout=math.ceil(timeout),
        check_compatibility=False,
        event_hooks=request_id_hooks(),  # passed on to its REST httpx client
    )


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    try:
        yield
    except (ResponseHandlingException, httpx.TransportError, OSError, TimeoutError) as exc:
        raise VectorStoreUnavailable(f"Qdrant is unreachable: {exc}") from exc
    except UnexpectedResponse as exc:
        status = exc.status_code or 0
        if status >= 500 or status in UNAVAILABLE_STATUSES:
            raise VectorStoreUnavailable(f"Qdrant answered {status}: {exc}") from exc
        raise


def _to_point(record: VectorRecord) -> models.PointStruct:
    return models.PointStruct(id=str(record.chunk_id), vector=list(record.vector), payload=record_payload(record))


def _to_filter(flt: VectorFilter | None) -> models.Filter | None:
    if flt is None:
        return None
    conditions: list[models.Condition] = []
    if flt.book_id is not None:
        conditions.append(_match_value("book_id", flt.book_id))
    if flt.language is not None:
        conditions.append(_match_value("language", flt.language))
    if flt.doc_paths:
        conditions.append(_match_any("doc_path", list(flt.doc_paths)))
    return models.Filter(must=conditions) if conditions else None


def _match_value(key: str, value: str) -> models.FieldCondition:
    return models.FieldCondition(key=key, match=models.MatchValue(value=value))


def _match_any(key: str, values: list[str]) -> models.FieldCondition:
    return models.FieldCondition(key=key, match=models.MatchAny(any=values))
