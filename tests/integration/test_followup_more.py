"""'Tell me more' and 'Why?' after an answer, through the real graph with the offline answerer.

Real Postgres, Qdrant Edge and MiniLM over two chapters written here. Odometry says what wheel odometry is in
one section and why it drifts in the next; steering says a differential-drive robot has no steering joint and
gives no reason for it. A follow-up asking for more quotes what the thread has not quoted yet, or says
plainly that the book says nothing more; "Why?" quotes the reason the book gives next to the previous
answer's claim, or says that it gives none, instead of quoting the same sentences again.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages

pytestmark = pytest.mark.integration

ODOMETRY = """---
title: Odometry
---

# Odometry

A mobile robot needs to know where it is before it can plan where to go.

## Wheel odometry

Wheel odometry estimates the robot's position by counting how far each wheel has turned.
Each drive wheel carries an encoder that reports a tick for every small step of rotation.
The distance a wheel has rolled is its tick count divided by the ticks per revolution, times the wheel's
circumference.
The difference between the left and right distances gives the change in the robot's heading.

## Drift

Wheel odometry drifts over a long drive because every slip of a wheel adds an error that is never corrected.
Carpet and wet floors make the wheels slip more than smooth concrete.
Robots therefore correct their odometry with a second sensor such as a camera or a laser scanner.

## Calibrating the wheels

The wheel diameter in the robot's configuration must match the real wheel.
A diameter that is one percent too small makes every distance one percent too long.
"""

STEERING = """---
title: Steering
---

# Steering

## Differential drive

A differential-drive robot has no steering joint at all.
It turns on the spot by driving its two wheels in opposite directions.

## Casters

A caster wheel at the back carries part of the robot's weight.
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    pages = {"odometry.md": ODOMETRY, "steering.md": STEERING}
    return await ingest_pages(services, tmp_path, pages, book_id="wheels")


def quoted(answer: str) -> set[str]:
    """The sentences an answer quotes (each ends with its [n] marker)."""
    return {s.strip() for s in re.findall(r"([^\[\]]+?)\s*\[\d+\]", answer) if len(s.split()) > 3}


class Thread:
    def __init__(self, services, guest) -> None:
        self.services, self.guest, self.id = services, guest, f"t-{uuid.uuid4().hex[:8]}"

    async def ask(self, text: str) -> tuple[str, dict]:
        return await ask_offline(self.services, self.guest, text, thread_id=self.id, book_id="wheels")


async def test_tell_me_more_quotes_what_the_thread_has_not(services, book, guest):
    thread = Thread(services, guest)
    first, _ = await thread.ask("What is wheel odometry?")
    assert "counting how far each wheel has turned" in first, first

    more, state = await thread.ask("Tell me more")

    assert state["abstained"] is False, more
    assert quoted(more) and not quoted(more) & quoted(first), (first, more)
    # the first answer goes on through its section (the encoder, the tick count); more goes beyond it
    assert "tick count" in first + more, (first, more)
    assert state["citations"], more
    assert all(c["doc_path"] == "odometry.md" for c in state["citations"]), "more on odometry, not on steering"


async def test_tell_me_more_when_the_book_says_nothing_more(services, book, guest):
    thread = Thread(services, guest)
    first, _ = await thread.ask("What does a caster wheel do?")
    assert "carries part of the robot's weight" in first, first

    more, state = await thread.ask("Tell me more")  # the book says one sentence about casters

    assert more.startswith("The book says nothing more about this"), more
    assert "carries part of the robot's weight" not in more
    assert state["citations"] == []


async def test_why_quotes_the_reason_the_book_gives_for_the_claim(services, book, guest):
    thread = Thread(services, guest)
    first, _ = await thread.ask("Which sensors do robots use to correct their odometry?")
    assert first.startswith("Robots therefore correct their odometry"), first

    why, state = await thread.ask("Why?")

    assert state["abstained"] is False, why
    assert why.startswith("Wheel odometry drifts over a long drive because every slip"), why
    assert "Robots therefore correct their odometry" not in why, "the claim is what is asked about"
    assert any(c["anchor_url"] == "/docs/odometry#drift" for c in state["citations"]), state["citations"]


async def test_why_says_so_when_the_book_gives_no_reason(services, book, guest):
    thread = Thread(services, guest)
    first, _ = await thread.ask("Does a differential-drive robot have a steering joint?")
    assert "has no steering joint at all" in first, first

    why, state = await thread.ask("Why is that?")

    assert why.startswith("The book gives no reason for this"), why
    assert "has no steering joint at all" not in why
    assert state["citations"] == []
