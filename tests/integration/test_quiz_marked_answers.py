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


CHAIN_ANSWERS = {
    "checker gauge measure": "B",
    "skip on a worn cassette": "Its rollers ride up the hooked teeth instead of seating between them.",
    "where should chain oil go": "B",
    "wipe the outside": "Oily plates pick up grit, and the grit wears the links down.",
    "holds the links": "Steel pins, each one turning inside a bushing.",
    "what stretch": "B",
    "stretched chain do": "B",
}
CHAIN_KEYS = ["✓", "✔", "(correct)", "ride up the hooked teeth", "Oily plates", "each one turning", "Answer key"]


async def _chapter(http, doc_path: str) -> str:
    chapters = (await http.get("/api/v1/books/checks/chapters")).json()["chapters"]
    return next(c["id"] for c in chapters if c["doc_path"] == doc_path)


async def test_answers_in_boxes_and_folds_grade_the_questions_above_them(http):
    chains = await _chapter(http, "chains.md")
    response = await http.post(
        f"/api/v1/books/checks/chapters/{chains}/quiz",
        json={"count": 20, "kinds": ["mcq", "short"], "source": "authored"},
    )
    assert response.status_code == 201, response.text
    quiz = response.json()
    assert quiz["total"] == len(CHAIN_ANSWERS)
    assert not [key for key in CHAIN_KEYS if key in json.dumps(quiz, ensure_ascii=False)]

    def answer_for(current: dict) -> str:
        return next(v for k, v in CHAIN_ANSWERS.items() if k in current["prompt"].lower())

    results = await _answer_all(http, quiz, answer_for)
    assert [r["verdict"] for r in results] == ["correct"] * len(CHAIN_ANSWERS)


async def test_a_learners_personalized_chapter_shows_no_check_keys_or_answer_boxes(http):
    for doc_path, keys in (("chains.md", CHAIN_KEYS), ("brakes.md", ["✔", "(correct)", "pushes its pads with oil"])):
        chapter = await _chapter(http, doc_path)
        for level in ("beginner", "advanced"):
            response = await http.get(f"/api/v1/books/checks/chapters/{chapter}/personalized", params={"level": level})
            assert response.status_code == 200, response.text
            text = response.json()["markdown"]
            assert not [key for key in keys if key in text], (doc_path, level, text)
            assert "Knowledge check" not in text and "Check your understanding" not in text
            assert "A chain wears by stretching" in text or "Disc brakes keep their grip" in text
    plain = (await http.get(f"/api/v1/books/checks/chapters/{await _chapter(http, 'chains.md')}")).json()["markdown"]
    assert not [key for key in CHAIN_KEYS if key in plain] and "Wipe the outside\nafterwards" in plain
