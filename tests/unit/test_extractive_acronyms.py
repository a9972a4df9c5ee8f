"""Acronyms learned from the book's own definitions: a question's 'QoS' finds the book's 'quality of service'."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive import AbstentionPolicy, compose_answer
from booktutor.extractive.acronyms import Aliases, defined_acronyms, renamed_sections
from booktutor.extractive.scoring import build_candidates
from booktutor.extractive.text import content_terms

DEFINITIONS = """The **Zero Moment Point (ZMP)** is where the ground's push has no tipping moment.
A walking robot keeps its ZMP inside the support polygon.
Each joint reports its state over a CAN (controller area network) bus at 1 kHz.
The **Line of Sight (LoS)** check runs before every grasp, and the Robot Arm Kit 3 (RAK 3) ships with it.
Sensors such as the lidar (see below) and the camera (RGB) are calibrated first.
"""


def test_both_ways_of_defining_an_acronym_are_read() -> None:
    assert defined_acronyms(DEFINITIONS) == [
        ("ZMP", "Zero Moment Point"),
        ("LoS", "Line of Sight"),
        ("RAK 3", "Robot Arm Kit 3"),
        ("CAN", "controller area network"),
    ]


def test_parentheses_that_do_not_spell_the_acronym_define_nothing() -> None:
    assert defined_acronyms("The gripper uses a soft pad (TPU) on each finger.") == []
    assert defined_acronyms("The elbow (see the figure) bends first, then the wrist (RGB).") == []
    assert defined_acronyms("A PID (proportional integral derivative) loop runs at 1 kHz.") == [
        ("PID", "proportional integral derivative")
    ]


def test_either_name_says_the_thing_but_one_word_of_a_long_form_does_not() -> None:
    aliases = Aliases.learn([DEFINITIONS])
    asked = content_terms("Where must the ZMP stay?")
    assert aliases.said_by_other_name(asked, content_terms("The zero moment point stays in the polygon.")) == {"zmp"}
    assert aliases.said_by_other_name(content_terms("What does the zero moment point mean?"), content_terms("ZMP")) == (
        content_terms("zero moment point")
    )
    assert aliases.said_by_other_name(content_terms("What does a robot arm do?"), content_terms("RAK 3")) == frozenset()


LINKS = """## Links and readers

A link carries samples from one writer to every reader that subscribes to it.
A reader registers a handler that runs whenever a sample arrives on the link.
Links are named, and a writer never knows which readers are listening.
"""
DELIVERY = """## Message delivery settings

Each writer and reader states how strictly it wants samples delivered.
A lossy writer paired with a strict reader never pairs up, and nothing flows between them.
"""
GLOSSARY = """## Glossary

- **Message delivery settings (MDS)**: the per-link rules for how samples are delivered.
"""
QUESTION = "My reader never gets any samples from the writer's link. Which MDS could cause this?"
ANSWER = "A lossy writer paired with a strict reader never pairs up"


def _results(*, glossary: bool) -> list[dict[str, Any]]:
    results = [
        hit(1, LINKS, "Links and readers", doc="book/links.md"),
        hit(2, DELIVERY, "Message delivery settings", doc="book/links.md"),
    ]
    return [*results, hit(3, GLOSSARY, "Glossary", doc="book/glossary.md")] if glossary else results


async def test_the_section_the_acronym_names_answers(embedder: Any) -> None:
    """'MDS' asked; the section that answers says neither the acronym nor most of the question's words, but
    its heading is the long form the book's glossary defines: it answers beside the section sharing more words."""
    composed = await answer(QUESTION, _results(glossary=True), embedder)
    assert ANSWER in composed.text


async def test_the_books_definition_may_come_from_the_search(embedder: Any) -> None:
    """The definition sits in a section the search did not return: the search's evidence carries it."""
    results = _results(glossary=False)
    composed = await compose_answer(
        QUESTION,
        results,
        embedder=embedder,
        policy=AbstentionPolicy(),
        evidence={"aliases": [["MDS", "Message delivery settings"]]},
    )
    assert ANSWER in composed.text
    assert ANSWER not in (await answer(QUESTION, results, embedder)).text  # an acronym the book never defines


def test_a_long_forms_words_apart_do_not_name_it() -> None:
    aliases = Aliases.of([("RAK 3", "Robot Arm Kit 3"), ("ZMP", "Zero Moment Point")])
    assert aliases.named_in_text("Does the robot arm kit 3 ship with a gripper?").pairs[0].short == "RAK 3"
    assert aliases.named_in_text("Where do ZMPs come from?").pairs[0].long == "Zero Moment Point"
    assert aliases.named_in_text("Is my robot's arm part of a kit?").pairs == ()


SAYS_THE_ACRONYM = """## Message delivery settings

Message delivery settings (MDS) are chosen per link.
Each MDS is checked when a reader joins a link.
"""


def test_a_section_that_says_the_learners_name_itself_is_not_renamed() -> None:
    """Under 'Message delivery settings', sentences that say 'MDS' (beyond its definition) match the question
    by their own words: the heading adds nothing. Those that never say it are filed under the other name."""
    aliases = Aliases.of([("MDS", "Message delivery settings")])
    asked = content_terms(QUESTION)
    quiet = build_candidates([hit(1, DELIVERY, "Message delivery settings")])
    talkative = build_candidates([hit(1, SAYS_THE_ACRONYM, "Message delivery settings")])
    assert renamed_sections(asked, quiet, aliases) == {1}
    assert renamed_sections(asked, talkative, aliases) == frozenset()
    assert renamed_sections(content_terms("How do readers join a link?"), quiet, aliases) == frozenset()


def test_an_acronyms_plural_says_it() -> None:
    aliases = Aliases.of([("MDS", "Message delivery settings")])
    assert aliases.said_by_other_name(content_terms("Which MDSs matter?"), content_terms("message delivery settings"))
    plural = (
        "## Message delivery settings\n\nEach writer and reader states how strictly it wants samples delivered.\n"
        "Two MDSs are checked every time a new reader joins an existing link.\n"
    )
    candidates = build_candidates([hit(1, plural, "Message delivery settings")])
    assert renamed_sections(content_terms(QUESTION), candidates, aliases) == frozenset()
