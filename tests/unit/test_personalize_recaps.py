"""What the recap boxes of a personalized chapter cite, read as a learner reads them: a "Key ideas" box that
recaps every sub-section that states an idea of its own, and background boxes that link only to sections
the learner still sees (fixtures written for these tests)."""

from __future__ import annotations

import re

from booktutor.personalize.adapt import adapt_chapter
from booktutor.personalize.jargon import sections_with_anchors
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.source import BookPage, book_context

KITES = """# Kites

## Why kites fly

Before we look at the lines, let's see why a kite stays up at all.

### Lift

A kite flies because the wind pushing on its tilted sail produces **lift** greater than its weight.

### The bridle

A bridle sets the angle at which the sail meets the wind. Small changes to it decide whether the kite climbs.

### Tails

A tail lets the kite stay pointed into the wind when gusts hit it from the side.

### Balance point

**Key insight:** A stable kite holds lift, drag and weight around its balance point, where the bridle meets the line.

### Spars

These are usually carbon or bamboo rods, chosen to stay stiff in strong wind.

## Flying lines

A flying line must be strong enough to hold the kite in a gust yet light enough not to drag it down.
Braided polyester lines stretch less than twisted nylon ones, so the flyer feels every change in the wind.
"""

DECK_WINCHES = """# Deck winches

## Motors

A winch motor draws 40 A at 12 V while it hauls a sail up the mast in a steady breeze.

## Gearing

The gearbox turns the drum at 60 rpm, slow enough for the crew to stop the motor by hand.

## Summary

Winch motors draw 40 A at 12 V, and the 60 rpm drum keeps hauling safe for the crew on deck.
"""


def _adapt(markdown: str, profile: LearnerProfile) -> str:
    pages = [BookPage("c.md", "c.md", "Chapter", "/c", markdown)]
    return adapt_chapter(markdown, profile, book_context(pages, 0))


def _box(adapted: str, title: str) -> str:
    box = re.search(rf":::\w+\[{title}\]\n(.*?)\n:::", adapted, re.DOTALL)
    assert box is not None, adapted
    return box.group(1)


def test_key_ideas_recap_each_sub_section_that_states_an_idea():
    box = _box(_adapt(KITES, LearnerProfile(level="beginner")), "Key ideas")
    cited = re.findall(r"\(\[([^\]]+)\]\(#[^)]+\)\)$", box, re.MULTILINE)
    assert cited == ["Lift", "The bridle", "Tails", "Balance point"]
    assert "- A tail lets the kite stay pointed into the wind" in box  # "lets" states an idea, it is no "let's"
    # a bold run-in label is no part of the idea; a sentence leaning on the one before is no recap
    assert "- A stable kite holds lift, drag and weight around its balance point" in box and "insight" not in box
    assert "These are usually" not in box and "let's" not in box


def test_a_background_box_links_only_to_sections_the_reader_still_sees():
    adapted = _adapt(DECK_WINCHES, LearnerProfile(level="advanced", hardware="professional"))
    assert adapted.index(":::info[Summary]") < adapted.index("## Motors") and "## Summary" not in adapted
    box = _box(adapted, "For hardware readers")
    assert "([Motors](#motors))" in box and "([Gearing](#gearing))" in box
    anchors = {part.anchor for part in sections_with_anchors(adapted)}
    assert set(re.findall(r"\]\(#([^)]+)\)", adapted)) <= anchors
