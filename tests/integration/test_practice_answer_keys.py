"""Asked for the answer to one of the book's own quiz questions or exercises, the offline tutor shows the question
(its text and options, cited to its section) and invites the learner to try it in a chat quiz, which grades it
and gives hints; it never gives the answer key, a checked option, an "Answer:" line or a <details> model answer.
A question about the exercise's topic is still answered from the book. (tests/fixtures/workshop_book)
"""

from __future__ import annotations

import json
import uuid
from functools import partial

import pytest
from tests.integration.http_helpers import app_client
from tests.integration.offline_answers import ask_offline, cited_sections, fixture_book_fixtures, ingest_pages

from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration


services, book = fixture_book_fixtures("workshop_book", book_id="workshop", title="Workshop")
ask = partial(ask_offline, book_id="workshop")

QUIZ_KEY = ["48 / 12", "driven teeth divided", "Answer key"]
EXERCISE_ANSWERS = ["matching grooves", "grinding noise", "Model answer", "model answer"]


async def test_a_quiz_questions_answer_shows_that_question_and_offers_the_quiz(services, book, guest):
    text, state = await ask(services, guest, "What is the answer to question 2 of the module quiz?")
    assert not state["abstained"]
    assert "2. What does backlash in a gear train cause in a robot arm?" in text
    options = [text.find(f"{letter}) {option}") for letter, option in zip("ABCD", BACKLASH_OPTIONS, strict=True)]
    assert -1 not in options and options == sorted(options), text
    assert "A pinion with 12 teeth" not in text, "the asked question alone"
    assert 'say "Quiz me on Module Quiz"' in text
    assert cited_sections(state) == {("drives/drives-quiz.md", "module-quiz-power-transmission")}
    assert not any(key in text for key in QUIZ_KEY)


async def test_the_last_question_of_the_quiz_is_the_quiz_pages_last(services, book, guest):
    text, _ = await ask(services, guest, "What's the answer to the last question of the quiz?")
    assert "The last question of **Module Quiz**" in text
    assert "4. True or false: timing belts need regular lubrication." in text
    assert "backlash" not in text and not any(key in text for key in QUIZ_KEY)


BACKLASH_OPTIONS = ["Higher efficiency", "Wobble around the target position", "Faster output speed", "Lower torque"]


async def test_the_answer_key_is_never_shown_only_the_questions(services, book, guest):
    text, state = await ask(services, guest, "Show me the answer key of the power transmission quiz")
    prompts = ["gear ratio?", "backlash in a gear train", "heavier radial loads", "timing belts need regular"]
    positions = [text.find(prompt) for prompt in prompts]
    assert -1 not in positions and positions == sorted(positions), text
    assert not any(key in text for key in QUIZ_KEY)
    assert "Welcome to the Workshop" not in text and "This short course" not in text


async def test_exercises_are_shown_without_their_model_answers(services, book, guest):
    text, state = await ask(services, guest, "What are the answers to the exercises on belts and bearings?")
    assert not state["abstained"]
    assert "1. Explain why a timing belt does not slip on its pulleys." in text
    assert "2. Name one sign that a bearing needs replacing." in text
    assert not any(answer in text for answer in EXERCISE_ANSWERS), text
    assert 'say "Quiz me on Belts and Bearings"' in text
    assert cited_sections(state) == {("drives/belts-and-bearings.md", "exercises")}


async def test_a_lessons_checked_option_and_answer_lines_stay_hidden(services, book, guest):
    text, _ = await ask(
        services, guest, "What are the answers to the check your understanding questions on gear trains?"
    )
    assert "1. What is the smaller of two meshing spur gears called?" in text and "B) The pinion" in text
    assert "[x]" not in text and "Answer:" not in text and "False" not in text.split("direction.")[1][:20]
    assert "multiplies the motor torque" not in text


async def test_a_question_about_an_exercises_topic_is_answered_from_the_book(services, book, guest):
    text, state = await ask(services, guest, "How does a timing belt work?")
    assert not state["abstained"]
    assert "toothed belt that engages matching pulleys" in text
    assert "I will not give the answer away" not in text


async def _chat(services, text: str, book_id: str) -> str:
    async with app_client(services, model=ExtractiveModel(embedder=services.embedder)) as http:
        http.headers["X-Guest-Token"] = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        run = {
            "threadId": f"t-{uuid.uuid4().hex[:8]}",
            "runId": f"r-{uuid.uuid4().hex[:8]}",
            "messages": [{"id": f"m-{uuid.uuid4().hex[:8]}", "role": "user", "content": text}],
            "forwardedProps": {"book_id": book_id},
        }
        response = await http.post("/api/v1/agent/run", json=run)
    assert response.status_code == 200, response.text
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")


async def test_the_offered_quiz_starts_on_the_page(services, book):
    text = await _chat(services, "Quiz me on Module Quiz", "workshop")
    assert text.startswith("Let's practise!"), text
    assert "A pinion with 12 teeth drives a wheel with 48 teeth" in text, "the quiz page's own questions"


def _lesson(title: str, sentence: str, question: str, right: str, wrong: str) -> str:
    body = " ".join([sentence] * 4)
    return f"# {title}\n\n{body}\n\n## Quiz\n\n1. {question}\n   - [x] {right}\n   - [ ] {wrong}\n"


async def test_a_chapter_titled_with_its_number_is_quizzed_by_its_title(services, tmp_path):
    pages = {
        "a-belts.md": _lesson(
            "Chapter 2: Belt Drives",
            "A belt drive carries power between two pulleys.",
            "What links the pulleys?",
            "A belt",
            "A spring",
        ),
        "b-springs.md": _lesson(
            "Springs",
            "A coil spring stores energy when it is compressed.",
            "What stores energy?",
            "A coil spring",
            "A pulley",
        ),
    }
    await ingest_pages(services, tmp_path, pages, book_id="titled")
    text = await _chat(services, "Quiz me on Chapter 2: Belt Drives", "titled")
    assert text.startswith("Let's practise!"), text
    assert "What stores energy?" not in text, "the chapter titled 'Chapter 2', not the second chapter"
