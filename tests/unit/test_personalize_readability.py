"""Offline adaptation read as a learner reads it: no note that the next lines repeat, no cut-off
definitions, and a recap for sections taught in lists and code (fixtures written for these tests)."""

from __future__ import annotations

import re

from booktutor.markdown.learner_view import learner_markdown
from booktutor.personalize.adapt import adapt_chapter
from booktutor.personalize.boxes import add_key_ideas
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.source import BookPage, book_context

BEGINNER = LearnerProfile(level="beginner")

WINCH_INTRO = """# Winches

Small boats haul sails with a capstan, and this chapter shows how one multiplies a sailor's pull.

## What is a capstan?

A **capstan** is a rotating drum that multiplies pull through the friction of a rope wrapped around it.
Each extra turn of rope multiplies the holding force again.
"""

RIG = """# Rigs

Every puppet in the studio is driven from the rig file.

Puppeteers rehearse each scene twice before filming it.

Cameras film at twelve frames per second for a hand-made look.

## The rig file

The rig file is a text format that describes:

- the joints of the puppet
- the range of each joint

Animators edit it by hand between takes.
"""

LIST_CHAPTER = """# Gear trains

## Gear types

### Spur gears
Used in parallel-shaft drives:
- Straight teeth
- Cheap to cut

### Worm gears
Provides large reductions in a single stage.

```python
ratio = teeth_on_wheel / starts_on_worm
```

### Bevel gears
Modern gearboxes use bevel gears for:
- Right-angle drives
- Differentials

## Lubrication

### Grease
Keeps slow, open gears quiet and clean.

### Oil bath
Carries heat away from fast, enclosed gears.
"""


def _adapt(markdown: str, profile: LearnerProfile = BEGINNER) -> str:
    pages = [BookPage("c.md", "c.md", "Chapter", "/c", markdown)]
    return adapt_chapter(markdown, profile, book_context(pages, 0))


def test_a_term_the_next_paragraph_defines_gets_no_note_repeating_it():
    adapted = _adapt(WINCH_INTRO)
    assert "> **Capstan**" not in adapted
    without_recap = re.sub(r":::tip\[Key ideas\].*?\n:::", "", adapted, flags=re.DOTALL)
    assert without_recap.count("rotating drum that multiplies pull") == 1


def test_a_definition_cut_off_before_its_list_is_never_a_note():
    adapted = _adapt(RIG)
    assert "describes:" not in adapted.split("## The rig file")[0]
    assert not re.search(r"^> \*\*", adapted, re.MULTILINE)


def test_a_section_taught_in_lists_and_code_recaps_its_sub_sections():
    adapted = add_key_ideas(LIST_CHAPTER)
    boxes = re.findall(r":::tip\[Key ideas\]\n(.*?)\n:::", adapted, re.DOTALL)
    assert len(boxes) == 2
    gears, lubrication = boxes
    assert "- [Worm gears](#worm-gears): Provides large reductions in a single stage." in gears
    assert "- [Spur gears](#spur-gears): Used in parallel-shaft drives." in gears  # a whole phrase
    assert "Bevel" not in gears  # "Modern gearboxes use bevel gears for:" needs its list
    assert "- [Oil bath](#oil-bath): Carries heat away from fast, enclosed gears." in lubrication
    assert adapted.index(gears) < adapted.index("## Lubrication")


def test_a_recap_keeps_inline_code_as_code():
    chapter = "# Robots\n\n## Describing robots\n\n### Tags\nUse `<joint>` tags to connect two links.\n\n"
    chapter += "### Files\nKeep one description file for each robot.\n"
    adapted = add_key_ideas(chapter)
    assert "- [Tags](#tags): Use `<joint>` tags to connect two links." in adapted


CARDS = """# Looms

<div style={{display: 'grid', gap: '16px'}}>
  <div style={{padding: '20px'}}>
    <h4 style={{margin: 0}}>Warp</h4>
    <code style={{display: 'block'}}>
      threads held under tension
    </code>
  </div>
  <Tabs>
    <TabItem value="steps">

    - Thread the heddles
      - one thread per eye
    - Tie on to the front beam

    ```python
    def tension(beam):
        return beam.pull()
    ```

    </TabItem>
  </Tabs>
</div>

    indented_code_outside_components()
"""


def test_text_inside_mdx_components_never_turns_into_an_indented_code_block():
    view = learner_markdown(CARDS)
    assert "\nWarp\n" in view and "\nthreads held under tension\n" in view
    assert "- Thread the heddles\n  - one thread per eye\n- Tie on to the front beam" in view
    assert "```python\ndef tension(beam):\n    return beam.pull()\n```" in view
    assert "\n    indented_code_outside_components()" in view  # Markdown outside components is untouched


FOLDED = """# Kilns

## Firing

A kiln fires clay slowly so that water leaves the body before it turns to steam.
Potters raise the temperature by about one hundred degrees each hour during the first firing.
The glaze firing then melts a glassy coat onto the pot at a much higher temperature.

:::note[Going deeper]
A **pyrometric cone** is a slender pyramid of ceramic that bends at a known heat-work and tells the potter when to stop.
:::
"""


def test_key_ideas_never_quote_what_the_profile_folds_away():
    adapted = _adapt(FOLDED)
    assert "<summary>Going deeper</summary>" in adapted  # folded for a beginner
    box = re.search(r":::tip\[Key ideas\]\n(.*?)\n:::", adapted, re.DOTALL)
    assert box is not None and "A kiln fires clay slowly" in box.group(1)
    assert "pyrometric" not in box.group(1)


TABLES = """# Bench power

## Supplies

Pick the supply before wiring anything.

| Supply | Voltage | Current |
|---|---|---|
| Wall adapter | 12 V | 2 A |
| Bench unit | 0–30 V | 5 A |
| Battery pack | 7.4 V | 3 A |

## Habits

| Habit | Why |
|---|---|
| Label every lead | Saves time |
| Keep a log | Helps others |
"""


def test_a_hardware_reader_is_pointed_to_the_chapters_tables_of_hardware():
    adapted = _adapt(TABLES, LearnerProfile(hardware="professional"))
    box = re.search(r":::info\[For hardware readers\]\n(.*?)\n:::", adapted, re.DOTALL)
    assert box is not None
    assert "- [Supplies](#supplies): Supply, Voltage, Current (Wall adapter, Bench unit, Battery pack)" in box.group(1)
    assert "Habits" not in box.group(1)


def test_an_urdu_recap_ends_its_phrases_with_the_urdu_full_stop():
    chapter = "# بھٹی\n\n## پکانا\n\n### پہلا مرحلہ\nمٹی آہستہ گرم کی جاتی ہے:\n\n### دوسرا مرحلہ\nگلیز پگھلتی ہے۔\n"
    adapted = add_key_ideas(chapter)
    assert "مٹی آہستہ گرم کی جاتی ہے۔" in adapted and "ہے." not in adapted
    assert "گلیز پگھلتی ہے۔ " not in adapted and "گلیز پگھلتی ہے۔\n" in adapted


def test_a_glossary_page_is_not_glossed_or_recapped_again():
    glossary = (
        "# Glossary\n\n## Terms\n\n### Kiln\nA furnace that fires clay into ceramic at a high, steady heat.\n\n"
        "### Glaze\nA glassy coat that a kiln melts onto a pot; it seals the clay and colours it.\n\n"
        "### Slip\nLiquid clay that joins parts of a pot before it goes into the kiln for firing.\n"
    )
    chapter = "# Firing\n\nA **kiln** is a furnace that fires clay into ceramic at a high, steady heat.\n"
    pages = [BookPage("firing.md", "firing.md", "Firing", "/firing", chapter)]
    pages.append(BookPage("glossary.md", "glossary.md", "Glossary", "/glossary", glossary))
    adapted = adapt_chapter(glossary, BEGINNER, book_context(pages, 1))
    assert "> **" not in adapted and "Key ideas" not in adapted
