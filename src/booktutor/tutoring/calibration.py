"""Calibrate the offline short-answer threshold on a small labelled set (docs/tutoring.md).

Run: `python -m booktutor.tutoring.calibration` — prints the best threshold for each similarity weight.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.grading import OfflineShortGrader
from booktutor.tutoring.questions import QuizQuestion

WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True, slots=True)
class Calibration:
    similarity_weight: float
    threshold: float
    accuracy: float


def labelled_answers() -> list[dict[str, Any]]:
    text = resources.files("booktutor.tutoring").joinpath("data/short_answers.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def as_question(example: dict[str, Any]) -> QuizQuestion:
    return QuizQuestion(
        id=example["question"],
        kind="short",
        style="authored",
        prompt="",
        answer=example["reference"],
        key_terms=example["key_terms"],
        doc_path="",
        chapter_title="",
        heading="",
        anchor="",
        anchor_url="",
    )


async def scores(embedder: Embedder, weight: float) -> list[tuple[float, int]]:
    grader = OfflineShortGrader(embedder, similarity_weight=weight)
    return [((await grader.score(as_question(e), e["answer"]))[0], int(e["label"])) for e in labelled_answers()]


def best_threshold(scored: list[tuple[float, int]]) -> tuple[float, float]:
    """The midpoint threshold with the highest accuracy (the widest-margin one among ties)."""
    values = sorted({s for s, _ in scored})
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] or values

    def accuracy(cut: float) -> float:
        return sum((s >= cut) == bool(label) for s, label in scored) / len(scored)

    best = max(accuracy(c) for c in cuts)
    winners = [c for c in cuts if accuracy(c) == best]
    return round(winners[len(winners) // 2], 2), best


async def calibrate(embedder: Embedder) -> list[Calibration]:
    results = []
    for weight in WEIGHTS:
        threshold, accuracy = best_threshold(await scores(embedder, weight))
        results.append(Calibration(weight, threshold, accuracy))
    return results


if __name__ == "__main__":
    from booktutor.providers.embeddings import LocalOnnxEmbedder

    for row in asyncio.run(calibrate(LocalOnnxEmbedder())):
        print(row)
