"""One behaviour contract for every VectorStore adapter, run against each of them."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore
from booktutor.retrieval.qdrant_server_store import QdrantServerStore
from booktutor.retrieval.types import IndexInfo, VectorFilter, VectorRecord
from booktutor.retrieval.vector_store import IndexMismatch, VectorStore, VectorStoreUnavailable

MODEL = "test-model"
DIM = 4
DOC_A = uuid.UUID(int=1)
DOC_B = uuid.UUID(int=2)

StoreOpener = Callable[[], VectorStore]


def _opener(kind: str, tmp_path: Path) -> StoreOpener:
    if kind == "edge":
        return lambda: QdrantEdgeStore(tmp_path / "qdrant", "chunks")
    return lambda: QdrantServerStore(None, None, "chunks", 5.0, location=str(tmp_path / "qdrant-local"))


@pytest.fixture(params=["edge", "server-local"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreOpener:
    return _opener(request.param, tmp_path)


@pytest.fixture
async def store(open_store: StoreOpener) -> AsyncIterator[VectorStore]:
    opened = open_store()
    yield opened
    await opened.close()


def _record(
    vector: list[float],
    *,
    book: str = "book-1",
    language: str = "en",
    document: uuid.UUID = DOC_A,
    doc_path: str = "intro.md",
) -> VectorRecord:
    return VectorRecord(
        chunk_id=uuid.uuid4(),
        vector=vector,
        book_id=book,
        language=language,
        document_id=document,
        doc_path=doc_path,
        version=1,
    )


def _ids(hits: list) -> list[uuid.UUID]:
    return [hit.chunk_id for hit in hits]


async def _seeded(store: VectorStore) -> list[VectorRecord]:
    records = [
        _record([1.0, 0.0, 0.0, 0.0]),
        _record([0.9, 0.1, 0.0, 0.0], language="ur", doc_path="ch1.md"),
        _record([0.5, 0.5, 0.0, 0.0], book="book-2", document=DOC_B, doc_path="ch2.md"),
        _record([0.0, 0.0, 1.0, 0.0], document=DOC_B, doc_path="ch2.md"),
    ]
    await store.ensure_collection(MODEL, DIM)
    await store.upsert(records)
    return records


async def test_index_info_is_none_before_and_recorded_after_ensure(store: VectorStore) -> None:
    assert isinstance(store, VectorStore)
    assert await store.index_info() is None
    assert await store.count() == 0
    assert await store.search([1.0, 0.0, 0.0, 0.0], 5) == []

    await store.ensure_collection(MODEL, DIM)
    await store.ensure_collection(MODEL, DIM)

    assert await store.index_info() == IndexInfo(model=MODEL, dimension=DIM, points=0)


async def test_search_orders_by_cosine_similarity(store: VectorStore) -> None:
    records = await _seeded(store)

    hits = await store.search([1.0, 0.0, 0.0, 0.0], limit=3)

    assert _ids(hits) == [records[0].chunk_id, records[1].chunk_id, records[2].chunk_id]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[0].score > hits[1].score > hits[2].score


async def test_upsert_replaces_an_existing_chunk(store: VectorStore) -> None:
    records = await _seeded(store)
    moved = _record([0.0, 0.0, 0.0, 1.0])
    moved = VectorRecord(**{**_fields(records[0]), "vector": moved.vector})

    await store.upsert([moved])

    assert await store.count() == len(records)
    hits = await store.search([0.0, 0.0, 0.0, 1.0], limit=1)
    assert _ids(hits) == [records[0].chunk_id]


def _fields(record: VectorRecord) -> dict:
    return {name: getattr(record, name) for name in VectorRecord.__slots__}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (VectorFilter(book_id="book-2"), [2]),
        (VectorFilter(language="ur"), [1]),
        (VectorFilter(book_id="book-1", language="en"), [0, 3]),
        (VectorFilter(doc_paths=("ch1.md", "ch2.md")), [1, 2, 3]),
        (VectorFilter(book_id="book-1", doc_paths=("ch2.md",)), [3]),
        (VectorFilter(book_id="missing"), []),
        (VectorFilter(), [0, 1, 2, 3]),
    ],
)
async def test_search_filters(store: VectorStore, flt: VectorFilter, expected: list[int]) -> None:
    records = await _seeded(store)

    hits = await store.search([1.0, 0.0, 0.0, 0.0], limit=10, flt=flt)

    assert set(_ids(hits)) == {records[i].chunk_id for i in expected}


async def test_a_filter_that_matched_every_point_still_applies_after_writes(store: VectorStore) -> None:
    """The edge store leaves out a book/language filter that every point matches; a write of another
    book (or a delete) must bring it back."""
    await store.ensure_collection(MODEL, DIM)
    own = [_record([1.0, 0.0, 0.0, 0.0]), _record([0.8, 0.2, 0.0, 0.0])]
    await store.upsert(own)
    flt = VectorFilter(book_id="book-1", language="en")
    assert _ids(await store.search([1.0, 0.0, 0.0, 0.0], limit=10, flt=flt)) == [r.chunk_id for r in own]

    other = _record([1.0, 0.0, 0.0, 0.0], book="book-2", document=DOC_B)
    await store.upsert([other])
    assert _ids(await store.search([1.0, 0.0, 0.0, 0.0], limit=10, flt=flt)) == [r.chunk_id for r in own]

    await store.delete_chunks([r.chunk_id for r in own])
    assert await store.search([1.0, 0.0, 0.0, 0.0], limit=10, flt=flt) == []
    assert _ids(await store.search([1.0, 0.0, 0.0, 0.0], limit=10, flt=VectorFilter(book_id="book-2"))) == [
        other.chunk_id
    ]


async def test_delete_chunks(store: VectorStore) -> None:
    records = await _seeded(store)

    await store.delete_chunks([records[0].chunk_id, uuid.uuid4()])

    assert await store.count() == 3
    assert records[0].chunk_id not in _ids(await store.search([1.0, 0.0, 0.0, 0.0], 10))


async def test_delete_documents(store: VectorStore) -> None:
    records = await _seeded(store)

    await store.delete_documents([DOC_B])

    hits = await store.search([1.0, 0.0, 0.0, 0.0], 10)
    assert set(_ids(hits)) == {records[0].chunk_id, records[1].chunk_id}
    assert (await store.index_info()) == IndexInfo(model=MODEL, dimension=DIM, points=2)


async def test_drop_removes_the_collection(store: VectorStore) -> None:
    await _seeded(store)

    await store.drop()

    assert await store.index_info() is None
    assert await store.count() == 0
    await store.ensure_collection("another-model", 8)
    assert await store.index_info() == IndexInfo(model="another-model", dimension=8, points=0)


@pytest.mark.parametrize(("model", "dimension"), [("other-model", DIM), (MODEL, 8)])
async def test_mismatched_embedder_asks_for_reindex(store: VectorStore, model: str, dimension: int) -> None:
    await _seeded(store)

    with pytest.raises(IndexMismatch, match="booktutor reindex"):
        await store.ensure_collection(model, dimension)


async def test_data_survives_reopening(open_store: StoreOpener) -> None:
    first = open_store()
    records = await _seeded(first)
    await first.close()

    second = open_store()
    try:
        with pytest.raises(IndexMismatch):
            await second.ensure_collection("other-model", DIM)
        assert await second.index_info() == IndexInfo(model=MODEL, dimension=DIM, points=4)
        hits = await second.search([0.0, 0.0, 1.0, 0.0], 1)
        assert _ids(hits) == [records[3].chunk_id]
    finally:
        await second.close()


async def test_concurrent_writes_and_searches(store: VectorStore) -> None:
    await _seeded(store)
    batches = [[_record([1.0, float(i), float(j), 0.0]) for j in range(20)] for i in range(5)]

    results = await asyncio.gather(
        *(store.upsert(batch) for batch in batches),
        *(store.search([1.0, 0.0, 0.0, 0.0], 3) for _ in range(20)),
    )

    assert all(len(hits) == 3 for hits in results[len(batches) :])
    assert await store.count() == 4 + 100


async def test_ping_answers(store: VectorStore) -> None:
    await store.ping()
    await store.ensure_collection(MODEL, DIM)
    await store.ping()


async def test_in_memory_local_mode() -> None:
    store = QdrantServerStore(None, None, "chunks", 5.0, location=":memory:")
    try:
        records = await _seeded(store)
        hits = await store.search([1.0, 0.0, 0.0, 0.0], 1, VectorFilter(book_id="book-1"))
        assert _ids(hits) == [records[0].chunk_id]
    finally:
        await store.close()


async def test_unreachable_server_is_unavailable_quickly() -> None:
    store = QdrantServerStore("http://127.0.0.1:9", None, "chunks", 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(VectorStoreUnavailable):
            await store.ping()
        with pytest.raises(VectorStoreUnavailable):
            await store.search([1.0, 0.0, 0.0, 0.0], 5)
        with pytest.raises(VectorStoreUnavailable):
            await store.ensure_collection(MODEL, DIM)
    finally:
        await store.close()
    assert time.monotonic() - started < 3.0


HOLDER = """
import asyncio, sys
from asyncio.subprocess import PIPE
from pathlib import Path
from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore

async def main():
    store = QdrantEdgeStore(Path(sys.argv[1]), "chunks")
    await store.ensure_collection("test-model", 4)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await store.close()

asyncio.run(main())
"""


async def test_edge_store_held_by_another_process_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "qdrant"
    holder = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLDER, str(path), stdin=PIPE, stdout=PIPE)
    store = QdrantEdgeStore(path, "chunks")
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"ready"
        with pytest.raises(VectorStoreUnavailable, match="in use by another process"):
            await store.search([1.0, 0.0, 0.0, 0.0], 5)
        with pytest.raises(VectorStoreUnavailable, match="in use by another process"):
            await store.ping()
    finally:
        await asyncio.wait_for(holder.communicate(b""), timeout=30)

    await store.ensure_collection(MODEL, DIM)
    assert await store.count() == 0
    await store.close()


async def test_second_edge_store_in_the_same_process_is_unavailable(tmp_path: Path) -> None:
    first = QdrantEdgeStore(tmp_path, "chunks")
    second = QdrantEdgeStore(tmp_path, "chunks")
    await first.ensure_collection(MODEL, DIM)
    try:
        with pytest.raises(VectorStoreUnavailable):
            await second.count()
    finally:
        await first.close()
    assert await second.count() == 0
    await second.close()


async def test_an_edge_index_open_elsewhere_is_reported_without_taking_it(tmp_path) -> None:
    from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore

    holder = QdrantEdgeStore(tmp_path, "held")
    other = QdrantEdgeStore(tmp_path, "held")
    assert not other.held_by_another_process()  # nobody has it yet
    await holder.ensure_collection("m", 4)
    try:
        assert other.held_by_another_process() and not holder.held_by_another_process()
    finally:
        await holder.close()
    assert not other.held_by_another_process()
