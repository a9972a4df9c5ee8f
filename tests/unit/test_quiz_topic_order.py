"""A topic quiz asks about the topic first: "quiz me on gear ratios" opens with a question on gear ratios."""

from __future__ import annotations

from booktutor.tutoring.questions import QuizQuestion
from booktutor.tutoring.topic_order import names_topic, topic_first


def _question(qid: str, heading: str, prompt: str, answer: str = "yes") -> QuizQuestion:
    return QuizQuestion(
        id=qid,
        kind="short",
        style="generated",
        prompt=prompt,
        answer=answer,
        doc_path="drives/gears.md",
        chapter_title="Gears",
        heading=heading,
        anchor=heading.lower().replace(" ", "-"),
        anchor_url=f"/docs/drives/gears#{heading.lower().replace(' ', '-')}",
    )


BACKDRIVE = _question("q1", "Backdrivability", "Why is a backdrivable joint safer near people?")
RATIO = _question("q2", "Torque", "Why does a high gear ratio make a leg land harder?")
MOTOR = _question("q3", "Motors in a robot", "What does a robot's motor driver do?")
ARM = _question("q4", "Arms", "How many joints does a robot arm have?")


def test_questions_naming_the_topic_come_before_the_found_section() -> None:
    ordered = topic_first([BACKDRIVE, MOTOR, RATIO], "gear ratios", focus="backdrivability")
    assert [q.id for q in ordered] == ["q2", "q1", "q3"]


def test_a_word_most_questions_name_counts_less_than_a_rare_one() -> None:
    # "robot" is named by two questions, "gear" by one: counted alike, the first in the bank's order would lead
    ordered = topic_first([MOTOR, ARM, BACKDRIVE, RATIO], "robot gears")
    assert [q.id for q in ordered] == ["q2", "q3", "q4", "q1"]


def test_without_a_topic_the_found_section_leads_and_the_rest_keep_their_order() -> None:
    ordered = topic_first([MOTOR, RATIO, BACKDRIVE], "", focus="backdrivability")
    assert [q.id for q in ordered] == ["q1", "q3", "q2"]


def test_a_chapter_asks_about_a_topic_when_a_question_names_its_words() -> None:
    assert names_topic([MOTOR, RATIO], "gear ratios", every_word=True)
    assert names_topic([MOTOR, ARM], "robot gears", every_word=False)
    assert not names_topic([MOTOR, ARM], "robot gears", every_word=True)
    assert not names_topic([MOTOR, ARM], "backdrivability", every_word=False)
