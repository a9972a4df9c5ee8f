"""Asked how something works, a technical book often answers in its listing, not in prose: the lines that
decide (a condition on a named constant) or compute (a score from weights) are shown, with the constants
they read, rather than the class line that only names the subject."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.excerpts import code_excerpts
from booktutor.extractive.intent import question_intent
from booktutor.extractive.mechanism import asks_mechanism, declares_only

FRIDGE = '''## Door Monitor Node

The door monitor node runs on the kitchen robot beside its camera node.

```python
class DoorMonitorNode(Node):
    """Fridge door monitor for the kitchen robot."""

    def __init__(self):
        super().__init__('door_monitor')
        self.door_sub = self.create_subscription(Bool, '/fridge/door', self.on_door, 10)
        self.alarm_pub = self.create_publisher(String, '/kitchen/alarm', 10)

        # Alarm timing
        self.open_limit = 45.0
        self.open_time = 0.0

    def on_door(self, msg: Bool):
        """Count the seconds the door stays open."""
        if msg.data:
            self.open_time += self.period
        else:
            self.open_time = 0.0

        # Door open too long: raise the alarm
        if self.open_time > self.open_limit:
            self.alarm_pub.publish(String(data='please close the fridge'))
```
'''
GRASP = '''## Example: Grasp Planner

The planner below tries candidate grasps on the simulated gripper and keeps the best one.

```python
class GraspPlanner:
    """Pick grasps for the kitchen gripper."""

    def plan(self, candidates):
        """Try every candidate grasp."""
        best, best_rank = None, -1.0
        for grasp in candidates:
            outcome = self.simulate(grasp)
            rank = self.rank_grasp(outcome)
            # Keep the best grasp
            if rank > best_rank:
                best, best_rank = grasp, rank
        return best

    def rank_grasp(self, outcome):
        """Rank a simulated grasp."""
        if outcome["dropped"]:
            return 0.0

        # Weigh contact against clearance
        contact_weight = 0.7
        clearance_weight = 0.3

        rank = (
            contact_weight * outcome["contact"] +
            clearance_weight * outcome["clearance"]
        )
        return rank
```
'''


def fridge_hit() -> dict[str, Any]:
    return hit(1, FRIDGE, "Door Monitor Node", "code", doc="kitchen/door-monitor.md")


def grasp_hit() -> dict[str, Any]:
    return hit(1, GRASP, "Example: Grasp Planner", "code", doc="kitchen/grasping.md")


async def test_how_a_node_decides_is_answered_with_its_condition_and_the_constant_it_reads(embedder: Any) -> None:
    composed = await answer(
        "how does the door monitor node know the fridge stayed open too long?", [fridge_hit()], embedder
    )
    assert "if self.open_time > self.open_limit:" in composed.text
    assert "self.open_limit = 45.0" in composed.text
    assert "class DoorMonitorNode" not in composed.text  # the class line names the node, it decides nothing
    assert "beside its camera node" not in composed.text  # nor does the page's prose
    assert composed.text.startswith("In the book's code [1]:")
    assert composed.cited == [1]


async def test_how_an_example_scores_is_answered_with_the_computation_and_its_weights(embedder: Any) -> None:
    composed = await answer("In the GraspPlanner example, how does it rank each grasp?", [grasp_hit()], embedder)
    assert "contact_weight * outcome" in composed.text
    assert "contact_weight = 0.7" in composed.text
    assert "if rank > best_rank" not in composed.text  # that line uses the rank, it does not compute it


async def test_questions_that_ask_no_mechanism_get_no_deciding_lines(embedder: Any) -> None:
    why = await answer("Why does the grasp planner simulate each grasp?", [grasp_hit()], embedder)
    assert "```" not in why.text
    what = await answer("What does the door monitor node do?", [fridge_hit()], embedder)
    assert "if self.open_time" not in what.text
    assert "In the book's code" not in what.text


def test_a_mechanism_question_asks_how_something_works_not_how_the_learner_does_it() -> None:
    def asks(question: str) -> bool:
        return asks_mechanism(question, question_intent(question))

    assert asks("how does the door monitor node know the fridge stayed open too long?")
    assert asks("In the GraspPlanner example, how does it rank each grasp?")
    assert not asks("How do I change the alarm limit?")
    assert not asks("How does a stepper motor differ from a servo?")
    assert not asks("Why does the planner simulate each grasp?")


def test_the_later_stanzas_of_a_long_listing_are_quotable() -> None:
    stanzas = [
        f"# Step {i}: move joint {i}\nself.joint_{i}.target = {i}.5\nself.joint_{i}.speed = 0.2" for i in range(20)
    ]
    excerpts = code_excerpts("\n\n".join(stanzas), "python")
    assert len(excerpts) == 20
    assert excerpts[-1].startswith("# Step 19")


PANTRY = '''## Pantry Stocker

The stocker node places jars on the pantry shelf for the kitchen robot.

```python
class ShelfStocker(Node):
    """Node to stock jars on the pantry shelf."""

    def __init__(self):
        super().__init__('shelf_stocker')
        self.arm = ArmClient(self, 'pantry_arm')

    def stock_jar(self, jar: str, shelf: int):
        # Stock one jar: reach, place, release
        self.arm.reach(shelf_pose(shelf))
        self.arm.place(jar)
        self.arm.release()

    def count_jars(self, shelf: int) -> int:
        """How many jars a shelf holds now."""
        return len(self.inventory.get(shelf, []))

    def report(self):
        """Log the inventory once a minute."""
        for shelf, jars in sorted(self.inventory.items()):
            self.get_logger().info(f'shelf {shelf}: {len(jars)} jars')
```
'''


async def test_how_to_do_something_shows_the_lines_that_do_it_not_the_class_that_names_it(embedder: Any) -> None:
    pantry = hit(1, PANTRY, "Pantry Stocker", "code", doc="kitchen/pantry.md")
    composed = await answer("How do I stock jars on the pantry shelf?", [pantry], embedder)
    assert "self.arm.place(jar)" in composed.text, composed.text
    assert '"""Node to stock jars on the pantry shelf."""' not in composed.text  # restates the question


def test_a_definition_with_its_docstring_only_declares() -> None:
    assert declares_only('class ShelfStocker(Node):\n    """Node to stock jars."""')
    assert declares_only("def stock(self, jar: str,\n          shelf: int):\n    # one jar")
    assert not declares_only("# Stock one jar\nself.arm.place(jar)")


async def test_code_that_answers_is_not_led_by_a_greeting(embedder: Any) -> None:
    page = "## Pantry Stocker\n\nWelcome to the world of kitchen robots!\n\n" + PANTRY.split("\n", 3)[3]
    composed = await answer(
        "How do I stock jars on the pantry shelf?",
        [hit(1, page, "Pantry Stocker", "code", doc="kitchen/p.md")],
        embedder,
    )
    assert "self.arm.place(jar)" in composed.text
    assert "Welcome" not in composed.text, composed.text
