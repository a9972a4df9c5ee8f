"""A question that names the part of the book it asks about ("In the ... case study, ...") is answered from it."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer

from booktutor.extractive.intent import question_intent

GENERAL = """## Moving policies to hardware

The ultimate aim of simulation is running a trained policy on a real robot.
Policies trained in simulation must cope with delays and noise that the simulator left out.
"""
CASE_STUDY = """## Case Study: Warehouse Picking Arm

The pipeline trains its grasping policy in a simulator, then runs the policy on a six-axis robot arm.
"""


def hit(n: int, text: str, heading: str, doc: str) -> dict[str, Any]:
    slug = heading.lower().replace(" ", "-").replace(":", "")
    return {
        "n": n,
        "source": "book",
        "doc_path": doc,
        "chapter_title": heading,
        "heading": heading,
        "anchor_url": f"/docs/{doc}#{slug}",
        "text": text,
        "score": 0.03 / n,
        "dense_score": 0.6,
        "lexical_rank": n,
        "language": "en",
        "purpose": "exposition",
    }


def test_the_place_a_question_names() -> None:
    assert question_intent("In the warehouse picking case study, which robot runs the policy?").place == frozenset(
        {"warehous", "pick", "case", "study"}
    )
    assert question_intent("using the book's risk assessment scheme, what level is it?").place >= {"risk", "schem"}
    assert question_intent("Which robot runs the policy on real hardware?").place == frozenset()


async def test_the_section_a_question_names_answers_it(embedder: Any) -> None:
    results = [
        hit(1, GENERAL, "Moving policies to hardware", "transfer/hardware.md"),
        hit(2, CASE_STUDY, "Case Study: Warehouse Picking Arm", "case-studies/picking.md"),
    ]
    composed = await answer(
        "In the warehouse picking case study, which robot does the policy run on?", results, embedder
    )
    assert composed.text.startswith("The pipeline trains its grasping policy in a simulator, then runs the policy")
