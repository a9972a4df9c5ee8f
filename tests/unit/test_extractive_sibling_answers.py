"""A comparison shown one side's code gets the other side's lines of the same block."""

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

async def test_a_comparison_shows_both_sides_lines_of_one_code_block(embedder: Any) -> None:
    results = [hit(1, GROUPS, "Callback groups in practice")]
    composed = await answer("reentrant vs mutually exclusive callback groups?", results, embedder)
    assert "ReentrantCallbackGroup()" in composed.text, composed.text
    assert "MutuallyExclusiveCallbackGroup()" in composed.text, composed.text

