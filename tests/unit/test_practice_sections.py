"""A chapter's practice sections read from its outline (tools.practice) and the answer that names them
(extractive.practice): pure parts, no database."""

from __future__ import annotations

import uuid

from booktutor.extractive.intent import asks_about_practice, asks_which_practice
from booktutor.extractive.practice import practice_answer
from booktutor.ingest.purpose import classify_section, enclosing_practice
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.practice import practice_kind, practice_sections

PAGE = uuid.uuid4()


def row(
    path: list[str], purpose: str, anchor: str, sections: list[str] | None = None, text: str = "", doc: str = ""
) -> OutlineRow:
    joined = [{"anchor": anchor, "heading": h} for h in (sections or [path[-1]])]
    return OutlineRow(PAGE, doc or "control/loops.md", path[0], {}, "", "en", path, anchor, purpose, joined, text)


def test_a_code_only_step_stays_code_but_lies_within_its_exercise() -> None:
    path = ("Loops", "Practical Exercise: Tune It", "Step 1: Log")
    assert classify_section(path, "```python\nlog = run()\nlog.save('a.csv')\n```") == "code"
    assert enclosing_practice(path) == 2
    assert enclosing_practice(("Lab 3: Motors", "Wiring")) == 0, "the page title is not an enclosing section"


def test_an_exercise_is_its_heading_with_its_steps_in_order() -> None:
    title = "Loops"
    rows = [
        row([title], "exposition", "loops"),
        row([title, "Tuning"], "exposition", "tuning"),
        row([title, "Practical Exercise: Tune It", "Step 1: Log"], "code", "step-1-log"),
        row([title, "Practical Exercise: Tune It", "Step 2: Fit"], "code", "step-2", ["Step 2: Fit", "Step 3: Check"]),
        row([title, "Review Questions"], "exercise", "review-questions", text="1. Why does the loop overshoot?"),
    ]
    exercise, review = practice_sections(rows)
    assert exercise.heading == "Practical Exercise: Tune It" and exercise.anchor == "practical-exercise-tune-it"
    assert exercise.steps == ["Step 1: Log", "Step 2: Fit", "Step 3: Check"] and exercise.text == []
    assert review.anchor == "review-questions" and review.text == ["1. Why does the loop overshoot?"]


def test_the_questions_that_ask_whether_a_chapter_has_practice() -> None:
    assert asks_which_practice("Does the sensor fusion chapter have any exercises?")
    assert asks_which_practice("How many quizzes does module 1 have?")
    assert not asks_which_practice("What will I build in the first robot project?")
    assert asks_about_practice("What are the steps of the sim-to-real practical exercise?")
    assert not asks_about_practice("What are the steps to calibrate a camera?")


def _results() -> list[dict]:
    return [
        {"n": 1, "doc_path": "a.md", "chapter_title": "Loops", "heading": "Tuning", "text": "A loop corrects."},
        {"n": 2, "doc_path": "b.md", "chapter_title": "Filters", "heading": "Filters", "text": "A filter blends."},
        {"n": 61, "heading": "Exercise: Tune It", "text": "", "steps": ["Step 1: Log", "Step 2: Fit"]},
    ]


def test_the_answer_names_the_asked_chapters_exercise_or_says_it_has_none() -> None:
    listing = [
        {"doc_path": "a.md", "chapter_title": "Loops", "n": 1, "sections": [61]},
        {"doc_path": "b.md", "chapter_title": "Filters", "n": 2, "sections": []},
    ]
    text = practice_answer("Are there any exercises in the loops chapter?", _results(), listing) or ""
    assert text.startswith("Loops has an exercise: **Exercise: Tune It** [61].")
    assert text.index("Step 1: Log") < text.index("Step 2: Fit")
    none = practice_answer("Does the filters chapter have exercises?", _results(), listing)
    assert none == "Filters [2] has no exercise, lab, quiz or project section."
    assert practice_answer("What do I build in the filters chapter project?", _results(), listing) is None


def test_projects_and_challenges_set_to_the_learner_are_practice_not_those_described() -> None:
    for heading in (
        "Capstone Project: Parcel Rover",
        "Project 2: Line Follower",
        "Challenge: Recover a Lost Rover",
        "Bonus challenges",
        "Building Your First Robot Project",
        "Mini-project",
    ):
        assert practice_kind(heading) == "exercise", heading
    for heading in (
        "Project Overview",
        "Project Structure",
        "Unity Project Setup",
        "The Challenge: Wheel Slip",
        "Challenges",
        "Challenges Unique to Rovers",
        "Risk Assessment",
        "Market Projections",
    ):
        assert practice_kind(heading) is None, heading


def test_a_practice_pages_steps_are_its_sections_not_their_sub_sections_or_its_summary() -> None:
    title = "Capstone Project: Parcel Rover"
    rows = [
        row([title], "exposition", "capstone", text="# Capstone Project: Parcel Rover\n\nBuild a rover."),
        row([title, "Overview"], "exposition", "overview"),
        row(
            [title, "Flow"],
            "exposition",
            "flow",
            ["Flow", "Step 1: Ask"],
            text="## Flow\n\nIt runs.\n\n### Step 1: Ask\n",
        ),
        row([title, "Flow", "Step 2: Plan"], "exposition", "step-2-plan"),
        row([title, "Summary"], "summary", "summary"),
        row([title, "Capstone Scenario"], "definition", "capstone-scenario"),
    ]
    (project,) = practice_sections(rows)
    assert project.root == (title,) and project.text == ["# Capstone Project: Parcel Rover\n\nBuild a rover."]
    assert project.steps == ["Overview", "Flow"], "not a step's own sub-steps, the summary or a defined term"


def test_a_section_known_as_practice_by_its_text_says_what_it_is() -> None:
    results = [
        {
            "n": 61,
            "heading": "Wrap",
            "text": "Which sensor drifts?\n- A) Gyro\n- B) Tape\n- C) Wheel",
            "practice_label": "quiz questions",
        },
        {"n": 62, "heading": "Lab: Plan", "text": "### Lab: Plan\n- Load the grid\n- Mark the goal", "steps": []},
    ]
    listing = [{"doc_path": "a.md", "chapter_title": "Loops", "n": 1, "sections": [61, 62]}]
    text = practice_answer("Are there any exercises in the loops chapter?", results, listing) or ""
    assert "- **Wrap** [61] (quiz questions): Which sensor drifts?" in text
    assert "- **Lab: Plan** [62]: Load the grid; Mark the goal." in text, "list items once, without their heading"


def test_a_numbered_part_or_the_course_is_answered_from_its_own_entry() -> None:
    results = [
        {
            "n": 61,
            "heading": "Lab: Plan",
            "purpose": "lab",  # as booktutor.tools.practice reads it (ingest's purpose, else the heading's)
            "text": "",
            "steps": ["Step 1: Load"],
            "doc_path": "m2/plan.md",
            "chapter_title": "Planning",
        },
        {
            "n": 62,
            "heading": "Exercise: Tune",
            "text": "",
            "steps": [],
            "doc_path": "m1/tune.md",
            "chapter_title": "Tuning",
        },
    ]
    listing = [
        {"doc_path": "m1/tune.md", "chapter_title": "Tuning", "n": 1, "sections": [62]},
        {"doc_path": "m2/index.md", "chapter_title": "Module 2", "n": 2, "sections": [61], "scope": "part"},
        {"doc_path": "intro.md", "chapter_title": "Intro", "n": 3, "sections": [62, 61], "scope": "course"},
    ]
    module = practice_answer("Does module 2 have any labs?", results, listing) or ""
    assert module.startswith("Module 2 has a lab: **Lab: Plan** [61] (in Planning).")
    course = practice_answer("What practice does the course have?", results, listing) or ""
    assert course.splitlines() == [
        "The course has 2 practice sections:",
        "- **Exercise: Tune** [62] (in Tuning)",
        "- **Lab: Plan** [61] (in Planning)",
    ]
    missing = [{"doc_path": "m1/tune.md", "chapter_title": "Tuning", "n": 1, "sections": [62]}]
    assert "Step 1" not in (practice_answer("Are there any labs in module 3?", results, missing) or "")


def test_asked_for_the_courses_quizzes_or_projects_the_list_keeps_those() -> None:
    results = [
        {"n": 61, "heading": "Exercise: Tune", "text": "", "steps": []},
        {"n": 62, "heading": "Wrap", "text": "", "practice_label": "quiz questions", "practice_kind": "quiz"},
        {"n": 63, "heading": "Capstone Project", "text": "", "practice_kind": "project"},
    ]
    course = [{"doc_path": "intro.md", "chapter_title": "Intro", "n": 1, "sections": [61, 62, 63], "scope": "course"}]
    assert "**Wrap** [62]" in (practice_answer("Are there any quizzes?", results, course) or "")
    assert "Exercise: Tune" not in (practice_answer("Are there any quizzes?", results, course) or "")
    assert (practice_answer("Is there a capstone project?", results, course) or "").startswith(
        "The course has a project: **Capstone Project** [63]."
    )
    labs = practice_answer("Are there any labs?", results, course) or ""
    assert labs.startswith("I found no lab in the book. The course has 3 practice sections:"), labs


LAB_AND_EXERCISES = [
    {"n": 61, "heading": "Lab 3: Wiring a Motor", "text": "Wire the motor to the driver.", "purpose": "lab"},
    {"n": 62, "heading": "Exercise 3.1", "text": "Compute the gear ratio of the arm.", "purpose": "exercise"},
    {"n": 63, "heading": "Self-Check", "text": "", "practice_kind": "quiz", "purpose": "exercise"},
]


def test_asked_for_a_chapters_labs_its_labs_come_first_and_its_exercises_are_told_apart() -> None:
    listing = [{"doc_path": "c3.md", "chapter_title": "Chapter 3: Motors", "n": 1, "sections": [61, 62, 63]}]
    labs = practice_answer("What labs are there in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    assert labs.startswith("Chapter 3: Motors has a lab:\n- **Lab 3: Wiring a Motor** [61]"), labs
    assert "It also has 2 other practice sections:" in labs and labs.index("[61]") < labs.index("[62]")
    exercises = practice_answer("What exercises are there in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    assert exercises.startswith("Chapter 3: Motors has an exercise:\n- **Exercise 3.1** [62]"), exercises
    only_exercises = [{**listing[0], "sections": [62]}]
    none = practice_answer("What labs are there in chapter 3?", LAB_AND_EXERCISES, only_exercises) or ""
    assert none.startswith("Chapter 3: Motors [1] has no lab.\n\nIts practice section is: **Exercise 3.1** [62]")


def test_chapters_sharing_a_number_are_each_answered_even_without_practice() -> None:
    listing = [
        {"doc_path": "a/c3.md", "chapter_title": "Chapter 3: Motors", "n": 1, "sections": [61], "scope": "part"},
        {"doc_path": "b/c3.md", "chapter_title": "Chapter 3: Vision", "n": 2, "sections": [], "scope": "part"},
    ]
    text = practice_answer("What labs are there in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    assert text.startswith("Chapter 3: Motors has a lab: **Lab 3: Wiring a Motor** [61]."), text
    assert text.endswith("Chapter 3: Vision [2] has no exercise, lab, quiz or project section.")


def test_asked_whether_there_is_a_quiz_the_answer_says_where_and_offers_one() -> None:
    listing = [{"doc_path": "c3.md", "chapter_title": "Chapter 3: Motors", "n": 1, "sections": [61, 62, 63]}]
    text = practice_answer("Is there a quiz on motors?", LAB_AND_EXERCISES, listing) or ""
    assert text.startswith("Chapter 3: Motors has a quiz or assessment:\n- **Self-Check** [63]"), text
    assert text.endswith('Want to practise? Ask "Quiz me on motors" and I will quiz you with questions from the book.')
    assert "Want to practise" not in (
        practice_answer("What labs are there in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    )


def test_a_project_named_with_a_request_lead_or_alone_is_about_practice() -> None:
    for question in ("Tell me about the first robot project", "the first robot project", "Describe the capstone."):
        assert asks_about_practice(question), question
    for question in ("Tell me about the challenges of sim-to-real", "the project structure", "the robot's sensors"):
        assert not asks_about_practice(question), question
    assert asks_which_practice("Is there a self-check on sensors?")


def test_asked_how_to_do_a_chapters_exercise_or_what_to_submit_the_practice_is_shown() -> None:
    for question in (
        "How do I solve the exercise in chapter 3?",
        "How can I approach the lab on motors?",
        "What should I submit for the capstone?",
    ):
        assert asks_about_practice(question), question
    for question in ("How do I solve a quadratic equation?", "How do I start the robot?"):
        assert not asks_about_practice(question), question
    listing = [{"doc_path": "c3.md", "chapter_title": "Chapter 3: Motors", "n": 1, "sections": [61, 62, 63]}]
    text = practice_answer("How do I solve the exercise in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    assert "**Exercise 3.1** [62]" in text, text  # 'solve' names no topic the chapter's title lacks


def test_questions_about_what_a_quiz_asks_or_one_numbered_exercise_are_about_practice() -> None:
    for question in (
        "What is on the module 1 quiz?",
        "What questions are in the Module 1 Quiz?",
        "What does the lidar chapter's knowledge check cover?",
        "Help me with exercise 1 of chapter 2",
        "What is the exercise in the gazebo chapter?",
        "What is question 2 of the quiz about?",
    ):
        assert asks_about_practice(question), question
    for question in ("What is the problem of drift?", "What questions does a lidar answer?", "What is in the box?"):
        assert not asks_about_practice(question), question


def test_a_quiz_is_described_by_its_questions_never_its_key_heading() -> None:
    results = [
        {
            "n": 61,
            "doc_path": "quiz.md",
            "chapter_title": "Module Quiz",
            "heading": "Module Quiz",
            "text": "Check what you learned about loops.",
            "steps": [],
            "practice_kind": "quiz",
            "questions": [
                {"number": 1, "prompt": "What does a loop correct?", "choices": ["Error", "Noise"]},
                {"number": 2, "prompt": "True or false: gains never change.", "choices": []},
            ],
        }
    ]
    listing = [{"doc_path": "quiz.md", "chapter_title": "Module Quiz", "n": 60, "sections": [61]}]
    text = practice_answer("What questions are in the module quiz?", results, listing) or ""
    assert "1. What does a loop correct?\n   A) Error\n   B) Noise\n2. True or false: gains never change." in text
    assert "Quiz me" in text


def test_asked_for_the_exercises_of_a_chapter_with_only_labs_its_labs_are_the_exercises() -> None:
    listing = [{"doc_path": "c3.md", "chapter_title": "Chapter 3: Motors", "n": 1, "sections": [61]}]
    text = practice_answer("What exercises are there in chapter 3?", LAB_AND_EXERCISES, listing) or ""
    assert text.startswith("Chapter 3: Motors has a lab: **Lab 3: Wiring a Motor** [61]."), text
    assert "has no exercise" not in text, text  # not "has no exercise" and then the lab it asked for
