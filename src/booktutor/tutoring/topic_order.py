"""The order of a topic quiz's questions ("quiz me on inverse kinematics"): those about the topic first."""

from __future__ import annotations

from collections import Counter

from booktutor.tutoring.choices import content_words
from booktutor.tutoring.questions import QuizQuestion


def topic_first(questions: list[QuizQuestion], topic: str, focus: str = "") -> list[QuizQuestion]:
    """`questions` with those naming the topic's words first, then those of the `focus` section (the one the
    search found), else in the bank's order (a stable sort).

    A word of the topic found in most of the chapter's questions ("ROS" in a ROS chapter) says little about
    which of them are on the topic, so each word counts by how rare it is among them."""
    relevance = topic_relevance(questions, topic)
    order = sorted(range(len(questions)), key=lambda i: (-relevance[i], questions[i].anchor != focus))
    return [questions[i] for i in order]


def topic_relevance(questions: list[QuizQuestion], topic: str) -> list[float]:
    """How much each question is about `topic`: its words the question names, each counted by its rarity
    among `questions` (0 for a question naming none)."""
    wanted = content_words(topic)
    words = [wanted & content_words(f"{q.heading} {q.prompt} {q.correct_answer_text()}") for q in questions]
    share = Counter(word for found in words for word in found)
    return [sum(1 / share[word] for word in found) for found in words]


def names_topic(questions: list[QuizQuestion], topic: str, *, every_word: bool) -> bool:
    """Whether a question names a word of `topic` (`every_word`: all of its words)."""
    wanted = content_words(topic)
    named = (wanted & content_words(f"{q.heading} {q.prompt} {q.correct_answer_text()}") for q in questions)
    return bool(wanted) and any(found == wanted if every_word else found for found in named)
