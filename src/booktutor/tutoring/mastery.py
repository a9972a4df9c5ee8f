"""Bayesian knowledge tracing per learner and section, and what to study next.

BKT (Corbett & Anderson, 1995) models a hidden "knows the section" state with interpretable
slip/guess/learn rates, needs no training data, and gives a probability a tutor can threshold
("mastered" at 0.95). Guessing is higher for multiple choice (1 / number of choices).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

P_INIT = 0.2
P_LEARN = 0.15
P_SLIP = 0.1
SHORT_GUESS = 0.05
MASTERED = 0.95
HINT_DISCOUNT = 0.2  # each hint used weakens the evidence of a correct answer


def guess_rate(choice_count: int) -> float:
    return 1.0 / choice_count if choice_count >= 2 else SHORT_GUESS


def bkt_update(p_known: float, score: float, *, guess: float, slip: float = P_SLIP, learn: float = P_LEARN) -> float:
    """Posterior after one graded answer (score in [0, 1] as soft evidence), then the learning step."""
    known_if_right = p_known * (1 - slip) / (p_known * (1 - slip) + (1 - p_known) * guess)
    known_if_wrong = p_known * slip / (p_known * slip + (1 - p_known) * (1 - guess))
    posterior = score * known_if_right + (1 - score) * known_if_wrong
    return min(1.0, posterior + (1 - posterior) * learn)


def evidence(score: float, hints_used: int) -> float:
    return max(0.0, score * (1 - HINT_DISCOUNT * hints_used))


@dataclass(frozen=True, slots=True)
class SectionEstimate:
    chapter_key: str
    chapter_title: str
    chapter_order: int
    anchor: str
    heading: str
    p_known: float


class Recommendation(BaseModel):
    """What to study next; `anchor` is empty when the suggestion is a whole chapter."""

    model_config = ConfigDict(frozen=True)

    chapter_key: str
    chapter_title: str
    anchor: str
    heading: str
    p_known: float | None
    reason: str


def recommend(
    estimates: list[SectionEstimate], chapters: list[tuple[str, str]], current_chapter: str | None
) -> Recommendation | None:
    """Weakest prerequisite first: chapter order is the prerequisite order.

    Among chapters up to the current one (the last one practised), the weakest unmastered
    section wins, earlier chapters breaking ties; when all of them are mastered, the next
    chapter's opening is suggested.
    """
    if not chapters:
        return None
    order = {key: i for i, (key, _) in enumerate(chapters)}
    current = order.get(current_chapter, 0) if current_chapter else 0
    weak = [e for e in estimates if order.get(e.chapter_key, 1 << 30) <= current and e.p_known < MASTERED]
    if weak:
        best = min(weak, key=lambda e: (e.p_known, e.chapter_order))
        where = "an earlier chapter" if order[best.chapter_key] < current else "this chapter"
        return Recommendation(
            chapter_key=best.chapter_key,
            chapter_title=best.chapter_title,
            anchor=best.anchor,
            heading=best.heading,
            p_known=round(best.p_known, 3),
            reason=f"Your weakest section in {where}: review it before moving on.",
        )
    if not estimates:
        return _chapter_start(*chapters[0], "Start with the first chapter.")
    if current + 1 < len(chapters):
        return _chapter_start(*chapters[current + 1], "You have mastered what you practised: continue here.")
    return _chapter_start(*chapters[current], "You have mastered every chapter you practised.")


def _chapter_start(key: str, title: str, reason: str) -> Recommendation:
    return Recommendation(chapter_key=key, chapter_title=title, anchor="", heading=title, p_known=None, reason=reason)
