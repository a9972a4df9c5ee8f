"""Asked what a modified term is ("What is a digital twin?"), the head noun says what is asked: a sentence
that shares only the words before it ("Digital sensors log ...") is about something else, and the answer
that opens with what X is leaves out what the modifier is ("GardenOS (Garden Operating System) is ...")."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.headword import head_terms, modified_head

TWIN = """## The digital twin concept

| Benefit | Description |
|---------|-------------|
| Safety | Try risky watering plans without drowning the real beds |
| Speed | Run a whole season of plans in one afternoon |
"""
DIGITAL = """## Digital versus manual growing

Digital growing logs every plant; manual growing relies on the grower's eye.
A digital log is only as good as the sensors that fill it.
"""


async def test_a_sentence_sharing_only_the_modifier_does_not_answer(embedder: Any) -> None:
    results = [
        hit(1, TWIN, "The digital twin concept", doc="sim/twin.md"),
        hit(2, DIGITAL, "Digital versus manual growing", doc="intro/growing.md"),
    ]
    composed = await answer("What is a digital twin?", results, embedder)
    assert not composed.abstained, composed.text
    assert "Try risky watering plans" in composed.text, composed.text
    assert "Digital growing logs" not in composed.text, composed.text


OVERVIEW = """## What is GardenOS?

GardenOS lets you build greenhouse robots from small programs (nodes) that talk through named channels
(feeds, requests, tasks).
GardenOS (Garden Operating System) is an open middleware for greenhouse robots.
It ships drivers for pumps, valves and soil probes.
"""
FEEDS = """## Feeds

A feed is a named channel that carries readings from one node to any number of others.
"""


async def test_an_answer_opened_by_what_x_is_leaves_out_what_its_modifier_is(embedder: Any) -> None:
    results = [
        hit(1, FEEDS, "Feeds", doc="garden/fundamentals.md"),
        hit(2, OVERVIEW, "What is GardenOS?", doc="garden/fundamentals.md"),
    ]
    composed = await answer("What is a GardenOS feed?", results, embedder)
    assert composed.text.startswith("A feed is a named channel"), composed.text
    assert "open middleware" not in composed.text, composed.text
    assert "pumps, valves" not in composed.text, composed.text


def test_the_head_noun_of_the_asked_term() -> None:
    assert modified_head("What is a GardenOS feed?") == ("GardenOS", "feed")
    assert modified_head("What is the pivot point of a trellis?") == ("pivot", "point")
    assert modified_head("GardenOS میں فیڈ کیا ہے؟") == ("GardenOS میں", "فیڈ")
    assert head_terms("What is a digital twin and why use one?") == head_terms("What is a digital twin?") != set()
    assert modified_head("What is drip?") == ("", "")
    assert modified_head("What are the three parts of a valve?") == ("", "")
    assert modified_head("What is the difference between drip and flood irrigation?") == ("", "")
