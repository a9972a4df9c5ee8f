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
from ag_ui.core import EventType, RunAgentInput, UserMessage
from tests.integration.conftest import build_test_services

from booktutor.graph.router import IntentRouter
from booktutor.graph.service import ChatService
from booktutor.ingest.pipeline import Ingestor
from booktutor.providers.extractive_model import ExtractiveModel

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
async def chat(services, tmp_path: Path) -> ChatService:
    root = tmp_path / "book" / "docs"
    root.mkdir(parents=True)
    (root / "control.md").write_text(CONTROL, encoding="utf-8")
    (root / "sensing.md").write_text(SENSING, encoding="utf-8")
    await Ingestor(services.db, services.store, services.embedder).ingest(root.parent, book_id="control")
    return ChatService(services, ExtractiveModel(embedder=services.embedder), IntentRouter(services.embedder))


async def ask(chat: ChatService, user, thread_id: str, text: str) -> tuple[str, dict]:
    request = RunAgentInput(
        thread_id=thread_id,
        run_id=f"r-{uuid.uuid4().hex[:8]}",
        messages=[UserMessage(id=f"m-{uuid.uuid4().hex[:8]}", role="user", content=text)],
        state={},
        tools=[],
        context=[],
        forwarded_props={"book_id": "control"},
    )
    await chat.prepare(request, user)
    events = [event async for event in chat.stream(request, user)]
    answer = "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)
    return answer, [e for e in events if e.type == EventType.STATE_SNAPSHOT][-1].snapshot


async def test_its_disadvantages_after_a_part_of_a_topic_answers_with_that_parts_drawback(chat, guest):
    thread = f"t-{uuid.uuid4().hex[:8]}"
    first, _ = await ask(chat, guest, thread, "What is the integral term of a PID controller?")
    assert "accumulates the error" in first, first

    answer, state = await ask(chat, guest, thread, "What are its disadvantages?")

    assert state["abstained"] is False, answer
    assert answer.startswith("The integral term's main drawback is windup"), answer
    assert answer != first, "the follow-up does not re-serve the previous answer"
    assert any(c["anchor_url"] == "/docs/control#tuning-the-gains" for c in state["citations"]), state["citations"]


async def test_its_disadvantages_the_book_never_states_is_not_covered(chat, guest):
    thread = f"t-{uuid.uuid4().hex[:8]}"
    first, _ = await ask(chat, guest, thread, "What is the derivative term of a PID controller?")
    assert "damps the motion" in first, first

    answer, state = await ask(chat, guest, thread, "What are its disadvantages?")

    assert state["abstained"] is True, answer
    assert answer.startswith("The book does not cover this."), answer
    assert "windup" not in answer, "the integral term's drawback is not the derivative term's"
    assert "damps the motion" not in answer, "the previous answer is not served again"
    assert state["citations"] == []
