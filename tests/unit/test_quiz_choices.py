"""Generated quiz choices a learner cannot see through: distractors of the key's own form and script,
no restated keys, no stems that name the key, no diagram captions or pages about the book itself
(book text written for these tests)."""

from __future__ import annotations

from booktutor.providers.embeddings import FakeEmbedder
from booktutor.tutoring.choices import gives_away, least_revealing, restates, same_kind
from booktutor.tutoring.facts import nearby_terms, prose_sections, teaching_heading
from booktutor.tutoring.generate import ChapterMaterial, generate_offline
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.prose import Citer, book_pool, prose_questions

PUMPS = """# Pumps

Pumps move fluid through a robot's hydraulic lines.

## About This Book

This book is written for technicians who service hydraulic arms.
Use the sidebar to move between chapters:
- Read the chapters in order
- Try every worked example
- Ask the tutor when stuck

## 🎓 Learning Objectives

By the end of this chapter you will be able to:
- Name the three pump types
- Choose a pump for a duty cycle
- Size a reservoir

## Pump System Architecture

The pump system connects the tank, the pump and the valves:

```mermaid
graph LR
  Tank --> Pump --> Valve
```

## Pump Types

### Gear Pumps
- Two meshing wheels carry fluid around the casing
- Cheap and tolerant of dirty oil

### Vane Pumps
- Sliding blades sweep fluid from inlet to outlet
- Quiet at medium pressure

### Piston Pumps
- Plungers in a rotating block push fluid at very high pressure
- Costly but efficient

### Bleed Procedure

For filling an empty pump before start-up:

```python
pump.open_bleed_valve()
pump.run(seconds=5)
```

## Safety Limits

- **Pressure Limits**: never exceed the rated line pressure
- **Temperature Limits**: stop the pump when the oil runs hot
- **Noise Limits**: keep the cab below the rated sound level
"""


def _citer() -> Citer:
    return Citer("pumps.md", "Pumps", lambda anchor: f"/docs/pumps#{anchor}")


async def _questions():
    pool = book_pool([BookPage("pumps.md", "Pumps", PUMPS, {}, "en")])
    return await prose_questions(PUMPS, "Pumps", _citer(), pool, FakeEmbedder(256))


def test_sections_about_the_book_and_its_objectives_teach_nothing_to_quiz():
    assert not teaching_heading("About This Book") and not teaching_heading("🎓 Learning Objectives")
    assert not teaching_heading("How to Use This Course") and not teaching_heading("📊 Chapter Progress Tracker")
    assert teaching_heading("Pump Types") and teaching_heading("Gear Pumps")
    headings = {s.heading for s in prose_sections(PUMPS, "Pumps")}
    assert "About This Book" not in headings and "🎓 Learning Objectives" not in headings


def test_a_diagram_caption_is_no_term_beside_the_sections_that_explain_one():
    sections = prose_sections(PUMPS, "Pumps")
    gear = next(s for s in sections if s.heading == "Gear Pumps")
    terms = nearby_terms(gear, sections)
    assert "Vane Pumps" in terms and "Pump System Architecture" not in terms


async def test_generated_questions_offer_no_caption_no_restated_key_and_no_give_away():
    questions = await _questions()
    assert questions
    for question in questions:
        assert "About This Book" not in question.prompt and "Learning Objectives" not in question.prompt
        assert "Pump System Architecture" not in question.choices
        key = question.correct_answer_text()
        others = [c for i, c in enumerate(question.choices) if i != question.answer]
        assert not any(restates(other, key) for other in others), question
        assert all(same_kind(other, key) for other in others), question
    # "never exceed the rated line pressure" names the key's word: asked only beside a choice naming it too
    pressure = [q for q in questions if "line pressure" in q.prompt]
    assert all(sum("ressure" in c for c in q.choices) >= 2 for q in pressure)


async def test_a_section_that_only_says_what_its_code_is_for_defines_its_heading_term():
    questions = await _questions()
    priming = next(q for q in questions if "For filling an empty pump before start-up" in q.prompt)
    assert priming.correct_answer_text() == "Bleed Procedure"
    assert priming.heading == "Bleed Procedure"


def test_choice_fitness_rules():
    assert restates("100% Policy", "Policy (π)") and restates("QoS policies", "Policy")
    assert not restates("Physics Randomization", "Domain randomization")
    assert not same_kind("The client waits for a reply from the server", "Request-Reply (Services)")
    assert same_kind("Triangulation", "Sliding vanes sweep fluid from inlet to outlet")
    assert not same_kind("پمپ کی اقسام", "Gear Pumps")
    assert gives_away("Force Limits", "never exceed safe force thresholds", ["Speed Limits", "Emergency Stops"])
    assert not gives_away("Force Limits", "never exceed safe force thresholds", ["Force Sensors", "Speed Limits"])


def test_a_choice_sharing_the_stems_word_joins_a_key_that_would_stand_out_alone():
    ranked = ["Speed Limits", "Emergency Stops", "Guard Rails", "Force Sensors"]
    stem = "never exceed safe force thresholds"
    assert least_revealing("Force Limits", stem, ranked) == ["Force Sensors", "Speed Limits", "Emergency Stops"]
    assert least_revealing("Speed Limits", stem, ranked[1:]) == ["Emergency Stops", "Guard Rails", "Force Sensors"]


async def test_a_glossary_definition_that_names_a_word_of_its_term_is_asked_beside_a_term_sharing_it():
    markdown = (
        "# Hydraulics\n\nHydraulic arms lift heavy loads with pressurised fluid.\n\n"
        "## Key terms\n\n"
        "- **Line pressure**: the pressure the fluid exerts inside the hoses.\n"
        "- **Flow rate**: the volume of fluid moving inside the lines each minute.\n"
        "- **Viscosity**: how strongly the fluid inside the lines resists moving.\n"
        "- **Cavitation**: bubbles the fluid forms inside the pump when starved.\n"
        "- **Aeration**: air the fluid carries inside the lines after a leak.\n"
        "- **Hose clamp**: a metal band tightened by a screw.\n"
    )
    material = ChapterMaterial("hyd.md", "Hydraulics", {}, "en", markdown, sections=())
    questions = await generate_offline(material, FakeEmbedder(256), pool=[])
    line = next(q for q in questions if q.style == "definition" and q.correct_answer_text() == "Line pressure")
    # the key shares "pressure" with its definition: a term sharing one of its words ("hoses") stands beside it
    assert "the fluid exerts inside the hoses" in line.prompt and "Hose clamp" in line.choices
