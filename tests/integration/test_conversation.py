"""Conversation behaviours through the real graph with the offline answerer: follow-ups resolved
against the thread, greetings and thanks, nearest sections in the learner's language, and answers
about a highlighted passage. Postgres, Qdrant (local mode) and MiniLM are real."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from ag_ui.core import EventType, RunAgentInput, UserMessage

from booktutor.graph.router import IntentRouter
from booktutor.graph.service import ChatService
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
BOOK = Path(__file__).parents[1] / "fixtures" / "conversation_book"
SEA_PASSAGE = (
    "A series elastic actuator places a spring between the motor's gearbox and the joint it drives. "
    "The controller measures the force on the joint from how far the spring deflects."
)


@pytest.fixture
async def chat(services, ingestor, tmp_path) -> ChatService:
    shutil.copytree(BOOK, tmp_path / "book")
    await ingestor.ingest(tmp_path / "book", book_id="robots", title="Robots")
    return ChatService(services, ExtractiveModel(embedder=services.embedder), IntentRouter(services.embedder))


class Thread:
    """One conversation: each `ask` is a run of the graph on the same thread."""

    def __init__(self, chat: ChatService, user) -> None:
        self.chat, self.user, self.id = chat, user, f"t-{uuid.uuid4().hex[:8]}"

    async def ask(self, text: str, **props) -> tuple[str, dict]:
        request = RunAgentInput(
            thread_id=self.id,
            run_id=f"r-{uuid.uuid4().hex[:8]}",
            messages=[UserMessage(id=f"m-{uuid.uuid4().hex[:8]}", role="user", content=text)],
            state={},
            tools=[],
            context=[],
            forwarded_props={"book_id": "robots", **props},
        )
        await self.chat.prepare(request, self.user)
        events = [event async for event in self.chat.stream(request, self.user)]
        text_out = "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)
        state = [e for e in events if e.type == EventType.STATE_SNAPSHOT][-1].snapshot
        return text_out, state


def cited_anchors(state: dict) -> set[str]:
    return {c["anchor_url"] for c in state["citations"]}


async def test_a_follow_up_is_answered_about_the_previous_turns_topic(chat, guest):
    thread = Thread(chat, guest)
    first, _ = await thread.ask("What is a series elastic actuator?")
    assert "spring" in first

    answer, state = await thread.ask("What are its disadvantages?")

    assert state["abstained"] is False
    assert "bandwidth" in answer, answer
    assert "drift" not in answer, "the IMU's disadvantage is not the actuator's"
    assert cited_anchors(state) and all(url.startswith("/docs/actuators") for url in cited_anchors(state))


async def test_a_chain_of_follow_ups_keeps_the_topic(chat, guest):
    thread = Thread(chat, guest)
    await thread.ask("What is an inertial measurement unit?")
    await thread.ask("How does it work?")

    answer, state = await thread.ask("What is its main disadvantage?")

    assert "drift" in answer, answer
    assert all(url.startswith("/docs/sensors") for url in cited_anchors(state))


async def test_and_what_about_asks_the_previous_question_of_a_new_subject(chat, guest):
    thread = Thread(chat, guest)
    await thread.ask("What is an optical encoder?")

    answer, state = await thread.ask("And a hydraulic actuator?")

    assert "piston" in answer or "oil" in answer, answer
    assert any(url.startswith("/docs/actuators") for url in cited_anchors(state))


async def test_a_first_question_with_a_pronoun_is_not_rewritten(chat, guest):
    answer, state = await Thread(chat, guest).ask("What is an optical encoder and how does it measure angles?")

    assert state["abstained"] is False
    assert "slots" in answer


@pytest.mark.parametrize("greeting", ["hi", "Hello!", "thanks!", "what can you do?", "Good morning, how are you?"])
async def test_greetings_and_thanks_get_a_friendly_reply_not_an_abstention(chat, guest, greeting):
    answer, state = await Thread(chat, guest).ask(greeting)

    assert state["route"] == "smalltalk" and state["abstained"] is False
    assert "does not cover" not in answer
    for ability in ("citing", "highlight", "quiz", "Urdu"):
        assert ability in answer, (ability, answer)


async def test_a_greeting_in_urdu_is_answered_in_urdu(chat, guest):
    answer, state = await Thread(chat, guest).ask("السلام علیکم")

    assert state["route"] == "smalltalk"
    assert "ٹیوٹر" in answer and "I'm the tutor" not in answer


async def test_a_greeting_with_a_question_is_answered(chat, guest):
    answer, state = await Thread(chat, guest).ask("Hi, what is a hydraulic actuator?")

    assert state["route"] == "answer" and "piston" in answer


async def test_nearest_sections_are_in_the_learners_language(chat, guest):
    answer, state = await Thread(chat, guest).ask("How do series elastic actuators compare with magnetic gears?")

    if state["abstained"]:
        assert "/ur/" not in answer, "an English learner is not sent to Urdu sections"
    question = "What torque does a series elastic actuator's spring give in newton metres per radian?"
    answer, state = await Thread(chat, guest).ask(question)
    assert "/ur/" not in answer


async def test_selection_answer_opens_with_the_passage_and_links_its_section(chat, guest):
    answer, state = await Thread(chat, guest).ask(
        "What is the downside of this design?", selected_text=SEA_PASSAGE, doc_path="actuators.md"
    )

    assert state["abstained"] is False
    first_sentence = answer.split("[", 1)[0].strip()
    assert first_sentence and first_sentence in SEA_PASSAGE, answer
    selection = next(c for c in state["citations"] if c["n"] == 1)
    assert selection["anchor_url"].startswith("/docs/actuators"), "the passage links to its page"
    assert selection["chapter_title"] == "Actuators"


GRIPPERS = """---
title: Grippers
---

A gripper is the hand at the end of a robot arm.

## Gripper actions

Grasping is a long-running task that needs feedback and the ability to cancel. A gripper action suits it well.

## Finger design

Soft fingers bend around objects of odd shapes. Rigid fingers hold tools more precisely.
Many grippers use two parallel fingers driven by one motor.

## What the gripper reports

The gripper sends the current finger width and the measured grip force while the fingers close.
It stops early when the force limit is reached.
"""
CAMERAS = """---
title: Cameras
---

## Visual servoing

A camera gives feedback on where the object sits in the gripper, so the arm can correct its approach.
"""
GRASP_PASSAGE = (
    "Grasping is a long-running task that needs feedback and the ability to cancel. A gripper action suits it well."
)


@pytest.fixture
async def grippers_chat(services, ingestor, tmp_path) -> ChatService:
    (tmp_path / "grippers" / "docs").mkdir(parents=True)
    (tmp_path / "grippers" / "docs" / "grippers.md").write_text(GRIPPERS)
    (tmp_path / "grippers" / "docs" / "cameras.md").write_text(CAMERAS)
    await ingestor.ingest(tmp_path / "grippers", book_id="grippers", title="Grippers")
    return ChatService(services, ExtractiveModel(embedder=services.embedder), IntentRouter(services.embedder))


@pytest.mark.parametrize("page", [{"doc_path": "grippers.md"}, {}])
async def test_selection_answer_goes_on_with_what_its_page_says(grippers_chat, guest, page):
    thread = Thread(grippers_chat, guest)
    answer, state = await thread.ask(
        "What feedback does the gripper action send while grasping?",
        selected_text=GRASP_PASSAGE,
        book_id="grippers",
        **page,
    )

    assert answer.split("[", 1)[0].strip() in GRASP_PASSAGE, answer
    assert "finger width" in answer, answer
    assert "camera" not in answer.lower(), "another page's feedback is not the gripper action's"
    assert {c["doc_path"] for c in state["citations"]} <= {"", "grippers.md"}
    passage = next(c for c in state["citations"] if c["n"] == 1)
    if page:  # the page's short sections share a chunk: the passage links to its own section
        assert passage["anchor_url"] == "/docs/grippers#gripper-actions", passage
        assert passage["heading"] == "Gripper actions"


async def test_selection_without_a_doc_path_still_cites_the_passage(chat, guest):
    answer, state = await Thread(chat, guest).ask("Explain this", selected_text=SEA_PASSAGE)

    assert answer.startswith(("A series elastic actuator", "The controller")), answer
    assert state["citations"][0]["n"] == 1 and state["citations"][0]["anchor_url"] == ""


@pytest.mark.parametrize("question", ["Who invented this?", "In what year was this design first used?"])
async def test_selection_abstains_on_what_neither_passage_nor_book_says(chat, guest, question):
    answer, state = await Thread(chat, guest).ask(question, selected_text=SEA_PASSAGE, doc_path="actuators.md")

    assert state["abstained"] is True, answer
    assert "does not cover" in answer


async def test_an_urdu_question_is_answered_from_urdu_sentences_that_use_its_words(chat, guest):
    answer, state = await Thread(chat, guest).ask("ہائیڈرولک ایکچوایٹر کیا ہے؟")

    assert state["abstained"] is False
    assert answer.startswith("ہائیڈرولک ایکچوایٹر"), answer
    assert all("/ur/" in c["anchor_url"] for c in state["citations"])


async def test_an_urdu_question_the_book_cannot_answer_gets_urdu_nearest_sections(chat, guest):
    answer, state = await Thread(chat, guest).ask("کوانٹم کمپیوٹر ایکچوایٹر کو کیسے چلاتا ہے؟")

    assert state["abstained"] is True, answer
    assert "کتاب میں اس سوال کا جواب نہیں" in answer
    links = [line for line in answer.splitlines() if line.startswith("- [")]
    assert all("/ur/" in line for line in links), answer
