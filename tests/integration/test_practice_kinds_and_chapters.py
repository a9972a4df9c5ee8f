"""Questions about a book whose two parts each number their chapters from one, through the real graph: asked
for a chapter's labs the answer lists its labs before its exercises (and the other way round), every chapter
of that number is answered, a chapter's key points (asked by number, title words or as the page in view) are
its summary's, "Is there a quiz on X?" says where the
book's quiz is and offers one without starting it, and a project named with "Tell me about" is described.
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration


services, book = fixture_book_fixtures("numbered_book", book_id="drives", title="Drives")
ask = partial(ask_offline, book_id="drives")
cited = cited_sections


async def test_a_chapters_labs_are_told_apart_from_its_exercises_in_every_chapter_of_that_number(services, book, guest):
    labs, state = await ask(services, guest, "What labs are there in chapter 1?")
    assert state["route"] == "answer"
    assert "Chapter 1: Gears and Torque has a lab:\n- **Lab 1: Measuring a Gear Ratio**" in labs, labs
    assert labs.index("Lab 1: Measuring") < labs.index("It also has an exercise:") < labs.index("Exercise 1.1")
    assert "Chapter 1: Cameras [" in labs and "] has no exercise, lab, quiz or project section." in labs
    exercises, _ = await ask(services, guest, "What exercises are there in chapter 1?")
    assert "Chapter 1: Gears and Torque has an exercise:\n- **Exercise 1.1**" in exercises, exercises
    assert exercises.index("Exercise 1.1") < exercises.index("It also has a lab:") < exercises.index("Lab 1")


async def test_the_key_points_of_a_chapter_number_are_each_such_chapters_summary(services, book, guest):
    text, state = await ask(services, guest, "Give me the key points of chapter 1")
    assert state["route"] == "answer" and not state["abstained"]
    for point in (
        "A gear ratio trades speed for torque.",
        "Friction in the gear train lowers the torque that reaches the wheel.",
        "Exposure time trades brightness against motion blur.",
        "A camera measures brightness, never distance.",
    ):
        assert point in text, text
    assert text.index("Key points of Chapter 1: Gears and Torque") < text.index("A gear ratio trades")
    assert ("basics/gears.md", "summary") in cited(state) and ("sensing/cameras.md", "key-takeaways") in cited(state)
    assert "Batteries" not in text and "Sonar" not in text, "never another chapter's points"


async def test_a_chapter_named_by_its_title_words_gives_its_summarys_points(services, book, guest):
    text, state = await ask(services, guest, "Summarize the cameras chapter")
    assert state["route"] == "answer" and not state["abstained"]
    assert text.startswith("Key points of Chapter 1: Cameras ["), text
    assert "- Exposure time trades brightness against motion blur." in text
    assert "Gears" not in text and "Sonar" not in text, "never another chapter's points"
    text, state = await ask(services, guest, "What are the key takeaways of the chapter on gears and torque?")
    assert text.startswith("Key points of Chapter 1: Gears and Torque ["), text
    assert "A gear ratio trades speed for torque." in text and "Cameras" not in text
    assert ("basics/gears.md", "summary") in cited(state)


async def test_this_chapter_is_the_page_the_learner_reads(services, book, guest):
    text, state = await ask(services, guest, "Summarize this chapter", doc_path="sensing/cameras")
    assert text.startswith("Key points of Chapter 1: Cameras ["), text
    assert ("sensing/cameras.md", "key-takeaways") in cited(state)
    text, _ = await ask(services, guest, "Give me the key points of this page", doc_path="basics/gears.md")
    assert text.startswith("Key points of Chapter 1: Gears and Torque ["), text


async def test_asked_whether_there_is_a_quiz_the_answer_says_where_and_offers_one(services, book, guest):
    text, state = await ask(services, guest, "Is there a quiz on batteries?")
    assert state["route"] == "answer"
    assert "Chapter 2: Batteries has a quiz or assessment: **Self-Check**" in text, text
    assert text.endswith('Ask "Quiz me on batteries" and I will quiz you with questions from the book.')
    assert ("basics/batteries.md", "self-check") in cited(state)
    assert "Question 1 of" not in text, "no quiz started"
    _, state = await ask(services, guest, "Quiz me on batteries")
    assert state["route"] == "tutor"


async def test_a_project_named_with_tell_me_about_is_described(services, book, guest):
    text, state = await ask(services, guest, "Tell me about the parking sensor project")
    assert "**Project: Build a Parking Sensor**" in text, text
    assert "Build a sensor that beeps faster as a rover backs towards a wall" in text
    assert cited(state) == {("sensing/sonar.md", "project-build-a-parking-sensor")}
