"""When the offline answerer answers and when it says the book does not, through the real graph.

The offline answerer, real Postgres, Qdrant Edge and MiniLM over a small book written here: a
chapter on drives and one on balance. A question asking for a fact of a kind the book never states
about its subject (a rated value, what a term means) abstains even though the nearest text shares
its other words; a yes/no question gets "Yes." only when the book states the claim the same way
round; a highlighted passage is answered from the passage first, with the book's explanation next
to it, and a question neither can answer (who invented it) abstains.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_pages

pytestmark = pytest.mark.integration

DRIVES = """---
title: Drives
---

# Drives

A joint's drive decides how strong, how fast and how safe the joint is.

## Gearboxes

A harmonic drive reaches a high reduction in a single compact stage using a flexible spline.
Harmonic drives typically have a gear ratio between 50:1 and 160:1.
A planetary gearbox is more backdrivable than a harmonic drive.
Backdrivable joints let a person push the arm away by hand.

## Series elastic actuators

A series elastic actuator places a spring between the motor and the load.
The controller measures the spring's deflection to estimate the force at the joint.
The spring also absorbs impacts that would otherwise reach the gearbox teeth.
The drawback is a lower bandwidth, because the spring must deflect before force builds up.
"""

BALANCE = """---
title: Balance
---

# Balance

A walking robot must keep its balance while only its feet touch the ground.

## Support polygon

The support polygon is the area on the ground enclosed by the feet in contact.
A robot standing still is statically stable while its centre of mass stays above the support polygon.

## Zero moment point

The zero moment point is the point on the ground where the net moment of gravity and inertia has no
horizontal component.
Controllers keep the zero moment point inside the support polygon while the robot walks.
When it reaches the edge of the polygon, the foot starts to tip over its edge.
This is why walking controllers plan footsteps that keep a margin from the polygon's edge.

Design principle: Controllers keep the zero moment point inside the support polygon while the robot walks.
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    return await ingest_pages(services, tmp_path, {"drives.md": DRIVES, "balance.md": BALANCE}, book_id="drives")


async def ask(services, guest, question: str, selected_text: str = "") -> tuple[str, dict]:
    props = {"book_id": "drives", **({"selected_text": selected_text} if selected_text else {})}
    return await ask_offline(services, guest, question, **props)


async def test_a_named_quantity_the_book_states_is_answered_with_it(services, book, guest):
    text, state = await ask(services, guest, "What is the typical gear ratio of a harmonic drive?")
    assert not state["abstained"], text
    assert "between 50:1 and 160:1" in text


async def test_a_named_quantity_the_book_never_states_abstains(services, book, guest):
    text, state = await ask(services, guest, "What is the maximum force of a series elastic actuator?")
    assert state["abstained"], text
    assert "does not cover" in text


async def test_a_term_the_book_never_defines_abstains_though_its_words_occur(services, book, guest):
    text, state = await ask(services, guest, "What is the capture point in biped balance?")
    assert state["abstained"], text
    text, state = await ask(services, guest, "What is the zero moment point?")
    assert not state["abstained"], text
    assert "net moment of gravity and inertia" in text


async def test_yes_only_when_the_book_states_the_claim_the_same_way_round(services, book, guest):
    text, _ = await ask(services, guest, "Is a planetary gearbox more backdrivable than a harmonic drive?")
    assert text.startswith("Yes. "), text
    text, _ = await ask(services, guest, "Is a harmonic drive more backdrivable than a planetary gearbox?")
    assert not text.startswith(("Yes.", "No.")), text
    assert "A planetary gearbox is more backdrivable than a harmonic drive." in text


async def test_a_highlighted_passage_is_explained_from_itself_then_the_book(services, book, guest):
    passage = "Controllers keep the zero moment point inside the support polygon while the robot walks."
    text, state = await ask(services, guest, "Why does this matter?", selected_text=passage)
    assert not state["abstained"], text
    assert text.startswith(passage), "the answer opens with the passage, not another section's claim"
    explained = ("the foot starts to tip over its edge", "keep a margin from the polygon's edge")
    assert any(e in text for e in explained), "the book's explanation next to the passage"
    assert "spring" not in text, "no claim from another section"
    assert text.count("Controllers keep the zero moment point") == 1, "the book's copy of the passage is not repeated"
    assert any(c.get("doc_path") == "balance.md" for c in state["citations"])


async def test_a_two_sentence_passage_is_quoted_once(services, book, guest):
    passage = (
        "A series elastic actuator places a spring between the motor and the load. "
        "The controller measures the spring's deflection to estimate the force at the joint."
    )
    text, state = await ask(services, guest, "What does this mean?", selected_text=passage)
    assert not state["abstained"], text
    assert text.startswith("A series elastic actuator places a spring"), text
    for sentence in ("places a spring between the motor", "measures the spring's deflection"):
        assert text.count(sentence) <= 1, text


async def test_a_question_neither_the_passage_nor_the_book_answers_abstains(services, book, guest):
    passage = "A series elastic actuator places a spring between the motor and the load."
    text, state = await ask(services, guest, "Who invented this?", selected_text=passage)
    assert state["abstained"], text
    text, state = await ask(services, guest, "In what year was this first used?", selected_text=passage)
    assert state["abstained"], text


async def test_a_named_tool_the_book_never_names_abstains(services, book, guest):
    text, state = await ask(services, guest, "How do I set up a harmonic drive with the Maxon EPOS4 controller?")
    assert state["abstained"], text
    assert text.startswith("The book does not cover this."), text
    request = "Can you walk me through configuring an EPOS4 for a series elastic actuator?"
    text, state = await ask(services, guest, request)
    assert state["abstained"], "a request phrased as a question is not a yes/no question"
    text, state = await ask(services, guest, "How does a harmonic drive reach a high reduction?")
    assert not state["abstained"], text
    assert "flexible spline" in text


async def test_an_inflected_everyday_word_the_book_never_uses_does_not_abstain(services, book, guest):
    question = "How does the controller estimate the force at the joint without restarting the motor?"
    text, state = await ask(services, guest, question)
    assert not state["abstained"], "'restarting' is rare in general text only by its ending"
    assert "measures the spring's deflection" in text


async def test_which_company_asked_of_a_book_that_names_none_abstains(services, book, guest):
    text, state = await ask(services, guest, "Which company makes the most harmonic drives?")
    assert state["abstained"], text
    assert state["citations"] == []


SAFETY = """---
title: Safety
---

# Safety

## Safety standards

ISO 10218 sets the safety requirements for industrial robot arms and their controllers.
A collaborative robot must stop when a person enters its workspace.
Its stopping distance grows with speed: d = v * t, where t is the reaction time.

## Mapping

Visual SLAM builds a map of the room from ORB features while it tracks the camera.
"""


@pytest.fixture
async def safety_book(services, tmp_path: Path) -> Path:
    return await ingest_pages(services, tmp_path, {"safety.md": SAFETY}, book_id="safety")


async def test_an_identifier_no_passage_names_abstains_though_the_book_uses_its_words(services, safety_book, guest):
    for question in (
        "What does ISO 13849 require of a collaborative robot's controller?",
        "How do I merge two maps with ORB-SLAM3?",
        "How do I write a safety_controller plugin for the robot arm?",
        "How do I solve AX=XB to calibrate the camera on the robot arm?",
    ):
        text, state = await ask_offline(services, guest, question, book_id="safety")
        assert state["abstained"], (question, text)
        assert text.startswith("The book does not cover this."), text
    text, state = await ask_offline(services, guest, "What does ISO 10218 set?", book_id="safety")
    assert not state["abstained"], text
    assert "safety requirements for industrial robot arms" in text
    text, state = await ask_offline(
        services, guest, "Why does d = v * t matter for a collaborative robot?", book_id="safety"
    )
    assert not state["abstained"], text
    assert "stopping distance" in text


RANGING = """---
title: Range sensors
---

# Range sensors

A mobile robot measures distances to plan where it can drive.

## Ultrasonic rangefinders

An ultrasonic rangefinder times the echo of a short burst of sound.
A typical unit measures from 2 cm to 4 m and updates about 40 times per second.
It is cheap and keeps working in smoke.
Soft fabric and steeply angled walls scatter a rangefinder's sound, so no echo comes back.

## Infrared proximity sensors

An infrared proximity sensor estimates distance from the angle of the light it reflects.
Bright sunlight and dark matte paint both shorten its range.
"""

SCHEDULE = """---
title: Course guide
---

# Course guide

## Course plan

The course is organised into **4 units** over **10 weeks**:

```mermaid
graph LR
    A[Unit 1 Wheels] --> B[Unit 2 Sensing]
    B --> C[Unit 3 Floor plans]
    C --> D[Unit 4 Rover project]
```

| Unit | Weeks | Topic |
|------|-------|-------|
| 1 | 1-2 | Wheels and motors |
| 2 | 3-5 | Range sensing |
| 3 | 6-8 | Mapping a floor plan |
| 4 | 9-10 | The rover project |
"""


@pytest.fixture
async def ranging_book(services, tmp_path: Path) -> Path:
    pages = {"ranging.md": RANGING, "guide.md": SCHEDULE}
    return await ingest_pages(services, tmp_path, pages, book_id="ranging")


async def test_a_question_in_everyday_words_is_answered_from_the_page_that_names_its_topic(
    services, ranging_book, guest
):
    question = "What kinds of things in a room cause trouble for a rangefinder?"
    text, state = await ask_offline(services, guest, question, book_id="ranging")
    assert not state["abstained"], "the page shares only 'rangefinder' with the question, in everyday words"
    assert "Soft fabric and steeply angled walls" in text


async def test_a_question_lacking_a_specific_word_still_abstains(services, ranging_book, guest):
    question = "How do phased-array transducers steer an ultrasonic beam?"
    text, state = await ask_offline(services, guest, question, book_id="ranging")
    assert state["abstained"], text


async def test_how_long_a_course_lasts_is_answered_by_the_line_before_its_diagram(services, ranging_book, guest):
    text, state = await ask_offline(services, guest, "How long does this course take?", book_id="ranging")
    assert not state["abstained"], text
    assert "over 10 weeks" in text, "the line stating the length introduces a diagram, and is what answers"
