"""What the offline generator may ask from: bold lead-in labels, lists that describe their heading's
term, sentences whose subject is the heading's term, and quiz options that state nothing."""

from __future__ import annotations

from booktutor.providers.embeddings import FakeEmbedder
from booktutor.tutoring.facts import heading_term, prose_sections
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.prose import Citer, book_pool, prose_questions

GRIPPERS = """# Grippers

A gripper is the part of the arm that holds things, and its design decides what the arm can pick up.

## Gripper Types

### Suction Cups
- Hold flat, smooth parts such as boxes and sheets
- Need a vacuum pump and a sealed surface

### Parallel Jaws
- Two fingers close on the part from both sides
- Simple, strong and cheap to control

### Soft Fingers
- Flexible silicone shapes that wrap around fragile items
- Driven by air pressure

### Magnetic Pads

Magnets hold fast. Each pad needs:
- A steel part to attract
- A clean and flat contact face
- Current to let go of the part

Magnetic pads drop the part as soon as the current through their coil is switched off.

## Force Sensing

Force sensing measures how hard the fingers press, so a grasp can stop before it crushes the part.

**Why does it matter?** A gripper without force sensing squeezes an egg as hard as a brick and breaks it.

:::tip Fragile parts
Lower the grip force limit for parts that are:
- Thin glass panels
- Ripe fruit
- Freshly printed plastic
:::

## Check yourself

Which gripper suits glass panels:
- A) Parallel jaws
- B) Suction cups
- C) Soft fingers
"""


async def _questions(markdown: str = GRIPPERS):
    citer = Citer("grippers.md", "Grippers", lambda anchor: f"/docs/grippers#{anchor}")
    pool = book_pool([BookPage("grippers.md", "Grippers", markdown, {}, "en")])
    return await prose_questions(markdown, "Grippers", citer, pool, FakeEmbedder(256)), pool


async def test_a_bold_lead_in_label_is_never_the_blank():
    questions, _ = await _questions()
    assert all("Why does it matter" not in q.prompt + q.correct_answer_text() for q in questions)
    sentences = [s.text for section in prose_sections(GRIPPERS, "Grippers") for s in section.sentences]
    assert "A gripper without force sensing squeezes an egg as hard as a brick and breaks it." in sentences


async def test_a_list_opening_a_section_defines_its_heading_term_among_its_siblings():
    questions, _ = await _questions()
    suction = next(q for q in questions if q.correct_answer_text() == "Suction Cups")
    assert suction.style == "definition" and "Gripper Types" in suction.prompt
    assert "Hold flat, smooth parts" in suction.prompt and "Suction" not in suction.prompt
    assert {"Parallel Jaws", "Soft Fingers"} <= set(suction.choices)
    assert suction.heading == "Suction Cups"
    # a list whose lead says something of its own ("Magnets hold fast.") describes no heading
    described = {
        term for section in prose_sections(GRIPPERS, "Grippers") for f in section.lists for term, _ in f.definitions
    }
    assert {"Suction Cups", "Parallel Jaws", "Soft Fingers"} <= described and "Magnetic Pads" not in described


async def test_a_sentence_opening_with_its_heading_term_blanks_that_term():
    questions, _ = await _questions()
    sensing = next(q for q in questions if q.correct_answer_text() == "Force sensing")
    assert sensing.prompt.startswith("Which term fills the blank? “_____ measures how hard the fingers press")
    assert len(set(sensing.choices)) == len(sensing.choices) >= 3


async def test_a_list_in_a_tip_box_is_introduced_by_its_sentence_not_the_box_title():
    questions, _ = await _questions()
    fragile = next(q for q in questions if q.style == "list")
    assert "“Lower the grip force limit for parts that are:”" in fragile.prompt and "Tip" not in fragile.prompt


async def test_lettered_options_of_a_question_are_no_list_and_no_distractors():
    questions, pool = await _questions()
    assert not [item for item in pool if item.startswith(("A)", "B)", "C)"))]
    assert all("glass panels" not in q.prompt for q in questions)


def test_only_headings_that_name_a_term_count_as_terms():
    assert heading_term("PRM (Probabilistic Roadmap)") == "PRM (Probabilistic Roadmap)"
    assert heading_term("Chapter 3: Wheel Odometry") == "Wheel Odometry"
    assert heading_term("A* Search") == "A* Search" and heading_term("The Reality Gap") == "The Reality Gap"
    no_terms = (
        "Step 2: Wire the motor",
        "Common Issues",
        "Why Grippers?",
        "Using the Gripper",
        "Build a Gripper",
        "Summary",
    )
    for heading in no_terms:
        assert heading_term(heading) == "", heading


REACH = """# Reaching

## Arm Kinematics

### Forward Reach
Given joint angles, find the hand position:

```python
def hand_position(angles):
    return chain(angles)
```

### Inverse Reach
Given a hand target, find joint angles:

```mermaid
graph LR
  Target --> Solver --> Angles
```

### Reach Pipeline
Targets become motor commands, as shown:

```mermaid
graph LR
  Camera --> Planner --> Motors
```
"""


def test_a_lead_in_before_code_or_a_figure_defines_its_heading_but_a_caption_does_not():
    described = {
        term: text
        for section in prose_sections(REACH, "Reaching")
        for fact in section.lists
        for term, text in fact.definitions
    }
    assert described["Forward Reach"] == "Given joint angles, find the hand position"
    assert described["Inverse Reach"] == "Given a hand target, find joint angles"
    assert "Reach Pipeline" not in described  # its lead-in is about the figure: a caption


WELDING = """# Welding

## Heat and metal

### The weld zone

A **filler rod** adds metal to the joint, and a **tungsten electrode** carries the arc.
One of the main worries of a welder is the "heat-affected zone"—the band of metal beside the seam whose grain the
torch has changed. Welders guard the molten pool with shielding gas—blowing argon over the seam so air cannot reach it.

### Planning a joint

Imagine the weld pool—a tiny lake of molten metal that follows the torch along the seam.
Every joint needs a plan—a short list of the passes, the rod and the current for each pass.
A **root pass** fuses the bottom of the joint, and a **cap pass** covers the joint with a neat bead.
"""


async def test_a_term_a_dash_defines_is_asked_from_its_definition():
    questions, _ = await _questions(WELDING)
    defined = {q.correct_answer_text(): q for q in questions if q.style == "definition"}
    zone = defined["Heat-affected zone"]
    assert zone.prompt.startswith('Which term fills the blank? “One of the main worries of a welder is the "_____"')
    assert len(set(zone.choices)) == len(zone.choices) >= 3
    assert "Shielding gas" in defined
    # an analogy ("Imagine the weld pool—…") and a plain word ("a plan—…") are no terms the chapter teaches
    assert not {"Weld pool", "Plan"} & set(defined)
