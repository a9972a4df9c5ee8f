"""A comparison shown one side's code gets the other side's lines of the same block; a list question gets
the lists of the sibling sections the quoted list sits beside."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

GROUPS = """## Callback groups in practice

Executors hand each callback to a thread when its message arrives.

```python
class Controller(Node):
    def __init__(self):
        super().__init__('controller')

        # Callbacks in a reentrant group may overlap in time
        self.fast_group = ReentrantCallbackGroup()

        # Callbacks in a mutually exclusive group never overlap
        self.safe_group = MutuallyExclusiveCallbackGroup()
```
"""

PLANNING = """## Planning under a deadline

Robots that move among people must plan before the world changes.

### Anytime planners

- Return the best path found so far when time runs out
- Refine the path while more time is left

### Reactive planners

- Steer away from the nearest obstacle at once
- Follow a potential field toward the goal
"""


def planning_hit() -> dict[str, Any]:
    result = hit(1, PLANNING, "Planning under a deadline", doc="book/planning.md")
    result["sections"] = [
        {"n": 1, "heading": "Planning under a deadline", "anchor_url": "/docs/book/planning#planning-under-a-deadline"},
        {"n": 21, "heading": "Anytime planners", "anchor_url": "/docs/book/planning#anytime-planners"},
        {"n": 22, "heading": "Reactive planners", "anchor_url": "/docs/book/planning#reactive-planners"},
    ]
    return result


async def test_a_comparison_shows_both_sides_lines_of_one_code_block(embedder: Any) -> None:
    results = [hit(1, GROUPS, "Callback groups in practice")]
    composed = await answer("reentrant vs mutually exclusive callback groups?", results, embedder)
    assert "ReentrantCallbackGroup()" in composed.text, composed.text
    assert "MutuallyExclusiveCallbackGroup()" in composed.text, composed.text


async def test_a_list_question_gets_the_lists_of_sibling_sections(embedder: Any) -> None:
    composed = await answer("What kinds of planners work when time is short?", [planning_hit()], embedder)
    for item in ("Return the best path found so far", "Steer away from the nearest obstacle", "potential field"):
        assert item in composed.text, composed.text
