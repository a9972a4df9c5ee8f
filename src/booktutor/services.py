"""The long-lived components one process shares: database, vector store, embedder, searcher.

The quiz service is not among them: it shares the chat engine's model and checkpointer, so the engine
holds it (`ChatService.quizzes`, graph.factory), and services stays below every domain service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog

from booktutor.config import Settings
from booktutor.memory.database import Database
from booktutor.memory.migrate import require_current_schema, upgrade_to_head
from booktutor.providers.embedding_cache import CachingEmbedder
from booktutor.providers.embeddings import Embedder, build_embedder
from booktutor.providers.rerank import build_reranker
from booktutor.retrieval.factory import build_vector_store
from booktutor.retrieval.search import HybridSearcher
from booktutor.retrieval.vector_store import IndexMismatch, VectorStore, VectorStoreUnavailable

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    store: VectorStore
    embedder: Embedder
    searcher: HybridSearcher
    _warmup: asyncio.Task | None = field(default=None, repr=False)

    async def warm_up(self) -> None:
        """Load the embedding model once, so the first question does not pay for it."""
        await self.embedder.embed_query("warm up")

    def start_warmup(self) -> None:
        self._warmup = asyncio.create_task(self.warm_up())

    async def wait_warm(self) -> None:
        if self._warmup:
            await self._warmup

    @property
    def embedder_ready(self) -> bool:
        return self._warmup is None or (self._warmup.done() and self._warmup.exception() is None)

    async def check_index(self) -> None:
        """Raise IndexMismatch when the index was built with another embedding model.

        An unreachable store is not a mismatch: search then degrades to full text.
        """
        try:
            info = await self.store.index_info()
        except VectorStoreUnavailable:
            return
        if info and (info.model, info.dimension) != (self.embedder.model_name, self.embedder.dimension):
            raise IndexMismatch(
                f"the vector index was built with {info.model} ({info.dimension} dims) but "
                f"{self.embedder.model_name} ({self.embedder.dimension} dims) is configured: "
                "run `booktutor reindex`"
            )

    async def close(self) -> None:
        if self._warmup and not self._warmup.done():
            self._warmup.cancel()
        await self.store.close()
        await self.db.dispose()


async def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    """The process's components. `migrate=False` (the API and workers on a database server, where
    replicas must not race on the schema) only checks that the schema is current."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = await Database.connect(settings)
    try:
        if migrate:
            await upgrade_to_head(db.url)
        else:
            await require_current_schema(db.engine, db.url)
        store = build_vector_store(settings)
        embedder = CachingEmbedder(build_embedder(settings))
    except BaseException:
        await db.dispose()  # and the embedded database it may have started
        raise
    searcher = HybridSearcher(
        db,
        store,
        embedder,
        reranker=build_reranker(settings),
        default_language="en",
        vector_timeout_s=settings.qdrant_timeout_s,
    )
    return Services(settings=settings, db=db, store=store, embedder=embedder, searcher=searcher)
