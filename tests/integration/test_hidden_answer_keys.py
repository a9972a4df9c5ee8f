"""What any model or answerer is given of the book's practice: its questions, options and prompts, never their
answer keys or worked solutions (a checked box, a ✓ after an option, an "Answer:" line, a <details> solution, an
answer key's section), each omission marked so the model can point to the quiz; explanations that are not answer
keys are kept. Through the real tools and graph, with a scripted model at the model boundary that records what
it was given. (tests/fixtures/workshop_book, tests/fixtures/keys_book)
"""

from __future__ import annotations

import json

import pytest
from tests.integration.offline_answers import ask_offline, fixture_book_fixtures, ingest_fixture_book

from booktutor.extractive.practice_keys import ANSWER_HIDDEN
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn
from booktutor.tools.book import search_book_results
from booktutor.tools.context import ToolContext

pytestmark = pytest.mark.integration

services, book = fixture_book_fixtures("workshop_book", book_id="workshop", title="Workshop")

WORKSHOP_KEYS = [
    "[x]",
    "48 / 12",
    "driven teeth divided",
    "matching grooves",
    "grinding noise",
    "multiplies the motor torque",
    "Answer: False",
]
WORKSHOP_QUESTIONS = [
    "What is the smaller of two meshing spur gears called?",
    "The pinion",
    "What is the gear ratio?",
    "Explain why a timing belt does not slip on its pulleys.",
    "Name one sign that a bearing needs replacing.",
]
PULLEY_KEYS = [
    "✓",
    "The pull is 200 N",
    "600 N / 3",
    "crushes the inner ones",
    "needs a pull of 200 N",
    "Count the segments",
]


async def _model_input(services, guest, question: str, *calls: ToolCall) -> str:
    """Everything the scripted model was given on its second call, after its tool calls ran."""
    model = ScriptedModel([Turn(tool_calls=list(calls)), Turn(text="Try the quiz on the page [1].")])
    await ask_offline(services, guest, question, model=model, book_id="workshop")
    return json.dumps(model.calls[1].input, ensure_ascii=False)


async def test_a_model_is_given_the_questions_and_options_but_not_their_keys(services, book, guest):
    seen = await _model_input(
        services,
        guest,
        "What are the answers to the gear trains questions?",
        ToolCall("search_book", {"query": "answers to the check your understanding questions on gear trains"}),
        ToolCall("get_section", {"doc_path": "drives/drives-quiz.md", "anchor": "answer-key"}),
        ToolCall("get_section", {"doc_path": "drives/belts-and-bearings.md", "anchor": "exercises"}),
    )
    assert all(question in seen for question in WORKSHOP_QUESTIONS), seen
    assert not [key for key in WORKSHOP_KEYS if key in seen], seen
    assert ANSWER_HIDDEN in seen


@pytest.fixture
async def pulleys(services, tmp_path):
    return await ingest_fixture_book(services, tmp_path, "keys_book", book_id="pulleys", title="Pulleys")


async def _texts(services, question: str) -> str:
    payload = await search_book_results(ToolContext(services=services, user_id=None, book_id="pulleys"), question)
    return "\n".join(str(result["text"]) for result in payload["results"])


async def test_explanations_that_are_not_answer_keys_are_kept(services, pulleys):
    texts = await _texts(services, "Where does the quarter of the force in a block and tackle come from?")
    assert "force times distance stays the same on both sides" in texts, "a <details> fold that explains"
    texts = await _texts(services, "What are the solutions to rope wear on a small sheave?")
    assert "at least ten times the rope's diameter" in texts, "a 'Solutions' section of the lesson"


async def test_check_marks_and_worked_solutions_are_hidden_from_the_tools(services, pulleys):
    texts = await _texts(services, "knowledge check: what does a single fixed pulley change?")
    assert "B) The direction of the pull" in texts and "✓" not in texts
    texts = await _texts(services, "What force lifts a 600 N crate with three supporting segments?")
    assert "A crate weighing 600 N hangs from a tackle" in texts and ANSWER_HIDDEN in texts
    assert not [key for key in PULLEY_KEYS if key in texts], texts
    texts = await _texts(services, "Answers to the pulley exercises: the crate and the rope wear")
    assert "Answers to the Pulley Exercises" in texts and "needs a pull of 200 N" not in texts, "an answer key's page"


@pytest.mark.parametrize(
    "question",
    [
        "What are the answers to the pulley exercises?",
        "Give me the answer key for the pulleys",
        "What pull lifts a 600 N crate on three supporting segments?",
        "What is the answer to the question about rope wear on a small sheave?",
    ],
)
async def test_the_offline_answerer_never_quotes_a_key(services, pulleys, guest, question):
    """Its practice answer lists the exercises' prompts, not a worked solution's numbered steps; its other
    answers quote the lessons and link the exercises, never the answer key's page."""
    text, _ = await ask_offline(services, guest, question, book_id="pulleys")
    assert not [key for key in PULLEY_KEYS if key in text], text
    assert "pulley-answers" not in text
