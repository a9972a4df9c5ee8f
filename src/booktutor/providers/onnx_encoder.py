"""all-MiniLM-L6-v2 through ONNX Runtime: the default local encoder, no PyTorch.

The model folder (``model.onnx``, ``tokenizer.json``, ``export.json``) is written by
``scripts/export_minilm_onnx.py`` from the pinned safetensors weights, at wheel-build time (setup.py) or by
``make bootstrap`` for a checkout; the package carries it, nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "minilm"  # Settings.onnx_model_dir names another export


class OnnxModelMissing(RuntimeError):
    """The ONNX export of the bundled model is not in the package."""


@dataclass
class _Loaded:
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer


def load_model(folder: Path, threads: int | None = None) -> tuple[Any, Any]:
    """Session and tokenizer for an export folder; a clear error when the export is missing."""
    if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
        raise OnnxModelMissing(
            f"The ONNX export of all-MiniLM-L6-v2 is missing under {folder}: run "
            f"`python scripts/export_minilm_onnx.py --out {folder}` (or `make bootstrap`) in the source tree."
        )
    import onnxruntime
    from tokenizers import Tokenizer

    manifest = json.loads((folder / "export.json").read_text()) if (folder / "export.json").is_file() else {}
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=int(manifest.get("max_seq_length", 256)))
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - the vocabulary's padding token
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    # Worker threads sleep between runs instead of spinning: a spinning pool burns a core after every
    # query (about twice the CPU of a one-query encode on a busy 2-core machine) that the event loop and
    # Postgres need; batch throughput is the same.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
    return session, tokenizer


class OnnxEncoder:
    """Encodes texts to L2-normalised vectors; thread-safe, one model per instance, loaded on first use."""

    def __init__(self, batch_size: int = 64, folder: Path | None = None, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._folder = folder
        self._threads = threads
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Vectors in input order; texts are batched by length so padding stays small."""
        with self._lock:
            loaded = self._load()
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            result = np.zeros((len(texts), 384), dtype=np.float32)
            for start in range(0, len(order), self._batch_size):
                chunk = order[start : start + self._batch_size]
                result[chunk] = self._run(loaded, [texts[i] for i in chunk])
        return result

    def _run(self, loaded: _Loaded, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        encodings = loaded.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = loaded.session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)

    def _load(self) -> _Loaded:
        if self._loaded is None:
            session, tokenizer = load_model(self._folder or MODEL_DIR, self._threads)
            self._loaded = _Loaded(session, tokenizer)
        return self._loaded
