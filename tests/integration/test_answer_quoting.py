"""Which sentences an answer quotes, through the real graph: the explaining prose rather than table rows
that share the question's words, and the sentences that carry the opening's explanation on.

The offline answerer, real Postgres, Qdrant Edge and MiniLM over a small project-written rover handbook.
"""

from __future__ import annotations

import re

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline, ingest_fixture_book

pytestmark = pytest.mark.integration
_MARKER = re.compile(r"\s*\[\d+\]")


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def handbook(services, tmp_path):
    return await ingest_fixture_book(services, tmp_path, "quoting_book", book_id="rover", title="Rover")


async def ask(services, guest, question: str) -> tuple[str, dict]:
    return await ask_offline(services, guest, question, book_id="rover")


async def test_a_why_question_is_answered_by_the_prose_not_by_table_rows(services, handbook, guest):
    text, state = await ask(services, guest, "Why does a gearbox raise the torque a motor gives?")
    assert not state["abstained"]
    assert "A gearbox trades shaft speed for torque." in text
    assert "larger turning force" in text, "the reason that follows the claim"
    assert "Brushed DC" not in text and "Stepper" not in text and "Cost:" not in text, "no table row"
    assert {c["anchor_url"].rsplit("#", 1)[-1] for c in state["citations"]} == {"why-a-gearbox-raises-torque"}


async def test_a_table_row_answers_a_question_about_its_own_row(services, handbook, guest):
    text, state = await ask(services, guest, "What torque does a stepper motor give?")
    assert "Stepper — Torque: High when holding still" in text
    assert any(c["anchor_url"].endswith("#motor-types-at-a-glance") for c in state["citations"])


async def test_the_opening_is_followed_by_the_sentences_that_explain_it(services, handbook, guest):
    text, state = await ask(services, guest, "What is dead reckoning?")
    prose = _MARKER.sub("", text)
    assert prose.startswith("Dead reckoning estimates a rover's position by adding up its own measured motions")
    opening = "Dead reckoning estimates a rover's position by adding up its own measured motions from a known start."
    assert f"{opening} Because every small error in those measurements is added in as well" in prose, (
        "the next sentence of the paragraph carries the explanation on"
    )
    assert all(c["doc_path"] == "navigation/odometry.md" for c in state["citations"])
