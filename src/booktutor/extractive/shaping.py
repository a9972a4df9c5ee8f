"""Which candidates may answer the question, and how the kind of question shifts their scores.

A reason answers "why", a contrast answers a comparison, a number answers "how many". Sentences that
prompt the learner (questions, options, exercise and lab instructions) and passages that only point
elsewhere (objectives, next steps) never answer; summaries and glossaries yield to the body section that
says the same thing.
"""

from __future__ import annotations

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import (
    NOT_ANSWER_PURPOSES,
    RESTATING_PURPOSES,
    contrasts,
    gives_reason,
    has_number,
    is_prompt,
)
from booktutor.extractive.scoring import Candidate

REASON_BONUS = 0.10
MECHANISM_BONUS = 0.05
CONTRAST_BONUS = 0.06
BOTH_SIDES_BONUS = 0.10
NUMBER_BONUS = 0.08
LIST_ITEM_BONUS = 0.03
RESTATING_PENALTY = 0.04


def may_answer(candidate: Candidate, intent: Intent) -> bool:
    """Whether a sentence may be quoted as (part of) the answer."""
    if candidate.source == "selection":
        return True  # the learner pointed at it
    steps = intent.wants_steps and candidate.purpose == "lab"
    if candidate.purpose in NOT_ANSWER_PURPOSES and not steps:
        return False
    return not is_prompt(candidate.text, allow_steps=intent.wants_steps)


def answer_pool(analysis: Analysis, intent: Intent) -> list[int]:
    return [i for i, c in enumerate(analysis.candidates) if c.kind == "sentence" and may_answer(c, intent)]


def shaped_scores(analysis: Analysis, intent: Intent) -> np.ndarray:
    """The candidates' scores with the question kind's preferences applied."""
    total = analysis.total.astype(np.float32, copy=True)
    for i, candidate in enumerate(analysis.candidates):
        total[i] += _bonus(candidate, intent)
    return total


def _bonus(candidate: Candidate, intent: Intent) -> float:
    text = candidate.text
    bonus = -RESTATING_PENALTY if candidate.purpose in RESTATING_PURPOSES else 0.0
    if intent.kind == "why" and gives_reason(text):
        bonus += REASON_BONUS
    elif intent.kind == "how" and gives_reason(text):
        bonus += MECHANISM_BONUS
    elif intent.kind == "comparison":
        bonus += CONTRAST_BONUS * contrasts(text)
        if intent.sides and all(side & candidate.terms for side in intent.sides):
            bonus += BOTH_SIDES_BONUS
    elif intent.kind == "number" and has_number(text):
        bonus += NUMBER_BONUS
    elif intent.kind == "list" and candidate.list_item:
        bonus += LIST_ITEM_BONUS
    return bonus
