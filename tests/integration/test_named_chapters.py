"""Questions that name a chapter or module by its title or its folder's sidebar label, or "this chapter",
through the real graph (tests/fixtures/chapters_book: a "Module 1: Foundations" folder, a "Sensors" folder of
three pages all titled "Sensors: ...", one with ```quiz blocks, and a page of its own)."""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("chapters_book", book_id="rover", title="Rover", quizzes=True)
ask = partial(ask_offline, book_id="rover")


@pytest.mark.parametrize("question", ["Summarize this chapter", "What are the key takeaways of this chapter?"])
async def test_this_chapter_with_no_page_in_view_asks_which_chapter(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert state["route"] == "answer" and not state["abstained"]
    assert text.startswith("Which chapter do you mean?"), text
    for chapter in ("Module 1: Foundations [", "Sensors [", "Driving the Rover ["):
        assert f"- {chapter}" in text, text
    assert "Key points" not in text and "Every chapter opens" not in text, "no page summarized"


async def test_this_chapter_with_a_page_in_view_is_that_page(services, book, guest):
    text, state = await ask(services, guest, "Summarize this chapter", doc_path="sensors/sonar-ranging")
    assert text.startswith("Key points of Sensors: Sonar Ranging ["), text
    assert "- Sonar measures distance from the time an echo takes to return." in text
    assert ("sensors/sonar-ranging.md", "summary") in cited_sections(state)


async def test_a_chapter_name_several_pages_share_gives_each_pages_points(services, book, guest):
    text, state = await ask(services, guest, "Summarize the sensors chapter")
    assert text.startswith("Key points of Sensors:"), text
    for point in (
        "Sensors: Wheel Encoders: An encoder counts ticks as the wheel turns.",
        "Sensors: Bump Switches: A bump switch reports contact with an obstacle.",
        "Sensors: Sonar Ranging: Sonar measures distance from the time an echo takes to return.",
    ):
        assert point in text, text
    cited = cited_sections(state)
    for page in ("wheel-encoders", "bump-switches", "sonar-ranging"):
        assert (f"sensors/{page}.md", "summary") in cited, cited


async def test_a_module_is_found_by_its_folders_label(services, book, guest):
    text, state = await ask(services, guest, "What does the Foundations module cover?")
    assert text.startswith("Key points of Module 1: Foundations:"), text
    assert "What Is a Rover: A rover carries its own power, sensors and computer." in text
    assert "Working Safely: Never let battery terminals touch." in text
    assert "Sensors" not in text.replace("sensors and computer", ""), "no other module's pages"
    assert {("basics/what-is-a-rover.md", "summary"), ("basics/working-safely.md", "summary")} <= cited_sections(state)


async def test_a_chapters_quiz_blocks_are_its_quiz(services, book, guest):
    text, state = await ask(services, guest, "What does the wheel encoders chapter's quiz cover?")
    assert "has no exercise" not in text, text
    assert "has a quiz or assessment: **Quiz** [" in text, text
    assert "1. How many ticks does a twenty-slot disc give per revolution?" in text
    assert "2. A wheel of 0.2 m circumference turns 40 ticks on a 20-tick disc. How far did it travel?" in text
    assert "Twenty ticks" not in text and "Two revolutions" not in text, "never the answers"
    assert ("sensors/wheel-encoders.md", "counting-ticks") in cited_sections(state)
