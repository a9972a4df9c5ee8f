"""Generated quizzes a learner can take seriously: no questions on what a module will teach, list
distractors the chapter itself teaches, and questions from the code of a chapter taught in code
(book text written for these tests)."""

from __future__ import annotations

from booktutor.evals.tutoring import check_question
from booktutor.providers.embeddings import FakeEmbedder
from booktutor.tutoring.choices import code_like, fits_blank, neutral_article, same_kind
from booktutor.tutoring.facts import prose_sections
from booktutor.tutoring.generate import ChapterMaterial, generate_offline
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.prose import Citer, book_pool, prose_questions

CLAMPS = """# Clamps

## Overview

This module will help you understand:
- How clamps hold work
- Which clamp to choose
- How to avoid marking a surface

## Clamp types

### Spring clamps
Spring clamps suit quick, light jobs such as gluing thin strips:
- Fast to apply
- Light grip
- Cheap enough to own dozens

### Screw clamps
Screw clamps suit slow, heavy work such as pressing a laminated beam:
- Strong grip
- Slow to tighten
- Costly forged frames
"""

OTHER_CHAPTER = """# Saws

## Saw types

### Rip saws
A rip saw cuts along the grain with chisel-shaped teeth:
- Large teeth
- Aggressive feed
- Rough finish

### Tenon saws
A tenon saw cuts joints with a stiffened back:
- Brass spine
- Fine teeth
- Clean shoulders
"""

PRESS = """# Press controller

The press controller drives a hydraulic press from a small computer.

## Starting the press

```python
def start(press):
    # Let fluid reach the cylinders before anything moves
    press.open_valve()

    # Park the plunger at the top of its stroke
    press.home_ram()

    # Check the seal
    press.check_seal()

    # Read the gauge and log it
    reading = press.pressure()
    log(reading)
```

## Stopping the press

```python
def stop(press):
    # Release stored energy before servicing
    press.vent_accumulator()

    # Wait for the plunger to settle fully
    time.sleep(2)

    # Cut power to the motor that drives the fluid
    press.pump_off()
```
"""


def _citer(path: str, title: str) -> Citer:
    return Citer(path, title, lambda anchor: f"/docs/{path}#{anchor}")


async def _prose(markdown: str, title: str):
    pages = [BookPage("clamps.md", "Clamps", CLAMPS, {}, "en"), BookPage("saws.md", "Saws", OTHER_CHAPTER, {}, "en")]
    return await prose_questions(markdown, title, _citer("clamps.md", title), book_pool(pages), FakeEmbedder(256))


async def test_a_list_of_what_the_module_will_teach_is_not_quizzed():
    questions = await _prose(CLAMPS, "Clamps")
    assert questions
    assert not any("help you understand" in q.prompt for q in questions)


async def test_list_distractors_are_the_items_of_the_chapters_other_lists():
    questions = await _prose(CLAMPS, "Clamps")
    spring = next(q for q in questions if q.style == "list" and "Spring clamps suit" in q.prompt)
    assert spring.correct_answer_text() in {"Fast to apply", "Light grip", "Cheap enough to own dozens"}
    wrong = [c for i, c in enumerate(spring.choices) if i != spring.answer]
    assert {"Slow to tighten", "Costly forged frames"} <= set(wrong), wrong  # "Strong grip" echoes "Light grip"
    assert not {"How clamps hold work", "Which clamp to choose"} & set(wrong)  # nor what the module will teach


async def _press_questions():
    material = ChapterMaterial("press.md", "Press controller", {}, "en", PRESS, sections=())
    return await generate_offline(material, FakeEmbedder(256), pool=[])


async def test_a_chapter_taught_in_code_is_quizzed_on_what_its_commented_calls_do():
    code = [q for q in await _press_questions() if q.style == "code"]
    assert code
    by_comment = {q.prompt.split("comment “")[1].rstrip("”?"): q for q in code}
    supply = by_comment["Let fluid reach the cylinders before anything moves"]
    assert supply.correct_answer_text() == "press.open_valve()"
    assert set(supply.choices) <= {
        "press.open_valve()",
        "press.home_ram()",
        "press.vent_accumulator()",
        "press.pump_off()",
        "press.check_seal()",
        "press.pressure()",
    }
    assert "“Starting the press”" in supply.prompt and supply.anchor == "starting-the-press"
    assert "Check the seal" not in by_comment  # the comment names the call: a give-away
    assert "Read the gauge and log it" not in by_comment  # the comment covers two statements
    assert "Wait for the plunger to settle fully" not in by_comment  # time.sleep says nothing about the step


async def test_code_questions_pass_the_tutoring_eval_checks():
    sections = prose_sections(PRESS, "Press controller", teaching_only=False)
    code = [q for q in await _press_questions() if q.style == "code"]
    assert code
    for question in code:
        assert check_question(question, sections)["ok"], question


EDGES = """# Edge tools

## Chisels

### Sharpening
A chisel is sharpened by:
- Flattening the back
- Grinding the bevel
- Honing a micro-bevel

### Sharpening by hand
This example shows how a chisel is sharpened by hand on stones:
- Stropping the burr away
- Checking the edge against a light
- Lapping on a fine stone

## Planes

### Tuning
A plane is tuned by:
- Setting the mouth
- Waxing the sole
- Squaring the iron
"""


async def test_a_list_about_the_same_subject_offers_no_wrong_answers():
    questions = await _prose(EDGES, "Edge tools")
    chisel = next(q for q in questions if q.style == "list" and "A chisel is sharpened by" in q.prompt)
    wrong = {c for i, c in enumerate(chisel.choices) if i != chisel.answer}
    assert not wrong & {"Stropping the burr away", "Checking the edge against a light", "Lapping on a fine stone"}
    assert wrong == {"Setting the mouth", "Waxing the sole", "Squaring the iron"}  # "A plane is tuned by:"


def test_a_blank_after_an_article_gives_no_letter_away_and_takes_one_thing():
    assert neutral_article("Fill in the blank: An _____ measures the angle of a shaft.") == (
        "Fill in the blank: A(n) _____ measures the angle of a shaft."
    )
    assert neutral_article("Which term fills the blank? “A _____ times echoes.”").endswith("“A(n) _____ times echoes.”")
    stem = "Which term fills the blank? “A(n) _____ times the echoes of laser pulses.”"
    assert fits_blank("Sensor fusion", "LiDAR", stem) and fits_blank("Physics", "LiDAR", stem)
    assert not fits_blank("Encoders", "LiDAR", stem) and not fits_blank("Synchronizes", "Digital twin", stem)
    assert not fits_blank("Simulating physics", "Simulation", stem)
    assert fits_blank("Encoders", "Gearboxes", stem) and fits_blank("Encoders", "LiDAR", "Which of these is listed?")


def test_file_and_code_names_stand_only_beside_their_kind_and_keep_their_case():
    assert not same_kind("package.xml", "ROS 2 package") and not same_kind("src/", "Node")
    assert same_kind("setup.py", "package.xml") and same_kind("VR/AR studies", "Force/torque sensing")
    assert same_kind("Six-axis force/torque sensor", "Encoder")


PACKAGES = """# Packages

## Build scripts

**setup.py** is a script that installs the package and declares the commands it provides.

## Package folder

Every package folder holds these files:
- package.xml
- resource_marker.txt
- test_style.py
- launch_all.py
"""


async def test_a_file_name_is_asked_beside_file_names_and_keeps_its_case():
    pool = book_pool([BookPage("packages.md", "Packages", PACKAGES, {}, "en")])
    citer = _citer("packages.md", "Packages")
    questions = await prose_questions(PACKAGES, "Packages", citer, pool, FakeEmbedder(256))
    script = next(q for q in questions if "is a script that installs" in q.prompt)
    assert script.correct_answer_text() == "setup.py"
    assert all(code_like(choice) for choice in script.choices), script.choices
