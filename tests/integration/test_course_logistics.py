"""Asked how a graded project is marked, handed in or penalised when late, the offline tutor quotes the
assessment page's rubric, submission and late-policy sections: they inform, they set no question, even on a page
named as an assessment. Such an assessment, work handed in and marked with a rubric, is the course's project.
(tests/fixtures/network_course)
"""

from __future__ import annotations

from functools import partial

import pytest
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("network_course", book_id="net", title="Connected Sensors 101")
ask = partial(ask_offline, book_id="net")

PROJECT = "assessment/greenhouse-node.mdx"


async def test_the_late_policy_is_quoted_from_the_assessment_page(services, book, guest):
    text, state = await ask(services, guest, "What happens if I submit the project late?")
    assert not state["abstained"] and "lose 10% of the project grade" in text, text
    assert (PROJECT, "late-submissions") in cited_sections(state)


async def test_the_pass_mark_is_quoted_from_the_rubric(services, book, guest):
    text, state = await ask(services, guest, "What is the passing score for the project?")
    assert not state["abstained"] and "weighted score of 2.5 to pass" in text, text
    assert (PROJECT, "rubric") in cited_sections(state)


async def test_a_placeholder_in_a_code_span_is_quoted_whole(services, book, guest):
    text, state = await ask(services, guest, "What topics must my greenhouse node publish to?")
    assert "`greenhouse/<your-name>/temperature`" in text, text
    assert (PROJECT, "requirements") in cited_sections(state)


async def test_what_to_submit_is_quoted_with_its_due_date(services, book, guest):
    text, state = await ask(services, guest, "What do I submit for the project?")
    assert "no project" not in text and "Friday of week 10 at" in text and "greenhouse-<your-name>.zip" in text, text
    assert (PROJECT, "what-to-submit") in cited_sections(state)


async def test_a_graded_assessment_handed_in_with_a_rubric_is_the_courses_project(services, book, guest):
    text, state = await ask(services, guest, "What projects are there?")
    assert "no project" not in text and "The course has a project: **Graded Assessment — The Greenhouse Node**" in text
    assert {page for page, _ in cited_sections(state)} == {PROJECT}, state["citations"]


@pytest.mark.parametrize("question", ["Can I work with a partner on the project?", "Is the project a group project?"])
async def test_whether_i_may_work_with_others_is_the_pages_rule(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"] and text.startswith("Work alone; you may discuss ideas with classmates"), text
    assert "48 hours" not in text and "firmware/" not in text, text  # the page's other rules do not answer
    assert {page for page, _ in cited_sections(state)} == {PROJECT}, state["citations"]


@pytest.mark.parametrize(
    "question", ["When is the Greenhouse Node project due?", "When do I have to submit the project?"]
)
async def test_when_the_project_is_due_is_the_sentence_that_gives_its_deadline(services, book, guest, question):
    text, state = await ask(services, guest, question)
    assert not state["abstained"] and "by Friday of week 10 at 17:00" in text, text
    assert "(60%)" not in text and "48 hours" not in text, text  # what the project is worth, its other rules
    assert cited_sections(state) == {(PROJECT, "what-to-submit")}, state["citations"]
