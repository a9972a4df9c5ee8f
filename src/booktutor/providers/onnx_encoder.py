"""all-MiniLM-L6-v2 through ONNX Runtime: the default local encoder, no PyTorch.

The model folder (``model.onnx``, ``tokenizer.json``, ``export.json``) is written by
``scripts/export_minilm_onnx.py`` from the pinned safetensors weights, at wheel-build time (setup.py) or by
``make bootstrap`` for a checkout; the package carries it, nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "minilm"  # Settings.onnx_model_dir names another export
DIMENSION = 384
TOKENS_PER_RUN = 256  # padded tokens per session run (see OnnxEncoder)


class OnnxModelMissing(RuntimeError):
    """The ONNX export of the bundled model is not in the package."""


@dataclass
class _Loaded:
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer


def load_model(folder: Path, threads: int = 1) -> tuple[Any, Any]:
    """Session and tokenizer for an export folder; a clear error when the export is missing.

    ``threads`` is the session's intra-op thread count. The encoder runs one thread a run and runs groups side
    by side instead (see OnnxEncoder).
    """
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
    tokenizer.no_padding()  # OnnxEncoder pads each group itself (token id 0 is [PAD])
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    # Worker threads (when threads > 1) sleep between runs instead of spinning: a spinning pool burns a core
    # after every query that the event loop and Postgres need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
    return session, tokenizer


class OnnxEncoder:
    """Encodes texts to L2-normalised vectors; thread-safe, one model per instance, loaded on first use.

    Texts are tokenized once, sorted by token count and run in groups of at most ``batch_size`` texts and
    about ``TOKENS_PER_RUN`` padded tokens: long texts one by one, short ones (queries, sentences) together.
    Measured on the 2-core machine (load 15-20, 122 book chunks, fused export): 52 ms of CPU per chunk one by
    one against 82 ms in padded batches of 64, whose activations (64 x 256 tokens x 1536 floats in the
    feed-forward layer, 100 MB) spill the caches; the vectors are the same (cosine 0.999999).

    Each run uses one thread, and up to ``parallel_runs`` groups (default: the cores) run side by side, as do
    concurrent callers' runs (an ONNX Runtime session runs concurrently). On 450 chunks of the three
    development books, 2 cores busy with other jobs (load average 5-9), this encoded 1.2-1.4x the texts per
    second of one run at a time on two intra-op threads at 5-15 % less CPU a text, and a lone query took
    13-16 ms against 21-23 ms: the threads of one small run wait on each other.
    """

    def __init__(self, batch_size: int = 64, folder: Path | None = None, parallel_runs: int | None = None) -> None:
        self._batch_size = batch_size
        self._folder = folder
        self._parallel_runs = max(1, parallel_runs or os.cpu_count() or 1)
        self._loaded: _Loaded | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Vectors in input order."""
        loaded, pool = self._load()
        token_ids = [encoding.ids for encoding in loaded.tokenizer.encode_batch(list(texts))]
        result = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        groups = token_groups([len(ids) for ids in token_ids], self._batch_size)
        if len(groups) == 1 or pool is None:
            for group in groups:
                result[group] = self._run(loaded, [token_ids[i] for i in group])
            return result
        runs = pool.map(lambda group: self._run(loaded, [token_ids[i] for i in group]), groups)
        for group, vectors in zip(groups, runs, strict=True):
            result[group] = vectors
        return result

    def _run(self, loaded: _Loaded, token_ids: list[list[int]]) -> np.ndarray[Any, np.dtype[np.float32]]:
        width = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, row_ids in enumerate(token_ids):
            ids[row, : len(row_ids)] = row_ids
            mask[row, : len(row_ids)] = 1
        (vectors,) = loaded.session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)

    def _load(self) -> tuple[_Loaded, ThreadPoolExecutor | None]:
        with self._lock:
            if self._loaded is None:
                session, tokenizer = load_model(self._folder or MODEL_DIR)
                self._loaded = _Loaded(session, tokenizer)
                if self._parallel_runs > 1:
                    self._pool = ThreadPoolExecutor(self._parallel_runs, thread_name_prefix="onnx-encoder")
            return self._loaded, self._pool


def token_groups(lengths: Sequence[int], max_texts: int, max_tokens: int = TOKENS_PER_RUN) -> list[list[int]]:
    """Indexes of texts by decreasing token count, grouped so a group's padded size (texts x longest) stays
    within ``max_tokens`` (a text longer than that goes alone) and it has at most ``max_texts`` texts."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    start = 0
    while start < len(order):
        count = max(1, min(max_texts, max_tokens // max(1, lengths[order[start]])))
        groups.append(order[start : start + count])
        start += count
    return groups
