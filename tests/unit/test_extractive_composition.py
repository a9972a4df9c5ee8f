"""Answers that do what the question asks: both sides, the reason, the code, every part, no prompts."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.extractive_support import answer

ACTUATOR = """## Series elastic actuators

A series elastic actuator places a spring between the motor and the load.
The spring absorbs impacts and lets the controller measure force from its deflection.
The main drawback of a series elastic actuator is reduced bandwidth,
because the spring must wind up before force reaches the load.
"""
CHANNELS = """## Topics and services

A topic streams messages from publishers to any number of subscribers without waiting for a reply.
A service answers one request with one response, and the client waits for it.
Many robots use both patterns side by side.
"""
QUIZ = """## Quiz

Explain the difference between topics and services.

A) Topics wait for a reply B) Services stream messages C) Topics stream messages D) None of these
"""
LAB = """## Lab: Domain randomization

In this lab, you will implement domain randomization for a pushing task.

1. Randomize the friction of the table.
2. Evaluate the effectiveness of the policy on the real robot.
"""
RANDOMIZATION = """## Domain randomization

Domain randomization varies friction, mass and lighting in simulation.
Because the policy never sees the same world twice, it learns behaviour that survives the differences of the real robot.
"""
PARADOX = """## Moravec's paradox

Researchers observed that reasoning, which feels hard to people, is easy for computers,
while walking and seeing, which feel effortless, are very hard.
This observation is now known as Moravec's paradox.
"""
PUBLISHER = """## A minimal publisher

The publisher below sends a greeting twice a second.

```python
import rclpy
from rclpy.node import Node
from std_msgs.msg import String


class Talker(Node):
    def __init__(self):
        super().__init__("talker")
        self.publisher = self.create_publisher(String, "chatter", 10)
        self.timer = self.create_timer(0.5, self.tick)

    def tick(self):
        msg = String()
        msg.data = "hello"
        self.publisher.publish(msg)


def main():
    rclpy.init()
    rclpy.spin(Talker())
```
"""


def hit(n: int, text: str, heading: str, purpose: str = "exposition") -> dict[str, Any]:
    slug = heading.lower().replace(" ", "-").replace(":", "")
    return {
        "n": n,
        "source": "book",
        "doc_path": f"book/{slug}.md",
        "chapter_title": "Book",
        "heading": heading,
        "anchor_url": f"/docs/book/{slug}",
        "text": text,
        "score": 0.03 / n,
        "dense_score": 0.6,
        "lexical_rank": n,
        "language": "en",
        "purpose": purpose,
    }


def body(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


async def test_a_comparison_covers_both_sides_and_never_quotes_the_quiz(embedder: Any) -> None:
    results = [hit(1, QUIZ, "Quiz", "exercise"), hit(2, CHANNELS, "Topics and services")]
    composed = await answer("What is the difference between a topic and a service?", results, embedder)
    assert not composed.abstained
    assert "A topic streams messages" in composed.text and "A service answers one request" in composed.text
    assert "Explain the difference" not in composed.text and "A)" not in composed.text
    assert composed.cited == [2]


async def test_lab_instructions_are_not_the_answer(embedder: Any) -> None:
    results = [hit(1, LAB, "Lab: Domain randomization", "lab"), hit(2, RANDOMIZATION, "Domain randomization")]
    composed = await answer("How does domain randomization help sim-to-real transfer?", results, embedder)
    assert "In this lab" not in composed.text and "Evaluate the effectiveness" not in composed.text
    assert "Because the policy never sees the same world twice" in composed.text


async def test_an_opening_that_refers_back_brings_its_antecedent(embedder: Any) -> None:
    composed = await answer("What is Moravec's paradox?", [hit(1, PARADOX, "Moravec's paradox")], embedder)
    assert body(composed.text).startswith("Researchers observed that reasoning")


async def test_a_two_part_question_answers_both_parts(embedder: Any) -> None:
    question = "What is a series elastic actuator and what is its main drawback?"
    composed = await answer(question, [hit(1, ACTUATOR, "Series elastic actuators")], embedder)
    assert "places a spring between the motor and the load" in composed.text
    assert "reduced bandwidth" in composed.text


async def test_a_part_the_book_does_not_cover_is_named(embedder: Any) -> None:
    question = "What is a series elastic actuator and who sells the cheapest one in Karachi?"
    composed = await answer(question, [hit(1, ACTUATOR, "Series elastic actuators")], embedder)
    assert "places a spring" in composed.text
    assert "does not cover this part of the question" in composed.text and "Karachi" in composed.text


async def test_show_me_the_code_returns_the_code_block(embedder: Any) -> None:
    results = [hit(1, CHANNELS, "Topics and services"), hit(2, PUBLISHER, "A minimal publisher")]
    composed = await answer("Show me the code for a minimal ROS 2 publisher", results, embedder)
    assert "```python" in composed.text and "create_publisher(String" in composed.text
    assert 2 in composed.cited


async def test_a_why_question_gets_the_reason(embedder: Any) -> None:
    results = [hit(1, RANDOMIZATION, "Domain randomization"), hit(2, CHANNELS, "Topics and services")]
    composed = await answer("Why does domain randomization work?", results, embedder)
    assert "Because the policy never sees the same world twice" in composed.text


async def test_a_sentence_cites_the_section_that_holds_it(embedder: Any) -> None:
    merged = hit(
        1,
        "# Sensors\n\nSensors measure the world.\n\n## Gyroscopes\n\n"
        "A gyroscope measures angular rate around an axis.\n",
        "Sensors",
    )
    merged["sections"] = [{"n": 1, "heading": "Sensors"}, {"n": 21, "heading": "Gyroscopes"}]
    composed = await answer("What does a gyroscope measure?", [merged], embedder)
    assert "A gyroscope measures angular rate around an axis. [21]" in composed.text


MIXED_URDU = """## Support polygon

Support polygon constraints: balance requirements (center of mass support polygon کے اندر)، foot placement constraints۔
"""
SUPPORT = """## Support polygon

The support polygon is the area enclosed by the feet that touch the ground.
"""


async def test_an_english_question_never_quotes_a_translated_sentence_with_english_terms(embedder: Any) -> None:
    urdu = {**hit(1, MIXED_URDU, "Support polygon"), "language": "ur", "doc_path": "ur/support.md"}
    result = await answer("what is the support polygon?", [urdu, hit(2, SUPPORT, "Support polygon")], embedder)
    assert not result.abstained
    assert "The support polygon is the area enclosed by the feet" in body(result.text)
    assert "constraints" not in result.text and "کے" not in result.text


async def test_a_line_the_book_repeats_in_two_sections_is_quoted_once(embedder: Any) -> None:
    rule = "Use a topic when data streams continuously from a sensor."
    first = f"## Choosing a pattern\n\n{rule}\nUse a service when one request needs one response.\n"
    second = f"## Decision guide\n\n{rule}\n"
    result = await answer("When should I use a topic?", [hit(1, first, "Choosing"), hit(2, second, "Guide")], embedder)
    assert not result.abstained
    assert body(result.text).count(rule) == 1
