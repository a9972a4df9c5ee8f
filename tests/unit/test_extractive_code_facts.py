"""A fact the book states only in an example's code is answered with the lines that state it."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

DOCKING = """## Example: Docking Action Server

The docking server below drives the rover onto its charger and reports progress while it moves.

```python
class DockingServer(Node):
    def __init__(self):
        super().__init__('docking_server')
        self._server = ActionServer(self, Dock, 'dock', self.run_dock)

    def run_dock(self, handle):
        feedback = Dock.Feedback()
        result = Dock.Result()

        # Drive toward the charger in small steps
        while self.distance_left() > 0.0:
            self.step_forward(0.05)
            feedback.distance_left = self.distance_left()
            handle.publish_feedback(feedback)

            # Stop at once when the client cancelled the docking goal
            if handle.is_cancel_requested:
                handle.canceled()
                return result

        handle.succeed()
        return result
```

This example shows how a docking action server runs a long task and keeps the client informed.
"""
WHY_ACTIONS = """## Why Docking Uses an Action

Docking takes tens of seconds, so the docking server reports progress as it goes.
A client can follow the docking progress without blocking, because actions are asynchronous.
"""


def docking_hit(n: int = 1) -> dict[str, Any]:
    return hit(n, DOCKING, "Example: Docking Action Server", "code", doc="robots/docking.md", title="Docking")


async def test_what_the_example_does_in_code_is_shown_beside_its_description(embedder: Any) -> None:
    composed = await answer(
        "How does the docking action server example react when the client cancelled the goal?",
        [docking_hit()],
        embedder,
    )
    assert "if handle.is_cancel_requested:" in composed.text
    assert "handle.canceled()" in composed.text
    assert "class DockingServer" not in composed.text  # the lines that say it, not the whole block
    assert composed.cited == [1]


async def test_a_reason_is_not_answered_with_code(embedder: Any) -> None:
    results = [hit(1, WHY_ACTIONS, "Why Docking Uses an Action", doc="robots/docking.md", title="Docking")]
    composed = await answer(
        "Why does the docking server report progress to the client?", [*results, docking_hit(2)], embedder
    )
    assert "because actions are asynchronous" in composed.text or "so the docking server" in composed.text
    assert "```" not in composed.text
