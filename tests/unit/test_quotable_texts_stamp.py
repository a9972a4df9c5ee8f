"""QUOTABLE_TEXTS_VERSION is stamped on the sentence vectors stored at ingest, so it must change whenever
`quotable_texts` splits a chunk differently: the next ingest then refreshes the stale vectors. This test pins
what it makes of a few chunks of every kind (prose, a lead-in with its items, a table, listings)."""

from __future__ import annotations

import hashlib
import json

from booktutor.extractive.scoring import QUOTABLE_TEXTS_VERSION, quotable_texts

SPLITS = {3: "4920418cb5763093189f531c118b491abc34bb95d15075fb9f5c7ef7f70ceaf5"}
"""The digest of `quotable_texts` over CHUNKS under each QUOTABLE_TEXTS_VERSION."""

CHUNKS = [
    """## Watering the greenhouse

The irrigation controller opens one valve at a time. Each valve feeds a single bed (its `<valve pin="4">`
tag in [the config](config.md)), and the *controller* waits for the pressure to settle before it opens the
next one.

A watering cycle has three steps:

- read the soil moisture of every bed
- open the valves of the dry beds in turn
- log how long each valve stayed open

| Bed | Plant | Minutes |
| --- | --- | --- |
| A | Tomatoes | 12 |
| B | Lettuce | 6 |
""",
    '''## The valve driver

The driver closes a valve when the bed is wet enough or when its time runs out.

```python
class ValveDriver:
    """Opens and closes the greenhouse valves."""

    def __init__(self, pins: dict[str, int], max_minutes: float = 15.0):
        self.pins = pins
        self.max_minutes = max_minutes

    def water(self, bed: str, moisture: float) -> bool:
        """Water one bed until it is wet enough; True when it was watered."""
        if moisture > WET_ENOUGH:
            return False

        self.open_valve(
            self.pins[bed],
            timeout=self.max_minutes * 60,
            on_timeout=lambda: self.close_valve(self.pins[bed]),
        )
        return True
```
''',
    """## Installing the controller

:::note[Before you start]
Switch off the main water supply.
:::

Install the package and start the service:

```bash
pip install greenhouse-valves
systemctl enable --now valves.service
```
""",
    """## How the twin stays in step

```mermaid
flowchart LR
    P[Greenhouse] <-->|Sensor sync| T[Twin]
    T -->|Schedule| C[Controller]
```
""",
    """## Greenhouse words

Bed
: One raised planter fed by a single valve.
""",
]


def test_quotable_texts_split_as_their_stamp_says():
    digest = hashlib.sha256(json.dumps([quotable_texts(chunk) for chunk in CHUNKS]).encode()).hexdigest()
    assert SPLITS.get(QUOTABLE_TEXTS_VERSION) == digest, (
        "quotable_texts splits chunks differently: bump QUOTABLE_TEXTS_VERSION (extractive/scoring.py) so that "
        f"ingest refreshes the stored sentence vectors, and add SPLITS[{QUOTABLE_TEXTS_VERSION} + 1] = '{digest}'"
    )
