"""Asked what X is, the answer opens with the sentence that says what X is ("A task is designed for ..."
for "What is a GardenOS task?"), not with one that only names X among other things or defines the word
that qualifies it ("GardenOS (Garden Operating System) is an open middleware ...")."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.defining import defines_head, definition_head
from booktutor.extractive.scoring import definition_subject

OVERVIEW = """## What is GardenOS?

GardenOS lets you build greenhouse robots from small programs (nodes) that talk through named channels
(feeds, requests, tasks).
GardenOS (Garden Operating System) is an open middleware for greenhouse robots.
"""
TASKS = """## Tasks

A task is designed for long-running jobs that report their progress.
Watering a whole bed or pruning a row takes minutes, and the gardener wants to follow it.
"""


async def test_the_sentence_saying_what_x_is_opens_the_answer(embedder: Any) -> None:
    results = [
        hit(1, TASKS, "Tasks", doc="garden/fundamentals.md"),
        hit(2, OVERVIEW, "What is GardenOS?", doc="garden/fundamentals.md"),
    ]
    composed = await answer("What is a GardenOS task?", results, embedder)
    assert composed.text.startswith("A task is designed for long-running jobs"), composed.text


def _defines(question: str, sentence: str) -> bool:
    return defines_head(sentence, definition_subject(question), definition_head(question))


def test_a_sentence_defines_the_asked_term_by_its_head_word() -> None:
    assert definition_head("What is the pivot point of a trellis?") == definition_head("What is a pivot point?")
    assert _defines("What is a GardenOS task?", "A task is designed for long-running jobs.")
    assert _defines("What is a GardenOS task?", "GardenOS tasks are jobs that report progress.")
    assert _defines("What is CSM?", "Closed soil monitoring (CSM): A loop that reads the probes.")
    assert not _defines("What is a GardenOS task?", "GardenOS (Garden Operating System) is a middleware.")
    assert not _defines("What is a GardenOS task?", "A task server is a node that runs tasks.")
    assert not _defines("What is drip irrigation?", "Flood irrigation is the opposite: it fills the bed.")
    assert not _defines("What is a watering model?", "The model is trained on last season's logs.")
