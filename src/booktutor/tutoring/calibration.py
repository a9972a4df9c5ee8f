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


def grading_cases() -> list[dict[str, Any]]:
    """The grading eval set: learner answers with the verdict a teacher would give (docs/tutoring.md)."""
    text = resources.files("booktutor.tutoring").joinpath("data/grading_eval.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def grading_eval(embedder: Embedder) -> dict[str, Any]:
    """Verdict accuracy on the verdicts the offline grader gives, and how often it says unsure."""
    grader = OfflineShortGrader(embedder)
    rows = []
    for case in grading_cases():
        question = as_question(case).model_copy(update={"prompt": case["question"]})
        grade = await grader.grade(question, case["answer"])
        rows.append({**case, "verdict": grade.verdict, "score": grade.score})
    given = [r for r in rows if r["verdict"] != "unsure"]
    right = [r for r in given if r["verdict"] == r["expected"]]
    lenient = [r for r in given if (r["verdict"] == "incorrect") == (r["expected"] == "incorrect")]
    by_category: dict[str, dict[str, int]] = {}
    for r in rows:
        slot = by_category.setdefault(r["category"], {"answers": 0, "unsure": 0, "right": 0})
        slot["answers"] += 1
        slot["unsure"] += r["verdict"] == "unsure"
        slot["right"] += r["verdict"] == r["expected"]
    return {
        "answers": len(rows),
        "verdicts_given": len(given),
        "unsure": len(rows) - len(given),
        "accuracy_on_given": round(len(right) / len(given), 3) if given else 0.0,
        "pass_fail_accuracy_on_given": round(len(lenient) / len(given), 3) if given else 0.0,
        "by_category": by_category,
        "rows": rows,
    }


if __name__ == "__main__":
    from booktutor.config import get_settings
    from booktutor.providers.embeddings import LocalOnnxEmbedder

    embedder = LocalOnnxEmbedder(model_dir=get_settings().onnx_model_dir)
    for row in asyncio.run(calibrate(embedder)):
        print(row)
    report = asyncio.run(grading_eval(embedder))
    print({k: v for k, v in report.items() if k != "rows"})
