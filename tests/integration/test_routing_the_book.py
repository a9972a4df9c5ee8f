"""Routing that knows the book: a message the router calls off-topic is a question about the book when a
passage of the book is closer to it than the off-topic examples, or holds every word of it; a question
about the book's own exercise goes to the answerer, not the quiz tutor. Real graph, Postgres, Qdrant Edge
and MiniLM over books written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages

from booktutor.graph.router import IntentRouter

pytestmark = pytest.mark.integration

MARKET = """---
title: The robot market
---

# The robot market

## Who builds humanoids

A humanoid's price falls as its makers ship more of them.
When a phone maker such as Apple announces a robot project, its stock price says little about the robot.

## The Kestrel K2

The Kestrel K2 is a small research humanoid with 21 degrees of freedom.
It costs about 12,000 dollars, which makes it the cheapest humanoid in this chapter.
"""
ALLOCATOR = """---
title: Task allocation
---

# Task allocation

## Exercise: the nearest-robot allocator

Robot R1 waits at the dock and robot R2 waits at the shelf.
The allocator gives task T1, which starts at the shelf, to robot R2 because R2 is the nearest robot to it.
"""
SHOPPING = "What is the stock price of Apple?"
PRICE = "how much does the kestrel k2 cost?"


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


async def test_a_message_that_sounds_off_topic_is_answered_when_the_book_is_about_it(services, guest, tmp_path: Path):
    assert (await IntentRouter(services.embedder).route(PRICE))[0] == "out_of_scope"  # it reads like shopping
    await ingest_pages(services, tmp_path / "a", {"allocation.md": ALLOCATOR}, book_id="tasks")
    for message in (PRICE, SHOPPING):
        _, state = await ask_offline(services, guest, message, book_id="tasks")
        assert state["route"] == "out_of_scope"  # a book that never speaks of it: the router's call stands

    await ingest_pages(services, tmp_path / "b", {"market.md": MARKET}, book_id="market")
    text, state = await ask_offline(services, guest, PRICE, book_id="market")
    assert state["route"] == "answer" and "It costs about 12,000 dollars" in text
    text, state = await ask_offline(services, guest, SHOPPING, book_id="market")  # one passage holds every word
    assert state["route"] == "answer" and "its stock price says little about the robot" in text


async def test_a_question_about_the_books_exercise_is_answered_not_quizzed(services, guest, tmp_path: Path):
    await ingest_pages(services, tmp_path, {"allocation.md": ALLOCATOR}, book_id="tasks")
    text, state = await ask_offline(
        services, guest, "In the nearest-robot allocator exercise, which robot gets task T1?", book_id="tasks"
    )
    assert state["route"] == "answer"
    assert "gives task T1, which starts at the shelf, to robot R2" in text or "Exercise: the nearest-robot" in text


@pytest.mark.parametrize("message", ["What does this mean in practice for a robot?", "Give an example of this."])
async def test_asking_what_something_means_in_practice_is_a_question_not_a_chapter_rewrite(services, message):
    router = IntentRouter(services.embedder)
    assert (await router.route(message))[0] == "answer"
    assert (await router.route("Explain this like I'm new to robotics"))[0] == "personalize"
    assert (await router.route("Explain actuators to me like a beginner"))[0] == "personalize"


@pytest.mark.parametrize(
    "message", ["What are the main types of sensors?", "Quick question: which sensors are used for balance?"]
)
async def test_a_question_is_answered_however_close_its_topic_sits_to_a_quiz_request(services, message):
    # "Give me practice questions about sensors" shares its topic words; only asking for practice is practice.
    router = IntentRouter(services.embedder)
    assert (await router.route(message))[0] == "answer"
    assert (await router.route("Give me practice questions about sensors"))[0] == "tutor"
    assert (await router.route("What is the Urdu word for actuator?"))[0] == "translate"


DEMONSTRATION = """---
title: Learning from demonstration
---

# Learning from demonstration

## Teaching by demonstration

Teaching by demonstration lets a person teach a robot about a new task without writing code.
The teacher guides the arm through the motion, and the robot learns what the teacher teaches.
In teach mode the controller records each pose the teacher shows.
"""
GEARS = """---
title: Gearboxes
---

# Gearboxes

## Choosing a gearbox

A gearbox trades speed for torque.

- Planetary gearboxes are efficient but have some backlash, a small dead zone when the direction reverses.
- Harmonic drives reach high ratios in one stage and have almost no backlash.
"""


async def test_teach_me_about_a_topic_is_answered_about_the_topic_not_the_word_teach(services, guest, tmp_path: Path):
    await ingest_pages(services, tmp_path, {"demo.md": DEMONSTRATION, "gears.md": GEARS}, book_id="workshop")
    text, state = await ask_offline(services, guest, "Teach me about backlash", book_id="workshop")
    assert "backlash, a small dead zone" in text and "teach" not in text.lower(), text


@pytest.mark.parametrize(
    "message",
    ["What should I submit for the capstone?", "How is this course graded?", "When is the lab report due?"],
)
async def test_a_question_about_the_course_itself_is_for_the_book_not_off_topic(services, message):
    # a course book says what to hand in and how it is assessed; "do my homework" stays someone else's job
    router = IntentRouter(services.embedder)
    assert (await router.route(message))[0] == "answer"
    for request in ("Do my history homework about the Roman empire", "write me a cover letter for a barista job"):
        assert (await router.route(request))[0] == "out_of_scope"
