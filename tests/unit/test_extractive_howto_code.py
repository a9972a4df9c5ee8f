"""How-to questions whose answer the book gives in a listing: the listing is shown."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

TIMER_LISTING = '''## Creating and Cancelling Timers

```python
# Create a timer that fires every half second
self.timer = self.create_timer(0.5, self.timer_callback)

def timer_callback(self):
    """Called each time the timer fires."""
    self.count += 1

# Cancel the timer once the work is done
self.timer.cancel()
```
'''
RATE_LISTING = """## Loop Rates

```python
rate = self.create_rate(10)
while rclpy.ok():
    rate.sleep()
```
"""


async def test_a_how_to_found_only_in_listings_is_answered_with_the_listing(embedder: Any) -> None:
    results = [
        hit(1, TIMER_LISTING, "Creating and Cancelling Timers", "code", doc="ros/timers.md"),
        hit(2, RATE_LISTING, "Loop Rates", "code", doc="ros/rates.md"),
    ]
    composed = await answer("How do I create a timer?", results, embedder)
    assert not composed.abstained
    assert "self.create_timer(0.5, self.timer_callback)" in composed.text
    assert "```python" in composed.text


BUMPER_LISTING = """## Adding a Bumper to Your Robot (SDF)

```xml
<link name="front_link">
  <pose>0.2 0 0.1 0 0 0</pose>
</link>

<sensor name="front_bumper" type="contact">
  <contact>
    <collision>front_collision</collision>
  </contact>
  <update_rate>50</update_rate>
</sensor>

<plugin filename="gz-sim-contact-system" name="gz::sim::systems::Contact">
  <topic>contacts</topic>
  <always_on>true</always_on>
  <visualize>false</visualize>
</plugin>
```
"""
BUMPER_PROSE = """## Contact Sensing

A bumper is a contact sensor that reports when the robot touches an obstacle.
Bumpers stop a mobile robot before a collision damages it.
"""


async def test_a_how_to_shows_the_listing_under_the_heading_that_names_it(embedder: Any) -> None:
    results = [
        hit(1, BUMPER_PROSE, "Contact Sensing", doc="sensors/contact.md"),
        hit(2, BUMPER_LISTING, "Adding a Bumper to Your Robot (SDF)", "code", doc="sim/bumpers.md"),
    ]
    composed = await answer("How do I add a bumper to my robot?", results, embedder)
    assert "A bumper is a contact sensor" in composed.text
    assert '<sensor name="front_bumper" type="contact">' in composed.text
