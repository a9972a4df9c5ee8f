"""Follow-ups resolved against earlier turns, and small talk recognised (pure rules, no model)."""

from __future__ import annotations

import pytest

from booktutor.graph.followups import resolve_followup, topic_of
from booktutor.graph.smalltalk import small_talk, small_talk_reply


def thread(*questions: str) -> list[dict]:
    history: list[dict] = []
    for question in questions:
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": "It is explained [1]."}]
    return history


@pytest.mark.parametrize(
    ("earlier", "follow_up", "expected"),
    [
        (
            ["What is a series elastic actuator?"],
            "What are its disadvantages?",
            "series elastic actuator's disadvantages",
        ),
        (["How does a PID controller work?"], "Why is it used?", "Why is the PID controller used?"),
        (["What is a ROS 2 topic?"], "And a service?", "What is a service?"),
        (["What is Moravec's paradox?"], "Who described it first?", "Who described Moravec's paradox first?"),
        (["What is backlash?"], "Tell me more", "Tell me more about backlash?"),
        (["What is an IMU?", "How does it work?"], "What is its main disadvantage?", "the IMU's main disadvantage"),
        (
            ["What is Moravec's paradox?"],
            "What is the difference between the previous one and Polanyi's paradox?",
            "between Moravec's paradox and Polanyi's paradox",
        ),
    ],
)
def test_a_follow_up_names_the_earlier_topic(earlier, follow_up, expected):
    assert expected in resolve_followup(follow_up, thread(*earlier))


@pytest.mark.parametrize(
    "question",
    [
        "What is a series elastic actuator and what is its main drawback?",  # its own antecedent
        "What does this chapter cover?",  # the page, not the previous turn
        "Is it possible to charge a battery overnight?",  # "it" refers to nothing
        "How does a gear train trade speed for torque?",
    ],
)
def test_a_standalone_question_is_left_alone(question):
    assert resolve_followup(question, thread("What is an optical encoder?")) == question


def test_without_earlier_turns_nothing_changes():
    assert resolve_followup("What are its disadvantages?", []) == "What are its disadvantages?"


def test_topic_of_a_question():
    topic = topic_of("How does a PID controller work?")
    assert topic is not None and topic.phrase == "PID controller" and topic.frame == "How does"
    assert topic_of("Why?") is None


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("السلام علیکم", "greeting"),
        ("thanks!", "thanks"),
        ("ok, thank you so much", "thanks"),
        ("What can you do?", "capabilities"),
        ("bye", "goodbye"),
        ("hi, what is backlash?", None),
        ("How are robots tested?", None),
    ],
)
def test_small_talk_is_recognised_only_when_it_is_the_whole_message(message, kind):
    assert small_talk(message) == kind


def test_small_talk_reply_follows_the_learners_language():
    assert "quiz" in small_talk_reply("greeting", "hi", "en")
    assert "ٹیوٹر" in small_talk_reply("greeting", "hi", "ur")
    assert "ٹیوٹر" in small_talk_reply("thanks", "شکریہ", "en")


def answered(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize("why", ["Why?", "why", "Why is that?", "How come?", "But why?"])
def test_a_bare_why_asks_the_reason_for_the_previous_answers_claim(why):
    history = answered(
        "What does the integral term do?",
        "No. The integral term removes the steady offset that gravity leaves. [1] It accumulates the error. [1]",
    )
    assert (
        resolve_followup(why, history)
        == "Why is it that the integral term removes the steady offset that gravity leaves?"
    )


def test_a_bare_why_after_an_abstention_asks_about_the_topic():
    history = answered(
        "What is backlash?", "The book does not cover this.\n\nNearest sections:\n- [Gears](/docs/gears)"
    )
    assert resolve_followup("Why?", history) == "Why? (backlash)"


def test_a_claim_opening_with_a_name_keeps_its_capitals():
    history = answered("What is ROS 2?", "ROS 2 connects the robot's programs through topics. [1]")
    assert resolve_followup("Why?", history) == "Why is it that ROS 2 connects the robot's programs through topics?"
