"""Gemini embeddings (`batchEmbedContents` through google-genai) behind booktutor's `Embedder` interface.

The dimension is fixed by settings (`BOOKTUTOR_GEMINI_EMBED_DIMENSION`, sent as Gemini's
`output_dimensionality`): the vector index records the model and dimension it was built with and
refuses another one until `booktutor reindex`, as for every embedder.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from google import genai
from google.genai import types

from booktutor.config import Settings
from booktutor.observability.outbound import async_http_client
from booktutor.providers.gemini import gemini_client

GEMINI_MAX_BATCH = 100  # texts per batchEmbedContents request
GEMINI_EMBED_TIMEOUT_S = 60.0  # a full batch of long chunks
GEMINI_EMBED_ATTEMPTS = 3  # the SDK retries 429, 5xx and connection errors: an ingest should not fail on one
GEMINI_MAX_DIMENSIONS = {"gemini-embedding-001": 3072}
"""Known models' full dimension; they return fewer when asked (Matryoshka embeddings)."""


class GeminiEmbedder:
    """Gemini embedding model; ``client`` is a ``google.genai.Client``."""

    def __init__(self, client: genai.Client, model: str, dimension: int, batch_size: int = GEMINI_MAX_BATCH) -> None:
        largest = GEMINI_MAX_DIMENSIONS.get(model)
        if dimension < 1 or (largest is not None and dimension > largest):
            raise ValueError(f"Gemini {model} cannot make {dimension}d vectors (at most {largest}d).")
        self.model_name = model
        self.dimension = dimension
        self._client = client
        self._batch_size = max(1, min(batch_size, GEMINI_MAX_BATCH))

    @classmethod
    def from_settings(cls, settings: Settings) -> GeminiEmbedder:
        if settings.gemini_api_key is None:
            raise ValueError("The Gemini embedder needs GEMINI_API_KEY.")
        client = gemini_client(
            settings.gemini_api_key.get_secret_value(),
            settings.gemini_base_url,
            async_http_client(GEMINI_EMBED_TIMEOUT_S),
            timeout_s=GEMINI_EMBED_TIMEOUT_S,
            attempts=GEMINI_EMBED_ATTEMPTS,
        )
        return cls(
            client,
            settings.gemini_embed_model,
            settings.gemini_embed_dimension,
            batch_size=settings.embedding_batch_size,
        )

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._embed(list(texts[start : start + self._batch_size]), "RETRIEVAL_DOCUMENT"))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        vectors = await self._embed([text], "RETRIEVAL_QUERY")
        return vectors[0]

    async def _embed(self, texts: list[str], task_type: str) -> list[list[float]]:
        config = types.EmbedContentConfig(task_type=task_type, output_dimensionality=self.dimension)
        contents = [types.Content(parts=[types.Part(text=text)]) for text in texts]  # one vector each
        response = await self._client.aio.models.embed_content(model=self.model_name, contents=contents, config=config)
        vectors = [embedding.values or [] for embedding in response.embeddings or []]
        if len(vectors) != len(texts):
            raise RuntimeError(f"Gemini returned {len(vectors)} embeddings for {len(texts)} texts.")
        if any(len(vector) != self.dimension for vector in vectors):
            sizes = sorted({len(vector) for vector in vectors})
            raise RuntimeError(f"Gemini {self.model_name} returned {sizes}d vectors, expected {self.dimension}d.")
        # Gemini normalises only full-size vectors; cosine search wants every one at length 1.
        array = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(array, axis=1, keepdims=True)
        normalized: list[list[float]] = (array / np.where(norms == 0, 1.0, norms)).tolist()
        return normalized
