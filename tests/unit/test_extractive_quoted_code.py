"""A question that quotes the book's code (`alpha = 0.98`, `cmd_vel`) is shown the lines that hold it."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer

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


def hit(text: str) -> dict[str, Any]:
    return {
        "n": 1,
        "source": "book",
        "doc_path": "sensors/fusion.md",
        "chapter_title": "Sensors",
        "heading": "Fusing the IMU",
        "anchor_url": "/docs/sensors/fusion#fusing-the-imu",
        "text": text,
        "score": 0.03,
        "dense_score": 0.6,
        "lexical_rank": 1,
        "language": "en",
        "purpose": "exposition",
    }


async def test_the_code_a_question_quotes_is_the_code_shown(embedder: Any) -> None:
    composed = await answer("In the fusion node, what is alpha = 0.98 doing to the tilt?", [hit(FILTER)], embedder)
    assert "self.alpha = 0.98  # weight of the integrated gyro" in composed.text
    assert "def __init__" not in composed.text


def test_what_a_question_quotes_of_code() -> None:
    assert code_literals("what is alpha = 0.98 doing?") == ["alpha=0.98"]
    assert code_literals("QoS for /cmd_vel and why call spin()?") == ["cmd_vel", "spin()"]
    assert code_literals("What is a ROS 2 node?") == []
