"""A lab chapter taught in code, tables and steps, adapted offline for a beginner new to code: a "Reading the
code" note per listing read from the listing, "Key ideas" for what its tables and steps cover, and a "Before you
start" note from the chapter's own prerequisites; none of it for advanced readers, and the result stays valid
Markdown/MDX without answers (fixtures written for these tests)."""

from __future__ import annotations

import re

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.html import render_chapter
from booktutor.markdown.learner_view import learner_markdown
from booktutor.personalize.adapt import adapt_chapter
from booktutor.personalize.notes import AdaptationContext
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.report import leaks

NEW_TO_CODE = LearnerProfile(level="beginner", software="none", hardware="none")

FEEDER_LAB = """# Lab: A Bird Feeder Counter

This lab builds a counter that logs every visit to a garden bird feeder.

## What the lab covers

- Reading a perch switch
- Logging visits to a file

## Parts

### Parts list

| Part | Role | Example |
|------|------|---------|
| Perch switch | Detects a bird landing | Reed switch |
| Board | Runs the counter | Pico W |
| Battery | Powers the board | 2x AA pack |

## Before you begin

- A soldering iron
- Python 3.11 on your laptop

## The counter code

```python
# feeder/counter.py
import time

class VisitCounter:
    \"\"\"Counts landings on the perch, ignoring a bird that stays {still} < 2 s.\"\"\"

    def __init__(self, log):
        self.log = log

    def on_landing(self, stamp):
        \"\"\"Record one landing with its timestamp.\"\"\"
        self.log.append(stamp)

    def _debounce(self, stamp):
        return stamp

def daily_total(log):
    # Visits since midnight
    return len(log)
```

```bash
# Copy the code to the board
mpremote cp feeder/counter.py :
```

## Wiring it up

1. **Mount the switch**: screw the reed switch under the perch.
2. Connect the switch between pin 4 and ground.
3. Power the board from the battery pack.
"""


def _adapt(chapter: str, profile: LearnerProfile) -> str:
    return adapt_chapter(learner_markdown(chapter), profile, AdaptationContext())


def _box(adapted: str, title: str) -> list[str]:
    return re.findall(rf"^:::\w+\[{re.escape(title)}\]\n(.*?)\n:::$", adapted, re.MULTILINE | re.DOTALL)


def test_a_listing_is_followed_by_what_it_defines_read_from_the_code() -> None:
    adapted = _adapt(FEEDER_LAB, NEW_TO_CODE)

    notes = _box(adapted, "Reading the code")
    assert len(notes) == 1  # the shell listing is comments and commands: read as it is
    note = notes[0]
    assert note.startswith("The file `feeder/counter.py` imports `time` and defines:")
    assert "- `VisitCounter` (class): Counts landings on the perch" in note
    assert "  - `on_landing`: Record one landing with its timestamp." in note
    assert "- `daily_total` (function): Visits since midnight" in note
    assert "_debounce" not in note and "__init__" not in note
    listing_end = adapted.index("    return len(log)\n```")
    assert adapted.index(":::note[Reading the code]") > listing_end  # right after the listing it reads


def test_sections_taught_in_tables_and_steps_get_key_ideas_from_them() -> None:
    adapted = _adapt(FEEDER_LAB, NEW_TO_CODE)

    ideas = "\n".join(_box(adapted, "Key ideas"))
    assert "[Parts list](#parts-list): A table of Role and Example for Perch switch, Board, Battery." in ideas
    assert (
        "[Wiring it up](#wiring-it-up): In order: Mount the switch; Connect the switch between pin 4 and ground; Power"
        in ideas
    )


def test_before_you_start_falls_back_to_the_chapters_own_prerequisites() -> None:
    adapted = _adapt(FEEDER_LAB, NEW_TO_CODE)

    before = _box(adapted, "Before you start")
    needs = "- A soldering iron\n- Python 3.11 on your laptop"
    assert before == [f"This chapter expects ([Before you begin](#before-you-begin)):\n\n{needs}"]
    assert adapted.index(":::note[Before you start]") < adapted.index("## What the lab covers")

    section = f"## Before you begin\n\n{needs}\n\n"  # a section that opens the chapter is read first anyway
    opening = FEEDER_LAB.replace(section, "").replace("## What the lab covers", section + "## What the lab covers")
    assert not _box(_adapt(opening, NEW_TO_CODE), "Before you start")


def test_advanced_readers_and_programmers_get_no_beginner_notes() -> None:
    advanced = _adapt(FEEDER_LAB, LearnerProfile(level="advanced", software="none"))
    programmer = _adapt(FEEDER_LAB, LearnerProfile(level="beginner", software="professional"))

    for title in ("Reading the code", "Key ideas", "Before you start"):
        assert not _box(advanced, title)
    assert not _box(programmer, "Reading the code")
    assert _box(programmer, "Key ideas")


def test_the_adapted_lab_stays_valid_markdown_for_the_frontend() -> None:
    source = learner_markdown(FEEDER_LAB)
    adapted = _adapt(FEEDER_LAB, NEW_TO_CODE)

    fenced = [line for line, inside in iter_fence_flags(adapted.split("\n")) if inside]
    assert fenced == [line for line, inside in iter_fence_flags(source.split("\n")) if inside]  # code intact
    opened = re.findall(r"^:::\w+", adapted, re.MULTILINE)
    assert len(opened) == len(re.findall(r"^:::$", adapted, re.MULTILINE)) == 4
    assert r"\{still\} \< 2 s" in adapted  # a docstring's braces and `<` would open JSX in MDX
    html = render_chapter(adapted).html
    assert ":::" not in re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)
    assert leaks(adapted) == []


def test_listings_in_boxes_lists_and_answers_get_no_note() -> None:
    chapter = """# Timers

## Practice

:::tip[Try it]
```python
def blink():
    \"\"\"Toggle the LED.\"\"\"
```
:::

1. Start the timer:

   ```python
   def start():
       \"\"\"Start counting.\"\"\"
   ```

<details>
<summary>Solution</summary>

```python
def solve_the_exercise():
    \"\"\"The answer to the practice task.\"\"\"
```

</details>

## Answer key

```python
def answer_key():
    \"\"\"Answers.\"\"\"
```
"""
    adapted = _adapt(chapter, NEW_TO_CODE)

    assert not _box(adapted, "Reading the code")
    assert "solve_the_exercise" not in adapted and "answer_key" not in adapted
