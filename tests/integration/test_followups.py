"""A follow-up answers the new thing it asks, through the real graph with the offline answerer.

Real Postgres, Qdrant Edge and MiniLM over a control chapter written here: it says what each term of
a PID controller does and what goes wrong with the integral term (windup), and nothing about the
derivative term's drawbacks. "What are its disadvantages?" after a question about one term answers
with that term's drawback when the book states one, and says the book does not cover it when it does
not, instead of serving the previous answer again.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages

pytestmark = pytest.mark.integration

CONTROL = """---
title: Control
---

# Control

A joint controller turns the error between the target angle and the measured angle into a motor command.

## The PID controller

A PID controller adds three terms computed from the error.
The proportional term pushes harder the further the joint is from its target.
The integral term accumulates the error over time and removes the steady offset that gravity leaves.
The derivative term reacts to how fast the error changes and damps the motion.

## Tuning the gains

Raise the proportional gain until the joint responds briskly, then add damping.
The integral term's main drawback is windup: while the motor is saturated the accumulated error keeps
growing, and the joint overshoots badly once it is released.
Clamping the accumulated error is the usual remedy.
"""

SENSING = """---
title: Sensing
---

# Sensing

## Joint encoders

An absolute encoder reports the joint angle as soon as the robot is switched on.
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    return await ingest_pages(services, tmp_path, {"control.md": CONTROL, "sensing.md": SENSING}, book_id="control")


async def ask(services, user, thread_id: str, text: str) -> tuple[str, dict]:
    return await ask_offline(services, user, text, thread_id=thread_id, book_id="control")


async def test_its_disadvantages_after_a_part_of_a_topic_answers_with_that_parts_drawback(services, book, guest):
    thread = f"t-{uuid.uuid4().hex[:8]}"
    first, _ = await ask(services, guest, thread, "What is the integral term of a PID controller?")
    assert "accumulates the error" in first, first

    answer, state = await ask(services, guest, thread, "What are its disadvantages?")

    assert state["abstained"] is False, answer
    assert answer.startswith("The integral term's main drawback is windup"), answer
    assert answer != first, "the follow-up does not re-serve the previous answer"
    assert any(c["anchor_url"] == "/docs/control#tuning-the-gains" for c in state["citations"]), state["citations"]


async def test_its_disadvantages_the_book_never_states_is_not_covered(services, book, guest):
    thread = f"t-{uuid.uuid4().hex[:8]}"
    first, _ = await ask(services, guest, thread, "What is the derivative term of a PID controller?")
    assert "damps the motion" in first, first

    answer, state = await ask(services, guest, thread, "What are its disadvantages?")

    assert state["abstained"] is True, answer
    assert answer.startswith("The book does not cover this."), answer
    assert "windup" not in answer, "the integral term's drawback is not the derivative term's"
    assert "damps the motion" not in answer, "the previous answer is not served again"
    assert state["citations"] == []
