"""A quiz whose answers are on a page of their own ("Self-check" and "Self-check answers") is graded against that
page: each question gets the answer of its number (tests/fixtures/network_course/docs/assessment). Which page
answers which quiz: the one it links to, else one of its folder named as its answers, else an "Answers" page
right after it."""

from __future__ import annotations

from typing import Any

from tests.unit.fixture_books import fixture_book_pages

from booktutor.tutoring.answer_pages import answer_key, answers_page
from booktutor.tutoring.grading import OfflineShortGrader, grade_choice
from booktutor.tutoring.imported import BookPage, imported_questions


def _imported(path: str = "assessment/self-check.mdx") -> dict[str, Any]:
    pages = fixture_book_pages("network_course")
    return {q.prompt: q for q in imported_questions(list(pages.values()))[path]}


def test_a_quiz_page_is_graded_with_the_answers_on_its_answers_page():
    questions = _imported()
    assert len(questions) == 10
    ports = questions["Which layer adds the source and destination ports to a reading?"]
    assert (ports.kind, ports.choices[ports.answer]) == ("mcq", "Transport layer")
    assert grade_choice(ports, "C").verdict == "correct" and grade_choice(ports, "A").verdict == "incorrect"
    tcp = questions["True or false: TCP retransmits data that was lost."]
    assert (tcp.choices, tcp.answer) == (["True", "False"], 0)
    qos = questions[
        "A publisher sends at QoS 2 and a subscriber subscribed at QoS 1. At which QoS is the message delivered?"
    ]
    assert (qos.kind, qos.answer, qos.explanation) == ("short", "QoS 1", "The lower of the two.")


async def test_a_short_answer_is_graded_against_the_answers_page(local_embedder: Any):
    question = _imported()["What does the broker do when two boards connect with the same client ID?"]
    grader = OfflineShortGrader(local_embedder)
    assert (await grader.grade(question, "It disconnects the board that connected first.")).verdict == "correct"


def test_the_answers_page_is_never_a_quiz_of_its_own():
    pages = fixture_book_pages("network_course")
    assert "assessment/self-check-answers.mdx" not in imported_questions(list(pages.values()))


def _page(path: str, title: str, text: str = "") -> BookPage:
    return BookPage(path, title, text or f"# {title}\n\n1. What is asked here?\n", {}, "en")


def test_a_quiz_is_paired_with_its_own_answers_page_by_name_or_by_place():
    pages = [
        _page("week-1/lesson.md", "Levers", "# Levers\n\nA lever turns about a fulcrum.\n"),
        _page("week-1/quiz-1.md", "Quiz 1"),
        _page("week-1/quiz-2.md", "Quiz 2"),
        _page("week-1/quiz-2-solutions.md", "Quiz 2 solutions"),
        _page("week-1/quiz-1-solutions.md", "Quiz 1 solutions"),
        _page("week-2/review.md", "Review questions"),
        _page("week-2/answers.md", "Answers"),
        _page("week-3/practice.md", "Practice questions", "# Practice\n\nThe key is on [this page](../keys/k.md).\n"),
        _page("keys/k.md", "Answer key"),
    ]
    paired = {pages[i].title: getattr(answers_page(pages, i), "title", None) for i in (1, 2, 5, 7)}
    assert paired == {
        "Quiz 1": "Quiz 1 solutions",
        "Quiz 2": "Quiz 2 solutions",
        "Review questions": "Answers",
        "Practice questions": "Answer key",
    }
    assert answers_page(pages, 0) is None


def test_an_answers_page_numbers_lettered_and_written_answers():
    key = answer_key(
        "# Answers\n\n1. **B** — the fulcrum stays put.\n2) False\n\n**Q3.** A longer arm needs less force.\n\n"
        "### Question 4\n\nThe effort and the load\nsit on the same side.\n"
    )
    assert key == {
        1: ("B", "The fulcrum stays put."),
        2: ("False", ""),
        3: ("A longer arm needs less force.", ""),
        4: ("The effort and the load sit on the same side.", ""),
    }


def test_a_quiz_of_a_folder_without_lessons_tests_the_lessons_it_asks_about():
    """An assessment folder holds no lessons: each question goes to the lesson section it tests, not to the project
    page beside the quiz; the quiz page still offers all ten."""
    pages = fixture_book_pages("network_course")
    imported = imported_questions(list(pages.values()))
    assert "assessment/greenhouse-node.mdx" not in imported
    targets = {q.prompt: (q.doc_path, q.heading) for q in imported["assessment/self-check.mdx"]}
    assert targets["Which layer adds the source and destination ports to a reading?"] == (
        "unit-1/lesson-1-1-frames-and-ports.mdx",
        "From reading to radio",
    )
    assert targets["True or false: a retained message is kept by the broker even after it has been delivered."] == (
        "unit-2/lesson-2-2-delivery-guarantees.mdx",
        "Retained messages",
    )
    assert sum(len(imported[path]) for path in imported if path.startswith("unit-")) == 10


async def test_an_answer_the_question_offers_is_picked_not_copied(local_embedder: Any):
    question = _imported()[
        "A publisher sends at QoS 2 and a subscriber subscribed at QoS 1. At which QoS is the message delivered?"
    ]
    grader = OfflineShortGrader(local_embedder)
    assert (await grader.grade(question, "QoS 1")).verdict == "correct"
    assert (await grader.grade(question, "QoS 2")).verdict == "incorrect"


def test_an_answers_pages_why_keeps_its_code_as_code():
    wildcard = next(q for prompt, q in _imported().items() if prompt.startswith("Which subscription matches"))
    assert wildcard.explanation == "Each `+` matches exactly one level, so `greenhouse/+/+` needs exactly three levels."
    assert answer_key("1. **B** — the `<name>` part is **kept**.\n") == {1: ("B", "The `<name>` part is kept.")}
