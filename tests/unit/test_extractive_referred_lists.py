"""A lead-in that refers back to the list before it ("Each step becomes ...:" after "... these steps:") is
quoted after that list: the learner reads what becomes of each step and the steps themselves."""

from __future__ import annotations

import re

import pytest
from tests.unit.extractive_support import answer, hit

TIDY_UP = """## Example: tidying the workshop

A request such as "tidy the workshop" is too big for one motion, so the planner splits it into smaller steps:

1. **Walk to the bench**: reach the place the request names
2. **Find the tools**: locate every tool lying on the bench
3. **Grasp each tool**: close the gripper on its handle
4. **Hang it on the wall**: place the tool on its hook
5. **Check the bench**: confirm that nothing is left

Each step becomes one or more middleware jobs:

- Walking jobs that move the base
- Camera jobs that locate the tools
- Arm jobs that grasp and hang them
"""
PLAIN = TIDY_UP.replace("Each step becomes one or more middleware jobs:", "The planner also runs middleware jobs:")


def body(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


@pytest.mark.parametrize(
    "lead_in", ["Each step becomes one or more middleware jobs:", "These steps become middleware jobs of the robot:"]
)
async def test_a_lead_in_that_refers_to_the_list_before_it_comes_after_that_list(lead_in: str) -> None:
    """It names a member of that list ("Each step" after "... steps:") or points back at it ("These steps")."""
    book = TIDY_UP.replace("Each step becomes one or more middleware jobs:", lead_in)
    result = await answer(
        "Which middleware jobs does the planner run for tidy the workshop?",
        [hit(1, book, "Example: tidying the workshop")],
    )
    text = body(result.text)
    assert not result.abstained
    assert lead_in in text
    steps = ["Walk to the bench", "Find the tools", "Grasp each tool", "Hang it on the wall", "Check the bench"]
    assert all(step in text for step in steps), text
    assert (
        text.index("smaller steps:")
        < text.index("Walk to the bench")
        < text.index(lead_in)
        < text.index("Walking jobs")
    )


async def test_a_lead_in_that_does_not_refer_back_brings_no_other_list() -> None:
    """After a list, "The planner also runs ...:" names none of its items: the steps are another answer."""
    result = await answer(
        "Which middleware jobs does the planner run for tidy the workshop?",
        [hit(1, PLAIN, "Example: tidying the workshop")],
    )
    text = body(result.text)
    assert "The planner also runs middleware jobs:" in text
    assert "Walking jobs that move the base" in text
    assert "Walk to the bench" not in text
