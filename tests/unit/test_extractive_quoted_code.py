"""A question that quotes the book's code (`alpha = 0.98`, `cmd_vel`) is shown the lines that hold it."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer
from tests.unit.extractive_support import hit as section_hit

from booktutor.extractive.shaping import code_literals

FILTER = '''## Fusing the IMU

The fusion node blends two sensors into one tilt estimate.

```python
class TiltFuser(Node):
    """Fuse gyro and accelerometer readings."""

    def __init__(self):
        super().__init__('tilt_fuser')
        self.sub = self.create_subscription(Imu, '/imu', self.on_imu, 10)

    def on_imu(self, msg):
        self.publish(self.tilt)

        # Blend parameters
        self.alpha = 0.98  # weight of the integrated gyro
        self.tilt = 0.0  # radians, from both sensors
```
'''


FILTER_NODE = """## The IMU filter node

```python
class ImuFilter:
    def __init__(self):
        # Complementary filter: trust the gyro in the short term
        self.alpha = 0.98  # gyro weight
        self.angle = 0.0

    def update(self, gyro_rate, accel_angle, dt):
        self.angle = self.alpha * (self.angle + gyro_rate * dt) + (1 - self.alpha) * accel_angle
        return self.angle
```
"""
SPECS = """## Choosing an IMU

A low-cost IMU filter node drifts more than a high-end IMU.
The gyro of a cheap IMU is noisy, so its angle estimate is doing worse over time.
"""


PUBLISHER = '''## Publishing IMU readings

```python
class ImuPublisher(Node):
    """Publishes IMU data to a topic for every node that estimates the robot's pose."""

    def __init__(self):
        super().__init__('imu_publisher')
        self.pub = self.create_publisher(Imu, '/imu/data', 10)
```
'''

GRADES = """## Gyroscope grades

Gyroscopes are sold in consumer, industrial and tactical grades.
A tactical-grade gyroscope costs a hundred times more than a consumer one.
"""


def hit(text: str, n: int = 1, doc: str = "sensors/fusion.md", heading: str = "Fusing the IMU") -> dict[str, Any]:
    return section_hit(n, text, heading, doc=doc, title="Sensors")


async def test_the_code_a_question_quotes_is_the_code_shown(embedder: Any) -> None:
    composed = await answer("In the fusion node, what is alpha = 0.98 doing to the tilt?", [hit(FILTER)], embedder)
    assert "self.alpha = 0.98  # weight of the integrated gyro" in composed.text
    assert "def __init__" not in composed.text


async def test_quoting_a_pages_code_keeps_the_answer_on_that_page(embedder: Any) -> None:
    """The quoted line pins the page the learner reads; another page's sentences that share the question's
    everyday words (a buyer's guide to IMUs) are not quoted, nor cited, beside it."""
    results = [hit(SPECS, 1, "hardware/imu.md", "Choosing an IMU"), hit(FILTER_NODE, 2, "sim/filter.md")]
    composed = await answer("In the IMU filter node, what is alpha = 0.98 doing?", results, embedder)
    assert "self.alpha = 0.98  # gyro weight" in composed.text
    assert "low-cost IMU" not in composed.text and "[1]" not in composed.text


async def test_quoted_code_is_shown_over_a_higher_ranked_pages_code(embedder: Any) -> None:
    """Another page's code that shares the question's everyday words (IMU, node) and ranks first does not
    answer in place of the code the learner quotes."""
    results = [
        hit(PUBLISHER, 1, "ros2/topics.md", "Publishing IMU readings"),
        hit(GRADES, 2, "hardware/imu.md", "Gyroscope grades"),
        hit(FILTER_NODE, 3, "sim/filter.md", "The IMU filter node"),
    ]
    question = "In the IMU processor node, what is alpha = 0.98 doing, and where does the angle estimate come from?"
    composed = await answer(question, results, embedder)
    assert "self.alpha = 0.98  # gyro weight" in composed.text
    assert "ImuPublisher" not in composed.text


def test_what_a_question_quotes_of_code() -> None:
    assert code_literals("what is alpha = 0.98 doing?") == ["alpha=0.98"]
    assert code_literals("QoS for /cmd_vel and why call spin()?") == ["cmd_vel", "spin()"]
    assert code_literals("What is a ROS 2 node?") == []
