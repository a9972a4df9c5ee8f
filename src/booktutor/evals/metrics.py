"""Eval metrics as pure functions over one case, plus aggregation and bootstrap CIs.

Every per-case score is a number in [0, 1] or None when the metric does not apply to the case
(e.g. hit@1 for an unanswerable question); a dataset-level metric is the mean of the scores that
apply. Definitions: docs/evals.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

METRICS = (
    "hit@1",
    "hit@5",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "abstention_accuracy",
    "false_abstention_rate",
    "citation_precision",
    "keyword_recall",
    "faithfulness",
    "evidence_recall",
    "section_citation_precision",
    "echo_rate",
    "dangling_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)
CASE_METRICS = METRICS[:-2]
LOWER_IS_BETTER = frozenset({"false_abstention_rate", "echo_rate", "dangling_rate", "latency_p50_ms", "latency_p95_ms"})
SUPPORT_THRESHOLD = 0.6
"""A sentence is supported when at least this share of its content words occur in a cited chunk."""
MIN_SENTENCE_TERMS = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_CITATION = re.compile(r"\[\d+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?۔؟])\s+")
_LINK = re.compile(r"\[[^\]\n]*\]\([^)\s]*\)")
_POINTER_LABEL = re.compile(r"^[\w -]{0,30}:$")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "he",
        "she",
        "we",
        "you",
        "i",
        "not",
        "no",
        "so",
        "than",
        "then",
        "can",
        "could",
        "may",
        "might",
        "will",
        "would",
        "should",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "why",
        "how",
        "also",
        "into",
        "about",
        "over",
        "under",
        "only",
        "just",
        "very",
        "more",
        "most",
        "such",
        "each",
        "other",
        "any",
        "all",
        "some",
    ]
)


def dedupe(paths: Sequence[str]) -> list[str]:
    """Doc paths in first-seen order, without repeats or empty paths."""
    return list(dict.fromkeys(p for p in paths if p))


def relevant_ranks(retrieved: Sequence[str], relevant: Sequence[str]) -> list[int]:
    """1-based positions of the relevant doc paths in the (deduplicated) retrieved list."""
    wanted = set(relevant)
    return [i for i, path in enumerate(retrieved, start=1) if path in wanted]


def hit_at(ranks: Sequence[int], k: int) -> float:
    return 1.0 if any(r <= k for r in ranks) else 0.0


def recall_at(ranks: Sequence[int], relevant_count: int, k: int) -> float:
    return sum(1 for r in ranks if r <= k) / relevant_count if relevant_count else 0.0


def mrr_at(ranks: Sequence[int], k: int) -> float:
    first = min((r for r in ranks if r <= k), default=None)
    return 1.0 / first if first else 0.0


def ndcg_at(ranks: Sequence[int], relevant_count: int, k: int) -> float:
    """Binary-gain nDCG: DCG = Σ 1/log2(rank+1) over relevant hits ≤ k, over the ideal DCG."""
    dcg = sum(1.0 / math.log2(r + 1) for r in ranks if r <= k)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(relevant_count, k) + 1))
    return dcg / ideal if ideal else 0.0


def citation_precision(cited_paths: Sequence[str], relevant: Sequence[str]) -> float | None:
    """Share of distinct cited doc paths that are relevant; None when nothing was cited."""
    cited = dedupe(cited_paths)
    if not cited:
        return None
    return sum(1 for p in cited if p in set(relevant)) / len(cited)


def keyword_recall(answer: str, keywords: Sequence[str]) -> float | None:
    if not keywords:
        return None
    text = answer.lower()
    return sum(1 for k in keywords if k.lower() in text) / len(keywords)


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS)


def is_pointer(line: str) -> bool:
    """A line that only links other sections under a short label ("Practice: [Lab 2: Gears](/docs/x#lab-2)",
    "See also: [A](/a), [B](/b)"): the tutor's navigation, which says nothing about the book to be supported."""
    if not _LINK.search(line):
        return False
    rest = re.sub(r"[\s,;·|]+", " ", _LINK.sub(" ", line)).strip()
    return not rest or bool(_POINTER_LABEL.match(rest))


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences with [n] markers removed; too-short fragments and navigation lines are dropped."""
    text = _CITATION.sub(" ", answer)
    lines = (line for line in text.splitlines() if not is_pointer(line))
    parts = (s.strip() for line in lines for s in _SENTENCE_END.split(line))
    return [s for s in parts if len(content_words(s)) >= MIN_SENTENCE_TERMS]


def sentence_support(sentence: str, sources: Sequence[str]) -> float:
    """Best share of the sentence's content words found in one source text."""
    words = content_words(sentence)
    if not words:
        return 1.0
    return max((len(words & content_words(src)) / len(words) for src in sources), default=0.0)


def faithfulness(answer: str, sources: Sequence[str], threshold: float = SUPPORT_THRESHOLD) -> float | None:
    """Share of answer sentences supported by some cited text; None when there is nothing to judge."""
    sentences = answer_sentences(answer)
    if not sentences:
        return None
    return sum(1 for s in sentences if sentence_support(s, sources) >= threshold) / len(sentences)


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def applicable(cases: Sequence[Mapping[str, float | None]], metric: str) -> list[float]:
    return [value for s in cases if (value := s.get(metric)) is not None]


def aggregate(scores: Sequence[Mapping[str, float | None]], latencies: Sequence[float]) -> dict[str, float | None]:
    """Dataset-level metrics: means of the applicable per-case scores, latency percentiles."""
    result: dict[str, float | None] = {m: mean(applicable(scores, m)) for m in CASE_METRICS}
    result["latency_p50_ms"] = percentile(latencies, 50)
    result["latency_p95_ms"] = percentile(latencies, 95)
    return result


def bootstrap_ci(
    values: Sequence[float],
    *,
    stat: str = "mean",
    q: float = 50.0,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap CI of the mean (or a percentile, stat="percentile") of the values."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    rng = np.random.default_rng(seed)
    samples = data[rng.integers(0, data.size, size=(resamples, data.size))]
    stats = samples.mean(axis=1) if stat == "mean" else np.percentile(samples, q, axis=1)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return float(low), float(high)


def metric_cis(
    scores: Sequence[Mapping[str, float | None]], latencies: Sequence[float], resamples: int = 2000
) -> dict[str, tuple[float, float] | None]:
    cis = {m: bootstrap_ci(applicable(scores, m), resamples=resamples) for m in CASE_METRICS}
    cis["latency_p50_ms"] = bootstrap_ci(latencies, stat="percentile", q=50, resamples=resamples)
    cis["latency_p95_ms"] = bootstrap_ci(latencies, stat="percentile", q=95, resamples=resamples)
    return cis


def case_scores(
    *,
    ranks: Sequence[int],
    relevant: Sequence[str],
    answerable: bool,
    abstained: bool,
    cited_paths: Sequence[str],
    answer: str,
    keywords: Sequence[str],
    sources: Sequence[str],
) -> dict[str, float | None]:
    """Every per-case score; None where the metric does not apply to this case."""
    scores: dict[str, float | None] = dict.fromkeys(CASE_METRICS)
    if not answerable:
        scores["abstention_accuracy"] = 1.0 if abstained else 0.0
        return scores
    n = len(relevant)
    scores.update(
        {
            "hit@1": hit_at(ranks, 1),
            "hit@5": hit_at(ranks, 5),
            "recall@5": recall_at(ranks, n, 5),
            "mrr@10": mrr_at(ranks, 10),
            "ndcg@10": ndcg_at(ranks, n, 10),
            "false_abstention_rate": 1.0 if abstained else 0.0,
            "citation_precision": citation_precision(cited_paths, relevant),
            "keyword_recall": keyword_recall(answer, keywords),
            "faithfulness": None if abstained else faithfulness(answer, sources),
        }
    )
    return scores


def quality(scores: Mapping[str, float | None]) -> float | None:
    """One number per case for diffs: the mean of its applicable scores, errors counted as 1 - rate."""
    values = [
        (1.0 - v if m in LOWER_IS_BETTER else v) for m, v in scores.items() if v is not None and m in CASE_METRICS
    ]
    return mean(values)
