"""The ONNX Runtime encoder against sentence-transformers on PyTorch: same vectors, encode throughput.

For each development book (the bundled sample book and the two under /work/shared/corpus when present)
the exact texts the ingest pipeline embeds (embedding_text(heading_path, text)) are encoded by
  * PyTorch: SentenceTransformer.encode_document (the `torch` extra; skipped when it is not installed),
  * ONNX Runtime: booktutor's OnnxEncoder (the package's own export of the same safetensors weights),
both with the pipeline's batch size, alternated slice by slice (one batch to each, A/B/A/B) for `--rounds`
rounds so machine load hits both alike (the median round is reported; CPU time as well as wall time).
Cosine similarity per text, minimum and mean, shows the vectors are the same.

Run: python -m benchmarks.onnx_encoder [--rounds 3] [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks._common import SAMPLE_BOOK

SHARED = Path("/work/shared/corpus")
BOOKS = [SAMPLE_BOOK, SHARED / "robotics-book-en-ur", SHARED / "physical-ai-textbook-mdx"]
GOAL_COSINE = 0.99
GOAL_SPEEDUP = 1.5


def book_texts(root: Path) -> list[str]:
    from booktutor.ingest.discover import discover_book
    from booktutor.ingest.parse import parse_book
    from booktutor.ingest.pipeline import embedding_text

    docs, _ = parse_book(discover_book(root))
    return [embedding_text(c.heading_path, c.text) for d in docs for c in d.chunks]


def _timed(encode, texts: list[str]) -> tuple[float, float, np.ndarray]:
    """Wall seconds, CPU seconds (this process, every thread) and the vectors."""
    started, cpu = time.perf_counter(), time.process_time()
    vectors = np.asarray(encode(texts), dtype=np.float32)
    return time.perf_counter() - started, time.process_time() - cpu, vectors


def torch_encoder(batch_size: int):
    try:
        from sentence_transformers import SentenceTransformer

        from booktutor.providers.embeddings import bundled_model_path
    except ImportError:
        return None
    model = SentenceTransformer(str(bundled_model_path()), device="cpu", local_files_only=True)

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode_document(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    return encode


def _interleaved(encoders: dict, texts: list[str], rounds: int, batch_size: int) -> tuple[dict, dict]:
    """Per encoder: (wall, CPU) seconds of each round and its vectors. Each round alternates the encoders
    slice by slice (`batch_size` texts: A, B, A, B, ...), starting with the other one every round, so the
    machine's load of any minute falls on both alike."""
    slices = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
    times: dict = {name: [] for name in encoders}
    vectors: dict = {}
    for r in range(rounds):
        totals = dict.fromkeys(encoders, (0.0, 0.0))
        parts: dict = {name: [] for name in encoders}
        names = list(encoders) if r % 2 == 0 else list(reversed(encoders))
        for piece in slices:
            for name in names:
                seconds, cpu, got = _timed(encoders[name], piece)
                totals[name] = (totals[name][0] + seconds, totals[name][1] + cpu)
                parts[name].append(got)
        for name in encoders:
            times[name].append(totals[name])
            vectors[name] = np.vstack(parts[name])
    return times, vectors


def bench_book(root: Path, onnx_encode, torch_encode, rounds: int, limit: int | None, batch_size: int = 64) -> dict:
    texts = book_texts(root)
    if limit and len(texts) > limit:  # an even sample across the book
        texts = texts[:: -(-len(texts) // limit)]
    encoders = {"onnx": onnx_encode} | ({"torch": torch_encode} if torch_encode is not None else {})
    times, vectors = _interleaved(encoders, texts, rounds, batch_size)
    wall = {name: statistics.median(t[0] for t in times[name]) for name in encoders}
    cpu = {name: statistics.median(t[1] for t in times[name]) for name in encoders}
    result: dict = {
        "book": root.name,
        "texts": len(texts),
        "onnx_texts_per_s": len(texts) / wall["onnx"],
        "onnx_cpu_ms_per_text": cpu["onnx"] * 1000 / len(texts),
    }
    if "torch" in encoders:
        cosines = np.sum(vectors["onnx"] * vectors["torch"], axis=1)
        result |= {
            "torch_texts_per_s": len(texts) / wall["torch"],
            "torch_cpu_ms_per_text": cpu["torch"] * 1000 / len(texts),
            "cpu_speedup": cpu["torch"] / cpu["onnx"],
            "speedup": wall["torch"] / wall["onnx"],
            "cosine_min": float(cosines.min()),
            "cosine_mean": float(cosines.mean()),
        }
    return result


def run(rounds: int, limit: int | None = None) -> dict:
    from booktutor.config import Settings
    from booktutor.providers.onnx_encoder import OnnxEncoder

    batch_size = Settings(_env_file=None).embedding_batch_size
    onnx = OnnxEncoder(batch_size=batch_size)
    torch_encode = torch_encoder(batch_size)
    warm = ["warm up " * 40] * batch_size
    onnx.encode(warm)
    if torch_encode is not None:
        torch_encode(warm)
    loadavg_start = os.getloadavg()
    books = [bench_book(root, onnx.encode, torch_encode, rounds, limit, batch_size) for root in BOOKS if root.is_dir()]
    return {
        "batch_size": batch_size,
        "rounds": rounds,
        "limit": limit,
        "books": books,
        "goals": {"cosine_min": GOAL_COSINE, "speedup": GOAL_SPEEDUP},
        "loadavg_start": loadavg_start,
        "loadavg_end": os.getloadavg(),
    }


def _print(result: dict) -> None:
    print(f"batch {result['batch_size']}, median of {result['rounds']} rounds alternated slice by slice")
    print(f"{'book':28s} {'texts':>6s} {'torch/s':>8s} {'onnx/s':>8s} {'speedup':>8s} {'cos min':>8s} {'cos mean':>9s}")
    for b in result["books"]:
        torch_rate = f"{b['torch_texts_per_s']:8.1f}" if "speedup" in b else f"{'n/a':>8s}"
        speedup = f"{b['speedup']:7.2f}x" if "speedup" in b else f"{'n/a':>8s}"
        cos = f"{b['cosine_min']:8.5f} {b['cosine_mean']:9.6f}" if "speedup" in b else f"{'n/a':>8s} {'n/a':>9s}"
        cpu = f"  CPU ratio {b['cpu_speedup']:.2f}x" if "cpu_speedup" in b else ""
        print(f"{b['book']:28s} {b['texts']:6d} {torch_rate} {b['onnx_texts_per_s']:8.1f} {speedup} {cos}{cpu}")
    print(f"goals: cosine >= {GOAL_COSINE}, speedup >= {GOAL_SPEEDUP}x")
    print(f"load average at start {result['loadavg_start']}, at end {result['loadavg_end']}")


def goal_rows(result: dict) -> list[tuple[str, float | None, str, bool | None]]:
    """(goal, measured, goal text, met) for the summary: the worst book of each; None without PyTorch."""
    compared = [b for b in result["books"] if "speedup" in b]
    speedup = min((b["speedup"] for b in compared), default=None)
    cpu_speedup = min((b["cpu_speedup"] for b in compared if "cpu_speedup" in b), default=None)
    cosine = min((b["cosine_min"] for b in compared), default=None)
    return [
        ("encoder: ONNX throughput / PyTorch's by CPU time (worst book, ×)", cpu_speedup, f"≥ {GOAL_SPEEDUP}",
         None if cpu_speedup is None else cpu_speedup >= GOAL_SPEEDUP),
        ("encoder: ONNX throughput / PyTorch's by wall time (worst book, ×)", speedup, f"≥ {GOAL_SPEEDUP}",
         None if speedup is None else speedup >= GOAL_SPEEDUP),
        ("encoder: cosine ONNX vs PyTorch vectors (min over all texts)", cosine, f"≥ {GOAL_COSINE}",
         None if cosine is None else cosine >= GOAL_COSINE),
    ]  # fmt: skip


def render(result: dict) -> list[str]:
    limit = f"at most {result['limit']} texts per book (an even sample)" if result.get("limit") else "every text"
    lines = [
        "## Encoder without PyTorch (`benchmarks/onnx_encoder.py`)",
        "",
        "The pipeline's chunk texts (`embedding_text`) of each development book present, "
        f"{limit}, encoded by sentence-transformers on PyTorch and by booktutor's ONNX Runtime encoder, batch "
        f"{result['batch_size']}, alternated slice by slice ({result['batch_size']} texts to one, then to the other, "
        f"A/B/A/B) for {result['rounds']} rounds (median round). Cosine per text between the two vectors. "
        "*Speedup* is the ratio of wall times, *CPU ratio* that of this process's CPU time (both encoders use the "
        "machine's cores; on a loaded machine the CPU ratio is the steadier number). "
        f"Load average at start {_load(result['loadavg_start'])}, "
        f"at end {_load(result['loadavg_end'])}.",
        "",
        "| book | texts | PyTorch texts/s | ONNX texts/s | speedup | CPU ms/text PyTorch / ONNX | CPU ratio | "
        "cosine min | cosine mean |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in result["books"]:
        if "speedup" in b:
            lines.append(
                f"| `{b['book']}` | {b['texts']} | {b['torch_texts_per_s']:.1f} | {b['onnx_texts_per_s']:.1f} | "
                f"{b['speedup']:.2f}× | {b.get('torch_cpu_ms_per_text', 0):.1f} / "
                f"{b.get('onnx_cpu_ms_per_text', 0):.1f} | {b.get('cpu_speedup', 0):.2f}× | {b['cosine_min']:.5f} | "
                f"{b['cosine_mean']:.6f} |"
            )
        else:
            no_torch = "– (no `torch` extra)"
            lines.append(
                f"| `{b['book']}` | {b['texts']} | {no_torch} | {b['onnx_texts_per_s']:.1f} | – | – | – | – | – |"
            )
    lines += ["", "Goals:", ""]
    for name, value, goal, met in goal_rows(result):
        shown = "not measured (needs the `torch` extra)" if value is None else f"{value:.6g}"
        lines.append(f"- {name}: {shown} ({goal}) {'' if met is None else '✅' if met else '❌'}")
    return [*lines, ""]


def _load(value) -> str:
    return " / ".join(f"{x:.2f}" for x in value) if isinstance(value, list | tuple) else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=200, help="at most this many texts per book (an even sample)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.rounds, args.limit)
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
