"""Asked how to do something the book shows in a listing, the answer's words come from the listing's own
section ("This pattern lets a drone fly to a goal ..." after the code that does it) when they are about
the question, not from a neighbouring section or another page that shares the question's words."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

TOPICS = """#### Example: Drone Using Topics

Drones can publish commands to topics that the flight controller subscribes to:

```python
class DroneAgent(Node):
    def __init__(self):
        super().__init__('drone_agent')
        self.cmd = self.create_publisher(Twist, '/drone/cmd_vel', 10)

    def hover_forward(self):
        msg = Twist()
        msg.linear.x = 0.5
        self.cmd.publish(msg)
```

This pattern lets a drone send continuous commands (like velocity commands) while receiving state updates.
"""

ACTIONS = '''#### Example: Drone Using Actions

Drones can use actions for behaviours that need feedback:

```python
class DroneFlight(Node):
    def fly_to_goal(self, x, y):
        """Drone sends a flight goal to the controller via an action"""
        goal = FlyToPose.Goal()
        goal.pose.position.x = x
        goal.pose.position.y = y
        self._client.send_goal_async(goal, feedback_callback=self.on_feedback)

    def on_feedback(self, feedback):
        self.get_logger().info(f'{feedback.distance_left} m left')
```

{after}
'''
FLY_TO_GOAL = (
    "This pattern lets a drone fly to a goal (like a landing pad) while receiving progress updates and "
    "keeping the ability to cancel."
)
CONTINUOUS = (
    "This pattern lets a drone send continuous commands (like velocity commands) while receiving state updates."
)


def _drone_page(after: str) -> list[dict[str, Any]]:
    return [
        hit(1, ACTIONS.replace("{after}", after), "Example: Drone Using Actions", doc="drones/agents.md"),
        hit(2, TOPICS, "Example: Drone Using Topics", doc="drones/agents.md"),
    ]


async def test_the_listing_that_does_it_is_introduced_by_its_own_section(embedder: Any) -> None:
    composed = await answer("How do I send a flight goal from my drone?", _drone_page(FLY_TO_GOAL), embedder)
    assert "goal = FlyToPose.Goal()" in composed.text, composed.text
    assert composed.text.startswith(FLY_TO_GOAL), composed.text
    assert CONTINUOUS not in composed.text  # the neighbouring listing's words, about another pattern


WATERING = """#### Example: Watering Server

```python
# Example: Watering server for a long-running task
import rclpy
from rclpy.action import ActionServer
from garden_interfaces.action import Water


class WateringServer(Node):
    def __init__(self):
        super().__init__('watering_server')
        # Create a watering server
        self._server = ActionServer(self, Water, 'water_bed', self.water)

    def water(self, goal_handle):
        feedback = Water.Feedback()
        for plant in goal_handle.request.plants:
            feedback.watered = plant
            goal_handle.publish_feedback(feedback)
        goal_handle.succeed()
        return Water.Result(done=True)
```

This example shows a watering server that waters each plant of a bed while reporting progress to its client.
"""
PLANNER = """## How the Planner Uses Actions

The planner hands its plans to the robot as action goals:

- Plan generation: the planner turns a request into watering steps
- Action execution: a client sends each step to a watering server
- Monitoring: the planner follows the feedback of each step
"""


async def test_asked_for_code_the_sentence_after_the_listing_introduces_it(embedder: Any) -> None:
    """'This example shows ...' refers to the listing the answer shows: it may open the answer."""
    results = [
        hit(1, WATERING, "Example: Watering Server", doc="garden/actions.md"),
        hit(2, PLANNER, "How the Planner Uses Actions", doc="garden/planner.md"),
    ]
    composed = await answer("How do I create a watering server?", results, embedder)
    assert composed.text.startswith("This example shows a watering server that waters each plant"), composed.text
    assert "ActionServer(self, Water" in composed.text
