""" "Quiz me" on a page without questions of its own (a glossary whose every term a chapter teaches) starts a
quiz where the learner can practise instead of refusing: over HTTP, real Postgres, the offline tutor."""

from __future__ import annotations

import pytest
from tests.integration.http_helpers import guest_client
from tests.integration.offline_answers import ingest_pages
from tests.integration.test_tutoring_any_book import _chat
from tests.unit.test_glossary_quiz_questions import GEARS

from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration

GLOSSARY = """---
title: Glossary
---

# Glossary

- **Backlash**: The gap between meshing teeth that lets an output shaft wobble.
- **Gear ratio**: The number of driven teeth divided by the number of driving teeth.
"""


@pytest.fixture
async def http(services, tmp_path):
    await ingest_pages(services, tmp_path, {"gears.md": GEARS, "glossary.md": GLOSSARY}, book_id="workshop")
    async with guest_client(services, model=ExtractiveModel(embedder=services.embedder)) as client:
        yield client


async def test_quiz_me_on_a_page_without_questions_practises_where_the_book_teaches(http):
    chapters = {c["doc_path"]: c["id"] for c in (await http.get("/api/v1/books/workshop/chapters")).json()["chapters"]}
    reply, state = await _chat(http, "quiz me", "t-glossary", doc_path="glossary.md")
    assert reply.startswith("This page has no questions of its own, so let's practise on"), reply
    assert "Question 1 of" in reply and state["quiz"]["chapter_id"] == chapters["gears.md"]

    reply, state = await _chat(http, "quiz me", "t-gears", doc_path="gears.md")
    assert reply.startswith("Let's practise! Question 1 of"), reply
    assert state["quiz"]["chapter_id"] == chapters["gears.md"]
