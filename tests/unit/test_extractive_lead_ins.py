"""A sentence that introduces a list ("... through three channels:") is quoted with the list it introduces,
only beside an answer that quotes its page, and never opens an answer on its own."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.scoring import build_candidates, quotable_texts
from booktutor.extractive.text import split_markdown

PLANNER = """## Connecting a planner to the arm

A planning program written in Python talks to the arm's motor controllers through the middleware's client library.
The client library hides the network between the planner and the controllers.

### Ways to connect

A Python planner can reach the arm controllers through three channels:

- **Streams**: for sending a steady flow of joint targets
- **Requests**: for one-off commands that return a reply
- **Jobs**: for long motions that report progress and can be stopped

Each channel suits a different kind of exchange between planner and arm.
"""
TESTING = """## Testing the gripper

The gripper can be tested in simulation by:

- Replaying recorded finger positions
- Injecting faults into the contact sensors
"""
GRIPPER = """## The gripper

A gripper is the hand of a robot arm: two or more fingers that close on an object and hold it.
"""
SETUP = """## Before you start

Before starting, you should have:

- **Python knowledge** - comfortable writing small scripts
- **Robot basics** - knowing what sensors and motors are

The chapters build on one another.
"""
LATER_MODULE = """## Requirements of the vision module

This module also expects:

- **Linear algebra** - comfortable with matrices and camera projections
- **Python knowledge** - comfortable writing small scripts
"""


def body(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


def test_a_lead_in_is_marked_only_when_its_list_follows() -> None:
    segments = [s for s in split_markdown(PLANNER) if s.kind == "sentence"]
    lead_ins = [s.text for s in segments if s.opens_list]
    assert lead_ins == ["A Python planner can reach the arm controllers through three channels:"]
    hanging = [s for s in split_markdown("## Notes\n\nThe controllers need:\n\nNothing more is said here.\n")]
    assert not any(s.opens_list for s in hanging)


def test_a_lead_in_is_scored_with_its_items_and_stored_that_way() -> None:
    """Alone, "X can be tested by:" matches any question about X: the answerer reads it with its items, and
    ingest stores the vector of that same text."""
    candidates = build_candidates([hit(1, TESTING, "Testing the gripper")])
    lead_in = next(c for c in candidates if c.opens_list)
    assert lead_in.text == "The gripper can be tested in simulation by:"
    assert lead_in.whole.startswith(lead_in.text)
    assert "Injecting faults into the contact sensors" in lead_in.whole
    assert lead_in.whole in quotable_texts(TESTING)


async def test_a_quoted_lead_in_brings_the_list_it_introduces(embedder: Any) -> None:
    question = "How do I connect my Python planner to the arm controllers?"
    composed = await answer(question, [hit(1, PLANNER, "Connecting a planner to the arm")], embedder)
    text = body(composed.text)
    assert "through three channels:" in text
    lead_in = text.index("through three channels:")
    for item in ("Streams: for sending", "Requests: for one-off", "Jobs: for long motions"):
        assert item in text
        assert text.index(item) > lead_in


async def test_a_lead_in_never_opens_an_answer(embedder: Any) -> None:
    """Asked what a gripper is, the testing page's "The gripper can be tested in simulation by:" names the
    gripper, yet says nothing of what it is: the definition answers; the lead-in may only come before the
    testing page's items when the answer quotes them."""
    results = [hit(1, TESTING, "Testing the gripper"), hit(2, GRIPPER, "The gripper")]
    composed = await answer("What is a gripper?", results, embedder)
    text = body(composed.text)
    assert text.startswith("A gripper is the hand of a robot arm")
    if "tested in simulation by:" in text:
        assert text.index("tested in simulation by:") < text.index("Replaying recorded finger positions")


async def test_a_quoted_list_is_not_joined_by_a_lone_item_of_another_pages_list(embedder: Any) -> None:
    """After "Before starting, you should have:" and its items, another module's lone requirement would read
    as one more of them."""
    results = [
        hit(1, SETUP, "Before you start", doc="book/intro.md"),
        hit(2, LATER_MODULE, "Requirements of the vision module", doc="book/vision/index.md"),
    ]
    composed = await answer("What should I know before starting?", results, embedder)
    text = body(composed.text)
    if "Before starting, you should have:" in text:
        assert "Linear algebra" not in text
        assert "Robot basics - knowing what sensors and motors are" in text


GRIPPER_IK = """## Gripper kinematics

Working out the finger joint angles that put both fingertips on a target:

```python
def finger_angles(target):
    \"\"\"Solve the two-joint finger for a fingertip target.\"\"\"
    return solve(target)
```
"""


def test_a_headings_only_sentence_before_its_code_says_what_the_heading_names() -> None:
    sentences = [s.text for s in split_markdown(GRIPPER_IK) if s.kind == "sentence"]
    assert sentences == [
        "Gripper kinematics: Working out the finger joint angles that put both fingertips on a target."
    ]


async def test_asked_what_the_heading_names_the_answer_is_that_sentence_not_the_code(embedder: Any) -> None:
    results = [hit(1, GRIPPER_IK, "Gripper kinematics", doc="arms/gripper.md")]
    result = await answer("What is gripper kinematics?", results, embedder)

    assert result.text.startswith("Gripper kinematics: Working out the finger joint angles"), result.text


async def test_otherwise_the_line_before_the_code_does_not_answer(embedder: Any) -> None:
    results = [
        hit(1, GRIPPER_IK, "Gripper kinematics", doc="arms/gripper.md"),
        hit(2, "The fingertips close until the force sensor reads two newtons on the target.", "Grasp force"),
    ]
    result = await answer("How do the fingertips know when to stop closing on a target?", results, embedder)

    assert "Working out the finger joint angles" not in result.text, result.text
