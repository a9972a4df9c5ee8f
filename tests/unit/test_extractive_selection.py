"""Answers about a highlighted passage: the passage first, then what its own page says about the question."""

from __future__ import annotations

from typing import Any

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
