"""LLM-written questions: validated, cached per section, offline fallback; recommend_next."""

from __future__ import annotations

import json
import uuid

import pytest
from ag_ui.core import EventType
from sqlalchemy import select
from tests.integration.test_chat_graph import run_turn

from booktutor.graph.router import IntentRouter
from booktutor.graph.service import ChatService
from booktutor.memory.models import User
from booktutor.memory.tutoring_models import GeneratedQuestionSet, Quiz
from booktutor.memory.users import UserRepository
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn
from booktutor.tutoring.llm_generate import LLM_GENERATOR_VERSION
from booktutor.tutoring.quizzes import QuizService

pytestmark = pytest.mark.integration

GOOD_MCQ = "How is the gear ratio defined?"
GOOD_SHORT = "What happens to the output with a 4:1 gear ratio?"


def _mcq(prompt: str, choices: list[str], correct: int = 0) -> dict:
    return {
        "kind": "mcq",
        "prompt": prompt,
        "choices": choices,
        "correct_choice": correct,
        "reference_answer": "",
        "key_terms": [],
        "explanation": "",
        "source_sentence": "",
    }


PAYLOAD = {
    "questions": [
        _mcq(
            GOOD_MCQ,
            [
                "The number of teeth on the driven gear divided by the teeth on the driving gear",
                "The gap between meshing teeth",
                "The motor speed in revolutions per minute",
                "The efficiency of the gearbox",
            ],
        ),
        {
            "kind": "short",
            "prompt": GOOD_SHORT,
            "choices": [],
            "correct_choice": -1,
            "reference_answer": "It turns four times slower with four times the torque.",
            "key_terms": ["four times slower", "four times the torque"],
            "explanation": "A 4:1 ratio trades speed for torque.",
            "source_sentence": "the output turns four times slower and with four times the torque",
        },
        _mcq(  # unsupported answer: the section never says what the gears are made of
            "What material are the GX-40 gears made of?",
            ["Hardened steel", "Brass", "Nylon", "Aluminium"],
        ),
        _mcq(  # identical distractors
            "What ratio does a 40-tooth gear driven by a 10-tooth pinion give?",
            ["4:1", "1:4", "1:4", "10:1"],
        ),
        {  # duplicate of the good short question
            "kind": "short",
            "prompt": "what happens to the output with a 4:1 gear ratio",
            "choices": [],
            "correct_choice": -1,
            "reference_answer": "It turns four times slower with four times the torque.",
            "key_terms": ["four times slower"],
            "explanation": "",
            "source_sentence": "",
        },
    ]
}


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


@pytest.fixture
async def learner(services, book):
    async with services.db.session() as session, session.begin():
        return (await UserRepository(session).create_guest()).id


async def _quiz_questions(services, quizzes: QuizService, learner) -> list[dict]:
    view = await quizzes.start(learner, "mini", "basics-gears", count=20, source="generated")
    async with services.db.session() as session:
        return (await session.get(Quiz, uuid.UUID(view.id))).questions


async def _cached_sets(services) -> list[GeneratedQuestionSet]:
    async with services.db.session() as session:
        query = select(GeneratedQuestionSet).where(GeneratedQuestionSet.generator == LLM_GENERATOR_VERSION)
        return list((await session.scalars(query)).all())


async def test_only_validated_questions_are_kept_and_cached_per_section(services, learner):
    model = ScriptedModel([Turn(text=json.dumps(PAYLOAD))], repeat_last=True)
    quizzes = QuizService(services, question_model=model)

    questions = await _quiz_questions(services, quizzes, learner)

    assert [(q["style"], q["prompt"]) for q in questions] == [
        ("generated", GOOD_MCQ),
        ("generated", GOOD_SHORT),
    ]
    mcq = questions[0]
    assert mcq["choices"][mcq["answer"]].startswith("The number of teeth on the driven gear")
    assert mcq["heading"] == "Gears and torque"  # the chunk holding the intro and "Gear ratio"
    calls = len(model.calls)
    assert calls == 2 and len(await _cached_sets(services)) == 2  # one per section asked about

    again = await _quiz_questions(services, QuizService(services, question_model=model), learner)
    assert [q["id"] for q in again] == [q["id"] for q in questions]
    assert len(model.calls) == calls  # served from the per-section cache


async def test_a_failing_model_falls_back_to_offline_generation(services, learner):
    model = ScriptedModel([Turn(error=RuntimeError("provider down"))], repeat_last=True)
    quizzes = QuizService(services, question_model=model)

    questions = await _quiz_questions(services, quizzes, learner)

    assert model.calls, "the model was asked"
    assert questions and {q["style"] for q in questions} <= {"definition", "cloze"}
    assert await _cached_sets(services) == []  # a failure is not cached: the next request retries


async def test_the_answer_agent_can_recommend_what_to_study_next(services, book, learner):
    async with services.db.session() as session:
        user = await session.get(User, learner)
    model = ScriptedModel([Turn(tool_calls=[ToolCall("recommend_next", {})]), Turn(text="Start with backlash.")])
    chat = ChatService(services, model, IntentRouter(services.embedder), quizzes=QuizService(services, model))
    events, _ = await run_turn(chat, user, "After this, what should I study?", selected_text="Backlash is a gap.")
    assert "recommend_next" in model.calls[0].tool_names
    results = [e for e in events if e.type == EventType.TOOL_CALL_RESULT]
    recommendation = json.loads(results[0].content)["recommendation"]  # a new learner: chapter 1
    assert (recommendation["chapter_key"], recommendation["reason"]) == (
        "intro",
        "Start with the first chapter.",
    )

    offline = ExtractiveModel(embedder=services.embedder)
    chat = ChatService(services, offline, IntentRouter(services.embedder))
    events, _ = await run_turn(chat, user, "What is backlash?", selected_text="Backlash is a gap.")
    calls = [e.tool_call_name for e in events if e.type == EventType.TOOL_CALL_START]
    assert calls == ["search_book"]
