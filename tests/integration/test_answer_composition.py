"""Answers composed from what explains, through the real graph.

The offline answerer, real Postgres, Qdrant Edge and MiniLM over a small course book in another
author's style: a quiz page with lettered options, a lab page with numbered steps and an exercises
section beside the explaining text.
"""

from __future__ import annotations

import re

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_fixture_book

from booktutor.retrieval.search import SearchQuery

pytestmark = pytest.mark.integration
_MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def course(services, tmp_path):
    return await ingest_fixture_book(services, tmp_path, "course_book", book_id="course", title="Course")


async def ask(services, guest, question: str) -> tuple[str, dict]:
    return await ask_offline(services, guest, question, book_id="course")


def assert_numbered_in_order(text: str, state: dict) -> None:
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    used = list(dict.fromkeys(int(n) for n in _MARKER.findall(prose)))
    assert used == list(range(1, len(used) + 1)), "citations are numbered 1..n in order of use"
    assert [c["n"] for c in state["citations"]] == used


async def test_search_hits_say_what_each_chunk_is_for(services, course):
    found = await services.searcher.search(SearchQuery(text="polling loop interrupt", k=10, book_id="course"))
    purposes = {(hit.doc_path, section.heading): hit.purpose for hit in found.hits for section in hit.sections}
    assert purposes[("embedded/quiz.md", "Quiz: Events and Timing")] == "exercise"
    assert purposes[("embedded/events.md", "Exercises")] == "exercise"
    assert purposes[("embedded/lab-interrupt-button.md", "Steps")] == "lab"
    assert purposes[("embedded/events.md", "Polling loops")] == "exposition"
    assert purposes[("embedded/events.md", "Interrupts")] == "exposition"
    polling = next(h for h in found.hits if any(s.heading == "Polling loops" for s in h.sections))
    assert [s.anchor_url.rsplit("#", 1)[-1] for s in polling.sections][-1] == "polling-loops"


async def test_a_comparison_answers_both_sides_and_never_echoes_the_quiz(services, course, guest):
    text, state = await ask(services, guest, "What is the difference between a polling loop and an interrupt?")
    assert "A polling loop checks a device's status register" in text
    assert "An interrupt lets the device signal the processor" in text
    assert "A)" not in text and "?" not in text, "no quiz prompt or option in the answer"
    assert all(c["doc_path"] == "embedded/events.md" for c in state["citations"])
    anchors = {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]}
    assert anchors <= {"polling-loops", "interrupts", "events-and-timing"}
    assert_numbered_in_order(text, state)


async def test_lab_steps_are_not_served_as_the_answer(services, course, guest):
    text, state = await ask(services, guest, "How do interrupts save energy?")
    assert not state["abstained"]
    assert "Connect the push button" not in text and "In this lab" not in text
    assert "sleep or do other work" in text


async def test_a_two_part_question_answers_both_parts(services, course, guest):
    text, state = await ask(services, guest, "What is a watchdog timer and what is its main limitation?")
    assert "hardware counter that resets the microcontroller" in text
    assert "only detects a program that has stopped responding" in text
    assert {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]} == {"watchdog-timers"}
    assert_numbered_in_order(text, state)


async def test_the_opening_never_depends_on_a_sentence_left_out(services, course, guest):
    text, _ = await ask(services, guest, "What is traction loss?")
    assert "This effect is called traction loss" in text
    assert not text.startswith("This effect"), "the antecedent comes first"
    assert text.startswith("Field engineers noticed")


async def test_show_me_the_code_returns_the_code_block(services, course, guest):
    text, state = await ask(services, guest, "Show me the code for a debounce filter")
    assert "```python" in text and "def debounce(samples, settle=5):" in text
    assert any(c["anchor_url"].endswith("#a-debounce-filter-in-code") for c in state["citations"])
    assert "Write a debounce filter" not in text, "the learning objective is not the answer"
    assert_numbered_in_order(text, state)


async def test_a_fact_stated_only_in_code_is_answered_with_its_lines(services, course, guest):
    text, state = await ask(
        services,
        guest,
        "In the press counter example, what happens to a second press that comes too soon after the last one?",
    )
    assert "# A press within 50 ms of the last one is contact bounce: dropped, never counted" in text
    assert "if timestamp_ms - self.last_ms < 50:" in text
    assert "class PressCounter" not in text, "the lines that say it, not the whole example"
    block = re.search(r"From the book \[(\d+)\]:", text)
    assert block is not None
    cited = {c["n"]: c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]}
    assert cited[int(block[1])] == "example-a-press-counter"
    assert_numbered_in_order(text, state)


async def test_a_reason_is_not_answered_with_an_examples_code(services, course, guest):
    text, _ = await ask(services, guest, "Why does a mechanical switch need a debounce filter?")
    assert "bounces for a few milliseconds" in text
    assert "```" not in text


async def test_practice_is_offered_after_the_answer_never_as_it(services, course, guest):
    text, state = await ask(services, guest, "What is the difference between a polling loop and an interrupt?")
    answer, _, practice = text.partition("\n\nPractice: ")
    assert "A polling loop checks a device's status register" in answer
    assert practice, "the quiz or exercises on the topic are offered as practice"
    assert re.search(r"\]\(/docs/embedded/(?:quiz|events#exercises)", practice), practice
    assert "A)" not in text and "Explain why" not in text
    assert all(c["doc_path"] == "embedded/events.md" for c in state["citations"])


async def test_a_yes_no_question_gets_a_direct_lead(services, course, guest):
    text, state = await ask(services, guest, "Does a watchdog timer reset the microcontroller?")
    assert text.startswith("Yes. "), text
    assert "resets the microcontroller" in text
    assert_numbered_in_order(text, state)


async def test_a_question_about_a_drawback_opens_with_the_drawback(services, course, guest):
    text, state = await ask(services, guest, "What are the drawbacks of interrupts?")
    assert text.startswith("The price is complexity"), text
    assert {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]} <= {"interrupts", "events-and-timing"}


async def test_asked_about_the_lab_the_answer_says_what_it_has_you_do(services, course, guest):
    text, state = await ask(services, guest, "What do I build in the interrupt button lab?")
    assert not state["abstained"]
    assert "wire a push button to an interrupt pin" in text
    assert any(c["doc_path"] == "embedded/lab-interrupt-button.md" for c in state["citations"])
    assert_numbered_in_order(text, state)


async def test_asked_which_exercises_the_chapter_has_the_answer_quotes_them(services, course, guest):
    text, state = await ask(services, guest, "Are there any exercises on events and timing?")
    assert not state["abstained"]
    cited = {(c["doc_path"], c["anchor_url"].rsplit("#", 1)[-1]) for c in state["citations"]}
    assert ("embedded/events.md", "exercises") in cited
    assert "A)" not in text, "never a quiz's option list"


async def test_asked_what_the_course_teaches_the_answer_gives_its_objectives(services, course, guest):
    text, state = await ask(services, guest, "What will I learn in this course?")
    assert not state["abstained"]
    assert "Write a debounce filter for a noisy switch" in text or "Configure a watchdog timer" in text
    assert "Continue with" not in text, "a link to the next page is not an answer"
    assert any(c["anchor_url"].endswith("#learning-objectives") for c in state["citations"])


async def test_asked_what_the_course_requires_the_answer_gives_its_prerequisites(services, course, guest):
    text, state = await ask(services, guest, "What are the prerequisites for this course?")
    assert not state["abstained"]
    assert "A breadboard and a push button" in text
    assert any(c["anchor_url"].endswith("#prerequisites") for c in state["citations"])


@pytest.mark.parametrize("question", ["Explain the debounce function", "Explain debounce()"])
async def test_a_function_named_in_the_question_is_shown_with_its_explanation(services, course, guest, question):
    text, state = await ask(services, guest, question)
    assert "def debounce(samples, settle=5):" in text
    assert "accepts a new switch state only after it has stayed the same" in text
    assert {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]} == {"a-debounce-filter-in-code"}


async def test_the_function_of_a_part_is_no_request_for_code(services, course, guest):
    text, _ = await ask(services, guest, "What is the function of a watchdog timer?")
    assert "```" not in text


async def test_a_filler_sentence_from_another_section_must_be_about_the_question(services, course, guest):
    text, state = await ask(services, guest, "What does debounce() do?")
    assert "def debounce(samples, settle=5):" in text
    assert "traction loss" not in text, "the wheel-slip section's definition says nothing about debouncing"
    assert {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]} == {"a-debounce-filter-in-code"}


async def test_a_labs_steps_are_its_numbered_list_and_its_prompt_is_its_intro(services, course, guest):
    text, state = await ask(services, guest, "What do I need for the interrupt button lab?")
    said, _, steps = text.partition("\n\nIts steps:\n")
    assert "It asks: In this lab, you will wire a push button" in said and "Connect the push button" not in said
    assert steps.startswith("- Connect the push button between pin 2 and ground.\n"), steps
    assert "- Compare the printed count with the number of presses." in steps and "- Steps" not in steps
    assert {c["doc_path"] for c in state["citations"]} == {"embedded/lab-interrupt-button.md"}


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("What should I do in step 3 of the lab?", 3),
        ("What's the third step of the exercise?", 3),
        ("step 2 of lab 1", 2),
        ("What is the last step of the interrupt button lab?", 5),
    ],
)
async def test_asked_for_one_step_of_the_lab_the_answer_gives_that_step(services, course, guest, question, number):
    steps = {2: "Enable the internal pull-up resistor", 3: "Attach an interrupt handler", 5: "Compare the printed"}
    text, state = await ask(services, guest, question)
    assert text.startswith(f"**Lab: An Interrupt Button** [1], step {number} of 5: {steps[number]}"), text
    assert "debounce" not in text and "wheel" not in text.lower()
    assert [c["doc_path"] for c in state["citations"]] == ["embedded/lab-interrupt-button.md"]
