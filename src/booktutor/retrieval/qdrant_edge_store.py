"""VectorStore on Qdrant Edge: the in-process engine, persisted as one shard under a directory.

Layout under ``path``: ``<collection>/`` (the shard), ``<collection>.index.json`` (model and
dimension the index was built with) and ``<collection>.lock``. The engine lets only one process
open a shard, so the store holds an exclusive file lock while open; a second process gets
VectorStoreUnavailable and callers fall back to full-text search.

Searches and counts take well under a millisecond on a book's worth of points, so they run on the
event loop; writes,
flushes and opening the shard take milliseconds and run in a worker thread. The shard is safe to
use from several threads; an asyncio lock serialises writes and open/drop/close.

A filter on book and language that every point matches (one book in the index, the embedded default)
is left out of the search: the same points and scores, without checking each point's payload (a third
of a search's CPU at 100k points). Whether it covers every point is counted once per filter and
forgotten by any write; the store is this process's alone, so no write goes unseen.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import qdrant_edge as qe
from filelock import FileLock, Timeout

from booktutor.retrieval.qdrant_common import KEYWORD_FIELDS, check_index_matches, record_payload
from booktutor.retrieval.types import IndexInfo, VectorFilter, VectorHit, VectorRecord
from booktutor.retrieval.vector_store import IndexMismatch, VectorStoreUnavailable


class QdrantEdgeStore:
    def __init__(self, path: Path, collection: str) -> None:
        self._root = Path(path)
        self._shard_dir = self._root / collection
        self._meta_file = self._root / f"{collection}.index.json"
        self._file_lock = FileLock(self._root / f"{collection}.lock", thread_local=False)
        self._lock = asyncio.Lock()
        self._shard: qe.EdgeShard | None = None
        self._writes = _WriteEpochs()

    async def ensure_collection(self, model: str, dimension: int) -> None:
        async with self._lock:
            self._acquire_file_lock()
            info = self._read_meta()
            if info is not None:
                check_index_matches(info, model, dimension)
            elif self._shard_dir.exists():
                raise IndexMismatch(f"Vector index at {self._shard_dir} has no metadata; run `booktutor reindex`.")
            if await self._open_existing() is None:
                self._shard = await asyncio.to_thread(_create_shard, self._shard_dir, dimension)
                self._write_meta(model, dimension)

    async def index_info(self) -> IndexInfo | None:
        async with self._lock:
            info = self._read_meta()
            shard = await self._open_existing()
        if info is None or shard is None:
            return None
        return IndexInfo(model=info.model, dimension=info.dimension, points=_count(shard))

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        if not records:
            return
        points = [_to_point(record) for record in records]
        await self._write(qe.UpdateOperation.upsert_points(points), required=True)

    async def delete_chunks(self, chunk_ids: Sequence[uuid.UUID]) -> None:
        if chunk_ids:
            await self._write(qe.UpdateOperation.delete_points(list(chunk_ids)))

    async def delete_documents(self, document_ids: Sequence[uuid.UUID]) -> None:
        if not document_ids:
            return
        flt = qe.Filter(must=[_match_any("document_id", [str(d) for d in document_ids])])
        await self._write(qe.UpdateOperation.delete_points_by_filter(flt))

    async def search(self, vector: Sequence[float], limit: int, flt: VectorFilter | None = None) -> list[VectorHit]:
        shard = await self._current_shard()
        if shard is None:
            return []
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(list(vector)),
            filter=None if self._covers_every_point(shard, flt) else _to_filter(flt),
            with_payload=False,
            with_vector=False,
        )
        points = shard.query(request)
        return [VectorHit(chunk_id=_as_uuid(p.id), score=p.score) for p in points]

    async def count(self) -> int:
        shard = await self._current_shard()
        return 0 if shard is None else _count(shard)

    async def drop(self) -> None:
        async with self._lock:
            self._acquire_file_lock()
            await self._close_shard()
            await asyncio.to_thread(shutil.rmtree, self._shard_dir, True)
            self._meta_file.unlink(missing_ok=True)

    async def ping(self) -> None:
        async with self._lock:
            await self._open_existing()

    async def close(self) -> None:
        async with self._lock:
            await self._close_shard()
            if self._file_lock.is_locked:
                self._file_lock.release()

    async def _current_shard(self) -> qe.EdgeShard | None:
        if self._shard is not None:
            return self._shard
        async with self._lock:
            return await self._open_existing()

    async def _write(self, operation: qe.UpdateOperation, *, required: bool = False) -> None:
        async with self._lock:
            shard = await self._open_existing()
            if shard is None:
                if required:
                    raise RuntimeError("Vector collection missing: call ensure_collection first.")
                return
            with self._writes.writing():
                await asyncio.to_thread(_apply_and_flush, shard, operation)

    def _covers_every_point(self, shard: qe.EdgeShard, flt: VectorFilter | None) -> bool:
        """Whether a book/language filter matches every point of the shard (never with doc paths,
        nor while a write is applied)."""
        if flt is None or flt.doc_paths or (flt.book_id is None and flt.language is None):
            return False
        key = (flt.book_id, flt.language)
        known = self._writes.recall(key)
        if known is not None:
            return known
        epoch = self._writes.epoch()
        if epoch is None:
            return False
        covered = shard.count(qe.CountRequest(exact=True, filter=_to_filter(flt))) == _count(shard)
        self._writes.remember(key, covered, epoch)
        return covered

    async def _open_existing(self) -> qe.EdgeShard | None:
        """The open shard, loading it from disk if it exists; None when there is no index."""
        if self._shard is not None:
            return self._shard
        self._acquire_file_lock()
        if not (self._shard_dir / "edge_config.json").exists():
            return None
        self._shard = await asyncio.to_thread(_load_shard, self._shard_dir)
        return self._shard

    async def _close_shard(self) -> None:
        self._writes.forget()
        shard, self._shard = self._shard, None
        if shard is not None:
            await asyncio.to_thread(shard.close)

    def held_by_another_process(self) -> bool:
        """Whether another process has this index open (the running server, say); False when this
        store holds it or nobody does. Probes the lock without keeping it."""
        if self._file_lock.is_locked or not self._root.is_dir():
            return False
        probe = FileLock(self._root / f"{self._shard_dir.name}.lock", thread_local=False)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        except OSError:
            return False
        probe.release()
        return False

    def _acquire_file_lock(self) -> None:
        if self._file_lock.is_locked:
            return
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            self._file_lock.acquire(timeout=0)
        except Timeout as exc:
            raise VectorStoreUnavailable(
                f"Vector index at {self._shard_dir} is in use by another process "
                "(e.g. the running server); stop it or point both at a Qdrant server."
            ) from exc
        except OSError as exc:
            raise VectorStoreUnavailable(f"Cannot open vector index at {self._root}: {exc}") from exc

    def _read_meta(self) -> IndexInfo | None:
        if not self._meta_file.exists():
            return None
        data = json.loads(self._meta_file.read_text(encoding="utf-8"))
        return IndexInfo(model=data["model"], dimension=int(data["dimension"]))

    def _write_meta(self, model: str, dimension: int) -> None:
        tmp = self._meta_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"model": model, "dimension": dimension}), encoding="utf-8")
        os.replace(tmp, self._meta_file)


class _WriteEpochs:
    """Facts about the points (whether a filter covers them all) valid until the next write starts."""

    def __init__(self) -> None:
        self._started = 0
        self._done = 0
        self._facts: dict[tuple[str | None, str | None], tuple[int, bool]] = {}

    @contextmanager
    def writing(self) -> Iterator[None]:
        self._started += 1
        try:
            yield
        finally:
            self._done += 1

    def epoch(self) -> int | None:
        """The current epoch, None while a write is being applied."""
        return self._done if self._started == self._done else None

    def recall(self, key: tuple[str | None, str | None]) -> bool | None:
        fact = self._facts.get(key)
        return fact[1] if fact is not None and fact[0] == self.epoch() else None

    def remember(self, key: tuple[str | None, str | None], value: bool, epoch: int) -> None:
        if epoch == self.epoch():
            self._facts[key] = (epoch, value)

    def forget(self) -> None:
        self._facts.clear()


def _create_shard(shard_dir: Path, dimension: int) -> qe.EdgeShard:
    params = qe.EdgeVectorParams(size=dimension, distance=qe.Distance.Cosine)
    with _unavailable_on_engine_error():
        shard = qe.EdgeShard.create(str(shard_dir), qe.EdgeConfig(vectors=params))
    for field in KEYWORD_FIELDS:
        shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
    shard.flush()
    return shard


def _apply_and_flush(shard: qe.EdgeShard, operation: qe.UpdateOperation) -> None:
    shard.update(operation)
    shard.flush()


def _load_shard(shard_dir: Path) -> qe.EdgeShard:
    with _unavailable_on_engine_error():
        return qe.EdgeShard.load(str(shard_dir))


@contextmanager
def _unavailable_on_engine_error() -> Iterator[None]:
    """The engine raises bare Exceptions; when opening a shard they mean it is unusable."""
    try:
        yield
    except Exception as exc:
        if "WouldBlock" in str(exc):
            raise VectorStoreUnavailable("Vector index is already open in another process or store instance.") from exc
        raise VectorStoreUnavailable(f"Cannot open the Qdrant Edge index: {exc}") from exc


def _count(shard: qe.EdgeShard) -> int:
    return shard.count(qe.CountRequest(exact=True))


def _to_point(record: VectorRecord) -> qe.Point:
    return qe.Point(record.chunk_id, list(record.vector), record_payload(record))


def _to_filter(flt: VectorFilter | None) -> qe.Filter | None:
    if flt is None:
        return None
    conditions: list[qe.ConditionType] = []  # a stub-only alias: never evaluated at run time
    if flt.book_id is not None:
        conditions.append(qe.FieldCondition("book_id", match=qe.MatchValue(flt.book_id)))
    if flt.language is not None:
        conditions.append(qe.FieldCondition("language", match=qe.MatchValue(flt.language)))
    if flt.doc_paths:
        conditions.append(_match_any("doc_path", list(flt.doc_paths)))
    return qe.Filter(must=conditions) if conditions else None


def _match_any(key: str, values: list[str]) -> qe.FieldCondition:
    return qe.FieldCondition(key, match=qe.MatchAny(values))


def _as_uuid(point_id: object) -> uuid.UUID:
    return point_id if isinstance(point_id, uuid.UUID) else uuid.UUID(str(point_id))
