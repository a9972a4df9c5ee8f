"""The router's rules: a request for practice goes to the tutor, a question about the book's own quiz or
exercise is a question for the answerer."""

from __future__ import annotations

import pytest

from booktutor.graph.router import rule_route

ASKS_FOR_PRACTICE = [
    "Quiz me on actuators",
    "quiz on sensors please",
    "Can I have a quick quiz on PID control?",
    "Give me some exercises about sensor fusion",
    "more exercises please",
    "exercises on inverse kinematics",
    "I want to practice inverse kinematics problems",
    "test me on chapter 3",
    "give me a hint",
    "Can you give me a quiz on ROS 2?",
    "Quiz me on the key points of chapter 2",
    "Make flashcards for the key ideas of chapter 2",
]
ASKS_ABOUT_THE_BOOK = [
    "in the nearest-robot task allocator exercise, which robot gets T1 and why not the others?",
    "What does the quiz on chapter 2 cover?",
    "Why is the answer to the third question of the chapter quiz B?",
    "What is the exercise at the end of the kinematics chapter about?",
    "How long should the lab exercise take?",
]
ASKS_WHETHER_THE_BOOK_HAS_IT = [
    "Is there a quiz on ROS 2?",
    "Are there any quizzes about sensors?",
    "Does chapter 4 have a self-check?",
    "Give me the key points of chapter 2",
    "Summarize chapter 4",
    "What are the main ideas of module 3?",
    "Summarize the sensors chapter",
    "What are the key takeaways of the kinematics chapter?",
    "Give me a summary of the chapter on perception",
    "Summarize this page",
]


@pytest.mark.parametrize("message", ASKS_FOR_PRACTICE)
def test_a_request_for_practice_goes_to_the_tutor(message: str) -> None:
    assert rule_route(message) == "tutor"


@pytest.mark.parametrize("message", ASKS_ABOUT_THE_BOOK)
def test_a_question_about_the_books_quiz_or_exercise_is_left_to_the_answerer(message: str) -> None:
    assert rule_route(message) is None


async def test_a_question_about_a_chapters_exercises_is_answered_not_personalized() -> None:
    from booktutor.graph.router import IntentRouter

    class NoEmbedder:
        async def embed_query(self, text: str) -> list[float]:
            raise AssertionError("the practice question is routed before any similarity")

    router = IntentRouter(NoEmbedder())  # type: ignore[arg-type]
    route, _ = await router.route("Are there any exercises in the humanoid robotics landscape chapter?")
    assert route == "answer"


@pytest.mark.parametrize("message", ASKS_WHETHER_THE_BOOK_HAS_IT)
def test_whether_the_book_has_a_quiz_or_what_a_chapter_says_is_a_question_for_the_answerer(message: str) -> None:
    assert rule_route(message) == "answer"


def test_a_chapter_summary_for_a_reader_or_in_a_language_keeps_its_specialist() -> None:
    assert rule_route("Summarise chapter 3 for a beginner") == "personalize"
    assert rule_route("Summarize chapter 2 in Urdu") == "translate"
