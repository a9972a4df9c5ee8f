"""Asked about an activity by its number ("help with activity 2"), the offline tutor shows that activity: its
prompt, what to hand in and its steps, whether the book heads it "Try it — Activity 2" or wraps it in an
`<Activity number={3} title="...">` component. Asked about "lesson 2.1", it reads that lesson, not every lesson
of unit 2. (tests/fixtures/network_course)
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("network_course", book_id="net", title="Connected Sensors 101")
ask = partial(ask_offline, book_id="net")


async def test_help_with_an_activity_by_its_number_shows_that_activity(services, book, guest):
    text, state = await ask(services, guest, "help with activity 2")
    assert "Activity 2: Echo a datagram" in text and "Record the distance" in text, text
    assert "Activity 4" not in text and "Activity 3" not in text, text
    assert cited_sections(state) == {("unit-1/lesson-1-2-udp-or-tcp.mdx", "try-it--activity-2-echo-a-datagram")}


async def test_what_to_hand_in_for_an_activity_is_quoted_from_it(services, book, guest):
    text, state = await ask(services, guest, "What do I hand in for Activity 1?")
    assert "A screenshot of your capture with the UDP header highlighted" in text, text
    assert "Activity 2" not in text and "Activity 1 to Activity 5" not in text, text


async def test_an_activity_component_is_a_section_of_its_own(services, book, guest):
    text, state = await ask(services, guest, "help with activity 3")
    assert "Activity 3: Two subscribers, one publisher" in text and "a screenshot of both terminals" in text, text
    anchor = "activity-3-two-subscribers-one-publisher"
    assert cited_sections(state) == {("unit-2/lesson-2-1-publish-subscribe.mdx", anchor)}


@pytest.mark.parametrize("question", ["Summarize lesson 2.1", "lesson 2.1"])
async def test_a_lesson_numbered_2_1_is_not_lesson_2_2(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert "Lesson 2.1 — Publish/Subscribe with MQTT" in text, text
    assert {page for page, _ in cited_sections(state)} == {"unit-2/lesson-2-1-publish-subscribe.mdx"}


@pytest.mark.parametrize(
    "question", ["What are the learning objectives of lesson 2.1?", "What are the objectives of lesson 2.1?"]
)
async def test_a_lessons_objectives_component_lists_its_objectives(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"], text
    assert "Design a topic hierarchy for a building full of sensors." in text, text
    assert cited_sections(state) == {("unit-2/lesson-2-1-publish-subscribe.mdx", "objectives")}, cited_sections(state)


async def test_a_bold_objectives_line_before_a_list_lists_the_lessons_objectives(services, book, guest):
    text, state = await ask(services, guest, "What are the learning objectives of lesson 3.1?")
    assert not state["abstained"], text
    assert "Estimate battery life for a given reporting interval." in text, text
    assert cited_sections(state) == {("unit-3/lesson-3-1-power-budget.mdx", "learning-objectives")}, text


async def test_the_exercises_of_a_lesson_whose_practice_is_an_activity_are_that_activity(services, book, guest):
    text, state = await ask(services, guest, "What exercises does the power budget lesson have?")
    assert "has no exercise" not in text and "**Try it — Activity 5: Measure your duty cycle**" in text, text
