"""Ingest throughput: end-to-end chunks/s of Ingestor vs. the raw MiniLM encoder on the same texts.

For each book (the bundled sample book, and /work/shared/corpus/robotics-book-en-ur when present):
a fresh Postgres database and Qdrant Edge store, the real all-MiniLM-L6-v2 embedder (the default, ONNX
Runtime; `--encoder torch` for sentence-transformers on PyTorch) loaded and warmed up BEFORE timing, then
  * raw encoder: that embedder's own encoder (OnnxEncoder.encode, or SentenceTransformer.encode_document)
    called directly over exactly the texts the pipeline embeds: the
    chunks (embedding_text(heading_path, text)), grouped like the pipeline (EMBED_GROUP_CHUNKS), and the
    chunks' quotable sentences (stored for the offline answerer, grouped like the backfill), with the
    same batch size; measured before and after the ingest, the mean is used;
  * end-to-end: Ingestor.ingest() on the fresh DB (parse + embed + Postgres + Qdrant + publish);
  * a per-phase breakdown of the ingest (wrapped methods: embedding, vector store, Postgres);
  * the MiniLM token lengths of the texts (the model truncates at 256 word pieces);
  * a cProfile of a second ingest (into another fresh DB) when the ratio is below the goal.

Run: python -m benchmarks.ingest_throughput [--encoder onnx|torch] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import os
import pstats
import time
from collections import defaultdict
from pathlib import Path

from benchmarks._common import BIG_BOOK, SAMPLE_BOOK, SAMPLE_BOOK_ID, bench_database, make_settings, temp_dir

GOAL_RATIO = 0.8
MODEL_MAX_TOKENS = 256


class PhaseTimer:
    """Wraps async methods on objects and sums their wall time per phase name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, obj, method: str, phase: str) -> None:
        original = getattr(obj, method)

        @functools.wraps(original)
        async def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
                self.calls[phase] += 1

        setattr(obj, method, timed)


def _chunk_texts(root: Path) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """The chunk texts the pipeline embeds (in its groups), the sentence groups, and the chunks' texts."""
    from booktutor.extractive.scoring import quotable_texts
    from booktutor.ingest.discover import discover_book
    from booktutor.ingest.parse import parse_book
    from booktutor.ingest.pipeline import EMBED_GROUP_CHUNKS, _groups_by_chunk_count, embedding_text
    from booktutor.ingest.sentence_vectors import BACKFILL_GROUP_CHUNKS

    docs, _ = parse_book(discover_book(root))
    groups = [
        [embedding_text(c.heading_path, c.text) for d in group for c in d.chunks]
        for group in _groups_by_chunk_count(docs, EMBED_GROUP_CHUNKS)
    ]
    texts = [c.text for d in docs for c in d.chunks]
    sentences = [  # the sentence vectors stored at ingest, grouped like the backfill
        list(dict.fromkeys(s for text in texts[start : start + BACKFILL_GROUP_CHUNKS] for s in quotable_texts(text)))
        for start in range(0, len(texts), BACKFILL_GROUP_CHUNKS)
    ]
    return groups, sentences, texts


class RawEncoder:
    """The embedder's encoder called directly, and the model's token lengths (untruncated)."""

    def __init__(self, embedder) -> None:
        from tokenizers import Tokenizer

        from booktutor.providers.embeddings import LocalSentenceTransformerEmbedder
        from booktutor.providers.onnx_encoder import MODEL_DIR

        self._tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        if isinstance(embedder, LocalSentenceTransformerEmbedder):
            model, batch_size = embedder._load(), embedder._batch_size
            self.name = "`SentenceTransformer.encode_document` (PyTorch)"
            self.encode = lambda texts: model.encode_document(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        else:
            self.name = "`OnnxEncoder.encode` (ONNX Runtime)"
            self.encode = embedder._encoder.encode

    def token_lengths(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts)]


def _raw_encode(raw: RawEncoder, groups: list[list[str]]) -> float:
    started = time.perf_counter()
    for texts in groups:
        raw.encode(texts)
    return time.perf_counter() - started


def _token_stats(raw: RawEncoder, texts: list[str]) -> dict:
    lengths = raw.token_lengths(texts)
    lengths.sort()
    over = sum(1 for n in lengths if n > MODEL_MAX_TOKENS)
    return {
        "mean": sum(lengths) / len(lengths),
        "p50": lengths[len(lengths) // 2],
        "p95": lengths[int(len(lengths) * 0.95)],
        "max": lengths[-1],
        "over_256_pct": 100 * over / len(lengths),
        "tokens_lost_pct": 100 * sum(max(0, n - MODEL_MAX_TOKENS) for n in lengths) / sum(lengths),
        "max_seq_length": MODEL_MAX_TOKENS,
    }


async def _ingest_once(root: Path, book_id: str, embedder, *, profile: bool = False, phases: PhaseTimer | None = None):
    from booktutor.ingest.pipeline import Ingestor
    from booktutor.services import build_services
    from booktutor.tutoring.authored import store_authored_questions

    with bench_database("ingest") as url, temp_dir("ingest") as data_dir:
        services = await build_services(make_settings(url, data_dir))
        services.embedder = embedder  # the already loaded, warmed-up model
        try:
            ingestor = Ingestor(services.db, services.store, embedder, on_published=[store_authored_questions])
            if phases is not None:
                phases.wrap(embedder, "embed_documents", "embed (MiniLM)")
                phases.wrap(services.store, "upsert", "qdrant upsert+flush")
                phases.wrap(services.store, "delete_chunks", "qdrant delete")
                phases.wrap(ingestor, "_delete_stale_chunks", "pg stale-chunk check")
            profiler = cProfile.Profile() if profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            report = await ingestor.ingest(root, book_id=book_id)
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            points = await services.store.count()
        finally:
            if phases is not None:
                for name in ("embed_documents",):
                    embedder.__dict__.pop(name, None)
            await services.close()
    return report, seconds, points, profiler


def _profile_text(profiler: cProfile.Profile, limit: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


async def bench_book(root: Path, book_id: str, embedder, raw: RawEncoder, batch_size: int) -> dict:
    from booktutor.ingest.discover import discover_book
    from booktutor.ingest.parse import parse_book

    started = time.perf_counter()
    parse_book(discover_book(root))
    parse_s = time.perf_counter() - started
    groups, sentences, _ = _chunk_texts(root)
    texts = [t for g in groups for t in g]
    chunks = len(texts)

    raw_before = _raw_encode(raw, groups + sentences)
    phases = PhaseTimer()
    report, ingest_s, points, _ = await _ingest_once(root, book_id, embedder, phases=phases)
    raw_after = _raw_encode(raw, groups + sentences)
    raw_s = (raw_before + raw_after) / 2
    assert report.chunks_written == chunks, (report.chunks_written, chunks)
    assert points == chunks, (points, chunks)

    embed_s = phases.seconds.get("embed (MiniLM)", 0.0)
    breakdown = {name: {"seconds": s, "calls": phases.calls[name]} for name, s in phases.seconds.items()}
    qdrant_s = sum(v["seconds"] for k, v in breakdown.items() if k.startswith("qdrant"))
    stale_s = breakdown.get("pg stale-chunk check", {}).get("seconds", 0.0)
    breakdown["parse (measured separately)"] = {"seconds": parse_s, "calls": 1}
    breakdown["postgres writes + other (remainder)"] = {
        "seconds": max(0.0, ingest_s - embed_s - qdrant_s - parse_s - stale_s),
        "calls": 0,
    }
    result = {
        "book": str(root),
        "documents": report.documents_ok,
        "chunks": chunks,
        "ingest_s": ingest_s,
        "ingest_chunks_per_s": chunks / ingest_s,
        "raw_s": raw_s,
        "raw_before_s": raw_before,
        "raw_after_s": raw_after,
        "raw_chunks_per_s": chunks / raw_s,
        "ratio": raw_s / ingest_s,
        # Same-run, noise-robust view: the share of the ingest spent inside the encoder.
        "embed_in_ingest_s": embed_s,
        "embed_share": embed_s / ingest_s,
        "batch_size": batch_size,
        "breakdown": breakdown,
        "tokens": _token_stats(raw, texts),
    }
    if result["ratio"] < GOAL_RATIO and result["embed_share"] < GOAL_RATIO:
        _, prof_s, _, profiler = await _ingest_once(root, book_id, embedder, profile=True)
        result["profile_ingest_s"] = prof_s
        result["profile_top"] = _profile_text(profiler)
    return result


async def run(encoder: str = "onnx") -> dict:
    from booktutor.providers.embeddings import LocalOnnxEmbedder, LocalSentenceTransformerEmbedder

    settings = make_settings("postgresql://unused", Path("/tmp"))
    batch_size = settings.embedding_batch_size
    embedder: LocalOnnxEmbedder | LocalSentenceTransformerEmbedder
    if encoder == "torch":
        embedder = LocalSentenceTransformerEmbedder(batch_size=batch_size)
    else:
        embedder = LocalOnnxEmbedder(batch_size=batch_size)
    started = time.perf_counter()
    raw = RawEncoder(embedder)
    raw.encode(["load"])
    load_s = time.perf_counter() - started
    await embedder.embed_documents(["warm up " * 50] * batch_size)  # first-call costs outside timing
    await embedder.embed_query("warm up")
    books = [(SAMPLE_BOOK, SAMPLE_BOOK_ID)]
    if BIG_BOOK.is_dir():
        books.append((BIG_BOOK, "robotics-book-en-ur"))
    results = [await bench_book(root, book_id, embedder, raw, batch_size) for root, book_id in books]
    return {
        "encoder": raw.name,
        "model_load_s": load_s,
        "goal_ratio": GOAL_RATIO,
        "books": results,
        "loadavg_end": os.getloadavg(),
    }


def _print(result: dict) -> None:
    print(f"model load {result['model_load_s']:.2f}s (excluded)")
    for b in result["books"]:
        print(f"\n{b['book']}: {b['documents']} documents, {b['chunks']} chunks, batch {b['batch_size']}")
        print(f"  end-to-end {b['ingest_s']:.2f}s = {b['ingest_chunks_per_s']:.1f} chunks/s")
        print(
            f"  raw encoder {b['raw_s']:.2f}s = {b['raw_chunks_per_s']:.1f} chunks/s "
            f"(before {b['raw_before_s']:.2f}s, after {b['raw_after_s']:.2f}s)"
        )
        print(
            f"  ratio {b['ratio']:.2f} (goal >= {result['goal_ratio']}); "
            f"embed share inside ingest {b['embed_share']:.2f}"
        )
        for name, v in b["breakdown"].items():
            print(f"    {name:32s} {v['seconds']:7.2f}s  calls {v['calls']}")
        print(f"  tokens: {b['tokens']}")
        if "profile_top" in b:
            print(b["profile_top"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", choices=["onnx", "torch"], default="onnx", help="onnx: the default install's")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.encoder))
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
