"""About a highlighted passage, the answer says what the book says beyond it, never only the passage back."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.providers.embeddings import FakeEmbedder


def selection(text: str) -> dict[str, Any]:
    passage = hit(1, text, "Selected passage", doc="selection")
    return {**passage, "source": "selection", "doc_path": "", "anchor_url": ""}


COLLISION = (
    "Give every wheel a simple collision cylinder even when it is drawn with a fine mesh. "
    "A fine collision mesh makes the simulator crawl."
)


def collision_results() -> list[dict[str, Any]]:
    return [
        selection(COLLISION),
        hit(2, f"Tip: {COLLISION}", "Wheel links", doc="sim/wheels.md"),
        hit(
            3,
            "Every physics step the engine tests each pair of collision shapes for contact, and a shape with "
            "thousands of triangles costs thousands of tests. The drawn mesh is only painted on screen.",
            "How contact is computed",
            doc="sim/physics.md",
        ),
    ]


async def test_a_question_about_a_sentence_of_the_passage_is_not_answered_with_the_passage_alone(embedder: Any) -> None:
    """The question's own word ("drawing") names nothing of the passage's page: the book's other section
    found says why, and the answer quotes it (it quoted both passage sentences back)."""
    result = await answer(
        "what does the second sentence mean? why would the collision shape slow things down but not the drawing?",
        collision_results(),
        embedder,
    )

    assert not result.abstained
    assert "tests each pair of collision shapes" in result.text, result.text


RECKONING = "Dead reckoning estimates where the robot is from its own wheel turns alone."
ODOMETRY_PAGE = (
    "## Dead reckoning\n\n"
    f"{RECKONING}\n\n"
    "```python\n"
    "def dead_reckon(x_m, ticks):\n"
    "    # each tick of the wheel encoder moves the robot 2 mm forward\n"
    "    return x_m + ticks * 0.002\n"
    "```\n"
)


async def test_asked_for_an_example_of_the_passage_the_code_of_its_section_shows_it() -> None:
    """The section that holds the passage illustrates it in code: that is the book's example. (With vectors
    only: without them a question with no content word of its own is abstained on.)"""
    embedder = FakeEmbedder(dimension=256)
    results = [
        selection(RECKONING),
        hit(2, ODOMETRY_PAGE, "Dead reckoning", doc="navigation/odometry.md"),
        hit(3, "Wheel encoders count ticks as the wheel turns.", "Encoders", doc="sensors/encoders.md"),
    ]
    result = await answer("can you explain this in simpler words, maybe with an example?", results, embedder)

    assert "def dead_reckon" in result.text, result.text
