"""Asked how a graded project is marked, handed in or penalised when late, the offline tutor quotes the
assessment page's rubric, submission and late-policy sections: they inform, they set no question, even on a page
named as an assessment. (tests/fixtures/network_course)
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
