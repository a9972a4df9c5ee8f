"""A short answer goes on with what the sections it cites say next, never with a pointer elsewhere."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

GRIPPER = """## Parallel grippers

A parallel gripper is a robot hand that closes two flat fingers on an object with a single motor.
Its fingers stay parallel through a rack and pinion, so the grip force acts straight across the part.
Hobby kits often print the gripper's fingers in plastic.
For more information on gripper wiring, see the Electronics chapter.
Round objects slip out easily, since they touch each finger along one line only.
"""
WHEELS = """## Wheels

A mecanum wheel carries rollers at forty-five degrees around its rim.
"""


async def test_a_short_answer_goes_on_with_its_sections_further_sentences(embedder: Any) -> None:
    results = [hit(1, GRIPPER, "Parallel grippers"), hit(2, WHEELS, "Wheels")]
    composed = await answer("How does a parallel gripper grip an object?", results, embedder)
    text = composed.text
    assert text.startswith("A parallel gripper is a robot hand that closes two flat fingers")
    assert "Round objects slip out easily" in text  # further on in the cited section: the drawback
    assert "mecanum" not in text  # another page is not cited to fill the answer
    assert text.index("Hobby kits") < text.index("Round objects")  # in the book's order
    assert composed.cited == [1]


GLOSSARY = """## Glossary

### Servo loop

**Definition**: A control loop that drives a joint to a commanded angle many times a second.

**Related Terms**: servo loop, planning loop, joint angle, control rate

### Planning loop

**Definition**: A slower loop that decides where the joints should go next.

For more information on loops, see the servo loop and planning loop chapter.
"""


async def test_related_terms_and_see_also_lines_are_never_the_answer(embedder: Any) -> None:
    results = [hit(1, GLOSSARY, "Glossary")]
    composed = await answer("What is the difference between a servo loop and a planning loop?", results, embedder)
    assert "drives a joint to a commanded angle" in composed.text
    assert "decides where the joints should go next" in composed.text
    assert "Related Terms" not in composed.text  # a list of words to look up says nothing itself
    assert "For more information" not in composed.text
