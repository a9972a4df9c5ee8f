"""How picked sentences read: prose runs together, the items of one list read as a bulleted list."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit
from tests.unit.test_extractive_lists import GAIT

from booktutor.extractive.rendering import answer_blocks
from booktutor.extractive.scoring import Candidate
from booktutor.extractive.text import content_terms


def sentence(text: str, n: int = 1, position: int = 0, *, item: int = 0, source: str = "book") -> Candidate:
    return Candidate(
        text,
        "sentence",
        n=n,
        rank=n,
        position=position,
        source=source,
        language="en",
        terms=content_terms(text),
        list_item=item > 0,
        item=item,
    )


def test_items_of_one_list_read_as_bullets_under_their_shared_heading() -> None:
    picked = [
        sentence("Bench testing: Mounting the robot on a stand", position=1, item=1),
        sentence("Bench testing: Powering the joints one at a time", position=2, item=2),
        sentence("Bench testing: Logging every motor current", position=3, item=3),
        sentence("Testing on the real robot is slow and costly.", position=4),
    ]
    assert answer_blocks(picked) == [
        "Bench testing:\n"
        "- Mounting the robot on a stand [1]\n"
        "- Powering the joints one at a time [1]\n"
        "- Logging every motor current [1]",
        "Testing on the real robot is slow and costly. [1]",
    ]


def test_items_with_their_own_lead_ins_keep_them_and_prose_stays_one_paragraph() -> None:
    picked = [
        sentence("Touch sensors report contact and force to the controller.", n=1),
        sentence("Contact: whether the hand touches something", n=2, position=1, item=1),
        sentence("Force: how hard the contact presses", n=2, position=2, item=2),
        sentence("Grip control: the hand eases off when the force grows too large.", n=3),
        sentence("Slip is felt as a sudden change of force.", n=3, position=1),
    ]
    assert answer_blocks(picked) == [
        "Touch sensors report contact and force to the controller. [1]",
        "- Contact: whether the hand touches something [2]\n- Force: how hard the contact presses [2]",
        "Grip control: the hand eases off when the force grows too large. [3] "
        "Slip is felt as a sudden change of force. [3]",
    ]


def test_a_lone_item_stays_in_the_prose_and_one_items_sentences_share_a_line() -> None:
    lone = [sentence("Safety: stop within half a second", item=1), sentence("Stops are tested in simulation first.", 2)]
    assert answer_blocks(lone) == ["Safety: stop within half a second [1] Stops are tested in simulation first. [2]"]
    long_item = [
        sentence("A stereo camera sees depth.", position=1, item=1),
        sentence("Depth comes from the shift between its two images.", position=2, item=1),
        sentence("A depth camera measures it directly.", position=3, item=2),
    ]
    assert answer_blocks(long_item) == [
        "- A stereo camera sees depth. [1] Depth comes from the shift between its two images. [1]\n"
        "- A depth camera measures it directly. [1]"
    ]


def test_two_lists_in_a_row_stay_two_lists_in_markdown() -> None:
    picked = [
        sentence("Uses: predicting wear of the joints", n=1, item=1),
        sentence("Uses: checking safety before hardware tests", n=1, position=1, item=2),
        sentence("Physical to virtual: sensor data updates the twin", n=2, item=1),
        sentence("Virtual to physical: tuned parameters go back to the robot", n=2, position=1, item=2),
    ]
    first, second = answer_blocks(picked)
    assert first.splitlines()[1:] == [
        "- predicting wear of the joints [1]",
        "- checking safety before hardware tests [1]",
    ]
    assert all(line.startswith("* ") for line in second.splitlines())  # another bullet: not merged into the first


async def test_a_list_answer_streams_each_item_on_its_own_line(embedder: Any) -> None:
    composed = await answer("What are the three layers of the gait controller?", [hit(1, GAIT, "Gait")], embedder)
    items = [line for line in composed.text.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in items] == ["- Footstep planner", "- Balance layer", "- Joint servo"]


def test_a_heading_only_the_first_item_was_read_with_goes_above_the_list() -> None:
    picked = [
        sentence("Gear trains: Planetary stages give 3:1 to 10:1 each.", position=1, item=1),
        sentence("Harmonic drives reach 100:1 in one stage.", position=2, item=2),
    ]
    assert answer_blocks(picked) == [
        "Gear trains:\n- Planetary stages give 3:1 to 10:1 each. [1]\n- Harmonic drives reach 100:1 in one stage. [1]"
    ]


def test_a_heading_that_asks_is_not_said_above_its_list() -> None:
    picked = [
        sentence("What does a robot description hold?: The links and the joints between them", position=1, item=1),
        sentence("What does a robot description hold?: The collision shapes of each link", position=2, item=2),
    ]
    assert answer_blocks(picked) == [
        "- The links and the joints between them [1]\n- The collision shapes of each link [1]"
    ]
