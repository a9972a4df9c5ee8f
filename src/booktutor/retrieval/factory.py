"""The vector store the settings ask for: a Qdrant server when a URL is set, else Qdrant Edge."""

from __future__ import annotations

from booktutor.config import Settings
from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore
from booktutor.retrieval.vector_store import VectorStore


def build_vector_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        try:
            from booktutor.retrieval.qdrant_server_store import QdrantServerStore
        except ImportError as exc:
            message = "BOOKTUTOR_QDRANT_URL needs the `qdrant` extra: pip install 'booktutor[qdrant]'."
            raise RuntimeError(message) from exc
        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantServerStore(
            settings.qdrant_url,
            api_key,
            settings.qdrant_collection,
            settings.qdrant_timeout_s,
        )
    return QdrantEdgeStore(settings.qdrant_edge_dir, settings.qdrant_collection)
