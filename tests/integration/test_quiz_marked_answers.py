"""A knowledge check without a quiz heading whose answers are marked on the options (tests/fixtures/checks_book):
a quiz on its chapter asks its questions without the marks and grades them, over HTTP on real Postgres."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.integration.http_helpers import guest_client
from tests.integration.test_tutoring_any_book import _answer_all

from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
CHECKS = Path(__file__).parents[1] / "fixtures/checks_book"
KEYS = {"squeeze its pads": "B", "true or false": "False", "fully on the braking surface": "b"}


@pytest.fixture
async def http(services, ingestor):
    await ingestor.ingest(CHECKS, book_id="checks", title="Bicycles")
    async with guest_client(services, model=ExtractiveModel(embedder=services.embedder)) as client:
        yield client


async def test_a_labelled_check_with_marked_options_is_asked_and_graded(http):
    chapters = (await http.get("/api/v1/books/checks/chapters")).json()["chapters"]
    brakes = next(c["id"] for c in chapters if c["doc_path"] == "brakes.md")
    response = await http.post(
        f"/api/v1/books/checks/chapters/{brakes}/quiz", json={"count": 20, "kinds": ["mcq"], "source": "authored"}
    )
    assert response.status_code == 201, response.text
    quiz = response.json()
    assert quiz["total"] == 3
    assert not [mark for mark in ("✔", "(correct)", "steel cable") if mark in json.dumps(quiz, ensure_ascii=False)]

    def answer_for(current: dict) -> str:
        return next(v for k, v in KEYS.items() if k in current["prompt"].lower())

    results = await _answer_all(http, quiz, answer_for)
    assert [r["verdict"] for r in results] == ["correct"] * 3
