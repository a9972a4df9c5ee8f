"""Answers about a highlighted passage: the passage first, then what its own page says about the question."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from tests.unit.extractive_support import answer, hit

PASSAGE = "Grasping is a long-running task that needs feedback. A gripper action suits it well."
PAGE = "manipulation/grippers.md"


def selection(text: str) -> dict[str, Any]:
    passage = hit(1, text, "Selected passage", doc="selection")
    return {**passage, "source": "selection", "doc_path": "", "anchor_url": ""}


def results() -> list[dict[str, Any]]:
    """The passage, the page's copy of it, a later section of that page, and another page."""
    return [
        selection(PASSAGE),
        hit(2, f"{PASSAGE} The gripper closes on the object.", "Gripper action", doc=PAGE),
        hit(3, "A camera node also needs gripper feedback to check a grasp succeeded.", "Cameras", doc="vision.md"),
        hit(
            4,
            "Its feedback sends the current finger width.",
            "Gripper feedback",
            doc=PAGE,
        ),
    ]


async def test_the_passage_leads_and_its_page_explains(embedder: Any) -> None:
    result = await answer("What feedback does the gripper action send for this task?", results(), embedder)

    assert not result.abstained
    assert result.text.startswith(("Grasping is a long-running task", "A gripper action suits it")), result.text
    assert "current finger width" in result.text, "the passage's page says what the feedback is"
    assert "camera node" not in result.text, "another page's weaker sentence does not join"
    assert 3 not in result.cited


LOOPS = "Fast inner loops keep the body stable while slow outer loops choose goals."
CONCEPTS = {
    "loop": 0,
    "loops": 0,
    "balance": 0,
    "planner": 0,
    "goals": 0,
    "why": 1,
    "true": 1,
    "correct": 1,
    "whether": 1,
    "camera": 2,
}
CONCEPTS |= dict.fromkeys(("fast", "slow", "stable"), 4)


class ConceptEmbedder:
    """A scripted encoder: a text's vector counts its words of each concept (what MiniLM would see)."""

    model_name = "concepts"
    dimension = 5

    async def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    async def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> list[float]:
        counts = np.zeros(self.dimension)
        for word in re.findall(r"[a-z]+", text.lower()):
            counts[CONCEPTS.get(word, 3)] += 1.0 if word in CONCEPTS else 0.05
        return (counts / np.linalg.norm(counts)).tolist()


def loop_results() -> list[dict[str, Any]]:
    """The passage and its page, where a sentence before it says why it holds, and one is close in meaning
    to "why would this be true?" but about something else."""
    page = (
        "## Loop rates\n\nEach robot has a controller board. On a walking robot, the inner balance loops run "
        "a thousand times a second while the goal planner "
        "may think for a whole second. Whether a camera shows correct colour is another matter. "
        "Wiring is covered later. Cables carry power to the motors. Connectors click into place. "
        f"{LOOPS}"
    )
    return [selection(LOOPS), hit(2, page, "Loop rates", doc="foundations/loops.md")]


async def test_a_question_that_only_points_at_the_passage_is_answered_about_the_passage() -> None:
    result = await answer("Why would this be true?", loop_results(), ConceptEmbedder())

    explained = result.text.split("[1]", 1)[1]
    assert "a thousand times a second" in explained, result.text
    assert "camera" not in explained, "the question's own words say nothing of what 'this' is"


async def test_a_question_with_words_of_its_own_is_not_outweighed_by_the_passage() -> None:
    result = await answer("Does a camera show correct colour?", loop_results(), ConceptEmbedder())

    assert "Whether a camera shows correct colour" in result.text, result.text


THERMOSTAT = (
    "A thermostat node publishes the room temperature on a topic. "
    "A heater node subscribes to that topic and switches on below twenty degrees."
)
HOME = "home/thermostat.md"


def thermostat_results() -> list[dict[str, Any]]:
    """The passage, its page's copy, a later section of that page that says what a question about adding
    a node asks, and another page that only repeats the passage's words."""
    return [
        selection(THERMOSTAT),
        hit(2, f"{THERMOSTAT} The heater switches off again above twenty-two degrees.", "Example", doc=HOME),
        hit(
            3,
            "Senders keep no list of their readers. More readers can be added at any time, and the sender "
            "stays as it is. Each reader keeps its own queue.",
            "Why topics scale",
            doc=HOME,
        ),
        hit(4, "Thermostat nodes publish temperatures every second.", "Timing", doc="home/timing.md"),
    ]


async def test_what_the_question_adds_is_answered_from_the_page_not_only_the_passage() -> None:
    """The sentence that answers shares one of the question's words (added), the passage three: scored on
    shared words (no encoder), it falls below three quarters of the passage's score, the bar it was held to."""
    result = await answer(
        "so if I add a fan node later, do I have to change the thermostat publisher?", thermostat_results()
    )

    assert result.text.startswith(("A thermostat node publishes", "A heater node subscribes")), result.text
    assert "More readers can be added at any time" in result.text, result.text
    assert "every second" not in result.text, "another page's sentence naming none of the question's own words"


async def test_a_question_only_about_the_passage_keeps_to_the_passage_and_its_neighbours(embedder: Any) -> None:
    result = await answer("Explain this", thermostat_results(), embedder)

    assert result.text.startswith(("A thermostat node publishes", "A heater node subscribes")), result.text
    assert "every second" not in result.text
